// SPDX-License-Identifier: GPL-2.0
/*
 * Permission changes of vmalloc memory (set_memory_*(), include/mm/vmalloc.h):
 * the policy of Linux's arm64 change_memory_common(), in generic code; the
 * arch only encodes the new descriptors.
 *
 * Kernel mappings are live, and splitting a live block (or contiguous run)
 * to change part of it is where TLB conflicts come from (seed 004: "forbid
 * changing memory attributes for portions of the huge page"). So a change
 * must lie inside one vmalloc() area, and covers every mapping unit it
 * touches wholly, or it is refused with nothing changed:
 *
 *   |<------ block ------>|<-run->|pg|pg|
 *        [ set_memory_ro ]               -EINVAL: part of the block
 *   [     set_memory_ro      ]           -EINVAL: part of the run
 *   [    set_memory_ro    ]              0: the whole block
 *
 * Linux >= 5.19 refuses huge vmalloc areas outright; hotmm allows whole
 * units, which changes permissions only and so needs no split.
 */
#include <lib/errno.h>
#include <kernel/panic.h>
#include <mm/mmu.h>
#include <mm/vmalloc.h>

struct page_change_data {
	pgprot_t set_mask;
	pgprot_t clear_mask;
};

/* Every unit of [addr, end) mapped and wholly inside it. */
static int check_units(struct pgtable *pt, u64 addr, u64 end)
{
	struct pgtable_unit u;

	for (u64 va = addr; va < end; va = pgtable_unit_next(&u, end)) {
		if (pgtable_leaf_unit(pt, va, &u))
			return -EFAULT;
		if (u.va < addr || u.va + u.size > end)
			return -EINVAL;
	}
	return 0;
}

int apply_to_existing_page_range(struct pgtable *pt, u64 addr, u64 size, pte_unit_fn_t fn,
				 void *data)
{
	u64 end = addr + size;
	struct pgtable_unit u;
	int ret;

	if (!size || !IS_ALIGNED(addr | size, PAGE_SIZE) || end < addr)
		return -EINVAL;
	ret = check_units(pt, addr, end);
	if (ret)
		return ret;
	for (u64 va = addr; va < end; va = pgtable_unit_next(&u, end)) {
		pgprot_t prot;

		BUG_ON(pgtable_leaf_unit(pt, va, &u));
		prot = fn(&u, data);
		if (prot == arch_pte_prot(u.pte, u.level))
			continue;
		/* A whole unit: pgtable_protect() splits nothing, so it cannot fail. */
		BUG_ON(pgtable_protect(pt, u.va, u.size, prot, &vmalloc_pgtable_alloc));
	}
	return 0;
}

static pgprot_t change_page_range(const struct pgtable_unit *u, void *data)
{
	const struct page_change_data *cdata = data;

	return (arch_pte_prot(u->pte, u->level) & ~cdata->clear_mask) | cdata->set_mask;
}

static int change_memory_common(unsigned long addr, int numpages, pgprot_t set_mask,
				pgprot_t clear_mask)
{
	struct page_change_data data = { .set_mask = set_mask, .clear_mask = clear_mask };
	u64 size = (u64)numpages << PAGE_SHIFT;
	struct vm_struct *area;

	if (!IS_ALIGNED(addr, PAGE_SIZE) || numpages < 0)
		return -EINVAL;
	/* Only memory of one vmalloc() area: vmap()'s pages are not its to change. */
	area = find_vm_area((void *)addr);
	if (!area || !(area->flags & VM_ALLOC) ||
	    addr + size > (u64)area->addr + get_vm_area_size(area))
		return -EINVAL;
	if (!numpages)
		return 0;
	return apply_to_existing_page_range(&swapper_pg, addr, size, change_page_range, &data);
}

int set_memory_ro(unsigned long addr, int numpages)
{
	return change_memory_common(addr, numpages, 0, PROT_WRITE);
}

int set_memory_rw(unsigned long addr, int numpages)
{
	return change_memory_common(addr, numpages, PROT_WRITE, 0);
}

int set_memory_nx(unsigned long addr, int numpages)
{
	return change_memory_common(addr, numpages, 0, PROT_EXEC);
}

int set_memory_x(unsigned long addr, int numpages)
{
	return change_memory_common(addr, numpages, PROT_EXEC, 0);
}
