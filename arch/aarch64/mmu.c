// SPDX-License-Identifier: GPL-2.0
/* Switching the kernel's translation tables (include/arch/mmu.h). */
#include <arch/irqflags.h>
#include <arch/mmu.h>
#include <asm/sysreg.h>
#include <mm/mmu.h>

extern void idmap_cpu_replace_ttbr1(u64 ttbr1);

void arch_switch_kernel_tables(phys_addr_t root)
{
	void (*replace)(u64) = (void (*)(u64))__pa_symbol(idmap_cpu_replace_ttbr1);
	unsigned long flags = arch_local_irq_save();

	replace(root);
	write_sysreg(read_sysreg(tcr_el1) | TCR_EPD0, tcr_el1);
	isb();
	asm volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" : : : "memory");
	arch_local_irq_restore(flags);
}
