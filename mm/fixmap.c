// SPDX-License-Identifier: GPL-2.0
/*
 * Fixmap slots. The last-level tables were made by boot/early_map.c; the
 * final tables link the same pages, so a slot works before and after the
 * switch. Changing a live slot is break-before-make: clear, invalidate,
 * then write the new entry.
 */
#include <arch/tlbflush.h>
#include <lib/kernel.h>
#include <mm/fixmap.h>
#include <mm/mmu.h>

#define FIXMAP_MAX_TABLES	4

static pte_t *fixmap_tables[FIXMAP_MAX_TABLES];
static unsigned int fixmap_nr;

void fixmap_init(pte_t *const *tables, unsigned int n)
{
	for (unsigned int i = 0; i < n && i < FIXMAP_MAX_TABLES; i++)
		fixmap_tables[i] = tables[i];
	fixmap_nr = n;
}

static pte_t *fixmap_ptep(u64 va)
{
	u64 span = level_size(PGTABLE_LAST_LEVEL - 1);
	u64 n = (va - ALIGN_DOWN(FIXADDR_START, span)) / span;

	return &fixmap_tables[n][level_index(va, PGTABLE_LAST_LEVEL)];
}

void fixmap_clear(unsigned int slot)
{
	u64 va = fix_to_virt(slot);
	pte_t *ptep = fixmap_ptep(va);

	if (arch_pte_type(*ptep, PGTABLE_LAST_LEVEL) == PTE_INVALID)
		return;
	WRITE_ONCE(*ptep, 0);
	arch_dsb_ishst();
	arch_tlbi_leaf(va);
	arch_dsb_ish();
	arch_isb();
}

void *fixmap_set(unsigned int slot, phys_addr_t pa, pgprot_t prot)
{
	u64 va = fix_to_virt(slot);
	pte_t *ptep = fixmap_ptep(va);
	pte_t pte = arch_pte_mkleaf(pa, PGTABLE_LAST_LEVEL, prot);

	if (*ptep == pte)
		return (void *)va;
	fixmap_clear(slot);
	WRITE_ONCE(*ptep, pte);
	arch_dsb_ishst();
	arch_isb();
	return (void *)va;
}

phys_addr_t fixmap_table_phys(unsigned int index)
{
	return __pa_symbol(fixmap_tables[index]);
}

unsigned int fixmap_nr_tables(void)
{
	return fixmap_nr;
}
