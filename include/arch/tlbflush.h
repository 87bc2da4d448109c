/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLB maintenance and the barriers around descriptor writes, as mm/ sees
 * them (arch/aarch64/tlbflush.c; a logging fake in host tests). Every
 * operation is for the kernel's (TTBR1, global) translations.
 */
#ifndef ARCH_TLBFLUSH_H
#define ARCH_TLBFLUSH_H

#include <lib/types.h>

/* TLBI VALE1IS: the last-level (leaf) entry for @va. */
void arch_tlbi_leaf(u64 va);
/* TLBI VAE1IS: every level's entry for @va (a table changed). */
void arch_tlbi_va(u64 va);
/* TLBI VMALLE1IS. */
void arch_tlbi_all(void);
/* DSB ISHST: descriptor writes visible to the table walker. */
void arch_dsb_ishst(void);
/* DSB ISH: the invalidations above completed. */
void arch_dsb_ish(void);
void arch_isb(void);

#endif
