// SPDX-License-Identifier: GPL-2.0
/*
 * Deferred struct page initialisation (include/mm/deferred_init.h): Linux's
 * deferred_init_memmap(), deferred_grow_zone() and first_deferred_pfn, for
 * one CPU whose spare time is the shell waiting for keystrokes.
 *
 * memmap_init() marked the deferred sections and initialised their reserved
 * pages; memblock_free_all() counted their free pages per node
 * (deferred_add_pages()) instead of freeing them. A deferred section is
 * initialised in MAX_ORDER-aligned chunks: each chunk's holes become
 * reserved pages, its free memory free pages that go straight to the buddy
 * allocator (its reserved pages were done at boot). A chunk is whole
 * MAX_ORDER blocks, so a freed block's buddy is always an initialised page
 * of the same chunk. The idle loop may stop between chunks (the section it
 * left half done is cursor_nr, done below cursor_pfn); anything else
 * initialises whole sections, finishing that one first if it needs it.
 *
 *   section:  | chunk | chunk | chunk | chunk |      the idle loop works
 *             |<-- initialised -->|<- waits ->|      upwards, a slice at a
 *                                 ^cursor_pfn        time
 *
 * Whoever initialises the last section logs when and what it took. The
 * idle loop leaves that line to the shell, which first ends the line the
 * user is typing.
 */
#include <arch/timer.h>
#include <kernel/printk.h>
#include <lib/kernel.h>
#include <limits.h>
#include <mm/deferred_init.h>
#include <mm/memblock.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <string.h>

#include "internal.h"

#define NO_SECTION		ULONG_MAX
#define MAX_ORDER_NR_PAGES	(1UL << MAX_PAGE_ORDER)

enum deferred_init_mode deferred_init_mode = DEFERRED_INIT_ON;
const char *const deferred_init_mode_names[3] = {
	[DEFERRED_INIT_OFF] = "off",
	[DEFERRED_INIT_ON] = "on",
	[DEFERRED_INIT_DEMAND] = "demand",
};
struct deferred_init_stats deferred_init_stats;

/* The section the idle loop left half done (pfns below cursor_pfn are), or NO_SECTION. */
static unsigned long cursor_nr = NO_SECTION, cursor_pfn;
/* Where the idle loop looks for the next deferred section. */
static unsigned long idle_nr;
/* The last section is done; its report waits for the caller's counters. */
static bool report_pending;

static u64 ns_since(u64 t0)
{
	return (arch_counter_read() - t0) * 1000000000ULL / arch_counter_freq();
}

void deferred_init_reset(void)
{
	memset(&deferred_init_stats, 0, sizeof(deferred_init_stats));
	cursor_nr = NO_SECTION;
	idle_nr = 0;
	report_pending = false;
}

bool early_page_initialised(unsigned long pfn)
{
	unsigned long nr = pfn_to_section_nr(pfn);

	if (!section_deferred(nr))
		return true;
	return nr == cursor_nr && pfn < cursor_pfn;
}

unsigned long nr_deferred_pages(void)
{
	unsigned long n = 0;

	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		n += NODE_DATA(nid)->nr_deferred_pages;
	return n;
}

void deferred_add_pages(int nid, unsigned long start, unsigned long end)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	unsigned long first = section_nr_to_pfn(pfn_to_section_nr(start));

	pgdat->nr_deferred_pages += end - start;
	pgdat->first_deferred_pfn = min(pgdat->first_deferred_pfn, first);
}

/* ---- one chunk, one section ---- */

/* Holes become reserved pages, free memory free pages; reserved ones were done at boot. */
static void deferred_init_pages(void *arg, unsigned long start, unsigned long end, int nid,
				enum boot_pages kind)
{
	if (kind != BOOT_PAGES_RESERVED)
		init_boot_pages(arg, start, end, nid, kind);
}

/* Then the free pages go to the buddy allocator (Linux's deferred_free_pages()). */
static void deferred_free_pages(void *arg, unsigned long start, unsigned long end, int nid,
				enum boot_pages kind)
{
	if (kind != BOOT_PAGES_FREE)
		return;
	memblock_free_pages(start, end);
	NODE_DATA(nid)->nr_deferred_pages -= end - start;
	deferred_init_stats.pages += end - start;
}

/*
 * One MAX_ORDER-aligned chunk of deferred section @nr: every struct page
 * first, then the frees, so that merging only ever reads initialised
 * buddies.
 */
static void deferred_init_chunk(unsigned long nr, unsigned long start)
{
	unsigned long end = start + MAX_ORDER_NR_PAGES;

	walk_boot_pages(start, end, mem_section[nr].nid, deferred_init_pages, NULL);
	walk_boot_pages(start, end, mem_section[nr].nid, deferred_free_pages, NULL);
}

static void has_free_pages(void *arg, unsigned long start, unsigned long end, int nid,
			   enum boot_pages kind)
{
	struct { int nid; bool found; } *q = arg;

	if (kind == BOOT_PAGES_FREE && nid == q->nid)
		q->found = true;
}

/* Whether deferred section @nr holds free memory of node @nid. */
static bool section_has_free_pages(unsigned long nr, int nid)
{
	struct { int nid; bool found; } q = { nid, false };
	unsigned long pfn = section_nr_to_pfn(nr);

	walk_boot_pages(pfn, pfn + PAGES_PER_SECTION, 0, has_free_pages, &q);
	return q.found;
}

/* The node's next deferred section with its free pages, above the one just done. */
static void update_first_deferred_pfn(pg_data_t *pgdat, unsigned long done_nr)
{
	unsigned long nr;

	if (pgdat->first_deferred_pfn != section_nr_to_pfn(done_nr))
		return;
	pgdat->first_deferred_pfn = ULONG_MAX;
	if (!pgdat->nr_deferred_pages)
		return;
	for (nr = done_nr + 1; nr < NR_MEM_SECTIONS; nr++) {
		if (section_deferred(nr) && section_has_free_pages(nr, pgdat->node_id)) {
			pgdat->first_deferred_pfn = section_nr_to_pfn(nr);
			return;
		}
	}
}

/* The report waits until the caller has counted the last section's work. */
static void deferred_init_finished(void)
{
	deferred_init_stats.done_ns = arch_counter_read() * 1000000000ULL / arch_counter_freq();
	report_pending = true;
}

static void deferred_section_done(unsigned long nr)
{
	mem_section[nr].flags &= ~SECTION_DEFERRED;
	if (cursor_nr == nr)
		cursor_nr = NO_SECTION;
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		update_first_deferred_pfn(NODE_DATA(nid), nr);
	if (!--deferred_init_stats.sections)
		deferred_init_finished();
}

/*
 * Initialise deferred section @nr, from where the idle loop left it, chunk
 * by chunk; stop between chunks once the counter passes @deadline (0: go
 * to the end). Return: whether the section is done.
 */
static bool deferred_init_section_until(unsigned long nr, u64 deadline)
{
	unsigned long pfn = nr == cursor_nr ? cursor_pfn : section_nr_to_pfn(nr);
	unsigned long end = section_nr_to_pfn(nr + 1);

	while (pfn < end) {
		deferred_init_chunk(nr, pfn);
		pfn += MAX_ORDER_NR_PAGES;
		if (pfn < end && deadline && arch_counter_read() >= deadline) {
			cursor_nr = nr;
			cursor_pfn = pfn;
			return false;
		}
	}
	deferred_section_done(nr);
	return true;
}

/* The whole of section @nr now, for whoever needs it. */
static void deferred_init_section(unsigned long nr)
{
	u64 t0 = arch_counter_read();

	deferred_init_section_until(nr, 0);
	deferred_init_stats.demand_sections++;
	deferred_init_stats.work_ns += ns_since(t0);
	if (report_pending) {
		report_pending = false;
		deferred_init_report();
	}
}

/* ---- on demand ---- */

unsigned long deferred_init_pfn_range(unsigned long start, unsigned long end)
{
	unsigned long n = 0;

	if (!deferred_init_stats.sections || start >= end)
		return 0;
	for (unsigned long nr = pfn_to_section_nr(start);
	     nr <= pfn_to_section_nr(end - 1) && nr < NR_MEM_SECTIONS; nr++) {
		if (section_deferred(nr)) {
			deferred_init_section(nr);
			n++;
		}
	}
	return n;
}

bool deferred_grow_zone(struct zone *zone, unsigned int order)
{
	pg_data_t *pgdat = zone->zone_pgdat;
	unsigned long managed = zone->managed_pages;

	/* Deferred memory is boot memory: ZONE_NORMAL. */
	if (zone != &pgdat->node_zones[ZONE_NORMAL])
		return false;
	while (pgdat->first_deferred_pfn != ULONG_MAX &&
	       zone->managed_pages - managed < (1UL << order))
		deferred_init_section(pfn_to_section_nr(pgdat->first_deferred_pfn));
	return zone->managed_pages > managed;
}

/* ---- in the idle loop ---- */

bool deferred_init_idle_pending(void)
{
	return deferred_init_stats.sections && deferred_init_mode == DEFERRED_INIT_ON;
}

static unsigned long next_deferred_section(void)
{
	if (cursor_nr != NO_SECTION)
		return cursor_nr;
	while (!section_deferred(idle_nr))
		idle_nr++;
	return idle_nr;
}

bool deferred_init_idle(void)
{
	u64 t0, deadline, ns;

	if (!deferred_init_idle_pending())
		return false;
	t0 = arch_counter_read();
	deadline = t0 + DEFERRED_SLICE_US * arch_counter_freq() / 1000000;
	do {
		if (deferred_init_section_until(next_deferred_section(), deadline))
			deferred_init_stats.idle_sections++;
	} while (deferred_init_stats.sections && arch_counter_read() < deadline);
	ns = ns_since(t0);
	deferred_init_stats.idle_slices++;
	deferred_init_stats.work_ns += ns;
	deferred_init_stats.longest_slice_ns = max(deferred_init_stats.longest_slice_ns, ns);
	if (!report_pending)
		return false;
	report_pending = false;
	return true;
}

void deferred_init_report(void)
{
	const struct deferred_init_stats *s = &deferred_init_stats;

	pr_info("deferred init: done at %llu us: %lu pages of %lu sections (%lu in %lu idle slices, "
		"%lu on demand) in %llu us\n", (unsigned long long)(s->done_ns / 1000), s->pages,
		s->boot_sections, s->idle_sections, s->idle_slices, s->demand_sections,
		(unsigned long long)(s->work_ns / 1000));
}

void set_deferred_init_mode(enum deferred_init_mode mode)
{
	deferred_init_mode = mode;
	if (mode == DEFERRED_INIT_OFF)
		deferred_init_pfn_range(0, section_nr_to_pfn(NR_MEM_SECTIONS));
}
