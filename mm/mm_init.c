// SPDX-License-Identifier: GPL-2.0
/*
 * Nodes, zones and struct page initialisation (Linux's mm/mm_init.c):
 * free_area_init() builds the nodes and their zones from memblock at boot;
 * memmap_init_range() initialises struct pages, for boot and hot-add alike.
 */
#include <kernel/panic.h>
#include <lib/kernel.h>
#include <mm/memblock.h>
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
