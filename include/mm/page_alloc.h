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

/*
 * A movable allocation's owner says how to move it (Linux's
 * movable_operations): migrate_page() gets a new block of the same order
 * whose contents were already copied, and moves its own reference from
 * @src to @dst. Return 0, or -errno to keep @src.
 */
struct movable_operations {
	int (*migrate_page)(struct page *dst, struct page *src, unsigned int order);
};

/* Mark the allocated block @page movable by @mops (offline may migrate it). */
void __SetPageMovable(struct page *page, const struct movable_operations *mops);

/*
 * kernel_pages_alloc() - @size bytes (a power-of-two number of pages),
 * naturally aligned, for the kernel's own use (page tables, memmap): from
 * memblock, node @nid first, until memblock_free_all(); from the buddy
 * allocator (node @nid first) after it. @name names the memblock
 * reservation. Return: the physical address, or 0.
 * kernel_pages_free() gives them back where they came from; after the
 * handover, memblock's pages go to the buddy allocator too
 * (free_reserved_page()).
 */
phys_addr_t kernel_pages_alloc(u64 size, int nid, const char *name);
void kernel_pages_free(phys_addr_t pa, u64 size);

/*
 * free_reserved_page() - a page memblock handed out at boot (PG_reserved)
 * goes to the buddy allocator and counts as managed from now on.
 */
void free_reserved_page(struct page *page);
/* Pages of @page's zone that the buddy manages: +@count or -@count. */
void adjust_managed_page_count(struct page *page, long count);
/*
 * __free_pages_memory() - hand [start, end), reserved or offline until now,
 * to the buddy allocator in the largest naturally aligned blocks (they
 * become managed). The struct pages must already carry their zone.
 */
void __free_pages_memory(unsigned long start, unsigned long end);

/* The migratetype of @pfn's pageblock, and setting it. */
int get_pageblock_migratetype(unsigned long pfn);
void set_pageblock_migratetype(unsigned long pfn, int mt);

/*
 * set_migratetype_isolate() - isolate the pageblocks of [start_pfn, end_pfn)
 * (pageblock aligned; mm/page_isolation.c): their free pages move to the
 * MIGRATE_ISOLATE lists of their own zone and are no longer allocated; a
 * free block larger than a pageblock is split at the range's edges.
 * undo_isolate_page_range() gives each pageblock back its former
 * migratetype and merges its free pages again.
 * Return: 0, -EINVAL (unaligned, or a pageblock without a struct page),
 * -EBUSY (a pageblock is isolated already).
 */
int set_migratetype_isolate(unsigned long start_pfn, unsigned long end_pfn);
void undo_isolate_page_range(unsigned long start_pfn, unsigned long end_pfn);

/*
 * What offlining asks (mm/page_isolation.c):
 * test_pages_in_a_zone() - the one zone every online page of the range
 *   belongs to, or NULL when the range spans zones (or holds none);
 * has_unmovable_pages() - the first pfn that cannot be emptied (reserved,
 *   or allocated and not movable), or -1;
 * test_pages_isolated() - 0 when every page of the isolated range is free
 *   or offline, else -EBUSY;
 * __offline_isolated_pages() - take the range's free pages off the isolate
 *   lists: they become PG_offline (and PG_reserved), no longer managed.
 *   Returns how many were taken.
 */
struct zone *test_pages_in_a_zone(unsigned long start_pfn, unsigned long end_pfn);
long has_unmovable_pages(unsigned long start_pfn, unsigned long end_pfn);
int test_pages_isolated(unsigned long start_pfn, unsigned long end_pfn);
unsigned long __offline_isolated_pages(unsigned long start_pfn, unsigned long end_pfn);

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
