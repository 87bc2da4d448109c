/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The translation-table contract between mm/ and the architecture.
 *
 * Levels are numbered as the Arm ARM numbers them: the last level (pages) is
 * 3, its parent 2, and so on up to PGTABLE_START_LEVEL. With a 48-bit VA:
 *
 *   granule  levels  start  level shifts (3,2,1,0)   blocks at
 *   4K       4       0      12 21 30 39              1 (1 GiB), 2 (2 MiB)
 *   16K      4       0      14 25 36 47              2 (32 MiB)
 *   64K      3       1      16 29 42                 2 (512 MiB)
 *
 * Geometry is inline here (it follows from PAGE_SHIFT alone). Descriptors
 * are encoded and decoded only by the arch_pte_*() functions, implemented
 * in arch/aarch64/pgtable.c for the kernel and by a fake arch in host tests,
 * so no other file knows a descriptor bit.
 */
#ifndef ARCH_PGTABLE_H
#define ARCH_PGTABLE_H

#include <arch/sparsemem.h>
#include <lib/types.h>
#include <layout.h>

typedef u64 pte_t;

#define PGTABLE_LEVELS		(PAGE_SHIFT == 16 ? 3 : 4)
#define PGTABLE_START_LEVEL	(4 - PGTABLE_LEVELS)
#define PGTABLE_LAST_LEVEL	3
#define PTRS_PER_TABLE_SHIFT	(PAGE_SHIFT - 3)
#define PTRS_PER_TABLE		(1UL << PTRS_PER_TABLE_SHIFT)
#define PHYS_ADDR_BITS		48	/* the most hotmm uses (TCR IPS) */

/* VA bit where an entry of @level starts. */
static inline unsigned int level_shift(int level)
{
	return PAGE_SHIFT + (PGTABLE_LAST_LEVEL - level) * PTRS_PER_TABLE_SHIFT;
}

/* Bytes one entry of @level maps. */
static inline u64 level_size(int level)
{
	return 1ULL << level_shift(level);
}

/* Entries in a table of @level (the start level may be a partial table). */
static inline unsigned long level_entries(int level)
{
	unsigned int bits = VA_BITS - level_shift(level);

	return 1UL << (bits < PTRS_PER_TABLE_SHIFT ? bits : PTRS_PER_TABLE_SHIFT);
}

/* Index of @va's entry in its table at @level. */
static inline unsigned long level_index(u64 va, int level)
{
	return (va >> level_shift(level)) & (level_entries(level) - 1);
}

/*
 * Whether a block descriptor may exist at @level. Level-1 blocks exist only
 * for 4K without FEAT_LPA2, which hotmm does not use.
 */
static inline bool arch_block_allowed(int level)
{
	if (level == 2)
		return true;
	return level == 1 && PAGE_SHIFT == 12;
}

/*
 * Entries in a contiguous run at @level (the Contiguous bit), or 0 where the
 * granule has none: 16 (4K), 128 (16K) or 32 (64K) pages at level 3;
 * 16, 32, 32 blocks at level 2.
 */
static inline unsigned int arch_cont_entries(int level)
{
	if (level == 3)
		return PAGE_SHIFT == 12 ? 16 : PAGE_SHIFT == 14 ? 128 : 32;
	if (level == 2)
		return PAGE_SHIFT == 12 ? 16 : 32;
	return 0;
}

/*
 * ARM64_MEMSTART_ALIGN: PAGE_OFFSET maps RAM from this alignment, so that
 * vmemmap chunks line up with blocks: 1 GiB for 4K (a level-1 block) and 16K
 * (a contiguous run of level-2 blocks), 512 MiB for 64K (a level-2 block);
 * as in Linux, never less than a section, so that section 0's memmap starts
 * at VMEMMAP_START (SECTION_SIZE_BITS=31 on 4K makes it 2 GiB).
 */
static inline u64 arch_memstart_align(void)
{
	u64 align;

	if (PAGE_SHIFT == 14)
		align = level_size(2) * arch_cont_entries(2);
	else
		align = level_size(PAGE_SHIFT == 12 ? 1 : 2);
	return align > (1ULL << SECTION_SIZE_BITS) ? align : 1ULL << SECTION_SIZE_BITS;
}

/* Protection and memory type of a leaf, independent of the encoding. */
typedef unsigned int pgprot_t;
#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define PROT_DEVICE	0x8	/* Device-nGnRE; never executable */

#define PAGE_KERNEL		(PROT_READ | PROT_WRITE)
#define PAGE_KERNEL_RO		(PROT_READ)
#define PAGE_KERNEL_ROX		(PROT_READ | PROT_EXEC)
#define PAGE_KERNEL_EXEC	(PROT_READ | PROT_WRITE | PROT_EXEC)
#define PAGE_DEVICE		(PROT_READ | PROT_WRITE | PROT_DEVICE)

enum pte_type {
	PTE_INVALID,
	PTE_TABLE,		/* points to a next-level table */
	PTE_BLOCK,		/* leaf above the last level */
	PTE_PAGE,		/* leaf at the last level */
};

/* A leaf mapping @pa at @level: a page at the last level, else a block. */
pte_t arch_pte_mkleaf(phys_addr_t pa, int level, pgprot_t prot);
/* A table descriptor at @level pointing to the table page at @table. */
pte_t arch_pte_mktable(phys_addr_t table, int level);
enum pte_type arch_pte_type(pte_t pte, int level);
/* Output address of a leaf, or the next table's address. */
phys_addr_t arch_pte_addr(pte_t pte, int level);
pgprot_t arch_pte_prot(pte_t pte, int level);
bool arch_pte_cont(pte_t pte, int level);
pte_t arch_pte_mkcont(pte_t pte, int level);
/* Same output address and type, new protection (no break-before-make needed). */
pte_t arch_pte_modify_prot(pte_t pte, int level, pgprot_t prot);
/* The same leaf without its Contiguous bit. */
pte_t arch_pte_mknoncont(pte_t pte, int level);
/*
 * Write one descriptor of a live table (a single 64-bit store). All of
 * mm/'s table writes go through here, so the host tests can log them.
 */
void arch_set_pte(pte_t *ptep, pte_t pte);

#endif
