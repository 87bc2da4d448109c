// SPDX-License-Identifier: GPL-2.0
/*
 * Page isolation and what offlining asks of the buddy allocator (Linux's
 * mm/page_isolation.c and the buddy half of offline_pages()).
 *
 * Isolating a range of pageblocks takes their free pages out of use: they
 * move to the MIGRATE_ISOLATE lists of their own zone, no allocation is
 * served from them, and pages freed into them stay there. Each pageblock
 * belongs to the zone of its pages, which is not always the zone of the
 * range's first page: nodes may interleave (a node hot-added above another),
 * so every free block is refiled in the zone it belongs to. Struct pages
 * that deferred init has not reached yet are initialised before a walk reads
 * them.
 */
#include <kernel/panic.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/deferred_init.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>

#include "internal.h"

/*
 * refile_free_blocks() - isolate the pageblocks of [start, end) or end
 * their isolation: take every free block that overlaps the range off its
 * zone's list (accounted by the type it was filed under), set or clear
 * PB_ISOLATE, then free each block again pageblock by pageblock into its
 * zone, so that each part lands on its pageblock's list and merges as far
 * as the rules now allow. A block that reaches outside the range is split
 * at the range's edges this way; the pageblocks outside keep their type.
 */
static void refile_free_blocks(unsigned long start, unsigned long end, bool isolate)
{
	struct list_head taken;
	struct page *page, *next;
	unsigned long pfn;

	INIT_LIST_HEAD(&taken);
	for (pfn = ALIGN_DOWN(start, 1UL << MAX_PAGE_ORDER); pfn < end;) {
		unsigned long after = pfn_walk_next(pfn);

		if (pfn_valid(pfn) && PageBuddy(pfn_to_page(pfn)) && after > start) {
			unsigned int order;

			page = pfn_to_page(pfn);
			order = page->private;
			del_from_free_list(page_zone(page), pfn, order, get_pageblock_migratetype(pfn));
			page->private = order;	/* kept while the block is off the lists */
			list_add_tail(&page->lru, &taken);
		}
		pfn = after;
	}
	for (pfn = start; pfn < end; pfn += pageblock_nr_pages) {
		if (isolate)
			*pageblock_flags_byte(pfn) |= PB_ISOLATE;
		else
			*pageblock_flags_byte(pfn) &= ~PB_ISOLATE;
	}
	list_for_each_entry_safe(page, next, &taken, lru) {
		unsigned int order = page->private;

		list_del(&page->lru);
		page->private = 0;
		free_one_block(page_zone(page), page_to_pfn(page), order);
	}
}

/* [start, end) pageblock aligned, non-empty, each pageblock with a struct page to hold its type. */
static bool isolation_range_ok(unsigned long start, unsigned long end)
{
	if (start >= end || !IS_ALIGNED(start, pageblock_nr_pages) ||
	    !IS_ALIGNED(end, pageblock_nr_pages))
		return false;
	for (unsigned long pfn = start; pfn < end; pfn += pageblock_nr_pages)
		if (!pfn_valid(pfn))
			return false;
	return true;
}

int set_migratetype_isolate(unsigned long start_pfn, unsigned long end_pfn)
{
	if (!isolation_range_ok(start_pfn, end_pfn))
		return -EINVAL;
	/* The walk reads struct pages from the MAX_ORDER block below start on. */
	deferred_init_pfn_range(ALIGN_DOWN(start_pfn, 1UL << MAX_PAGE_ORDER), end_pfn);
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn += pageblock_nr_pages)
		if (get_pageblock_migratetype(pfn) == MIGRATE_ISOLATE)
			return -EBUSY;
	refile_free_blocks(start_pfn, end_pfn, true);
	return 0;
}

/*
 * Pageblocks of the range that are not isolated are left alone, so undoing
 * two neighbouring isolations at once is fine. A range that
 * set_migratetype_isolate() would refuse is a caller's bug.
 */
void undo_isolate_page_range(unsigned long start_pfn, unsigned long end_pfn)
{
	BUG_ON(!isolation_range_ok(start_pfn, end_pfn));
	refile_free_blocks(start_pfn, end_pfn, false);
}

struct zone *test_pages_in_a_zone(unsigned long start_pfn, unsigned long end_pfn)
{
	struct zone *zone = NULL;

	deferred_init_pfn_range(start_pfn, end_pfn);
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn++) {
		struct page *page = pfn_to_online_page(pfn);

		if (!page) {
			pfn = ALIGN(pfn + 1, PAGES_PER_SUBSECTION) - 1;
			continue;
		}
		if (PageOffline(page))
			continue;
		if (zone && page_zone(page) != zone)
			return NULL;
		zone = page_zone(page);
	}
	return zone;
}

long has_unmovable_pages(unsigned long start_pfn, unsigned long end_pfn)
{
	deferred_init_pfn_range(start_pfn, end_pfn);
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn = pfn_walk_next(pfn)) {
		struct page *page;

		if (!pfn_valid(pfn))
			continue;
		page = pfn_to_page(pfn);
		if (PageBuddy(page) || PageOffline(page))
			continue;
		if (page_is_allocated_head(page) && PageMovable(page) && page->owner)
			continue;
		return pfn;
	}
	return -1;
}

int test_pages_isolated(unsigned long start_pfn, unsigned long end_pfn)
{
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn = pfn_walk_next(pfn)) {
		struct page *page;

		if (!pfn_valid(pfn))
			continue;
		page = pfn_to_page(pfn);
		if (get_pageblock_migratetype(pfn) != MIGRATE_ISOLATE)
			return -EBUSY;
		if (!PageBuddy(page) && !PageOffline(page))
			return -EBUSY;
	}
	return 0;
}

unsigned long __offline_isolated_pages(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long taken = 0;

	for (unsigned long pfn = start_pfn; pfn < end_pfn;) {
		struct page *page;
		unsigned int order;

		if (!pfn_valid(pfn)) {
			pfn = ALIGN(pfn + 1, PAGES_PER_SUBSECTION);
			continue;
		}
		page = pfn_to_page(pfn);
		if (!PageBuddy(page)) {
			BUG_ON(!PageOffline(page));
			pfn++;
			continue;
		}
		order = page->private;
		BUG_ON(pfn + (1UL << order) > end_pfn);
		del_from_free_list(page_zone(page), pfn, order, MIGRATE_ISOLATE);
		adjust_managed_page_count(page, -(1L << order));
		for (unsigned long i = 0; i < (1UL << order); i++) {
			struct page *p = pfn_to_page(pfn + i);

			SetPageReserved(p);
			page_set(p, PG_offline);
			p->_refcount = 1;
		}
		taken += 1UL << order;
		pfn += 1UL << order;
	}
	return taken;
}
