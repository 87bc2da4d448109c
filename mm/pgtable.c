// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel page tables, one implementation for every granule and level
 * (include/mm/pgtable.h). Sizes come from include/arch/pgtable.h only.
 *
 * A table page is reached through the fixmap slot of its level while it is
 * being read or written, so the walk below holds one slot per level: going
 * down never disturbs the table of the level above.
 */
#include <arch/tlbflush.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/fixmap.h>
#include <mm/pgtable.h>

/* The table page at @pa, mapped at the fixmap slot of @level. */
static pte_t *table_va(phys_addr_t pa, int level)
{
	return fixmap_set(FIX_PTE_L0 + level, pa, PAGE_KERNEL);
}

static void set_pte(pte_t *ptep, pte_t pte)
{
	WRITE_ONCE(*ptep, pte);
	arch_dsb_ishst();
}

/* Last address the entry of @level that maps @va covers. */
static u64 entry_last(u64 va, int level)
{
	return va | (level_size(level) - 1);
}

enum map_action map_action(u64 va, u64 last, phys_addr_t pa, int level,
			   unsigned int flags, enum pte_type existing)
{
	u64 size = level_size(level);

	if (existing == PTE_TABLE)
		return MAP_DESCEND;
	if (existing != PTE_INVALID)
		return MAP_EXISTS;
	if (level == PGTABLE_LAST_LEVEL)
		return MAP_LEAF;
	if (!(flags & PGT_NO_BLOCKS) && arch_block_allowed(level) &&
	    IS_ALIGNED(va | pa, size) && last - va >= size - 1)
		return MAP_LEAF;
	return MAP_NEW_TABLE;
}

static phys_addr_t new_table(struct pgtable_alloc *alloc, int level, u64 va)
{
	phys_addr_t pa = alloc->alloc(alloc, level, va);
	pte_t *t;

	if (!pa)
		return 0;
	t = table_va(pa, level);
	for (unsigned long i = 0; i < PTRS_PER_TABLE; i++)
		t[i] = 0;
	alloc->nr_tables++;
	return pa;
}

static int map_level(phys_addr_t table, int level, u64 va, u64 last,
		     phys_addr_t pa, pgprot_t prot, unsigned int flags,
		     struct pgtable_alloc *alloc);

/* Build a new table for the entry at @ptep, then publish it: never half-built. */
static int map_new_table(pte_t *ptep, int level, u64 va, u64 last, phys_addr_t pa,
			 pgprot_t prot, unsigned int flags, struct pgtable_alloc *alloc)
{
	phys_addr_t child = new_table(alloc, level + 1, va);
	int ret;

	if (!child)
		return -ENOMEM;
	ret = map_level(child, level + 1, va, last, pa, prot, flags, alloc);
	if (ret) {
		alloc->free(alloc, child, level + 1);
		alloc->nr_tables--;
		return ret;
	}
	/* The walk below moved other levels' slots; ours still maps this table. */
	set_pte(ptep, arch_pte_mktable(child, level));
	return 0;
}

static int map_level(phys_addr_t table, int level, u64 va, u64 last,
		     phys_addr_t pa, pgprot_t prot, unsigned int flags,
		     struct pgtable_alloc *alloc)
{
	for (;;) {
		pte_t *ptep = &table_va(table, level)[level_index(va, level)];
		u64 chunk_last = min(entry_last(va, level), last);
		int ret = 0;

		switch (map_action(va, last, pa, level, flags, arch_pte_type(*ptep, level))) {
		case MAP_LEAF:
			set_pte(ptep, arch_pte_mkleaf(pa, level, prot));
			break;
		case MAP_NEW_TABLE:
			ret = map_new_table(ptep, level, va, chunk_last, pa, prot, flags, alloc);
			break;
		case MAP_DESCEND:
			ret = map_level(arch_pte_addr(*ptep, level), level + 1, va,
					chunk_last, pa, prot, flags, alloc);
			break;
		case MAP_EXISTS:
			ret = -EEXIST;
			break;
		}
		if (ret)
			return ret;
		if (chunk_last == last)
			return 0;
		pa += chunk_last - va + 1;
		va = chunk_last + 1;
	}
}

int pgtable_map(struct pgtable *pt, u64 va, phys_addr_t pa, u64 size,
		pgprot_t prot, unsigned int flags, struct pgtable_alloc *alloc)
{
	int ret;

	if (!size || !IS_ALIGNED(va | pa | size, PAGE_SIZE))
		return -EINVAL;
	ret = map_level(pt->root, PGTABLE_START_LEVEL, va, va + size - 1, pa,
			prot, flags, alloc);
	arch_isb();
	return ret;
}

int pgtable_install_table(struct pgtable *pt, u64 va, int level,
			  phys_addr_t table, struct pgtable_alloc *alloc)
{
	phys_addr_t cur = pt->root;

	for (int l = PGTABLE_START_LEVEL; l < level - 1; l++) {
		pte_t *ptep = &table_va(cur, l)[level_index(va, l)];

		if (arch_pte_type(*ptep, l) == PTE_INVALID) {
			phys_addr_t child = new_table(alloc, l + 1, va);

			if (!child)
				return -ENOMEM;
			ptep = &table_va(cur, l)[level_index(va, l)];
			set_pte(ptep, arch_pte_mktable(child, l));
		} else if (arch_pte_type(*ptep, l) != PTE_TABLE) {
			return -EEXIST;
		}
		cur = arch_pte_addr(*ptep, l);
	}
	{
		pte_t *ptep = &table_va(cur, level - 1)[level_index(va, level - 1)];

		if (arch_pte_type(*ptep, level - 1) != PTE_INVALID)
			return -EEXIST;
		set_pte(ptep, arch_pte_mktable(table, level - 1));
	}
	arch_isb();
	return 0;
}

int pgtable_walk(struct pgtable *pt, u64 va, struct pgtable_walk *w)
{
	phys_addr_t table = pt->root;

	for (int level = PGTABLE_START_LEVEL; level <= PGTABLE_LAST_LEVEL; level++) {
		pte_t pte = table_va(table, level)[level_index(va, level)];

		w->level = level;
		w->pte = pte;
		w->tables[level] = table;
		w->entries[level] = pte;
		if (arch_pte_type(pte, level) != PTE_TABLE)
			return arch_pte_type(pte, level) == PTE_INVALID ? -EFAULT : 0;
		table = arch_pte_addr(pte, level);
	}
	return -EFAULT;
}
