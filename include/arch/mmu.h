/* SPDX-License-Identifier: GPL-2.0 */
/* Turning translation tables on (arch/aarch64/mmu.c). */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <lib/types.h>

/*
 * Make @root the kernel's (TTBR1) table, switching from the identity map so
 * nothing is fetched through TTBR1 meanwhile, then turn TTBR0 walks off
 * (TCR_EL1.EPD0): a physical address used as a pointer then faults.
 */
void arch_switch_kernel_tables(phys_addr_t root);

/*
 * The physical address size the kernel's tables use: TCR_EL1.IPS, that is
 * min(ID_AA64MMFR0_EL1.PARange, 48 bits). Memory above it cannot be mapped.
 */
unsigned int arch_phys_addr_bits(void);

#endif
