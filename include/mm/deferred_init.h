/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deferred struct page initialisation (mm/deferred_init.c), Linux's
 * CONFIG_DEFERRED_STRUCT_PAGE_INIT for one CPU with idle time.
 *
 * At boot memmap_init() initialises each node's first section of memory
 * (Linux's rule: PAGES_PER_SECTION pages, rounded up to whole sections) and
 * every reserved page; the other boot sections are marked SECTION_DEFERRED
 * and their free pages wait. They are initialised and handed to the buddy
 * allocator
 *  - in the shell's idle loop, a bounded slice at a time, interrupts on
 *    (deferred_init_idle());
 *  - when an allocation would fail (deferred_grow_zone(), mm/internal.h);
 *  - before anything reads the struct pages of a range: `pfn N`,
 *    isolation, offline's zone walks, a hot-add into a boot section
 *    (deferred_init_pfn_range());
 *  - all at once when `set deferred_init off` asks for it.
 * Once none is left every counter is what deferred_init=off gives.
 */
#ifndef MM_DEFERRED_INIT_H
#define MM_DEFERRED_INIT_H

#include <lib/types.h>

/*
 * deferred_init= : off (everything at boot), on (the idle loop and on
 * demand; the default) or demand (on demand only: the state stays put
 * while the console waits, for tests and for looking at it).
 */
enum deferred_init_mode {
	DEFERRED_INIT_OFF,
	DEFERRED_INIT_ON,
	DEFERRED_INIT_DEMAND,
};
extern enum deferred_init_mode deferred_init_mode;
extern const char *const deferred_init_mode_names[3];

struct deferred_init_stats {
	unsigned long boot_sections;	/* deferred at boot */
	unsigned long sections;		/* still deferred */
	unsigned long pages;		/* handed to the buddy by deferred init so far */
	unsigned long idle_slices;	/* idle-loop calls that did work */
	unsigned long idle_sections;	/* sections the idle loop finished */
	unsigned long demand_sections;	/* sections initialised on demand */
	u64 longest_slice_ns;		/* the longest idle slice */
	u64 work_ns;			/* time spent initialising, idle and on demand */
	u64 done_ns;			/* counter time when the last section was done; 0: not yet */
};
extern struct deferred_init_stats deferred_init_stats;

/* Free pages still waiting, over all nodes. */
unsigned long nr_deferred_pages(void);

/*
 * deferred_init_idle_pending() - whether the idle loop has work: sections
 * left and deferred_init=on.
 * deferred_init_idle() - one slice of it (about DEFERRED_SLICE_US), run with
 * interrupts on. Return: true when deferred init has just finished; the
 * caller prints deferred_init_report() where the console is ready for it.
 * (Finished anywhere else, the report is printed at once.)
 */
#define DEFERRED_SLICE_US	500
bool deferred_init_idle_pending(void);
bool deferred_init_idle(void);
/* The one log line saying when deferred init finished and what it took. */
void deferred_init_report(void);

/*
 * deferred_init_pfn_range() - initialise every deferred section that
 * [start, end) touches, before its struct pages are read.
 * Return: how many sections were initialised now.
 */
unsigned long deferred_init_pfn_range(unsigned long start, unsigned long end);

/*
 * set_deferred_init_mode() - `set deferred_init`: on and demand only change
 * where the remaining work is done; off does all of it now.
 */
void set_deferred_init_mode(enum deferred_init_mode mode);

#endif
