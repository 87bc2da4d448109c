// SPDX-License-Identifier: GPL-2.0
/* Switching the kernel's translation tables (include/arch/mmu.h). */
#include <arch/irqflags.h>
#include <arch/mmu.h>
#include <arch/pgtable.h>
#include <asm/sysreg.h>
#include <lib/kernel.h>
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

unsigned int arch_phys_addr_bits(void)
{
	static const unsigned char bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	unsigned int r = MMFR0_PARANGE(read_sysreg(id_aa64mmfr0_el1));
	unsigned int pa = r < ARRAY_SIZE(bits) ? bits[r] : 48;

	return pa < PHYS_ADDR_BITS ? pa : PHYS_ADDR_BITS;
}
