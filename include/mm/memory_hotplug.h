/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory hotplug (mm/memory_hotplug.c), Linux's names. This part is what
 * onlining and offlining do to nodes and zones: spans that grow and shrink,
 * present pages that go up and down.
 */
#ifndef MM_MEMORY_HOTPLUG_H
#define MM_MEMORY_HOTPLUG_H

#include <mm/mmzone.h>

/*
 * move_pfn_range_to_zone() - [start_pfn, +nr_pages) joins @zone: the zone
 * and its node grow over it (a node with no memory yet comes online), its
 * struct pages are linked to the zone and each pageblock gets @migratetype.
 * The pages stay as they were otherwise (reserved or offline).
 */
void move_pfn_range_to_zone(struct zone *zone, unsigned long start_pfn,
			    unsigned long nr_pages, int migratetype);
/*
 * remove_pfn_range_from_zone() - [start_pfn, +nr_pages), offline now, leaves
 * @zone: the zone's and node's spans shrink to the pages that remain
 * (Linux's shrink_zone_span() and update_pgdat_span()); a node left with
 * nothing goes offline.
 */
void remove_pfn_range_from_zone(struct zone *zone, unsigned long start_pfn,
				unsigned long nr_pages);
/* Pages with memory in @zone and its node: +@nr_pages or -@nr_pages. */
void adjust_present_page_count(struct zone *zone, long nr_pages);

#endif
