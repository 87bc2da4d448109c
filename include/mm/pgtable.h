/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel page tables, generic over granule and level (mm/pgtable.c).
 *
 * Ranges are [va, va + size); size is a multiple of PAGE_SIZE and va + size
 * may be 0 (the last page of the space). Table pages come from a
 * struct pgtable_alloc and are written through fixmap slots (one per level),
 * never through the linear map, so tables from anywhere can be built.
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include <arch/pgtable.h>

struct pgtable_alloc {
	/* A page for a table of @level covering @va; 0 when none is left. */
	phys_addr_t (*alloc)(struct pgtable_alloc *a, int level, u64 va);
	void (*free)(struct pgtable_alloc *a, phys_addr_t table, int level);
	const char *name;
	unsigned long nr_tables;	/* live tables taken from here */
};

struct pgtable {
	phys_addr_t root;		/* table of PGTABLE_START_LEVEL */
};

/* pgtable_map() flags: what the caller allows. */
#define PGT_NO_BLOCKS	(1U << 0)	/* last-level pages only (Linux's NO_BLOCK_MAPPINGS) */
#define PGT_NO_CONT	(1U << 1)	/* no contiguous runs */

/* What to do at one entry while mapping: the block-or-table decision. */
enum map_action {
	MAP_LEAF,		/* write a block or page descriptor here */
	MAP_CONT,		/* write a contiguous run of leaves from here */
	MAP_NEW_TABLE,		/* allocate a table and go down */
	MAP_DESCEND,		/* go down into the table that is there */
	MAP_EXISTS,		/* something is mapped here: -EEXIST */
};

/*
 * map_action() - decide for the entry of @level that maps @va, when the
 * request runs to @last (inclusive) from @pa and the entry holds @existing.
 * A leaf above the last level needs VA and PA aligned to the entry's size,
 * the whole entry inside the request, the granule to allow a block there
 * and the caller too. A contiguous run further needs the granule to have
 * runs at @level, the caller to allow them, VA and PA aligned to the run,
 * the whole run inside the request, and all its entries free (@run_free,
 * which the caller only sets at the first entry of a run). A live table is
 * never folded into a block. Pure: no side effects.
 */
enum map_action map_action(u64 va, u64 last, phys_addr_t pa, int level,
			   unsigned int flags, enum pte_type existing, bool run_free);

/*
 * pgtable_map() - map [va, va + size) to [pa, pa + size) with @prot.
 * Return: 0, -EINVAL (unaligned or empty), -EEXIST (part is mapped),
 * -ENOMEM (@alloc ran out).
 */
int pgtable_map(struct pgtable *pt, u64 va, phys_addr_t pa, u64 size,
		pgprot_t prot, unsigned int flags, struct pgtable_alloc *alloc);

/*
 * pgtable_unmap() - unmap [va, va + size); holes are fine. A block or
 * contiguous run the range covers in part is first split (tables from
 * @alloc); tables left empty go back to the allocator they came from.
 * Return: 0, -EINVAL, -ENOMEM (a split failed; nothing was unmapped).
 */
int pgtable_unmap(struct pgtable *pt, u64 va, u64 size, struct pgtable_alloc *alloc);

/*
 * pgtable_protect() - give every page of [va, va + size) the protection
 * @prot, splitting blocks and runs the range covers in part. Only
 * permissions change: a leaf whose memory type (PROT_DEVICE) differs from
 * @prot is refused.
 * Return: 0, -EINVAL (bad range, or a memory-type change; nothing the MMU
 * sees changed), -EFAULT (part is not mapped; nothing changed), -ENOMEM (a
 * split failed; protections unchanged).
 */
int pgtable_protect(struct pgtable *pt, u64 va, u64 size, pgprot_t prot,
		    struct pgtable_alloc *alloc);

/* The allocator the table page at @table came from, or NULL. */
struct pgtable_alloc *pgtable_origin(phys_addr_t table);
/*
 * pgtable_origins_settle() - from now on, keep the origin of a table page
 * whose pfn_valid() struct page is initialised in that struct page
 * (PG_pgtable, owner), and move the records of such pages there. Called
 * once the boot memmap is initialised, and after each hot-added range's.
 */
void pgtable_origins_settle(void);
/* Origin records still waiting for a struct page (boot: 0 once settled). */
unsigned long pgtable_origins_pending(void);
/*
 * pgtable_origins_unsettle() - move the origin records of the table pages
 * in [start_pfn, end_pfn) out of their struct pages, before that memmap goes
 * away while the tables may still be freed (hot-remove).
 * Return: 0, or -ENOSPC (the table of waiting records is full).
 */
int pgtable_origins_unsettle(unsigned long start_pfn, unsigned long end_pfn);

/*
 * pgtable_move_table() - give the live table of @level on @va's walk a new
 * page from @alloc: copy its entries, switch the entry above it with
 * break-before-make, free the old page to where it came from. The mappings
 * do not change. Return: 0, -ENOENT (no table there), -EINVAL (@level has
 * no table above it), -ENOMEM.
 */
int pgtable_move_table(struct pgtable *pt, u64 va, int level, struct pgtable_alloc *alloc);

/*
 * pgtable_for_each_table() - call @fn for every table below the root whose
 * span meets [va, last], parents before children: @va is where the span
 * starts, @level the table's level.
 */
typedef void (*pgtable_table_fn)(void *arg, u64 va, int level, phys_addr_t table);
void pgtable_for_each_table(struct pgtable *pt, u64 va, u64 last, pgtable_table_fn fn, void *arg);

/*
 * pgtable_for_each_leaf() - call @fn for every leaf and every empty entry
 * in [va, last] (inclusive), in VA order, with the VA the entry starts at.
 */
typedef void (*pgtable_leaf_fn)(void *arg, u64 va, int level, pte_t pte);
void pgtable_for_each_leaf(struct pgtable *pt, u64 va, u64 last, pgtable_leaf_fn fn, void *arg);

/*
 * A mapping unit: one page, one block, or a whole contiguous run (which is
 * made, changed and broken as one). @pte is the descriptor of its first
 * entry, @pa the physical address of its first byte.
 */
struct pgtable_unit {
	u64 va, size;
	phys_addr_t pa;
	int level;
	pte_t pte;
	bool cont;
};

/*
 * pgtable_leaf_unit() - the mapping unit that holds @va.
 * Return: 0, or -EFAULT when nothing maps @va; then @u->va and @u->size are
 * the empty entry (of the level where the walk stopped), for a walk to skip.
 */
int pgtable_leaf_unit(struct pgtable *pt, u64 va, struct pgtable_unit *u);

/*
 * The first VA after @u, or @end when that comes sooner: a walk of
 * [va, end) steps with this, since the unit (or empty entry) holding the
 * top of the space ends at 2^64, which wraps to 0.
 */
static inline u64 pgtable_unit_next(const struct pgtable_unit *u, u64 end)
{
	return u->va + (u->size - 1) >= end - 1 ? end : u->va + u->size;
}

/* Link an existing table page at @level for @va (the fixmap's tables). */
int pgtable_install_table(struct pgtable *pt, u64 va, int level,
			  phys_addr_t table, struct pgtable_alloc *alloc);

/* One step of a walk: the entry that maps an address at some level. */
struct pgtable_walk {
	int level;		/* level of the last entry read */
	pte_t pte;		/* that entry (invalid if nothing maps the VA) */
	pte_t entries[4];	/* the entry read at each level, start level first */
	phys_addr_t tables[4];	/* the table read at each level */
};

/* Walk @va; return 0 with @w filled, or -EFAULT when nothing maps it. */
int pgtable_walk(struct pgtable *pt, u64 va, struct pgtable_walk *w);

#endif
