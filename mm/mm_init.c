// SPDX-License-Identifier: GPL-2.0
/*
 * Nodes, zones and struct page initialisation (Linux's mm/mm_init.c):
 * free_area_init() builds the nodes and their zones from memblock at boot;
 * memmap_init_range() initialises struct pages, for boot and hot-add alike;
 * as memory is onlined and offlined the zones' and nodes' spans grow and
 * shrink (Linux keeps those in mm/memory_hotplug.c: move_pfn_range_to_zone(),
 * shrink_zone_span(), ...; include/mm/memory_hotplug.h declares them).
 */
#include <kernel/panic.h>
#include <lib/kernel.h>
#include <mm/memblock.h>
#include <mm/memory_hotplug.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <string.h>

#include "internal.h"

pg_data_t node_data[MAX_NUMNODES];

void memmap_init_range(unsigned long start, unsigned long end, int nid,
		       enum zone_type zone, unsigned long flags, int migratetype)
{
	for (unsigned long pfn = start; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);

		*page = (struct page) { .flags = flags, ._refcount = 1 };
		set_page_links(page, zone, nid);
		INIT_LIST_HEAD(&page->lru);
		if (IS_ALIGNED(pfn, pageblock_nr_pages))
			page->pageblock_flags = migratetype;
	}
}

static void zone_init(pg_data_t *pgdat, enum zone_type type)
{
	struct zone *zone = &pgdat->node_zones[type];

	memset(zone, 0, sizeof(*zone));
	zone->zone_pgdat = pgdat;
	zone->name = zone_names[type];
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[mt]);
}

/* Grow @nid's span over memory [start, end) and link those pages to ZONE_NORMAL. */
static void node_add_memory(int nid, unsigned long start, unsigned long end)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	unsigned long node_end = pgdat->node_start_pfn + pgdat->node_spanned_pages;

	if (!pgdat->online) {
		pgdat->online = true;
		pgdat->node_start_pfn = start;
		node_end = end;
	}
	pgdat->node_start_pfn = min(pgdat->node_start_pfn, start);
	pgdat->node_spanned_pages = max(node_end, end) - pgdat->node_start_pfn;
	pgdat->node_present_pages += end - start;
	for (unsigned long pfn = start; pfn < end; pfn++) {
		if (!pfn_valid(pfn))
			panic("free_area_init: pfn %#lx of node %d has no struct page", pfn, nid);
		set_page_links(pfn_to_page(pfn), ZONE_NORMAL, nid);
	}
}

void free_area_init(void)
{
	if (pageblock_order > MAX_PAGE_ORDER)
		panic("free_area_init: pageblock_order %u > MAX_PAGE_ORDER %d", pageblock_order,
		      MAX_PAGE_ORDER);
	memset(node_data, 0, sizeof(node_data));
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		node_data[nid].node_id = nid;
		for (int z = 0; z < MAX_NR_ZONES; z++)
			zone_init(&node_data[nid], z);
	}
	for_each_mem_region(r) {
		unsigned long start = PFN_UP(r->base), end = PFN_DOWN(r->base + r->size);

		if (start < end)
			node_add_memory(memblock_region_nid(r), start, end);
	}
	/* Boot memory is ZONE_NORMAL; ZONE_MOVABLE stays empty until memory is onlined into it. */
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		struct zone *normal = &pgdat->node_zones[ZONE_NORMAL];

		normal->zone_start_pfn = pgdat->node_start_pfn;
		normal->spanned_pages = pgdat->node_spanned_pages;
		normal->present_pages = pgdat->node_present_pages;
	}
}

/* ---- spans that grow and shrink ---- */

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
