/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptdump: the kernel page tables as ranges (mm/ptdump.c). Neighbouring
 * leaves of one level with the same attributes and consecutive physical
 * addresses make one range.
 */
#ifndef MM_PTDUMP_H
#define MM_PTDUMP_H

#include <mm/pgtable.h>

struct ptdump_range {
	u64 start, end;		/* VA, end exclusive (0 at the top of the space) */
	phys_addr_t pa;		/* of start */
	int level;
	pgprot_t prot;
	bool cont;
	unsigned long entries;	/* leaf entries in the range */
};

typedef void (*ptdump_fn)(void *arg, const struct ptdump_range *r);

/* Report every mapped range of [va, last] to @fn; return the W+X page count. */
u64 ptdump_walk(struct pgtable *pt, u64 va, u64 last, ptdump_fn fn, void *arg);

/* W+X pages in [va, last]; @first (may be NULL) gets the first such VA. */
u64 ptdump_wx_pages(struct pgtable *pt, u64 va, u64 last, u64 *first);

#endif
