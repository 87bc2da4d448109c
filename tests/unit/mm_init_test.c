// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of mm/mm_init.c's template writer: __memmap_init_range() and
 * memmap_init_range() must leave exactly the bytes the plain per-page
 * initialiser __init_single_page() leaves, page by page, and not one byte
 * outside the range.
 *
 * Every combination of
 *  - page flags: each subset of the NR_PAGEFLAGS flags,
 *  - reference count 0 and 1,
 *  - node 0 .. MAX_NUMNODES - 1, zone NORMAL and MOVABLE,
 *  - migratetype (the pageblock byte of each pageblock's first page),
 * over ranges whose ends sit on, just before and just after pageblock edges
 * (and empty, single-page, inside one pageblock, over several), with
 * pageblock_order 1, 2 and 3. With Linux's default pageblock_order (and the
 * ranges that order makes, up to three pageblocks) the flag subsets are
 * fewer: none, each single flag, all of them.
 *
 *   pfn:  ... | pb-1 | pb | pb+1 | ... | 2pb-1 | 2pb | 2pb+1 | ...
 *                ^start in {pb-1, pb, pb+1}       ^end in start + {0, 1, ...}
 *
 * The struct pages live in a host buffer (vmemmap points into it) filled
 * with a poison byte before each run, so a missed, extra or wrong byte
 * anywhere shows in one memcmp against the plain run's bytes.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/sparse.h>

#include "../../mm/internal.h"

#define BASE_PFN	(1UL << 20)	/* aligned to every pageblock order */
#define GUARD		8		/* poisoned pages on either side */
#define MAX_SPAN	(3 * (1UL << MAX_PAGE_ORDER) + 4)
#define POISON		0xa5

static struct page *buf;		/* [BASE_PFN - GUARD, BASE_PFN + MAX_SPAN + GUARD) */
static struct page *ref;
static const size_t nr_buf = MAX_SPAN + 2 * GUARD;
static unsigned long runs, pages_checked;

static int setup(void **state)
{
	buf = aligned_alloc(64, nr_buf * sizeof(struct page));
	ref = malloc(nr_buf * sizeof(struct page));
	assert_non_null(buf);
	assert_non_null(ref);
	/* Integer arithmetic: vmemmap itself points below the buffer. */
	vmemmap = (struct page *)((uintptr_t)buf - (BASE_PFN - GUARD) * sizeof(struct page));
	return 0;
}

static int teardown(void **state)
{
	free(buf);
	free(ref);
	vmemmap = NULL;
	return 0;
}

struct combo {
	unsigned long flags;
	unsigned int refcount;
	int nid;
	enum zone_type zone;
	int mt;
};

/*
 * [start, end) by the plain initialiser and by the template writer: the same
 * bytes, over the range and GUARD poisoned pages on either side.
 */
static void check_range(unsigned long start, unsigned long end, const struct combo *c)
{
	u8 *lo = (u8 *)pfn_to_page(start - GUARD), *r = (u8 *)ref;
	size_t len = (end - start + 2 * GUARD) * sizeof(struct page);

	memset(lo, POISON, len);
	for (unsigned long pfn = start; pfn < end; pfn++)
		__init_single_page(pfn_to_page(pfn), pfn, c->flags, c->refcount, c->zone, c->nid,
				   c->mt);
	memcpy(r, lo, len);
	memset(lo, POISON, len);
	if (c->refcount == 1)
		memmap_init_range(start, end, c->nid, c->zone, c->flags, c->mt);
	else
		__memmap_init_range(start, end, c->nid, c->zone, c->flags, c->refcount, c->mt);
	if (memcmp(lo, r, len)) {
		for (size_t i = 0; i < len; i++) {
			if (lo[i] == r[i])
				continue;
			fail_msg("[%#lx, %#lx) flags %#lx ref %u node %d zone %d mt %d, pageblock_order %u: "
				 "pfn %#lx byte %zu is %#x, the plain init wrote %#x", start, end, c->flags,
				 c->refcount, c->nid, c->zone, c->mt, pageblock_order,
				 start - GUARD + i / sizeof(struct page), i % sizeof(struct page), lo[i],
				 r[i]);
		}
	}
	runs++;
	pages_checked += end - start;
}

/* Ranges around the edges of the first pageblocks above BASE_PFN. */
static void check_edges(const struct combo *c)
{
	unsigned long pb = pageblock_nr_pages;
	const unsigned long starts[] = { BASE_PFN, BASE_PFN + 1, BASE_PFN + pb - 1, BASE_PFN + pb,
					 BASE_PFN + pb + 1 };
	const unsigned long lens[] = { 0, 1, 2, pb - 1, pb, pb + 1, 2 * pb - 1, 2 * pb + 1 };

	for (size_t i = 0; i < ARRAY_SIZE(starts); i++)
		for (size_t j = 0; j < ARRAY_SIZE(lens); j++)
			if (starts[i] + lens[j] <= BASE_PFN + MAX_SPAN)
				check_range(starts[i], starts[i] + lens[j], c);
}

/* Every node, zone, migratetype and reference count for the flag words in @flags. */
static void check_combinations(const unsigned long *flags, size_t nr_flags)
{
	for (size_t f = 0; f < nr_flags; f++)
		for (unsigned int refcount = 0; refcount <= 1; refcount++)
			for (int nid = 0; nid < MAX_NUMNODES; nid++)
				for (int zone = 0; zone < MAX_NR_ZONES; zone++)
					for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
						struct combo c = { flags[f], refcount, nid, zone, mt };

						check_edges(&c);
					}
}

/** Every flag subset, node, zone, migratetype, reference count and edge; pageblock_order 1-3. */
static void test_template_matches_plain_init_small_pageblocks(void **state)
{
	unsigned long flags[1UL << NR_PAGEFLAGS];
	unsigned int saved = pageblock_order;

	for (unsigned long f = 0; f < ARRAY_SIZE(flags); f++)
		flags[f] = f;
	for (pageblock_order = 1; pageblock_order <= 3; pageblock_order++)
		check_combinations(flags, ARRAY_SIZE(flags));
	pageblock_order = saved;
	print_message("%lu ranges, %lu struct pages compared\n", runs, pages_checked);
}

/** The same with the default pageblock_order: no flag, each flag alone, all flags. */
static void test_template_matches_plain_init_default_pageblock(void **state)
{
	unsigned long flags[NR_PAGEFLAGS + 2];

	flags[0] = 0;
	for (int f = 0; f < NR_PAGEFLAGS; f++)
		flags[f + 1] = 1UL << f;
	flags[NR_PAGEFLAGS + 1] = (1UL << NR_PAGEFLAGS) - 1;
	check_combinations(flags, ARRAY_SIZE(flags));
}

/** A long run over many pageblocks, at MAX_PAGE_ORDER alignment and off it. */
static void test_template_long_runs(void **state)
{
	struct combo c = { 1UL << PG_reserved, 1, 3, ZONE_NORMAL, MIGRATE_MOVABLE };

	check_range(BASE_PFN, BASE_PFN + MAX_SPAN, &c);
	check_range(BASE_PFN + 3, BASE_PFN + MAX_SPAN - 5, &c);
	c = (struct combo){ 0, 0, 1, ZONE_MOVABLE, MIGRATE_UNMOVABLE };
	check_range(BASE_PFN + 1, BASE_PFN + MAX_SPAN, &c);
}

/** The plain initialiser itself: what each field holds (the template inherits it). */
static void test_plain_init_fields(void **state)
{
	unsigned long pfn = BASE_PFN + pageblock_nr_pages;
	struct page *page = pfn_to_page(pfn), *next = pfn_to_page(pfn + 1);

	memset(buf, POISON, nr_buf * sizeof(struct page));
	__init_single_page(page, pfn, 1UL << PG_offline, 1, ZONE_MOVABLE, 5, MIGRATE_RECLAIMABLE);
	__init_single_page(next, pfn + 1, 0, 0, ZONE_NORMAL, 2, MIGRATE_RECLAIMABLE);
	assert_true(page_test(page, PG_offline) && !PageReserved(page));
	assert_int_equal(page_to_nid(page), 5);
	assert_int_equal(page_zonenum(page), ZONE_MOVABLE);
	assert_int_equal(page->_refcount, 1);
	assert_ptr_equal(page->lru.next, &page->lru);
	assert_ptr_equal(page->lru.prev, &page->lru);
	assert_int_equal(page->pageblock_flags, MIGRATE_RECLAIMABLE);
	assert_int_equal(page->private | page->owner | page->index | page->_reserved, 0);
	assert_int_equal(next->pageblock_flags, 0);
	assert_int_equal(next->_refcount, 0);
	assert_int_equal(page_to_nid(next), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_init_fields),
		cmocka_unit_test(test_template_matches_plain_init_small_pageblocks),
		cmocka_unit_test(test_template_matches_plain_init_default_pageblock),
		cmocka_unit_test(test_template_long_runs),
	};

	if (getenv("HOTMM_TEST"))
		cmocka_set_test_filter(getenv("HOTMM_TEST"));
	return cmocka_run_group_tests_name("mm_init (" PAGE_SIZE_NAME ")", tests, setup, teardown);
}
