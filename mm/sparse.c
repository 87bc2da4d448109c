// SPDX-License-Identifier: GPL-2.0
/*
 * Sections and their memmap (include/mm/sparse.h), Linux's mm/sparse.c for
 * SPARSEMEM_VMEMMAP.
 *
 * Boot memory is handled in whole sections: a section any memblock region
 * touches is present, online and gets a memmap for all of its pages; its
 * subsection bits mark the 2 MiB pieces that hold memory, and the struct
 * pages of holes keep PG_reserved. Hot-added memory comes and goes in
 * subsections (sparse_add_section(), sparse_remove_section()): only their
 * memmap is mapped, and a vmemmap page that several subsections share is
 * unmapped with the last of them.
 */
#include <arch/timer.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/bitmap.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/deferred_init.h>
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/mmzone.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <mm/vmemmap.h>
#include <string.h>

#include "internal.h"

struct mem_section mem_section[NR_MEM_SECTIONS];
struct page *vmemmap;
struct sparse_stats sparse_stats;

/*
 * Every section a memory region touches is present and online (Linux's
 * memory_present()), on the first region's node; the subsections the
 * region touches hold memory.
 */
static void memblocks_present(void)
{
	for_each_mem_region(r) {
		unsigned long first = PFN_DOWN(r->base), last = PFN_DOWN(r->base + r->size - 1);

		if (pfn_to_section_nr(last) >= NR_MEM_SECTIONS)
			panic("sparse: memory at %#llx is beyond the %d-bit section table",
			      (unsigned long long)r->base, MAX_PHYSMEM_BITS);
		for (unsigned long pfn = first; pfn <= last; pfn += PAGES_PER_SUBSECTION) {
			struct mem_section *ms = __pfn_to_section(pfn);

			if (!(ms->flags & SECTION_MARKED_PRESENT)) {
				ms->flags = SECTION_MARKED_PRESENT | SECTION_IS_EARLY |
					    SECTION_IS_ONLINE;
				ms->nid = memblock_region_nid(r);
			}
			set_bit(subsection_index(pfn), ms->subsection_map);
		}
		/* The loop steps from @first: mark the subsection of @last too. */
		set_bit(subsection_index(last), __pfn_to_section(last)->subsection_map);
	}
}

/*
 * Log how the memmap of sections [@first, @end) on node @nid was mapped: a
 * boot decision (blocks, contiguous runs or base pages) `dmesg` keeps.
 */
static void log_memmap_run(unsigned long first, unsigned long end, int nid,
			   struct vmemmap_cursor *cursor)
{
	unsigned long blocks = 0, cont = 0, base = 0, tables = 0;
	struct vmemmap_section_desc d;

	for (unsigned long nr = first; nr < end; nr++) {
		vmemmap_describe(nr, &d, cursor);
		blocks += d.blocks;
		cont += d.cont_leaves;
		base += d.base_leaves;
		tables += d.table_pages;
	}
	pr_info("vmemmap: sections %lu-%lu, node %d: %lu blocks, %lu cont leaves, %lu base pages, "
		"%lu table pages (mode %s)\n", first, end - 1, nid, blocks, cont, base, tables,
		vmemmap_mode_names[vmemmap_mode]);
}

/*
 * Populate the memmap of each run of present sections on one node with one
 * vmemmap_populate() call, so a run's memmap can take blocks and contiguous
 * runs that one section's memmap is too small for.
 */
static void populate_boot_memmap(void)
{
	unsigned long nr = 0;

	while (nr < NR_MEM_SECTIONS) {
		unsigned long end = nr + 1;
		int nid = mem_section[nr].nid, ret;

		if (!present_section_nr(nr)) {
			nr++;
			continue;
		}
		while (end < NR_MEM_SECTIONS && present_section_nr(end) &&
		       mem_section[end].nid == nid)
			end++;
		ret = vmemmap_populate(memmap_va(section_nr_to_pfn(nr)),
				       memmap_va(section_nr_to_pfn(end)), nid, NULL);
		if (ret)
			panic("sparse: no memmap for sections %lu-%lu on node %d: %d",
			      nr, end - 1, nid, ret);
		for (; nr < end; nr++)
			mem_section[nr].flags |= SECTION_HAS_MEM_MAP;
	}
}

/* The same runs, logged once the timing is done (the console is slow). */
static void log_memmap_runs(struct vmemmap_cursor *cursor)
{
	unsigned long nr = 0;

	while (nr < NR_MEM_SECTIONS) {
		unsigned long end = nr + 1;
		int nid = mem_section[nr].nid;

		if (!present_section_nr(nr) || !early_section(&mem_section[nr])) {
			nr++;
			continue;
		}
		while (end < NR_MEM_SECTIONS && present_section_nr(end) &&
		       mem_section[end].nid == nid)
			end++;
		log_memmap_run(nr, end, nid, cursor);
		nr = end;
	}
}

void sparse_init(void)
{
	struct vmemmap_cursor cursor = { 0 };
	u64 t0, t1;

	vmemmap = vmemmap_view() - (memstart_addr >> PAGE_SHIFT);
	memblocks_present();
	t0 = arch_counter_read();
	populate_boot_memmap();
	t1 = arch_counter_read();
	memmap_init();
	sparse_stats.init_ns = (arch_counter_read() - t1) * 1000000000ULL / arch_counter_freq();
	sparse_stats.populate_ns = (t1 - t0) * 1000000000ULL / arch_counter_freq();
	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++)
		if (valid_section_nr(nr) && !section_deferred(nr))
			sparse_stats.init_pages += PAGES_PER_SECTION;
	pgtable_origins_settle();	/* table origins move into struct pages */
	log_memmap_runs(&cursor);
}

/* ---- hot-added subsections ---- */

/*
 * Whether [start_pfn, start_pfn + nr_pages) can be added as it is: inside one
 * section, in whole subsections, none of which holds memory yet, on the
 * section's node and memmap source, and with the first pfn of every
 * pageblock it touches having a struct page once it is added (the
 * pageblock's flags live there).
 */
static int section_add_check(int nid, unsigned long start_pfn, unsigned long nr_pages,
			     struct vmem_altmap *altmap)
{
	unsigned long end_pfn = start_pfn + nr_pages;
	struct mem_section *ms = __pfn_to_section(start_pfn);

	if (!nr_pages || !IS_ALIGNED(start_pfn | nr_pages, PAGES_PER_SUBSECTION) ||
	    pfn_to_section_nr(start_pfn) != pfn_to_section_nr(end_pfn - 1))
		return -EINVAL;
	if (!ms || nid < 0 || nid >= MAX_NUMNODES)
		return -EINVAL;
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += PAGES_PER_SUBSECTION)
		if (pfn_section_valid(ms, pfn))
			return -EEXIST;
	if (ms->flags & SECTION_MARKED_PRESENT) {
		if (ms->nid != nid || (!early_section(ms) && ms->altmap != altmap))
			return -EINVAL;
	}
	for (unsigned long pfn = pageblock_start_pfn(start_pfn); pfn < end_pfn;
	     pfn += pageblock_nr_pages)
		if (pfn < start_pfn && !pfn_valid(pfn))
			return -EINVAL;
	return 0;
}

int sparse_add_section(int nid, unsigned long start_pfn, unsigned long nr_pages,
		       struct vmem_altmap *altmap, struct pgtable_alloc *tables)
{
	struct mem_section *ms = __pfn_to_section(start_pfn);
	unsigned long end_pfn = start_pfn + nr_pages;
	int ret = section_add_check(nid, start_pfn, nr_pages, altmap);

	if (ret)
		return ret;
	/* Its holes are about to become memory: their struct pages must be initialised first. */
	deferred_init_pfn_range(start_pfn, end_pfn);
	/* An early section's memmap covers its holes already (Linux's section_activate()). */
	if (!early_section(ms)) {
		ret = vmemmap_populate_tables(memmap_va(start_pfn), memmap_va(end_pfn), nid, altmap,
					      tables ? tables : &vmemmap_pgtable_alloc);
		if (ret)
			return ret;
	}
	memmap_init_range(start_pfn, end_pfn, nid, ZONE_NORMAL,
			  1UL << PG_reserved | 1UL << PG_offline, MIGRATE_MOVABLE);
	if (!(ms->flags & SECTION_MARKED_PRESENT)) {
		ms->nid = nid;
		ms->altmap = altmap;
	}
	ms->flags |= SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP;
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += PAGES_PER_SUBSECTION)
		set_bit(subsection_index(pfn), ms->subsection_map);
	return 0;
}

int sparse_remove_section(unsigned long start_pfn, unsigned long nr_pages)
{
	struct mem_section *ms = __pfn_to_section(start_pfn);
	unsigned long end_pfn = start_pfn + nr_pages;
	struct vmem_altmap *altmap;

	if (!ms || !nr_pages || !IS_ALIGNED(start_pfn | nr_pages, PAGES_PER_SUBSECTION) ||
	    pfn_to_section_nr(start_pfn) != pfn_to_section_nr(end_pfn - 1))
		return -EINVAL;
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += PAGES_PER_SUBSECTION)
		if (!pfn_section_valid(ms, pfn))
			return -EINVAL;
	/* A pageblock's flags are in its first struct page: it goes with the last of the pageblock. */
	if (!early_section(ms)) {
		for (unsigned long pb = ALIGN(start_pfn, pageblock_nr_pages); pb < end_pfn;
		     pb += pageblock_nr_pages)
			for (unsigned long pfn = end_pfn; pfn < pb + pageblock_nr_pages;
			     pfn += PAGES_PER_SUBSECTION)
				if (pfn_valid(pfn))
					return -EBUSY;
	}
	altmap = ms->altmap;
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += PAGES_PER_SUBSECTION)
		clear_bit(subsection_index(pfn), ms->subsection_map);
	if (early_section(ms)) {
		/* The memmap stays: those struct pages are holes again. */
		memmap_init_range(start_pfn, end_pfn, ms->nid, ZONE_NORMAL, 1UL << PG_reserved,
				  MIGRATE_MOVABLE);
		return 0;
	}
	/* Section state first, then the memmap (Linux's order, CVE-2023-52489). */
	if (!bitmap_weight(ms->subsection_map, SUBSECTIONS_PER_SECTION)) {
		ms->flags = 0;
		ms->nid = 0;
		ms->altmap = NULL;
	}
	vmemmap_free(memmap_va(start_pfn), memmap_va(end_pfn), altmap);
	return 0;
}
