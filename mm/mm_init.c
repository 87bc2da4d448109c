// SPDX-License-Identifier: GPL-2.0
/*
 * Nodes, zones and struct page initialisation (Linux's mm/mm_init.c):
 * free_area_init() builds the nodes and their zones from memblock at boot;
 * memmap_init_range() initialises struct pages, for boot, deferred init and
 * hot-add alike, with the template writer; memmap_init() decides at boot
 * which sections wait for deferred init (mm/deferred_init.c);
 * as memory is onlined and offlined the zones' and nodes' spans grow and
 * shrink (Linux keeps those in mm/memory_hotplug.c: move_pfn_range_to_zone(),
 * shrink_zone_span(), ...; include/mm/memory_hotplug.h declares them).
 */
#include <kernel/panic.h>
#include <lib/kernel.h>
#include <mm/deferred_init.h>
#include <mm/memblock.h>
#include <mm/memory_hotplug.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <string.h>

#include "internal.h"

pg_data_t node_data[MAX_NUMNODES];

/* ---- struct page initialisation ---- */

void __init_single_page(struct page *page, unsigned long pfn, unsigned long flags,
			unsigned int refcount, enum zone_type zone, int nid, int migratetype)
{
	*page = (struct page) { .flags = flags, ._refcount = refcount };
	set_page_links(page, zone, nid);
	INIT_LIST_HEAD(&page->lru);
	if (IS_ALIGNED(pfn, pageblock_nr_pages))
		page->pageblock_flags = migratetype;
}

/*
 * The template writer sees a struct page as eight words and stores them with
 * plain 64-bit stores (pairs of them become STP): the words of @tmpl, except
 * the free-list links, which point at the page's own lru (an empty list).
 */
typedef u64 __attribute__((may_alias)) page_word_t;
#define PAGE_WORDS		(sizeof(struct page) / sizeof(page_word_t))
#define LRU_WORD		(offsetof(struct page, lru) / sizeof(page_word_t))

_Static_assert(sizeof(struct page) == 8 * sizeof(page_word_t), "struct page is eight words");
_Static_assert(offsetof(struct page, lru) == sizeof(page_word_t) &&
	       sizeof(struct list_head) == 2 * sizeof(page_word_t),
	       "lru is words 1 and 2 of struct page");

static void memmap_fill(struct page *first, unsigned long nr, const struct page *tmpl)
{
	const page_word_t *t = (const page_word_t *)tmpl;
	page_word_t w0 = t[0], w3 = t[3], w4 = t[4], w5 = t[5], w6 = t[6], w7 = t[7];
	page_word_t *w = (page_word_t *)first, *end = w + nr * PAGE_WORDS;

	for (; w < end; w += PAGE_WORDS) {
		page_word_t lru = (unsigned long)(w + LRU_WORD);

		w[0] = w0;
		w[1] = lru;
		w[2] = lru;
		w[3] = w3;
		w[4] = w4;
		w[5] = w5;
		w[6] = w6;
		w[7] = w7;
	}
}

/*
 * The common case, a run of pages alike: one template page from the plain
 * initialiser, written over the run; then the per-page difference, the
 * migratetype in the first page of each pageblock.
 */
void __memmap_init_range(unsigned long start, unsigned long end, int nid, enum zone_type zone,
			 unsigned long flags, unsigned int refcount, int migratetype)
{
	struct page tmpl;

	if (start >= end)
		return;
	/* pageblock_order >= 1: pfn 1 starts no pageblock, so the template's byte is 0. */
	__init_single_page(&tmpl, 1, flags, refcount, zone, nid, migratetype);
	memmap_fill(pfn_to_page(start), end - start, &tmpl);
	for (unsigned long pfn = ALIGN(start, pageblock_nr_pages); pfn < end;
	     pfn += pageblock_nr_pages)
		pfn_to_page(pfn)->pageblock_flags = migratetype;
}

void memmap_init_range(unsigned long start, unsigned long end, int nid,
		       enum zone_type zone, unsigned long flags, int migratetype)
{
	__memmap_init_range(start, end, nid, zone, flags, 1, migratetype);
}

/* ---- boot memory, piece by piece ---- */

/*
 * The memory of [start, end) that memblock reserves (any byte of a page
 * keeps all of it) is reported reserved, the rest free.
 */
static void walk_reserved(unsigned long start, unsigned long end, int nid,
			  boot_piece_fn fn, void *arg)
{
	unsigned long pfn = start;

	for_each_reserved_region(r) {
		unsigned long rs = max(PFN_DOWN(r->base), pfn);
		unsigned long re = min(PFN_UP(r->base + r->size), end);

		if (PFN_DOWN(r->base) >= end)
			break;
		if (rs >= re)
			continue;
		if (pfn < rs)
			fn(arg, pfn, rs, nid, BOOT_PAGES_FREE);
		fn(arg, rs, re, nid, BOOT_PAGES_RESERVED);
		pfn = re;
	}
	if (pfn < end)
		fn(arg, pfn, end, nid, BOOT_PAGES_FREE);
}

void walk_boot_pages(unsigned long start, unsigned long end, int hole_nid,
		     boot_piece_fn fn, void *arg)
{
	unsigned long pfn = start;

	for_each_mem_region(r) {
		unsigned long rs = max(PFN_UP(r->base), pfn);
		unsigned long re = min(PFN_DOWN(r->base + r->size), end);

		if (PFN_UP(r->base) >= end)
			break;
		if (rs >= re)
			continue;
		if (pfn < rs)
			fn(arg, pfn, rs, hole_nid, BOOT_PAGES_HOLE);
		if (r->flags & MEMBLOCK_NOMAP)
			fn(arg, rs, re, memblock_region_nid(r), BOOT_PAGES_RESERVED);
		else
			walk_reserved(rs, re, memblock_region_nid(r), fn, arg);
		pfn = re;
	}
	if (pfn < end)
		fn(arg, pfn, end, hole_nid, BOOT_PAGES_HOLE);
}

void init_boot_pages(void *arg, unsigned long start, unsigned long end, int nid,
		     enum boot_pages kind)
{
	if (kind == BOOT_PAGES_FREE)
		__memmap_init_range(start, end, nid, ZONE_NORMAL, 0, 0, MIGRATE_MOVABLE);
	else
		memmap_init_range(start, end, nid, ZONE_NORMAL, 1UL << PG_reserved,
				  MIGRATE_MOVABLE);
}

/* Deferred sections get only their reserved pages at boot (Linux's reserve_bootmem_region()). */
static void init_reserved_pages(void *arg, unsigned long start, unsigned long end, int nid,
				enum boot_pages kind)
{
	if (kind == BOOT_PAGES_RESERVED)
		init_boot_pages(arg, start, end, nid, kind);
}

/* Memory pages of each node in [start, end): for the deferral rule. */
static void count_memory(void *arg, unsigned long start, unsigned long end, int nid,
			 enum boot_pages kind)
{
	unsigned long *pages = arg;

	if (kind != BOOT_PAGES_HOLE)
		pages[nid] += end - start;
}

/*
 * Linux's defer_init(): a node's first PAGES_PER_SECTION pages of memory are
 * initialised at boot, rounded up to whole sections; sections beyond that
 * wait for deferred init. @done counts each node's memory in the sections
 * initialised so far. Only boot (early) sections are deferred.
 */
static bool defer_section(unsigned long nr, unsigned long done[MAX_NUMNODES])
{
	unsigned long pages[MAX_NUMNODES] = { 0 }, pfn = section_nr_to_pfn(nr);
	bool defer = deferred_init_mode != DEFERRED_INIT_OFF && early_section(&mem_section[nr]);

	walk_boot_pages(pfn, pfn + PAGES_PER_SECTION, 0, count_memory, pages);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (pages[nid] && done[nid] < PAGES_PER_SECTION)
			defer = false;
	if (!defer)
		for (int nid = 0; nid < MAX_NUMNODES; nid++)
			done[nid] += pages[nid];
	return defer;
}

/*
 * The boot memmap, Linux's memmap_init(): holes of a section are reserved
 * pages of the section's node, reserved and no-map memory reserved pages of
 * its own node, free memory free pages (no PG_reserved, no reference) that
 * memblock_free_all() hands to the buddy allocator; pageblocks Movable.
 * Sections deferred get only their reserved pages now.
 */
void memmap_init(void)
{
	unsigned long done[MAX_NUMNODES] = { 0 };

	deferred_init_reset();
	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++) {
		struct mem_section *ms = &mem_section[nr];
		unsigned long pfn = section_nr_to_pfn(nr);

		if (!valid_section_nr(nr))
			continue;
		if (!early_section(ms)) {
			/* Only the valid subsections have struct pages (host tests build these). */
			for (unsigned long s = pfn; s < pfn + PAGES_PER_SECTION; s += PAGES_PER_SUBSECTION)
				if (pfn_section_valid(ms, s))
					walk_boot_pages(s, s + PAGES_PER_SUBSECTION, ms->nid,
							init_boot_pages, NULL);
			continue;
		}
		if (defer_section(nr, done)) {
			ms->flags |= SECTION_DEFERRED;
			deferred_init_stats.sections++;
			deferred_init_stats.boot_sections++;
			walk_boot_pages(pfn, pfn + PAGES_PER_SECTION, ms->nid, init_reserved_pages, NULL);
		} else {
			walk_boot_pages(pfn, pfn + PAGES_PER_SECTION, ms->nid, init_boot_pages, NULL);
		}
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

/*
 * Grow @nid's span over memory [start, end); memmap_init() linked its pages
 * to the node already (or will, for a deferred section).
 */
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
	for (unsigned long pfn = start; pfn < end; pfn = ALIGN(pfn + 1, PAGES_PER_SUBSECTION))
		if (!pfn_valid(pfn))
			panic("free_area_init: pfn %#lx of node %d has no struct page", pfn, nid);
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
	struct page *page;

	deferred_init_pfn_range(pfn, pfn + 1);
	page = pfn_to_online_page(pfn);

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
