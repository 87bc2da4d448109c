// SPDX-License-Identifier: GPL-2.0
/*
 * PSCI through hvc or smc, as /psci's "method" says (hvc at EL1 entry, smc
 * when QEMU's virtualization=on gave us EL2). The function ID goes in x0
 * inside the asm statement itself.
 */
#include <arch/psci.h>
#include <asm/sysreg.h>
#include <kernel/printk.h>
#include <lib/errno.h>

#define PSCI_VERSION		0x84000000
#define PSCI_SYSTEM_OFF		0x84000008
#define PSCI_SYSTEM_RESET	0x84000009

static bool psci_ok, psci_use_smc;

static u64 psci_call(u64 fn)
{
	register u64 x0 asm("x0") = fn;

	if (psci_use_smc)
		asm volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	else
		asm volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	return x0;
}

int psci_init(const struct dt_info *dt)
{
	if (!dt->psci_present)
		return -ENODEV;
	psci_use_smc = dt->psci_smc;
	psci_ok = true;
	return 0;
}

const char *psci_conduit(void)
{
	return !psci_ok ? "none" : psci_use_smc ? "smc" : "hvc";
}

u32 psci_version(void)
{
	return psci_ok ? (u32)psci_call(PSCI_VERSION) : 0;
}

static void __attribute__((noreturn)) psci_stop(u64 fn, const char *what)
{
	if (psci_ok)
		psci_call(fn);
	printk("%s: no PSCI (or it returned); halting\n", what);
	for (;;)
		asm volatile("msr daifset, #0xf\n\twfi");
}

void psci_system_off(void)
{
	psci_stop(PSCI_SYSTEM_OFF, "poweroff");
}

void psci_system_reset(void)
{
	psci_stop(PSCI_SYSTEM_RESET, "reboot");
}
