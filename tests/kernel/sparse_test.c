// SPDX-License-Identifier: GPL-2.0
/*
 * Sections on the real MMU: subsections gain and lose a memmap with
 * sparse_add_section()/sparse_remove_section(), memmap pages shared by
 * neighbours stay with the last user, a hole of a boot section takes memory
 * in, and table origins live in struct pages without a limit. Nothing here
 * touches the "memory" added: only its struct pages, so any physical range
 * without RAM will do.
 */
#include <kernel/selftest.h>
#include <lib/bitmap.h>
#include <lib/errno.h>
#include <mm/deferred_init.h>
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <mm/vmemmap.h>

/* A section well above RAM that nothing uses: physical 16 GiB. */
static unsigned long spare_section_pfn(void)
{
	unsigned long pfn = PFN_DOWN(16ULL << 30);

	return ALIGN(pfn, PAGES_PER_SECTION);
}

/* Every struct page of [start, end) as sparse_add_section() leaves it. */
static int check_added(unsigned long start, unsigned long end, int nid)
{
	for (unsigned long pfn = start; pfn < end; pfn++) {
		struct page *page;

		ST_EXPECT(pfn_valid(pfn));
		page = pfn_to_page(pfn);
		ST_EXPECT(PageReserved(page) && PageOffline(page) && !PageBuddy(page));
		ST_EXPECT_EQ(page_to_nid(page), nid);
		ST_EXPECT_EQ(page->_refcount, 1);
	}
	for (unsigned long pb = ALIGN(start, pageblock_nr_pages); pb < end; pb += pageblock_nr_pages)
		ST_EXPECT_EQ(get_pageblock_migratetype(pb), MIGRATE_MOVABLE);
	return 0;
}

/*
 * Two ranges of three subsections each, side by side in an empty section:
 * their memmap comes from the buddy allocator (and on 16K and 64K a memmap
 * page is shared, a subsection's memmap being 8 KiB or 2 KiB). Removed in
 * either order, every page and table comes back.
 */
SELFTEST(sparse_subsections_add_remove)
{
	unsigned long a = spare_section_pfn(), n = 3 * PAGES_PER_SUBSECTION, b = a + n;
	unsigned long free0 = nr_free_pages(), tables0 = vmemmap_pgtable_alloc.nr_tables;
	unsigned long nr = pfn_to_section_nr(a);
	int ret;

	ST_EXPECT(!present_section_nr(nr));
	for (int order = 0; order < 2; order++) {
		ST_EXPECT_EQ(sparse_add_section(0, a, n, NULL, NULL), 0);
		ST_EXPECT_EQ(sparse_add_section(0, b, n, NULL, NULL), 0);
		ST_EXPECT(!pfn_valid(b + n) && !pfn_valid(a - 1));
		ret = check_added(a, b + n, 0);
		if (ret)
			return ret;
		/* what the two took: their memmap pages and the tables to map them */
		ST_EXPECT(nr_free_pages() < free0);
		ST_EXPECT_EQ(sparse_add_section(0, a + PAGES_PER_SUBSECTION, PAGES_PER_SUBSECTION,
						NULL, NULL), -EEXIST);
		ST_EXPECT_EQ(sparse_add_section(1, b + n, PAGES_PER_SUBSECTION, NULL, NULL), -EINVAL);
		ST_EXPECT_EQ(sparse_add_section(0, a + 1, PAGES_PER_SUBSECTION, NULL, NULL), -EINVAL);
		ST_EXPECT_EQ(sparse_remove_section(b + n, PAGES_PER_SUBSECTION), -EINVAL);
		if (order == 0) {
			/* the first range holds pageblock a's flags while b uses them */
			if (pageblock_nr_pages > n)
				ST_EXPECT_EQ(sparse_remove_section(a, n), -EBUSY);
			ST_EXPECT_EQ(sparse_remove_section(b, n), 0);
			ST_EXPECT(!pfn_valid(b) && pfn_valid(b - 1));
			ret = check_added(a, b, 0);
			if (ret)
				return ret;
			ST_EXPECT_EQ(sparse_remove_section(a, n), 0);
		} else {
			if (pageblock_nr_pages <= n) {
				ST_EXPECT_EQ(sparse_remove_section(a, n), 0);
				ret = check_added(b, b + n, 0);
				if (ret)
					return ret;
				ST_EXPECT_EQ(sparse_remove_section(b, n), 0);
			} else {
				ST_EXPECT_EQ(sparse_remove_section(b, n), 0);
				ST_EXPECT_EQ(sparse_remove_section(a, n), 0);
			}
		}
		ST_EXPECT(!present_section_nr(nr) && !valid_section_nr(nr));
		ST_EXPECT(!pfn_valid(a) && !pfn_valid(b));
		ST_EXPECT_EQ(nr_free_pages(), free0);
		ST_EXPECT_EQ(vmemmap_pgtable_alloc.nr_tables, tables0);
	}
	return 0;
}

/*
 * A boot section with a hole (RAM ending inside the section, as -m 1000M
 * leaves it): the hole's subsections hold no memory, and adding memory
 * there works (no -EEXIST) with no new memmap, since the boot section's
 * memmap covers the hole already; removing it makes it a hole again.
 */
SELFTEST(sparse_add_into_boot_hole)
{
	unsigned long free0 = nr_free_pages(), tables0 = vmemmap_pgtable_alloc.nr_tables;
	unsigned long deferred0 = deferred_init_stats.pages;

	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++) {
		struct mem_section *ms = &mem_section[nr];
		unsigned long pfn = section_nr_to_pfn(nr), hole = 0, n;

		if (!present_section_nr(nr) || !early_section(ms))
			continue;
		for (unsigned long i = 0; i < SUBSECTIONS_PER_SECTION && !hole; i++)
			if (!test_bit(i, ms->subsection_map))
				hole = pfn + i * PAGES_PER_SUBSECTION;
		if (!hole)
			continue;
		/* one subsection, and the pageblock around it must be in the section */
		n = PAGES_PER_SUBSECTION;
		ST_EXPECT(pfn_valid(hole) && !pfn_to_online_page(hole));
		ST_EXPECT(!memblock_is_memory(PFN_PHYS(hole)));
		ST_EXPECT_EQ(sparse_add_section(ms->nid, hole, n, NULL, NULL), 0);
		ST_EXPECT(test_bit(subsection_index(hole), ms->subsection_map));
		ST_EXPECT(PageOffline(pfn_to_page(hole)));
		/* No memmap was needed; a deferred section's free pages arrived first. */
		ST_EXPECT_EQ(nr_free_pages(), free0 + deferred_init_stats.pages - deferred0);
		ST_EXPECT_EQ(sparse_add_section(ms->nid, hole, n, NULL, NULL), -EEXIST);
		ST_EXPECT_EQ(sparse_remove_section(hole, n), 0);
		ST_EXPECT(!test_bit(subsection_index(hole), ms->subsection_map));
		ST_EXPECT(pfn_valid(hole));			/* still the boot memmap */
		ST_EXPECT(PageReserved(pfn_to_page(hole)) && !PageOffline(pfn_to_page(hole)));
		ST_EXPECT_EQ(vmemmap_pgtable_alloc.nr_tables, tables0);
		return 0;
	}
	printk("# no boot section has a hole (boot with -m 1000M for one)\n");
	return -EOPNOTSUPP;
}

/*
 * More table pages than the origin table before the memmap had (4096): each
 * keeps its origin in its struct page, and every one goes back where it
 * came from. One page is mapped at the start of each last-level table's
 * span in the vmalloc area, so each mapping needs a table of its own.
 */
SELFTEST(pgtable_origins_in_struct_pages)
{
	u64 span = level_size(PGTABLE_LAST_LEVEL - 1), base = ALIGN(VMALLOC_START, span);
	unsigned long n = 4100, free0 = nr_free_pages(), tables0 = kernel_pgtable_alloc.nr_tables;
	struct page *data = alloc_pages_node(0, 0, GFP_KERNEL);
	phys_addr_t pa;
	unsigned long i;
	int ret = 0;

	ST_EXPECT(data);
	ST_EXPECT((VMALLOC_END - base) / span >= n);
	pa = PFN_PHYS(page_to_pfn(data));
	ST_EXPECT_EQ(pgtable_origins_pending(), 0);
	for (i = 0; i < n && !ret; i++)
		ret = pgtable_map(&swapper_pg, base + i * span, pa, PAGE_SIZE, PAGE_KERNEL_RO,
				  PGT_NO_BLOCKS, &kernel_pgtable_alloc);
	if (!ret) {
		struct pgtable_walk w;

		ST_EXPECT(kernel_pgtable_alloc.nr_tables >= tables0 + n);
		ST_EXPECT_EQ(pgtable_origins_pending(), 0);
		ST_EXPECT_EQ(pgtable_walk(&swapper_pg, base + (n - 1) * span, &w), 0);
		ST_EXPECT(pgtable_origin(w.tables[PGTABLE_LAST_LEVEL]) == &kernel_pgtable_alloc);
		ST_EXPECT(PagePgtable(pfn_to_page(PFN_DOWN(w.tables[PGTABLE_LAST_LEVEL]))));
	}
	while (i--)
		ST_EXPECT_EQ(pgtable_unmap(&swapper_pg, base + i * span, PAGE_SIZE,
					   &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(ret, 0);
	free_pages(data, 0);
	ST_EXPECT_EQ(kernel_pgtable_alloc.nr_tables, tables0);
	ST_EXPECT_EQ(nr_free_pages(), free0);
	return 0;
}
