// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy allocator on the real memmap: free counts come back exactly,
 * every order can be had, isolated pageblocks are never handed out.
 */
#include <kernel/selftest.h>
#include <lib/errno.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>

/* Whether node 0 has a free block of @order or larger (of any type). */
static bool free_block_at_least(unsigned int order)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (unsigned int o = order; o <= MAX_PAGE_ORDER; o++)
			if (NODE_DATA(0)->node_zones[z].free_area[o].nr_free)
				return true;
	return false;
}

/*
 * Every order that has a free block can be had, naturally aligned, and the
 * free count comes back exactly (an order-13 block of 64K pages is 512 MiB:
 * a small RAM may have none).
 */
SELFTEST(buddy_every_order_and_free_count_restored)
{
	unsigned long before = nr_free_pages(), taken = 0;
	struct page *pages[NR_PAGE_ORDERS] = { 0 };
	int bad = 0;

	for (unsigned int order = 0; order <= MAX_PAGE_ORDER; order++) {
		bool expect = free_block_at_least(order);

		pages[order] = alloc_pages_node(0, order, GFP_KERNEL);
		if (!pages[order] != !expect) {
			printk("# order %u: %s\n", order, expect ? "not allocated" : "allocated from nothing");
			bad = 1;
		}
		if (!pages[order])
			continue;
		taken += 1UL << order;
		if (page_to_pfn(pages[order]) & ((1UL << order) - 1) ||
		    PageBuddy(pages[order]) || PageReserved(pages[order]))
			bad = 1;
	}
	ST_EXPECT_EQ(nr_free_pages(), before - taken);
	for (unsigned int order = 0; order <= MAX_PAGE_ORDER; order++)
		if (pages[order])
			free_pages(pages[order], order);
	ST_EXPECT_EQ(nr_free_pages(), before);
	ST_EXPECT(!bad);
	ST_EXPECT(alloc_pages_node(0, MAX_PAGE_ORDER + 1, GFP_KERNEL) == NULL);
	return 0;
}

SELFTEST(buddy_zeroed_page_is_zero)
{
	struct page *page = alloc_pages_node(0, 0, __GFP_ZERO);
	const u64 *p;

	ST_EXPECT(page);
	p = __va((phys_addr_t)page_to_pfn(page) << PAGE_SHIFT);
	for (unsigned long i = 0; i < PAGE_SIZE / 8; i++)
		ST_EXPECT(p[i] == 0);
	free_pages(page, 0);
	return 0;
}

/* Isolate the pageblock a fresh page came from: nothing in it is handed out. */
SELFTEST(buddy_isolated_pageblock_not_allocated)
{
	struct page *probe = alloc_pages_node(0, 0, __GFP_MOVABLE);
	unsigned long pb, before;
	struct page *got[64];
	int n = 0, ret;

	ST_EXPECT(probe);
	pb = pageblock_start_pfn(page_to_pfn(probe));
	free_pages(probe, 0);
	before = nr_free_pages();
	ret = set_migratetype_isolate(pb, pb + pageblock_nr_pages);
	ST_EXPECT_EQ(ret, 0);
	ST_EXPECT_EQ(set_migratetype_isolate(pb, pb + pageblock_nr_pages), -EBUSY);
	ST_EXPECT_EQ(get_pageblock_migratetype(pb), MIGRATE_ISOLATE);
	for (n = 0; n < 64; n++) {
		got[n] = alloc_pages_node(0, 0, __GFP_MOVABLE);
		ST_EXPECT(got[n]);
		ST_EXPECT(page_to_pfn(got[n]) < pb || page_to_pfn(got[n]) >= pb + pageblock_nr_pages);
	}
	while (n--)
		free_pages(got[n], 0);
	undo_isolate_page_range(pb, pb + pageblock_nr_pages);
	ST_EXPECT(get_pageblock_migratetype(pb) != MIGRATE_ISOLATE);
	ST_EXPECT_EQ(nr_free_pages(), before);
	return 0;
}
