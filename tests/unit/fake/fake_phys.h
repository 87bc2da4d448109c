/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fake physical memory for host tests (DESIGN §6): a sparse memfd that
 * stands for [FAKE_PHYS_BASE, FAKE_PHYS_END), mapped once linearly in the
 * host. The first FAKE_POOL_PAGES pages are the table pool that
 * struct fake_alloc hands out; from FAKE_DATA_BASE on it is data that
 * leaves may map (fake_arch mmap()s it at the mapped VA).
 *
 *   FAKE_PHYS_BASE   FAKE_PHYS_BASE + pool      FAKE_DATA_BASE          FAKE_PHYS_END
 *   |== table pool ==|.........................|======== data ========|
 *
 * A data page may be a table too, when mm/'s own table allocators run over
 * a real page allocator (fake_phys_hook_tables()): its record then lives in
 * a small table keyed by address, and the fake arch checks it as it checks
 * a pool page.
 *
 * fixmap_set() is implemented here: it returns the linear host pointer of
 * the table page and remembers which page each slot shows, so the fake arch
 * can refuse a write through a slot that has moved on.
 */
#ifndef FAKE_PHYS_H
#define FAKE_PHYS_H

#include <mm/pgtable.h>

#define FAKE_PHYS_BASE		0x40000000UL
/* A test may ask for more (the memfd is sparse): up to 1 TiB, MAX_PHYSMEM_BITS. */
#ifndef FAKE_PHYS_SIZE
#if CONFIG_PAGE_SHIFT == 16
#define FAKE_PHYS_SIZE		(64UL << 30)	/* room for 16 GiB runs of 512 MiB blocks */
#else
#define FAKE_PHYS_SIZE		(8UL << 30)
#endif
#endif
#define FAKE_PHYS_END		(FAKE_PHYS_BASE + FAKE_PHYS_SIZE)
#define FAKE_POOL_PAGES		4096UL
#define FAKE_DATA_BASE		0x80000000UL

/*
 * What a pool page is now: free, a table from a struct fake_alloc, a root,
 * or a table from elsewhere that mm/ only links (the fixmap's tables).
 */
enum fake_page_state { FT_FREE, FT_TABLE, FT_ROOT, FT_FOREIGN };

struct fake_alloc;

/* One pool page; fake_arch keeps the live/base/unlink fields. */
struct fake_table {
	enum fake_page_state state;
	int level;			/* level it was allocated for */
	u64 alloc_va;			/* the VA given to alloc() */
	struct fake_alloc *owner;	/* NULL for a root or a foreign table */
	bool live;			/* reachable from the root now */
	unsigned int cont_entries;	/* entries with the Contiguous bit, while live */
	u64 base;			/* first VA it maps, while live */
	unsigned long unlink_op;	/* op in which it was last unlinked */
	long unlink_rec;		/* that unlink's TLB record */
};

/*
 * A table allocator over the pool. Every allocation call is counted;
 * with @fail_every = N, every Nth call fails (returns 0).
 */
struct fake_alloc {
	struct pgtable_alloc a;
	unsigned int fail_every;
	unsigned long calls;		/* alloc() calls */
	unsigned long failed;		/* of which starved */
	unsigned long live;		/* pages handed out, not yet freed */
	unsigned long frees;
};

extern int fake_phys_fd;
extern u8 *fake_phys_host;
/* Pool page each fixmap slot shows now (0: none). */
extern phys_addr_t fake_fixmap_pa[16];

/* Create the memfd and its linear host mapping (once per process). */
void fake_phys_init(void);
/* Every pool page free again; forgets all allocators' pages. */
void fake_phys_reset(void);
/* Give the data pages back to the host (their content is lost). */
void fake_phys_release_data(void);
/* Host pointer of @pa (fails the test outside fake memory). */
void *fake_phys_ptr(phys_addr_t pa);
/* The physical address behind host pointer @p, or 0 outside fake memory. */
phys_addr_t fake_phys_of(const void *p);
/* Whether [pa, pa + size) is data memory. */
bool fake_phys_is_data(phys_addr_t pa, u64 size);
/*
 * The record of the page holding @pa: a pool page, or a data page that is
 * or was a table; NULL for any other page.
 */
struct fake_table *fake_table_info(phys_addr_t pa);
/*
 * Every record in turn: call with *@i = 0 first; the next record and its
 * page in *@pa, or NULL after the last.
 */
struct fake_table *fake_table_next(unsigned long *i, phys_addr_t *pa);
/* Pool pages in use now (tables and roots). */
unsigned long fake_pool_used(void);
/* Data pages that are tables or roots now. */
unsigned long fake_data_tables_used(void);

void fake_alloc_init(struct fake_alloc *fa, const char *name);
/*
 * For a table allocator that is not a struct fake_alloc (the code under
 * test's own, e.g. mm/vmemmap.c's, over a fake page allocator): a free pool
 * page (not yet marked), then recording it as a table of @level for @va
 * owned by @fa (garbage-filled, fa->live counted); release runs the checks
 * a fake_alloc's free runs and makes the page free again. A data page may
 * be claimed too.
 */
phys_addr_t fake_phys_pool_take(void);
void fake_phys_table_claim(struct fake_alloc *fa, phys_addr_t pa, int level, u64 va);
void fake_phys_table_release(struct fake_alloc *fa, phys_addr_t pa, int level);
/*
 * fake_phys_hook_tables() - run mm/'s table allocator @a as it is (its
 * fault injection, its page allocator) and record what it does in @fa:
 * each page it hands out is claimed as a table (@fa counts calls, failures
 * and live pages), each page it takes back is released first, with the
 * checks of a fake_alloc's free. Once per allocator and process.
 */
void fake_phys_hook_tables(struct fake_alloc *fa, struct pgtable_alloc *a);
/* A root table page (zeroed), not counted by any allocator. */
phys_addr_t fake_phys_root_alloc(int level);
void fake_phys_root_free(phys_addr_t root);
/* A zeroed table page of @level for @va that no allocator owns. */
phys_addr_t fake_phys_foreign_alloc(int level, u64 va);
/*
 * The fixmap's scratch slot shows either a table (pgtable_move_table()
 * copies one through it) or a data page no record knows yet: the root
 * paging_init() took from memblock and clears there, which becomes a root.
 */

#endif
