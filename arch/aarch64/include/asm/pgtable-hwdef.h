/* SPDX-License-Identifier: GPL-2.0 */
/* VMSAv8-64 stage 1 descriptor bits, private to arch/ and boot/. */
#ifndef ASM_PGTABLE_HWDEF_H
#define ASM_PGTABLE_HWDEF_H

#define PTE_VALID		(1UL << 0)
#define PTE_TABLE_BIT		(1UL << 1)	/* table at levels 0-2, page at level 3 */
#define PTE_ATTRINDX(i)		((unsigned long)(i) << 2)
#define PTE_ATTRINDX_MASK	(7UL << 2)
#define PTE_AP_RO		(1UL << 7)	/* AP[2]: read-only */
#define PTE_SH_INNER		(3UL << 8)
#define PTE_AF			(1UL << 10)
#define PTE_NG			(1UL << 11)
#define PTE_CONT		(1UL << 52)
#define PTE_PXN			(1UL << 53)
#define PTE_UXN			(1UL << 54)
/* Output address bits [47:PAGE_SHIFT] (no 52-bit PA). */
#define PTE_ADDR_MASK(shift)	(((1UL << 48) - 1) & ~((1UL << (shift)) - 1))

/* MAIR_EL1 attribute indices, as Linux numbers them. */
#define MT_NORMAL		0
#define MT_NORMAL_TAGGED	1
#define MT_NORMAL_NC		2
#define MT_DEVICE_nGnRnE	3
#define MT_DEVICE_nGnRE		4
/*
 * MAIR_EL1, one byte per index: Normal write-back (0xff) at 0 and 1, Normal
 * non-cacheable (0x44) at 2, Device-nGnRnE (0x00) at 3, Device-nGnRE (0x04) at 4.
 */
#define MAIR_EL1_VALUE	0x000000040044ffff

#endif
