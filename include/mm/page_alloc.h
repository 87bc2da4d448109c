/* SPDX-License-Identifier: GPL-2.0 */
/* The buddy allocator (mm/page_alloc.c), Linux's interface. */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

#include <mm/mmzone.h>

typedef unsigned int gfp_t;
#define __GFP_MOVABLE	0x1u	/* may go to ZONE_MOVABLE, from MOVABLE pageblocks */
#define __GFP_RECLAIMABLE 0x2u	/* from RECLAIMABLE pageblocks */
#define __GFP_ZERO	0x4u	/* cleared */
#define __GFP_THISNODE	0x8u	/* no other node */
#define GFP_KERNEL	0u

/*
 * alloc_pages_node() - 2^@order pages from node @nid (or the nearest node
 * with memory, unless __GFP_THISNODE), the head page returned.
 * Return: the page, or NULL (nothing free, @order > MAX_PAGE_ORDER, or an
 * injected failure).
 */
struct page *alloc_pages_node(int nid, unsigned int order, gfp_t gfp);
/* Give back what alloc_pages_node() returned; @order must match. */
void free_pages(struct page *page, unsigned int order);

/* The migratetype of @pfn's pageblock, and setting it. */
int get_pageblock_migratetype(unsigned long pfn);
void set_pageblock_migratetype(unsigned long pfn, int mt);

/*
 * set_migratetype_isolate() - isolate the pageblocks of [start_pfn, end_pfn)
 * (pageblock aligned): their free pages move to MIGRATE_ISOLATE and are no
 * longer allocated; a free block larger than a pageblock is split at the
 * range's edges. undo_isolate_page_range() gives each pageblock back its
 * former migratetype and merges its free pages again.
 * Return: 0, -EINVAL (unaligned, or outside one zone), -EBUSY (already isolated).
 */
int set_migratetype_isolate(unsigned long start_pfn, unsigned long end_pfn);
void undo_isolate_page_range(unsigned long start_pfn, unsigned long end_pfn);

/*
 * The boot sequence: free_area_init() sets up nodes and zones over the
 * memmap sparse_init() built; memblock_free_all() then hands every free
 * memblock range to the buddy allocator (memblock's own data stays put).
 */
void free_area_init(void);
void memblock_free_all(void);

/* Totals over all zones (meminfo). */
unsigned long nr_free_pages(void);
unsigned long totalram_pages(void);

#endif
