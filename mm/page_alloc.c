// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy allocator (include/mm/page_alloc.h): Linux's mm/page_alloc.c for
 * one CPU, without watermarks or reclaim. Isolation is in
 * mm/page_isolation.c, node and zone setup in mm/mm_init.c.
 *
 * A free block of 2^order pages has PG_buddy and its order (->private) in
 * its head page and sits on zone->free_area[order].free_list[mt], mt being
 * the migratetype of its pageblock. The invariants, which the host tests
 * check after every step:
 *  - a free block is naturally aligned and lies in one zone;
 *  - a block below pageblock_order lies in one pageblock; a larger one covers
 *    whole pageblocks, all of its migratetype (Linux >= 6.10);
 *  - a freed block merges with its buddy while the buddy is a free block of
 *    the same order in the same zone; from pageblock_order up, an isolated
 *    block merges only with an isolated one;
 *  - zone->free_pages counts the free pages outside isolated pageblocks (as
 *    Linux's NR_FREE_PAGES), free_area[o].nr_free the blocks of every type.
 * An allocated block has one reference and its order (->private) in its
 * head page, so walks over struct pages can step over it.
 *
 * On 4K an order-10 block spans two pageblocks (pageblock_order 9):
 *
 *   |<----------------------- order 10 ----------------------->|
 *   |<-------- pageblock (9) -------->|<-------- pageblock ------->|
 *    isolating either half splits the block at the pageblock edge
 */
#include <kernel/panic.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <limits.h>
#include <mm/fault_inject.h>
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <string.h>

#include "internal.h"

/* How a block is freed (Linux's fpi_t): FPI_TO_TAIL for boot memory handed over. */
typedef unsigned int fpi_t;
#define FPI_NONE	0
#define FPI_TO_TAIL	(1U << 0)

/*
 * Linux's default pageblock_order: the order of a level-2 block
 * (HPAGE_PMD_ORDER = level_shift(2) - PAGE_SHIFT = PTRS_PER_TABLE_SHIFT),
 * at most MAX_PAGE_ORDER: 9, 11, 13 for 4K, 16K, 64K.
 */
unsigned int pageblock_order = PTRS_PER_TABLE_SHIFT < MAX_PAGE_ORDER ?
			       PTRS_PER_TABLE_SHIFT : MAX_PAGE_ORDER;
u64 memory_block_size = 1ULL << SECTION_SIZE_BITS;

const char *const migratetype_names[MIGRATE_TYPES] = {
	[MIGRATE_UNMOVABLE] = "Unmovable",
	[MIGRATE_MOVABLE] = "Movable",
	[MIGRATE_RECLAIMABLE] = "Reclaimable",
	[MIGRATE_ISOLATE] = "Isolate",
};

const char *const zone_names[MAX_NR_ZONES] = {
	[ZONE_NORMAL] = "Normal",
	[ZONE_MOVABLE] = "Movable",
};

/* Where an allocation looks when its own type has nothing (Linux's order). */
static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/* ---- pageblock migratetypes ---- */

/*
 * A pageblock's byte holds its migratetype, plus PB_ISOLATE while it is
 * isolated: the type underneath survives the isolation (Linux 6.16's
 * standalone PB_migrate_isolate bit), so undo_isolate_page_range() can give
 * it back without being told. The byte sits in the struct page of the
 * pageblock's first pfn, which sparse_add_section() guarantees exists
 * whenever any pfn of the pageblock has a struct page.
 */
u8 *pageblock_flags_byte(unsigned long pfn)
{
	unsigned long head = pageblock_start_pfn(pfn);

	BUG_ON(!pfn_valid(head));
	return &pfn_to_page(head)->pageblock_flags;
}

int get_pageblock_migratetype(unsigned long pfn)
{
	u8 b = *pageblock_flags_byte(pfn);

	return b & PB_ISOLATE ? MIGRATE_ISOLATE : b & PB_MT_MASK;
}

/*
 * Setting MIGRATE_ISOLATE keeps the type underneath; any other type replaces
 * both. Free pages stay on the lists they are on: use this only where the
 * pageblock has none (memmap init, before onlining), as Linux does.
 */
void set_pageblock_migratetype(unsigned long pfn, int mt)
{
	u8 *b = pageblock_flags_byte(pfn);

	BUG_ON(mt < 0 || mt >= MIGRATE_TYPES);
	if (mt == MIGRATE_ISOLATE)
		*b |= PB_ISOLATE;
	else
		*b = mt;
}

/* Every pageblock of the block [pfn, pfn + 2^order), order >= pageblock_order. */
static void change_pageblock_range(unsigned long pfn, unsigned int order, int mt)
{
	for (unsigned long i = 0; i < (1UL << order); i += pageblock_nr_pages)
		set_pageblock_migratetype(pfn + i, mt);
}

static bool migratetype_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

/* ---- free lists ---- */

static struct zone *page_zone_of(unsigned long pfn)
{
	return page_zone(pfn_to_page(pfn));
}

static void account_freepages(struct zone *zone, unsigned long nr, int mt, bool add)
{
	if (mt == MIGRATE_ISOLATE)
		return;
	if (add)
		zone->free_pages += nr;
	else
		zone->free_pages -= nr;
}

static void add_to_free_list(struct zone *zone, unsigned long pfn, unsigned int order, int mt,
			     fpi_t fpi)
{
	struct page *page = pfn_to_page(pfn);

	page_set(page, PG_buddy);
	page->private = order;
	if (fpi & FPI_TO_TAIL)
		list_add_tail(&page->lru, &zone->free_area[order].free_list[mt]);
	else
		list_add(&page->lru, &zone->free_area[order].free_list[mt]);
	zone->free_area[order].nr_free++;
	account_freepages(zone, 1UL << order, mt, true);
}

void del_from_free_list(struct zone *zone, unsigned long pfn, unsigned int order, int mt)
{
	struct page *page = pfn_to_page(pfn);

	list_del(&page->lru);
	page_clear(page, PG_buddy);
	page->private = 0;
	zone->free_area[order].nr_free--;
	account_freepages(zone, 1UL << order, mt, false);
}

static void move_to_free_list(struct zone *zone, unsigned long pfn, unsigned int order,
			      int old_mt, int new_mt)
{
	struct page *page = pfn_to_page(pfn);

	list_del(&page->lru);
	list_add(&page->lru, &zone->free_area[order].free_list[new_mt]);
	account_freepages(zone, 1UL << order, old_mt, false);
	account_freepages(zone, 1UL << order, new_mt, true);
}

/* The free block whose head is @pfn, or false. */
static bool free_head(unsigned long pfn, struct zone *zone, unsigned int *order)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return false;
	page = pfn_to_page(pfn);
	if (!PageBuddy(page) || page_zone(page) != zone)
		return false;
	*order = page->private;
	return true;
}

/*
 * __free_one_page() - put [pfn, pfn + 2^order) on the free lists, merging
 * with its buddy as long as the buddy is a whole free block of the same
 * order in the same zone. The buddy's struct page is read only after
 * pfn_valid() says it exists; a hole's pages are reserved, never buddies, so
 * no block grows over a hole, and the zone check keeps nodes apart.
 */
static void __free_one_page(struct zone *zone, unsigned long pfn, unsigned int order, int mt,
			    fpi_t fpi)
{
	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		unsigned int buddy_order;
		int buddy_mt = mt;

		if (!free_head(buddy_pfn, zone, &buddy_order) || buddy_order != order)
			break;
		if (order >= pageblock_order) {
			/* Isolated pageblocks keep to themselves. */
			buddy_mt = get_pageblock_migratetype(buddy_pfn);
			if (buddy_mt != mt &&
			    (!migratetype_mergeable(mt) || !migratetype_mergeable(buddy_mt)))
				break;
		}
		del_from_free_list(zone, buddy_pfn, order, buddy_mt);
		/* One type per block, so that a later split files its halves right. */
		if (buddy_mt != mt)
			change_pageblock_range(buddy_pfn, order, mt);
		pfn &= buddy_pfn;
		order++;
	}
	add_to_free_list(zone, pfn, order, mt, fpi);
}

/*
 * __free_one_block() - free [pfn, pfn + 2^order) of @zone, each pageblock
 * with its own migratetype (Linux's split_large_buddy()); FPI_TO_TAIL files
 * the merged block at the tail of its list, to be taken after the others.
 */
static void __free_one_block(struct zone *zone, unsigned long pfn, unsigned int order, fpi_t fpi)
{
	if (order <= pageblock_order) {
		__free_one_page(zone, pfn, order, get_pageblock_migratetype(pfn), fpi);
		return;
	}
	for (unsigned long i = 0; i < (1UL << order); i += pageblock_nr_pages)
		__free_one_page(zone, pfn + i, pageblock_order,
				get_pageblock_migratetype(pfn + i), fpi);
}

void free_one_block(struct zone *zone, unsigned long pfn, unsigned int order)
{
	__free_one_block(zone, pfn, order, FPI_NONE);
}

/* The next pfn a walk over struct pages looks at (mm/internal.h). */
unsigned long pfn_walk_next(unsigned long pfn)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return ALIGN(pfn + 1, PAGES_PER_SUBSECTION);
	page = pfn_to_page(pfn);
	if (PageBuddy(page) || page_is_allocated_head(page))
		return pfn + (1UL << page->private);
	return pfn + 1;
}

/* ---- freeing ---- */

/*
 * free_pages() - drop the reference alloc_pages_node() gave; the last one
 * frees the block. A page that is free, reserved, or not the head of an
 * allocated @order block is a caller's bug: panic with what is wrong.
 */
void free_pages(struct page *page, unsigned int order)
{
	unsigned long pfn;

	if (!page)
		return;
	pfn = page_to_pfn(page);
	if (order > MAX_PAGE_ORDER || !IS_ALIGNED(pfn, 1UL << order) ||
	    !page_is_allocated_head(page) || page->private != order)
		panic("free_pages: bad page: pfn %#lx order %u flags %#lx refcount %u order %lu",
		      pfn, order, page->flags, page->_refcount, page->private);
	if (--page->_refcount)
		return;
	page_clear(page, PG_movable);
	page->private = 0;
	page->index = 0;
	page->owner = 0;
	free_one_block(page_zone(page), pfn, order);
}

/*
 * Hand [pfn, pfn + 2^order), reserved or offline until now, to its zone
 * (Linux's __free_pages_core): the pages become managed.
 */
static void __free_pages_core(unsigned long pfn, unsigned int order)
{
	struct zone *zone = page_zone_of(pfn);

	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *page = pfn_to_page(pfn + i);

		ClearPageReserved(page);
		page_clear(page, PG_offline);
		page->_refcount = 0;
	}
	zone->managed_pages += 1UL << order;
	free_one_block(zone, pfn, order);
}

/* The largest naturally aligned block at @start that ends by @end. */
static unsigned int block_order(unsigned long start, unsigned long end)
{
	unsigned int order = start ? min(MAX_PAGE_ORDER, __builtin_ctzl(start)) : MAX_PAGE_ORDER;

	while (start + (1UL << order) > end)
		order--;
	return order;
}

void __free_pages_memory(unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = block_order(start, end);

		__free_pages_core(start, order);
		start += 1UL << order;
	}
}

void memblock_free_pages(unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = block_order(start, end);
		struct zone *zone = page_zone_of(start);

		zone->managed_pages += 1UL << order;
		__free_one_block(zone, start, order, FPI_TO_TAIL);
		start += 1UL << order;
	}
}

void adjust_managed_page_count(struct page *page, long count)
{
	page_zone(page)->managed_pages += count;
}

void free_reserved_page(struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	if (!PageReserved(page) || PageBuddy(page))
		panic("free_reserved_page: pfn %#lx is not reserved (flags %#lx)", pfn,
		      page->flags);
	/* Its buddies may not be initialised yet: deferred init frees it with them. */
	if (!early_page_initialised(pfn)) {
		deferred_add_pages(page_to_nid(page), pfn, pfn + 1);
		return;
	}
	__free_pages_core(pfn, 0);
}

static unsigned int size_order(u64 size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

phys_addr_t kernel_pages_alloc(u64 size, int nid, const char *name)
{
	struct page *page;

	if (!after_bootmem)
		return memblock_phys_alloc_try_nid(size, size, nid, name);
	page = alloc_pages_node(nid, size_order(size), GFP_KERNEL);
	return page ? PFN_PHYS(page_to_pfn(page)) : 0;
}

void kernel_pages_free(phys_addr_t pa, u64 size)
{
	struct page *page = pfn_to_page(PFN_DOWN(pa));

	if (!after_bootmem) {
		memblock_phys_free(pa, size);
	} else if (PageReserved(page)) {
		memblock_phys_free(pa, size);
		for (unsigned long i = 0; i < (size >> PAGE_SHIFT); i++)
			free_reserved_page(page + i);
	} else {
		free_pages(page, size_order(size));
	}
}

/* Free boot memory goes to the buddy allocator, or waits for deferred init with its section. */
static void free_boot_pages(void *arg, unsigned long start, unsigned long end, int nid,
			    enum boot_pages kind)
{
	bool deferred = *(bool *)arg;

	if (kind != BOOT_PAGES_FREE)
		return;
	if (deferred)
		deferred_add_pages(nid, start, end);
	else
		memblock_free_pages(start, end);
}

/*
 * The memory no reservation touches, section by section (a free block
 * never crosses a section): memmap_init() left its struct pages free.
 */
void memblock_free_all(void)
{
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		NODE_DATA(nid)->first_deferred_pfn = ULONG_MAX;
	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++) {
		struct mem_section *ms = &mem_section[nr];
		unsigned long pfn = section_nr_to_pfn(nr);
		bool deferred = section_deferred(nr);

		if (!valid_section_nr(nr))
			continue;
		if (early_section(ms)) {
			walk_boot_pages(pfn, pfn + PAGES_PER_SECTION, ms->nid, free_boot_pages,
					&deferred);
			continue;
		}
		for (unsigned long s = pfn; s < pfn + PAGES_PER_SECTION; s += PAGES_PER_SUBSECTION)
			if (pfn_section_valid(ms, s))
				walk_boot_pages(s, s + PAGES_PER_SUBSECTION, ms->nid, free_boot_pages,
						&deferred);
	}
}

/* ---- allocation ---- */

/* Split [pfn, pfn + 2^high) down to 2^low, filing the upper halves under @mt. */
static void expand(struct zone *zone, unsigned long pfn, unsigned int low, unsigned int high,
		   int mt)
{
	while (high > low) {
		high--;
		add_to_free_list(zone, pfn + (1UL << high), high, mt, FPI_NONE);
	}
}

static struct page *first_free(struct zone *zone, unsigned int order, int mt)
{
	struct list_head *l = &zone->free_area[order].free_list[mt];

	return list_empty(l) ? NULL : list_first_entry(l, struct page, lru);
}

/* The smallest free block of type @mt that fits, split to @order. */
static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order, int mt)
{
	for (unsigned int o = order; o <= MAX_PAGE_ORDER; o++) {
		struct page *page = first_free(zone, o, mt);
		unsigned long pfn;

		if (!page)
			continue;
		pfn = page_to_pfn(page);
		del_from_free_list(zone, pfn, o, mt);
		expand(zone, pfn, order, o, mt);
		return page;
	}
	return NULL;
}

/*
 * Linux's can_steal_fallback(): an unmovable or reclaimable request, or a
 * block of at least half a pageblock, may try to claim the whole pageblock,
 * so that types stay apart in pageblocks instead of mixing.
 */
static bool can_steal_fallback(unsigned int order, int start_mt)
{
	return order >= pageblock_order / 2 || start_mt == MIGRATE_UNMOVABLE ||
	       start_mt == MIGRATE_RECLAIMABLE;
}

/* The first fallback type of @start_mt with a free block of @order, or -1. */
static int find_suitable_fallback(struct zone *zone, unsigned int order, int start_mt)
{
	for (int i = 0; i < MIGRATE_PCPTYPES - 1; i++) {
		int mt = fallbacks[start_mt][i];

		if (first_free(zone, order, mt))
			return mt;
	}
	return -1;
}

/*
 * prep_move_freepages_block() - count the free pages and the pages of
 * movable allocations in @pfn's pageblock. False when the pageblock reaches
 * outside @zone's span: such a pageblock is never claimed (Linux's rule; a
 * zone whose end is not pageblock-aligned keeps its last pageblock's type).
 */
static bool prep_move_freepages_block(struct zone *zone, unsigned long pfn,
				      unsigned long *free, unsigned long *movable)
{
	unsigned long start = pageblock_start_pfn(pfn), end = start + pageblock_nr_pages;

	if (!zone_spans_pfn(zone, start) || !zone_spans_pfn(zone, end - 1))
		return false;
	*free = *movable = 0;
	for (pfn = start; pfn < end; pfn = pfn_walk_next(pfn)) {
		struct page *page;

		if (!pfn_valid(pfn))
			continue;
		page = pfn_to_page(pfn);
		if (page_zone(page) != zone)
			continue;
		if (PageBuddy(page))
			*free += 1UL << page->private;
		else if (page_is_allocated_head(page) && PageMovable(page))
			*movable += 1UL << page->private;
	}
	return true;
}

/* Move the free blocks of @pfn's pageblock (each smaller than it) to @new_mt. */
static void move_freepages_block(struct zone *zone, unsigned long pfn, int old_mt, int new_mt)
{
	unsigned long start = pageblock_start_pfn(pfn), end = start + pageblock_nr_pages;

	for (pfn = start; pfn < end;) {
		unsigned int order;

		if (!free_head(pfn, zone, &order)) {
			pfn++;
			continue;
		}
		move_to_free_list(zone, pfn, order, old_mt, new_mt);
		pfn += 1UL << order;
	}
}

/*
 * steal_suitable_fallback() - take the free block @page (@current_order, in
 * a pageblock of another type) for a request of @order and @start_mt:
 *  - a block of a pageblock or more: all of its pageblocks change type;
 *  - else, when @whole_block allows, the pageblock lies in the zone, and its
 *    free pages plus the pages "alike" the request make at least half of it
 *    (Linux's rule: for a movable request the movable allocations; for
 *    another type taking from a Movable pageblock, all that is neither free
 *    nor movable): the pageblock is claimed (its free pages move, its type
 *    changes) and the request is served from it;
 *  - else one piece is split off and the rest stays where it was.
 * Claimed pageblocks are counted in zone->nr_stolen.
 */
static struct page *steal_suitable_fallback(struct zone *zone, struct page *page,
					    unsigned int current_order, unsigned int order,
					    int start_mt, bool whole_block)
{
	unsigned long pfn = page_to_pfn(page), free, movable, alike;
	int block_mt = get_pageblock_migratetype(pfn);

	if (current_order >= pageblock_order) {
		del_from_free_list(zone, pfn, current_order, block_mt);
		change_pageblock_range(pfn, current_order, start_mt);
		zone->nr_stolen += 1UL << (current_order - pageblock_order);
		expand(zone, pfn, order, current_order, start_mt);
		return page;
	}
	if (!whole_block || !prep_move_freepages_block(zone, pfn, &free, &movable))
		goto single_page;
	if (start_mt == MIGRATE_MOVABLE)
		alike = movable;
	else if (block_mt == MIGRATE_MOVABLE)
		alike = pageblock_nr_pages - (free + movable);
	else
		alike = 0;
	if (free + alike >= pageblock_nr_pages / 2) {
		move_freepages_block(zone, pfn, block_mt, start_mt);
		set_pageblock_migratetype(pfn, start_mt);
		zone->nr_stolen++;
		return __rmqueue_smallest(zone, order, start_mt);
	}
single_page:
	del_from_free_list(zone, pfn, current_order, block_mt);
	expand(zone, pfn, order, current_order, block_mt);
	return page;
}

/*
 * __rmqueue_fallback() - Linux's: the largest free block of a fallback
 * type, which approximates the pageblock with the most free pages; but a
 * movable request that may not claim a pageblock splits the smallest
 * instead, so as not to break up a large block for nothing.
 */
static struct page *__rmqueue_fallback(struct zone *zone, unsigned int order, int start_mt)
{
	int o, mt = -1;

	for (o = MAX_PAGE_ORDER; o >= (int)order; o--) {
		mt = find_suitable_fallback(zone, o, start_mt);
		if (mt >= 0)
			break;
	}
	if (mt < 0)
		return NULL;
	if (!can_steal_fallback(o, start_mt) && start_mt == MIGRATE_MOVABLE && o > (int)order) {
		for (o = order; o <= MAX_PAGE_ORDER; o++) {
			mt = find_suitable_fallback(zone, o, start_mt);
			if (mt >= 0)
				break;
		}
	}
	return steal_suitable_fallback(zone, first_free(zone, o, mt), o, order, start_mt,
				       can_steal_fallback(o, start_mt));
}

static struct page *rmqueue(struct zone *zone, unsigned int order, int mt)
{
	struct page *page;

	if (!zone->managed_pages)
		return NULL;
	page = __rmqueue_smallest(zone, order, mt);
	return page ? page : __rmqueue_fallback(zone, order, mt);
}

/* Both type flags at once are a caller's mistake; movable wins, as its zone choice does. */
static int gfp_migratetype(gfp_t gfp)
{
	if (gfp & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	return gfp & __GFP_RECLAIMABLE ? MIGRATE_RECLAIMABLE : MIGRATE_UNMOVABLE;
}

/* Node @nid's zones in the order an allocation tries them (its zonelist). */
static struct page *alloc_from_node(int nid, unsigned int order, gfp_t gfp)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	struct zone *normal = &pgdat->node_zones[ZONE_NORMAL];
	int mt = gfp_migratetype(gfp);
	struct page *page;

	if (!pgdat->online)
		return NULL;
	do {
		page = NULL;
		if (gfp & __GFP_MOVABLE)
			page = rmqueue(&pgdat->node_zones[ZONE_MOVABLE], order, mt);
		if (!page)
			page = rmqueue(normal, order, mt);
		/* Linux's _deferred_grow_zone(): no false out-of-memory while pages wait. */
	} while (!page && deferred_grow_zone(normal, order));
	return page;
}

/* The first node with memory: the one a NUMA_NO_NODE request starts from. */
static int first_online_node(void)
{
	for_each_online_node(nid)
		return nid;
	return 0;
}

struct page *alloc_pages_node(int nid, unsigned int order, gfp_t gfp)
{
	struct page *page = NULL;

	if (should_fail(FAIL_PAGE_ALLOC) || order > MAX_PAGE_ORDER || nid >= MAX_NUMNODES)
		return NULL;
	if (nid < 0)
		nid = first_online_node();
	page = alloc_from_node(nid, order, gfp);
	/* Other nodes in turn: hotmm has no distance table, so the next one up first. */
	for (int i = 1; !page && !(gfp & __GFP_THISNODE) && i < MAX_NUMNODES; i++)
		page = alloc_from_node((nid + i) % MAX_NUMNODES, order, gfp);
	if (!page)
		return NULL;
	page->_refcount = 1;
	page->private = order;
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
	return page;
}

void __SetPageMovable(struct page *page, const struct movable_operations *mops)
{
	if (!page_is_allocated_head(page))
		panic("__SetPageMovable: pfn %#lx heads no allocation", page_to_pfn(page));
	page_set(page, PG_movable);
	page->owner = (unsigned long)mops;
}

/* ---- totals ---- */

unsigned long nr_free_pages(void)
{
	unsigned long n = 0;

	for_each_online_node(nid)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			n += NODE_DATA(nid)->node_zones[z].free_pages;
	return n;
}

unsigned long totalram_pages(void)
{
	unsigned long n = 0;

	for_each_online_node(nid)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			n += NODE_DATA(nid)->node_zones[z].managed_pages;
	return n;
}
