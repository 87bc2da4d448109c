/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of mm/ share among themselves and nobody else uses
 * (Linux's mm/internal.h): the buddy allocator's free-list primitives for
 * page isolation, and memmap initialisation.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <mm/mmzone.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>

/* ---- mm/page_alloc.c ---- */

/* Take the free block at @pfn off its list (it was filed under @mt). */
void del_from_free_list(struct zone *zone, unsigned long pfn, unsigned int order, int mt);
/* Free [pfn, pfn + 2^order) of @zone, each pageblock under its own type. */
void free_one_block(struct zone *zone, unsigned long pfn, unsigned int order);
/* The pageblock byte of @pfn's pageblock (in its first struct page). */
u8 *pageblock_flags_byte(unsigned long pfn);

/*
 * pfn_walk_next() - where a walk over struct pages goes after @pfn: past
 * the whole free or allocated block whose head @pfn is, past the rest of
 * the subsection when @pfn has no struct page, else to the next pfn.
 * Walks that start on a MAX_PAGE_ORDER boundary only ever land on heads.
 */
unsigned long pfn_walk_next(unsigned long pfn);
/* Whether @page heads an allocated block (order in ->private). */
static inline bool page_is_allocated_head(const struct page *page)
{
	return !PageBuddy(page) && !PageReserved(page) && page->_refcount;
}

/*
 * memblock_free_pages() - hand [start, end) to the buddy allocator in the
 * largest naturally aligned blocks (they become managed), at the tail of the
 * free lists as Linux does (FPI_TO_TAIL): lower memory is used first. Its
 * struct pages must be free already, as memmap_init() and deferred init leave
 * free boot memory (no PG_reserved, no reference): only block heads are
 * written.
 */
void memblock_free_pages(unsigned long start, unsigned long end);

/* ---- mm/mm_init.c ---- */

/*
 * __init_single_page() - the plain initialiser of one struct page: @flags,
 * @refcount references, the links of @nid and @zone, an empty free-list
 * head, and @migratetype in the pageblock byte when @pfn starts a pageblock.
 */
void __init_single_page(struct page *page, unsigned long pfn, unsigned long flags,
			unsigned int refcount, enum zone_type zone, int nid, int migratetype);
/*
 * __memmap_init_range() - the struct pages of [start, end) exactly as
 * __init_single_page() makes them, written from one template page with
 * wide stores (the template writer). memmap_init_range() is it with one
 * reference per page.
 */
void __memmap_init_range(unsigned long start, unsigned long end, int nid, enum zone_type zone,
			 unsigned long flags, unsigned int refcount, int migratetype);
void memmap_init_range(unsigned long start, unsigned long end, int nid,
		       enum zone_type zone, unsigned long flags, int migratetype);

/*
 * Boot memory piece by piece, as memblock describes it now: a hole (no
 * memory, or the partial page at a region's edge), reserved memory (any byte
 * of the page reserved, or no-map) and free memory.
 * walk_boot_pages() calls @fn for each maximal piece of [start, end), in
 * order, with its node (@hole_nid for holes).
 */
enum boot_pages { BOOT_PAGES_HOLE, BOOT_PAGES_RESERVED, BOOT_PAGES_FREE };
typedef void (*boot_piece_fn)(void *arg, unsigned long start, unsigned long end, int nid,
			      enum boot_pages kind);
void walk_boot_pages(unsigned long start, unsigned long end, int hole_nid, boot_piece_fn fn,
		     void *arg);
/*
 * The boot state of a piece: holes and reserved memory PG_reserved with one
 * reference, free memory free.
 */
void init_boot_pages(void *arg, unsigned long start, unsigned long end, int nid,
		     enum boot_pages kind);
/*
 * memmap_init() - the struct pages of the boot sections (sparse_init() calls
 * it): all of them, or with deferred init only the reserved ones of the
 * sections beyond each node's first (SECTION_DEFERRED).
 */
void memmap_init(void);

/* ---- mm/deferred_init.c ---- */

/* Forget any earlier boot's deferred init (memmap_init() starts afresh). */
void deferred_init_reset(void);
/* Whether @pfn's struct page is initialised (Linux's early_page_initialised()). */
bool early_page_initialised(unsigned long pfn);
/* Free pages of node @nid in [start, end) wait for deferred init (boot, a late free). */
void deferred_add_pages(int nid, unsigned long start, unsigned long end);
/*
 * deferred_grow_zone() - initialise deferred sections of @zone's node until
 * the zone gained at least 2^@order pages or none is left (Linux's).
 * Return: whether the zone gained pages.
 */
bool deferred_grow_zone(struct zone *zone, unsigned int order);

#endif
