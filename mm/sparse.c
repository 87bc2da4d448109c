// SPDX-License-Identifier: GPL-2.0
/*
 * Sections and the boot memmap (include/mm/sparse.h), Linux's mm/sparse.c
 * for SPARSEMEM_VMEMMAP.
 *
 * Boot memory is handled in whole sections: a section any memblock region
 * touches is present and gets a memmap for all of its pages; pages of the
 * section that hold no memory (holes) keep PG_reserved for good.
 */
#include <arch/timer.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/bitmap.h>
#include <lib/kernel.h>
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/mmzone.h>
#include <mm/sparse.h>
#include <mm/vmemmap.h>
#include <string.h>

struct mem_section mem_section[NR_MEM_SECTIONS];
struct page *vmemmap;
struct sparse_stats sparse_stats;

/* Every section a memory region touches is present, on the first region's node. */
static void memblocks_present(void)
{
	for_each_mem_region(r) {
		unsigned long first = pfn_to_section_nr(r->base >> PAGE_SHIFT);
		unsigned long last = pfn_to_section_nr((r->base + r->size - 1) >> PAGE_SHIFT);

		if (last >= NR_MEM_SECTIONS)
			panic("sparse: memory at %#llx is beyond the %d-bit section table",
			      (unsigned long long)r->base, MAX_PHYSMEM_BITS);
		for (unsigned long nr = first; nr <= last; nr++) {
			struct mem_section *ms = &mem_section[nr];

			if (ms->flags & SECTION_MARKED_PRESENT)
				continue;
			ms->flags = SECTION_MARKED_PRESENT | SECTION_IS_EARLY;
			ms->nid = r->nid < 0 ? 0 : r->nid;
		}
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
	struct vmemmap_cursor cursor = { 0 };
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
		ret = vmemmap_populate((unsigned long)pfn_to_page(section_nr_to_pfn(nr)),
				       (unsigned long)pfn_to_page(section_nr_to_pfn(end)),
				       nid, NULL);
		if (ret)
			panic("sparse: no memmap for sections %lu-%lu on node %d: %d",
			      nr, end - 1, nid, ret);
		log_memmap_run(nr, end, nid, &cursor);
		for (; nr < end; nr++) {
			mem_section[nr].flags |= SECTION_HAS_MEM_MAP;
			bitmap_fill(mem_section[nr].subsection_map, SUBSECTIONS_PER_SECTION);
		}
	}
}

/*
 * One migratetype byte per pageblock, all MIGRATE_MOVABLE as Linux boots
 * them: one node-local allocation per node, sliced per section.
 */
static void alloc_pageblock_flags(void)
{
	unsigned long bytes = ALIGN(PAGES_PER_SECTION >> pageblock_order, 8);

	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		unsigned long count = 0;
		u8 *p;
		phys_addr_t pa;

		for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++)
			count += valid_section_nr(nr) && mem_section[nr].nid == nid;
		if (!count)
			continue;
		pa = memblock_phys_alloc_try_nid(count * bytes, 8, nid, "pageblock flags");
		if (!pa)
			panic("sparse: no memory for pageblock flags");
		p = __va(pa);
		memset(p, MIGRATE_MOVABLE, count * bytes);
		for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++) {
			if (valid_section_nr(nr) && mem_section[nr].nid == nid) {
				mem_section[nr].pageblock_mt = p;
				p += bytes;
			}
		}
	}
}

/* Every struct page of a populated section: reserved, in ZONE_NORMAL of its node. */
static void memmap_init(void)
{
	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++) {
		unsigned long pfn = section_nr_to_pfn(nr);

		if (!valid_section_nr(nr))
			continue;
		for (unsigned long i = 0; i < PAGES_PER_SECTION; i++) {
			struct page *page = pfn_to_page(pfn + i);

			*page = (struct page) { .flags = 1UL << PG_reserved, ._refcount = 1 };
			set_page_links(page, ZONE_NORMAL, mem_section[nr].nid);
			INIT_LIST_HEAD(&page->lru);
		}
	}
}

void sparse_init(void)
{
	u64 t0, t1;

	vmemmap = (struct page *)VMEMMAP_START - (memstart_addr >> PAGE_SHIFT);
	memblocks_present();
	t0 = arch_counter_read();
	populate_boot_memmap();
	t1 = arch_counter_read();
	alloc_pageblock_flags();
	memmap_init();
	sparse_stats.populate_ns = (t1 - t0) * 1000000000ULL / arch_counter_freq();
	sparse_stats.init_ns = (arch_counter_read() - t1) * 1000000000ULL / arch_counter_freq();
	sparse_stats.init_pages = nr_populated_sections() * PAGES_PER_SECTION;
}
