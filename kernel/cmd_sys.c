// SPDX-License-Identifier: GPL-2.0
/* System commands: version, uptime, sleep, interrupts, bootargs, poweroff, reboot. */
#include <arch/psci.h>
#include <arch/timer.h>
#include <asm/sysreg.h>
#include <drivers/irq.h>
#include <drivers/pl011.h>
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/setup.h>
#include <kernel/shell.h>
#include <version.h>
#include <lib/errno.h>

static int cmd_version(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	printk("hotmm %s, %s granule, built for QEMU virt\n", HOTMM_VERSION, PAGE_SIZE_NAME);
	printk("entered at EL%llu, boot mode %s, MIDR 0x%08llx\n",
	       (unsigned long long)boot_info.entry_el, boot_mode_name(boot_info.mode),
	       (unsigned long long)read_sysreg(midr_el1));
	printk("boot to prompt: %llu us\n", (unsigned long long)boot_to_prompt_us);
	return 0;
}
SHELL_CMD(version, cmd_version, "", "version, granule, boot mode, CPU and boot time");

static int cmd_uptime(int argc, char **argv)
{
	u64 us = uptime_us();

	if (argc != 1)
		return shell_usage(argv[0]);
	printk("uptime: %llu.%06llu s (%llu us), jiffies %llu (HZ=%d)\n",
	       (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000),
	       (unsigned long long)us, (unsigned long long)jiffies, HZ);
	return 0;
}
SHELL_CMD(uptime, cmd_uptime, "", "time since reset, from the generic counter");

static int cmd_sleep(int argc, char **argv)
{
	u64 ms;

	if (argc != 2)
		return shell_usage(argv[0]);
	if (shell_parse_u64(argv[1], "milliseconds", &ms))
		return -EINVAL;
	if (ms > 600000) {
		printk("error: at most 600000 ms\n");
		return -ERANGE;
	}
	msleep(ms);
	return 0;
}
SHELL_CMD(sleep, cmd_sleep, "MS", "sleep MS milliseconds on the timer interrupt");

static int cmd_interrupts(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	printk("%s\n  INTID      count  what\n", gic_name());
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		const char *what = "";

		if (!irq_requested(i) && !irq_count(i))
			continue;
		if (i == arch_timer_intid())
			what = "EL1 virtual timer";
		else if (i == dt.uart_irq.intid)
			what = "PL011 UART receive";
		printk("  %5u %10llu  %s\n", i, (unsigned long long)irq_count(i), what);
	}
	printk("  uart receive overruns: %llu\n", (unsigned long long)pl011_rx_overruns());
	return 0;
}
SHELL_CMD(interrupts, cmd_interrupts, "", "interrupts taken, per INTID");

static int cmd_bootargs(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	if (dt.has_bootargs)
		printk("bootargs: %s\n", dt.bootargs);
	else
		printk("bootargs: (none)\n");
	return 0;
}
SHELL_CMD(bootargs, cmd_bootargs, "", "the command line from /chosen/bootargs");

static int cmd_poweroff(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	printk("Powering off.\n");
	psci_system_off();
}
SHELL_CMD(poweroff, cmd_poweroff, "", "PSCI SYSTEM_OFF: QEMU exits");

static int cmd_reboot(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	printk("Rebooting.\n");
	psci_system_reset();
}
SHELL_CMD(reboot, cmd_reboot, "", "PSCI SYSTEM_RESET");
