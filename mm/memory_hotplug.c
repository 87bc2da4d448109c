// SPDX-License-Identifier: GPL-2.0
/*
 * Memory hotplug (include/mm/memory_hotplug.h), Linux's
 * mm/memory_hotplug.c: nodes and zones as memory joins and leaves them.
 */
#include <kernel/panic.h>
#include <lib/kernel.h>
#include <mm/memblock.h>
#include <mm/memory_hotplug.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>

#include "internal.h"

static void resize_zone_range(struct zone *zone, unsigned long start_pfn,
			      unsigned long nr_pages)
{
	unsigned long old_end = zone_end_pfn(zone);

	if (zone_is_empty(zone)) {
		zone->zone_start_pfn = start_pfn;
		zone->spanned_pages = nr_pages;
		return;
	}
	zone->zone_start_pfn = min(zone->zone_start_pfn, start_pfn);
	zone->spanned_pages = max(old_end, start_pfn + nr_pages) - zone->zone_start_pfn;
}

static void resize_pgdat_range(pg_data_t *pgdat, unsigned long start_pfn,
			       unsigned long nr_pages)
{
	unsigned long old_end = pgdat_end_pfn(pgdat);

	if (!pgdat->node_spanned_pages) {
		pgdat->node_start_pfn = start_pfn;
		pgdat->node_spanned_pages = nr_pages;
		return;
	}
	pgdat->node_start_pfn = min(pgdat->node_start_pfn, start_pfn);
	pgdat->node_spanned_pages = max(old_end, start_pfn + nr_pages) - pgdat->node_start_pfn;
}

void move_pfn_range_to_zone(struct zone *zone, unsigned long start_pfn,
			    unsigned long nr_pages, int migratetype)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	int nid = pgdat->node_id;
	enum zone_type type = zone - pgdat->node_zones;

	pgdat->online = true;
	resize_zone_range(zone, start_pfn, nr_pages);
	resize_pgdat_range(pgdat, start_pfn, nr_pages);
	for (unsigned long pfn = start_pfn; pfn < start_pfn + nr_pages; pfn++) {
		struct page *page = pfn_to_page(pfn);

		set_page_links(page, type, nid);
		if (IS_ALIGNED(pfn, pageblock_nr_pages))
			page->pageblock_flags = migratetype;
	}
}

/*
 * Whether @pfn is memory of @zone: an online, present page linked to it.
 * The struct pages of holes in boot sections are linked too, so a reserved
 * page also has to be memory by memblock's account.
 */
static bool zone_holds_pfn(struct zone *zone, unsigned long pfn)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page || PageOffline(page) || page_zone(page) != zone)
		return false;
	return !PageReserved(page) || memblock_is_memory(PFN_PHYS(pfn));
}

/* The first pfn of [start, end) that @zone holds, or @end. */
static unsigned long find_first_zone_pfn(struct zone *zone, unsigned long start,
					 unsigned long end)
{
	for (unsigned long pfn = start; pfn < end; pfn++) {
		if (!pfn_to_online_page(pfn)) {
			pfn = ALIGN(pfn + 1, PAGES_PER_SUBSECTION) - 1;
			continue;
		}
		if (zone_holds_pfn(zone, pfn))
			return pfn;
	}
	return end;
}

/* One past the last pfn of [start, end) that @zone holds, or @start. */
static unsigned long find_last_zone_pfn(struct zone *zone, unsigned long start,
					unsigned long end)
{
	for (unsigned long pfn = end; pfn > start; pfn--) {
		if (!pfn_to_online_page(pfn - 1)) {
			pfn = max(ALIGN_DOWN(pfn - 1, PAGES_PER_SUBSECTION), start) + 1;
			continue;
		}
		if (zone_holds_pfn(zone, pfn - 1))
			return pfn;
	}
	return start;
}

static void shrink_zone_span(struct zone *zone, unsigned long start_pfn,
			     unsigned long end_pfn)
{
	unsigned long first = zone->zone_start_pfn, end = zone_end_pfn(zone);

	if (start_pfn <= first)
		first = find_first_zone_pfn(zone, max(end_pfn, first), end);
	if (end_pfn >= end)
		end = find_last_zone_pfn(zone, first, min(start_pfn, end));
	if (first >= end) {
		zone->zone_start_pfn = 0;
		zone->spanned_pages = 0;
		return;
	}
	zone->zone_start_pfn = first;
	zone->spanned_pages = end - first;
}

static void update_pgdat_span(pg_data_t *pgdat)
{
	unsigned long start = ~0UL, end = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		if (zone_is_empty(zone))
			continue;
		start = min(start, zone->zone_start_pfn);
		end = max(end, zone_end_pfn(zone));
	}
	if (!end) {
		pgdat->node_start_pfn = 0;
		pgdat->node_spanned_pages = 0;
		pgdat->online = false;
		return;
	}
	pgdat->node_start_pfn = start;
	pgdat->node_spanned_pages = end - start;
}

void remove_pfn_range_from_zone(struct zone *zone, unsigned long start_pfn,
				unsigned long nr_pages)
{
	shrink_zone_span(zone, start_pfn, start_pfn + nr_pages);
	update_pgdat_span(zone->zone_pgdat);
}

void adjust_present_page_count(struct zone *zone, long nr_pages)
{
	zone->present_pages += nr_pages;
	zone->zone_pgdat->node_present_pages += nr_pages;
}
