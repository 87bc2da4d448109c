// SPDX-License-Identifier: GPL-2.0
/*
 * Page migration for offlining (Linux's mm/migrate.c, for the one kind of
 * movable page hotmm has: an allocated block whose owner registered
 * movable_operations with __SetPageMovable()). A block moves to a new block
 * of the same order, its contents copied, its owner told to follow it.
 */
#include <kernel/panic.h>
#include <lib/errno.h>
#include <mm/migrate.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <string.h>

#include "internal.h"

static int migrate_one(struct page *src)
{
	const struct movable_operations *mops = (const void *)src->owner;
	unsigned int order = src->private;
	struct page *dst;
	int ret;

	/* Isolated pageblocks never give pages: the new block lies outside the range. */
	dst = alloc_pages_node(page_to_nid(src), order, __GFP_MOVABLE);
	if (!dst)
		return -ENOMEM;
	memcpy(page_address(dst), page_address(src), PAGE_SIZE << order);
	dst->index = src->index;
	ret = mops->migrate_page(dst, src, order);
	if (ret) {
		free_pages(dst, order);
		return ret;
	}
	__SetPageMovable(dst, mops);
	free_pages(src, order);
	return 0;
}

int migrate_pages_range(unsigned long start_pfn, unsigned long end_pfn, unsigned long *failed)
{
	for (unsigned long pfn = start_pfn, next; pfn < end_pfn; pfn = next) {
		struct page *page;
		int ret;

		next = pfn_walk_next(pfn);
		if (!pfn_valid(pfn))
			continue;
		page = pfn_to_page(pfn);
		if (!page_is_allocated_head(page) || !PageMovable(page) || !page->owner)
			continue;
		ret = migrate_one(page);
		if (ret) {
			*failed = pfn;
			return ret;
		}
	}
	return 0;
}
