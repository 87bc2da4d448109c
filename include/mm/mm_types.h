/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct page: 64 bytes for every page frame, in the vmemmap array.
 *
 *   flags     PG_* bits, with the node in bits 48..55 and the zone in 56..59
 *   lru       free-list links while PG_buddy
 *   private   buddy order while PG_buddy
 *   _refcount 1 while allocated or reserved, 0 while free
 *   owner     who holds a reserved page (e.g. the page-table allocator), or
 *             the kernel user of an allocated one (PAGE_OWNER_*), or 0
 *   index     free for the page's user (test allocations keep their id here)
 */
#ifndef MM_MM_TYPES_H
#define MM_MM_TYPES_H

#include <lib/list.h>
#include <lib/types.h>

struct page {
	unsigned long flags;
	struct list_head lru;
	unsigned long private;
	unsigned int _refcount;
	unsigned int _pad;
	unsigned long owner;
	unsigned long index;
	unsigned long _reserved;
};

_Static_assert(sizeof(struct page) == 64, "struct page is 64 bytes");

/*
 * page->owner of allocated pages a kernel user holds for good: they cannot
 * be migrated, so memory holding them cannot go offline (Linux finds such
 * pages as unmovable: not on an LRU, no movable_ops).
 */
#define PAGE_OWNER_VMALLOC	0x766d616c6c6f63UL	/* "vmalloc": backs a vmalloc area */
#define STRUCT_PAGE_SHIFT	6

enum pageflags {
	PG_reserved,		/* never in the buddy allocator (holes, kernel, memblock) */
	PG_buddy,		/* the head of a free block; order in private */
	PG_vmemmap,		/* holds a memmap (seed 002's PageVmemmap) */
	PG_pgtable,		/* a page-table page */
	PG_isolated,		/* in an isolated pageblock, taken off the free lists */
	NR_PAGEFLAGS,
};

#define PAGE_NID_SHIFT		48
#define PAGE_NID_MASK		0xffUL
#define PAGE_ZONE_SHIFT		56
#define PAGE_ZONE_MASK		0xfUL

static inline bool page_test(const struct page *p, enum pageflags f)
{
	return p->flags & (1UL << f);
}

static inline void page_set(struct page *p, enum pageflags f)
{
	p->flags |= 1UL << f;
}

static inline void page_clear(struct page *p, enum pageflags f)
{
	p->flags &= ~(1UL << f);
}

#define PageReserved(p)		page_test(p, PG_reserved)
#define SetPageReserved(p)	page_set(p, PG_reserved)
#define ClearPageReserved(p)	page_clear(p, PG_reserved)
#define PageBuddy(p)		page_test(p, PG_buddy)
#define PageVmemmap(p)		page_test(p, PG_vmemmap)
#define SetPageVmemmap(p)	page_set(p, PG_vmemmap)
#define ClearPageVmemmap(p)	page_clear(p, PG_vmemmap)
#define PagePgtable(p)		page_test(p, PG_pgtable)

static inline int page_to_nid(const struct page *p)
{
	return (p->flags >> PAGE_NID_SHIFT) & PAGE_NID_MASK;
}

static inline unsigned int page_zonenum(const struct page *p)
{
	return (p->flags >> PAGE_ZONE_SHIFT) & PAGE_ZONE_MASK;
}

static inline void set_page_links(struct page *p, unsigned int zone, int nid)
{
	p->flags &= ~((PAGE_NID_MASK << PAGE_NID_SHIFT) | (PAGE_ZONE_MASK << PAGE_ZONE_SHIFT));
	p->flags |= ((unsigned long)nid & PAGE_NID_MASK) << PAGE_NID_SHIFT;
	p->flags |= ((unsigned long)zone & PAGE_ZONE_MASK) << PAGE_ZONE_SHIFT;
}

#endif
