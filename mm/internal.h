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

/* ---- mm/mm_init.c ---- */

/*
 * memmap_init_range() - initialise the struct pages of [start, end): each
 * gets @flags, one reference, and the links of @nid and @zone; the first
 * page of every pageblock gets @migratetype.
 */
void memmap_init_range(unsigned long start, unsigned long end, int nid,
		       enum zone_type zone, unsigned long flags, int migratetype);

#endif
