// SPDX-License-Identifier: GPL-2.0
/*
 * TLB invalidation for kernel mappings. The TLBI VA operand is VA[55:12]
 * whatever the granule (for 16K and 64K the low bits are ignored), so the
 * shift is 12 on every granule. The ASID field is 0: kernel entries are
 * global and match any ASID.
 */
#include <arch/tlbflush.h>

static inline u64 tlbi_operand(u64 va)
{
	return (va >> 12) & ((1UL << 44) - 1);
}

void arch_tlbi_leaf(u64 va)
{
	asm volatile("tlbi vale1is, %0" : : "r"(tlbi_operand(va)) : "memory");
}

void arch_tlbi_va(u64 va)
{
	asm volatile("tlbi vae1is, %0" : : "r"(tlbi_operand(va)) : "memory");
}

void arch_tlbi_all(void)
{
	asm volatile("tlbi vmalle1is" : : : "memory");
}

void arch_dsb_ishst(void)
{
	asm volatile("dsb ishst" : : : "memory");
}

void arch_dsb_ish(void)
{
	asm volatile("dsb ish" : : : "memory");
}

void arch_isb(void)
{
	asm volatile("isb" : : : "memory");
}
