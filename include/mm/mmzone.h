/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nodes, zones, free areas and pageblocks (Linux's include/linux/mmzone.h),
 * served by mm/page_alloc.c.
 *
 * Each node has ZONE_NORMAL and ZONE_MOVABLE (empty at boot). A zone keeps
 * one free list per order and migratetype. Each pageblock (pageblock_order
 * pages, a runtime variable) carries a migratetype; allocations that find
 * nothing of their own type steal from another type, whole pageblocks at a
 * time, and isolated pageblocks are never allocated from.
 */
#ifndef MM_MMZONE_H
#define MM_MMZONE_H

#include <arch/sparsemem.h>
#include <lib/list.h>
#include <mm/mm_types.h>
#include <mm/numa.h>

#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)

enum zone_type {
	ZONE_NORMAL,
	ZONE_MOVABLE,
	MAX_NR_ZONES,
};

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,			/* the types allocations ask for */
	MIGRATE_ISOLATE = MIGRATE_PCPTYPES,	/* never allocated from */
	MIGRATE_TYPES,
};

extern const char *const migratetype_names[MIGRATE_TYPES];
extern const char *const zone_names[MAX_NR_ZONES];

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;			/* blocks of this order, all types */
};

/*
 * A zone's span grows as memory is onlined into it and shrinks as memory
 * leaves (mm/memory_hotplug.c); ZONE_MOVABLE starts empty (spanned 0).
 */
struct zone {
	struct pglist_data *zone_pgdat;
	const char *name;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;		/* pages with memory (holes excluded) */
	unsigned long managed_pages;		/* pages the buddy allocator was given */
	unsigned long free_pages;		/* on the free lists, isolated pageblocks excluded */
	struct free_area free_area[NR_PAGE_ORDERS];
	unsigned long nr_stolen;		/* pageblocks taken by a fallback */
};

typedef struct pglist_data {
	int node_id;
	bool online;
	unsigned long node_start_pfn;
	unsigned long node_spanned_pages;
	unsigned long node_present_pages;
	struct zone node_zones[MAX_NR_ZONES];
	/*
	 * Deferred init (mm/deferred_init.c): the first pfn of the lowest
	 * section still holding free pages of this node that wait for it
	 * (ULONG_MAX: none), and how many such pages the node has.
	 */
	unsigned long first_deferred_pfn;
	unsigned long nr_deferred_pages;
} pg_data_t;

extern pg_data_t node_data[MAX_NUMNODES];
#define NODE_DATA(nid)		(&node_data[nid])

/* The zone @page belongs to, from the node and zone in its flags. */
static inline struct zone *page_zone(const struct page *page)
{
	return &NODE_DATA(page_to_nid(page))->node_zones[page_zonenum(page)];
}

static inline unsigned long zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *z, unsigned long pfn)
{
	return pfn >= z->zone_start_pfn && pfn < zone_end_pfn(z);
}

static inline bool zone_is_empty(const struct zone *z)
{
	return z->spanned_pages == 0;
}

static inline unsigned long pgdat_end_pfn(const pg_data_t *pgdat)
{
	return pgdat->node_start_pfn + pgdat->node_spanned_pages;
}

#define for_each_online_node(nid) \
	for (int nid = 0; nid < MAX_NUMNODES; nid++) if (NODE_DATA(nid)->online)

/*
 * A pageblock's byte (struct page pageblock_flags of its first pfn): the
 * migratetype, plus PB_ISOLATE while the pageblock is isolated.
 */
#define PB_ISOLATE		0x80
#define PB_MT_MASK		0x7f

/* pageblock_order (boot argument `pageblock_order=`); Linux's default per granule. */
extern unsigned int pageblock_order;
#define pageblock_nr_pages	(1UL << pageblock_order)
#define pageblock_start_pfn(pfn) ((pfn) & ~(pageblock_nr_pages - 1))
/* memory_block_size (boot argument `memory_block_size=`), in bytes. */
extern u64 memory_block_size;

#endif
