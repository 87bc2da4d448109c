/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one fault-injection hook (mm/fault_inject.c). Every mm allocation asks
 * should_fail(site) first; boot arguments choose which calls fail:
 *   vmemmap_fail_block=N  every Nth vmemmap block allocation
 *   vmalloc_fail_block=N  every Nth block-sized vmalloc allocation (also
 *                         `vmalloc fail N` on the console)
 *   fail_nth=N            the Nth allocation of any site (once)
 */
#ifndef MM_FAULT_INJECT_H
#define MM_FAULT_INJECT_H

#include <lib/types.h>

enum fail_site {
	FAIL_VMEMMAP_BLOCK,	/* a block-sized vmemmap chunk */
	FAIL_VMEMMAP_CONT,	/* a contiguous-run-sized vmemmap chunk */
	FAIL_VMEMMAP_PAGE,	/* one base page of vmemmap */
	FAIL_PGTABLE,		/* a page-table page */
	FAIL_PAGE_ALLOC,	/* the buddy allocator */
	FAIL_MEMBLOCK,		/* a memblock allocation */
	FAIL_VMALLOC_BLOCK,	/* a block-sized vmalloc chunk */
	FAIL_VMALLOC_CONT,	/* a contiguous-run-sized vmalloc chunk */
	NR_FAIL_SITES,
};

bool should_fail(enum fail_site site);
/* Make every @every-th call at @site fail (0: never). */
void fail_site_every(enum fail_site site, unsigned long every);
/* The @every fail_site_every() last set for @site. */
unsigned long fail_site_get_every(enum fail_site site);
/* Fail the @nth call counted over all sites, once (0: never). */
void fail_nth_set(unsigned long nth);
/* The site whose call fail_nth= made fail, or NULL while it has not struck. */
const char *fail_nth_site(void);
/* Calls and injected failures so far at @site. */
unsigned long fail_site_calls(enum fail_site site);
unsigned long fail_site_failures(enum fail_site site);
const char *fail_site_name(enum fail_site site);

#endif
