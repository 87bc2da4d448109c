/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct page: 64 bytes for every page frame, in the vmemmap array.
 *
 *   flags     PG_* bits, with the node in bits 48..55 and the zone in 56..59
 *   lru       free-list links while PG_buddy
 *   private   the block's order while PG_buddy, and in the head page of an
 *             allocated block
 *   _refcount 1 while allocated or reserved, 0 while free
 *   pageblock_flags  in the first page of each pageblock: the pageblock's
 *             migratetype and PB_ISOLATE (mm/page_alloc.c). Linux keeps them
 *             in a per-section bitmap; here they live and die with the memmap
 *             (docs/design.md, "Pageblock flags")
 *   owner     who holds the page: the pgtable_alloc of a page-table page, the
 *             movable_operations of a movable allocation, the kernel user of
 *             another allocated one (PAGE_OWNER_*), or 0
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
	u8 pageblock_flags;
	u8 _pad[3];
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
	PG_movable,		/* head of an allocation that can be migrated (owner: its ops) */
	PG_offline,		/* offline memory: not managed by the buddy (Linux's PageOffline) */
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
#define SetPagePgtable(p)	page_set(p, PG_pgtable)
#define ClearPagePgtable(p)	page_clear(p, PG_pgtable)
#define PageMovable(p)		page_test(p, PG_movable)
#define PageOffline(p)		page_test(p, PG_offline)

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
