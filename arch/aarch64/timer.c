// SPDX-License-Identifier: GPL-2.0
/*
 * The EL1 virtual timer as the tick (HZ per second), and time from the
 * virtual counter. At EL2 entry CNTVOFF_EL2 was set to 0, so the virtual
 * counter counts from reset in every boot mode.
 */
#include <arch/irqflags.h>
#include <arch/timer.h>
#include <asm/sysreg.h>
#include <drivers/irq.h>
#include <lib/errno.h>

volatile u64 jiffies;
static u64 tick_cycles;
static unsigned int timer_intid;

u64 arch_counter_read(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

u64 arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

u64 uptime_us(void)
{
	u64 cnt = arch_counter_read(), freq = arch_counter_freq();

	return cnt / freq * 1000000 + cnt % freq * 1000000 / freq;
}

static void timer_tick(unsigned int intid, void *data)
{
	write_sysreg(read_sysreg(cntv_cval_el0) + tick_cycles, cntv_cval_el0);
	jiffies++;
}

int arch_timer_init(const struct dt_info *dt)
{
	int ret;

	if (!dt->timer_virt.valid)
		return -ENODEV;
	tick_cycles = arch_counter_freq() / HZ;
	write_sysreg(arch_counter_read() + tick_cycles, cntv_cval_el0);
	write_sysreg(1, cntv_ctl_el0);		/* enabled, not masked */
	ret = request_irq(dt->timer_virt.intid, dt->timer_virt.trigger, timer_tick, NULL);
	if (ret) {
		write_sysreg(0, cntv_ctl_el0);
		return ret;
	}
	timer_intid = dt->timer_virt.intid;
	return 0;
}

unsigned int arch_timer_intid(void)
{
	return timer_intid;
}

void msleep(u64 ms)
{
	u64 end = arch_counter_read() + ms * arch_counter_freq() / 1000;

	while (arch_counter_read() < end) {
		/* WFI with IRQs masked still wakes on a pending interrupt. */
		unsigned long flags = arch_local_irq_save();

		if (arch_counter_read() < end)
			wfi();
		arch_local_irq_restore(flags);
	}
}
