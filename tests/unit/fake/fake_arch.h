/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake arch for host tests of mm/pgtable.c (DESIGN §6, after Hafnium's
 * src/arch/fake): it implements include/arch/pgtable.h and
 * include/arch/tlbflush.h on the host.
 *
 * Descriptors are scrambled per level (rotated, with the level and a magic
 * in unused bits), so an entry read at the wrong level, a stale or garbage
 * entry fails the test where it is decoded.
 *
 * Every descriptor write, TLBI and barrier is logged, and a checker follows
 * the live tree (the tables reachable from the root):
 *  - a leaf that becomes live is mmap()ed from the fake physical memory at
 *    its host VA (PROT_READ when read-only), and made PROT_NONE (an
 *    anonymous mapping over it, keeping the reservation) when it stops
 *    being live, so a stale or missing mapping faults. Consecutive leaves
 *    share one mmap() call, made before anything reads through a window
 *    (a new mapping at the ISB that ends its change, so mm/ may use it; an
 *    unmapping by the end of the operation at the latest);
 *  - break-before-make: a live valid entry may only change its
 *    permissions; an invalidated translation (leaf, table, or old
 *    permission) stays "in the TLB" until DSB, TLBI covering its VA
 *    (VAE1IS for a table, or for a block replaced by a table; VALE1IS is
 *    enough leaf to leaf) and DSB ISH, and no new valid entry may overlap
 *    it before that;
 *  - contiguous runs: valid entries of one run never mix attributes,
 *    addresses or the Contiguous bit; at the end of an operation every run
 *    touched is whole again;
 *  - a table page may not be freed while it is linked, before the TLBI
 *    after its unlinking has completed, or while it still holds entries;
 *  - at the end of an operation every invalidation has completed, a DSB
 *    and an ISB followed the last write, and every allocated table is live.
 */
#ifndef FAKE_ARCH_H
#define FAKE_ARCH_H

#include <setjmp.h>

#include <arch/pgtable.h>
#include <arch/tlbflush.h>
#include <lib/kernel.h>

/* A range of kernel VAs that leaves may map, shown at host address @host. */
struct fake_window {
	const char *name;
	u64 va;
	u64 size;			/* va + size may be 0: the top of the space */
	u8 *host;			/* set by fake_arch_init() */
};

/* Counters since the start (tests take differences). */
struct fake_stats {
	unsigned long writes;
	unsigned long tlbi_leaf, tlbi_va, tlbi_all;
	unsigned long dsb_ishst, dsb_ish, isb;
	unsigned long host_maps;	/* mmap/mprotect calls for leaves */
	unsigned long ops;
};
extern struct fake_stats fake_stats;

/* Reserve PROT_NONE host space for each window (once per process). */
void fake_arch_init(struct fake_window *w, unsigned int n);
/* Forget every table, record and log entry; windows back to PROT_NONE. */
void fake_arch_reset(void);
/* @root is the live table of PGTABLE_START_LEVEL for the TTBR1 half. */
void fake_arch_set_root(phys_addr_t root);
/* Host address where @va is shown, or NULL outside every window. */
void *fake_host_ptr(u64 va);

/* Bracket one mm operation: the checker's end-of-operation rules run at the end. */
void fake_op_begin(const char *what);
void fake_op_end(void);
/* Walk the whole live tree: every entry decodes, every run is whole. */
void fake_check_tree(void);

/* Single accesses that return -EFAULT instead of crashing on a fault. */
int fake_probe_read(const void *p, u64 *val);
int fake_probe_write(void *p, u64 val);

/*
 * Fail the test with the recent log. With fake_catch set, a failure
 * longjmp()s there instead (the checker's own tests).
 */
void __noreturn fake_fail(const char *fmt, ...) __printf(1, 2);
extern jmp_buf *fake_catch;
extern char fake_fail_msg[512];
void fake_log_dump(void);

/* Called by the fake allocator before it takes @table back. */
void fake_arch_check_free(phys_addr_t table, int level);

#endif
