// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of mm/memblock.c against an independent model.
 *
 * The model is a byte map over a 1 GiB window from 0x40000000, one entry per
 * 64 KiB unit: is it memory (and of which node, no-map or not), reserved
 * (under which name), held back by mem= (with its node). It knows nothing of
 * region lists: after every operation the expected lists are derived from it
 * as maximal runs of equal units, and memblock's three lists must be exactly
 * those (so neighbours that agree are merged, and an older reservation keeps
 * its name where a newer one overlaps it). An operation whose result would
 * need more than MEMBLOCK_MAX_REGIONS regions in a list must return -ENOSPC
 * and change nothing.
 *
 * Allocation is modelled by brute force: the highest start, a multiple of the
 * alignment, whose whole range lies in one memory run of the wanted node,
 * not no-map, nothing reserved.
 *
 * The fixed cases use byte-exact (odd) edges the unit model cannot express:
 * node and memory lookups one byte either side of every edge, mem= limits
 * inside a bank, reservations that end mid-page. Random sequences print
 * their seed; HOTMM_SEED=N repeats one, HOTMM_TEST=glob picks tests.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/fault_inject.h>
#include <mm/memblock.h>

#define B	0x40000000UL	/* the window's base: QEMU virt's RAM */
#define U	SZ_64K		/* the model's unit */
#define NU	16384UL		/* units in the window: 1 GiB */
#define MiB	SZ_1M
#define MAXR	MEMBLOCK_MAX_REGIONS

#define NONE	(-2)		/* a node field meaning "not in this list" */

/* ---- the model ---- */

struct unit {
	s8 mem;		/* node id as given (-1 allowed), or NONE */
	u8 nomap;
	s8 held;	/* node id, or NONE */
	u8 rsv;		/* 0, or 1 + an index into names[] */
};

static struct unit model[NU], saved[NU];

/* Reservation names: compared by pointer, as memblock does. */
static const char *const names[] = { "kernel", "dtb", "pgtable", "memmap", "fw", NULL };
#define NR_NAMES	ARRAY_SIZE(names)

static unsigned long unit_of(phys_addr_t pa)
{
	return (pa - B) / U;
}

static void model_reset(void)
{
	for (unsigned long i = 0; i < NU; i++)
		model[i] = (struct unit){ .mem = NONE, .held = NONE };
}

static void m_add(phys_addr_t base, u64 size, int nid)
{
	for (unsigned long i = unit_of(base); i < unit_of(base + size); i++)
		if (model[i].mem == NONE)
			model[i].mem = nid;
}

static void m_reserve(phys_addr_t base, u64 size, int name)
{
	for (unsigned long i = unit_of(base); i < unit_of(base + size); i++)
		if (!model[i].rsv)
			model[i].rsv = name + 1;
}

static void m_free(phys_addr_t base, u64 size)
{
	for (unsigned long i = unit_of(base); i < unit_of(base + size); i++)
		model[i].rsv = 0;
}

static void m_nomap(phys_addr_t base, u64 size)
{
	for (unsigned long i = unit_of(base); i < unit_of(base + size); i++)
		if (model[i].mem != NONE)
			model[i].nomap = 1;
}

/* mem=: count memory units from the bottom; those past @limit move to held. */
static void m_limit(u64 limit)
{
	u64 kept = 0;

	for (unsigned long i = 0; i < NU; i++) {
		if (model[i].mem == NONE)
			continue;
		if (kept + U <= limit) {
			kept += U;
			continue;
		}
		if (model[i].held == NONE)
			model[i].held = model[i].mem;
		model[i].mem = NONE;
		model[i].nomap = 0;
	}
}

/* The node memblock allocates from for a given node id (no id: node 0). */
static int alloc_node(int nid)
{
	return nid < 0 ? 0 : nid;
}

/* Whether the allocator may hand out unit @i, and as part of which run. */
static bool usable(unsigned long i)
{
	return model[i].mem != NONE && !model[i].nomap && !model[i].rsv;
}

/*
 * Highest start for @size/@align on node @nid (any node if < 0), or 0:
 * scanning down, free[] counts the usable units of one node from each unit up.
 */
static phys_addr_t m_fit(u64 size, u64 align, int nid)
{
	static unsigned long free[NU];
	unsigned long n = size / U;

	for (unsigned long i = NU; i-- > 0;) {
		bool joins = i + 1 < NU && usable(i + 1) && model[i + 1].mem == model[i].mem;

		free[i] = !usable(i) ? 0 : joins ? free[i + 1] + 1 : 1;
		if (free[i] >= n && IS_ALIGNED(B + i * U, align) &&
		    (nid < 0 || alloc_node(model[i].mem) == nid))
			return B + i * U;
	}
	return 0;
}

/* ---- expected lists from the model ---- */

enum list { L_MEMORY, L_RESERVED, L_HELD };

static bool in_list(const struct unit *u, enum list l)
{
	return l == L_MEMORY ? u->mem != NONE : l == L_RESERVED ? u->rsv != 0 : u->held != NONE;
}

static bool same_run(const struct unit *a, const struct unit *b, enum list l)
{
	if (l == L_MEMORY)
		return a->mem == b->mem && a->nomap == b->nomap;
	return l == L_RESERVED ? a->rsv == b->rsv : a->held == b->held;
}

static struct memblock_region run_region(unsigned long first, unsigned long end, enum list l)
{
	const struct unit *u = &model[first];
	struct memblock_region r = { .base = B + first * U, .size = (end - first) * U, .nid = -1 };

	if (l == L_MEMORY) {
		r.nid = u->mem;
		r.flags = u->nomap ? MEMBLOCK_NOMAP : 0;
	} else if (l == L_RESERVED) {
		r.name = names[u->rsv - 1];
	} else {
		r.nid = u->held;
	}
	return r;
}

/* The maximal runs of list @l; returns their number (may exceed MAXR). */
static int expected(enum list l, struct memblock_region *out, int max)
{
	int n = 0;

	for (unsigned long i = 0; i < NU;) {
		unsigned long j = i + 1;

		if (!in_list(&model[i], l)) {
			i++;
			continue;
		}
		while (j < NU && in_list(&model[j], l) && same_run(&model[i], &model[j], l))
			j++;
		if (n < max)
			out[n] = run_region(i, j, l);
		n++;
		i = j;
	}
	return n;
}

static bool model_fits(void)
{
	for (enum list l = L_MEMORY; l <= L_HELD; l++)
		if (expected(l, NULL, 0) > MAXR)
			return false;
	return true;
}

static const char *list_name(enum list l)
{
	return l == L_MEMORY ? "memory" : l == L_RESERVED ? "reserved" : "held";
}

static struct memblock_type *real_list(enum list l)
{
	return l == L_MEMORY ? &memblock.memory : l == L_RESERVED ? &memblock.reserved :
	       &memblock.held;
}

static void print_list(const char *what, const struct memblock_region *r, int n)
{
	print_message("  %s (%d):\n", what, n);
	for (int i = 0; i < n; i++)
		print_message("    [%#llx, %#llx) nid %d flags %u %s\n",
			      (unsigned long long)r[i].base,
			      (unsigned long long)(r[i].base + r[i].size), r[i].nid, r[i].flags,
			      r[i].name ? r[i].name : "-");
}

static void check_list(enum list l)
{
	static struct memblock_region want[NU / 2 + 1];
	const struct memblock_type *t = real_list(l);
	int n = expected(l, want, ARRAY_SIZE(want));
	bool same = n == t->cnt;

	for (int i = 0; same && i < n; i++)
		same = t->regions[i].base == want[i].base && t->regions[i].size == want[i].size &&
		       t->regions[i].nid == want[i].nid && t->regions[i].flags == want[i].flags &&
		       t->regions[i].name == want[i].name;
	if (!same) {
		print_message("memblock.%s differs from the model:\n", list_name(l));
		print_list("memblock", t->regions, t->cnt);
		print_list("model", want, n);
		fail();
	}
}

/* What memblock_nid_of() and memblock_is_memory() must say at byte @pa. */
static void check_point(phys_addr_t pa)
{
	int nid = -1;

	if (pa >= B && pa - B < NU * U && model[unit_of(pa)].mem != NONE)
		nid = alloc_node(model[unit_of(pa)].mem);
	if (memblock_nid_of(pa) != nid || memblock_is_memory(pa) != (nid >= 0)) {
		print_message("at %#llx: nid_of %d is_memory %d, model: nid %d\n",
			      (unsigned long long)pa, memblock_nid_of(pa), memblock_is_memory(pa), nid);
		fail();
	}
}

/* Every list, the totals, and the lookups one byte either side of every edge. */
static void check_all(void)
{
	u64 total = 0;
	phys_addr_t first = 0, end = 0;

	for (enum list l = L_MEMORY; l <= L_HELD; l++)
		check_list(l);
	for (unsigned long i = 0; i < NU; i++) {
		if (model[i].mem == NONE)
			continue;
		total += U;
		if (!first)
			first = B + i * U;
		end = B + (i + 1) * U;
	}
	assert_int_equal(memblock_phys_mem_size(), total);
	assert_int_equal(memblock_start_of_DRAM(), first);
	assert_int_equal(memblock_end_of_DRAM(), end);
	for (unsigned long i = 0; i <= NU; i++) {
		const struct unit *a = i ? &model[i - 1] : NULL, *b = i < NU ? &model[i] : NULL;

		if ((a ? a->mem : NONE) == (b ? b->mem : NONE))
			continue;
		check_point(B + i * U - 1);
		check_point(B + i * U);
	}
	check_point(0);
	check_point(B - 1);
	check_point(~0UL);
}

/* Reset memblock and the model to empty. */
static int setup(void **state)
{
	memset(&memblock, 0, sizeof(memblock));
	after_bootmem = false;
	model_reset();
	return 0;
}

/* ---- the fixed cases (byte-exact) ---- */

struct r {
	u64 base, size;
	int nid;
	unsigned int flags;
	const char *name;
};

static void expect_list(const struct memblock_type *t, const struct r *want, int n)
{
	bool same = t->cnt == n;

	for (int i = 0; same && i < n; i++)
		same = t->regions[i].base == want[i].base && t->regions[i].size == want[i].size &&
		       t->regions[i].nid == want[i].nid && t->regions[i].flags == want[i].flags &&
		       t->regions[i].name == want[i].name;
	if (!same) {
		print_list("memblock", t->regions, t->cnt);
		print_message("  expected (%d):\n", n);
		for (int i = 0; i < n; i++)
			print_message("    [%#llx, %#llx) nid %d flags %u %s\n",
				      (unsigned long long)want[i].base,
				      (unsigned long long)(want[i].base + want[i].size), want[i].nid,
				      want[i].flags, want[i].name ? want[i].name : "-");
		fail();
	}
}

#define EXPECT_LIST(t, ...) do {						\
	const struct r __w[] = { __VA_ARGS__ };					\
	expect_list(&memblock.t, __w, ARRAY_SIZE(__w));				\
} while (0)
#define EXPECT_EMPTY(t)	assert_int_equal(memblock.t.cnt, 0)

/* The lookups at @pa - 1, @pa: @before and @after are the nodes (-1: no memory). */
static void edge(phys_addr_t pa, int before, int after)
{
	assert_int_equal(memblock_nid_of(pa - 1), before);
	assert_int_equal(memblock_is_memory(pa - 1), before >= 0);
	assert_int_equal(memblock_nid_of(pa), after);
	assert_int_equal(memblock_is_memory(pa), after >= 0);
}

/** The NUMA layout QEMU makes of `--numa 384M,640M`, cut by mem=512M. */
static void test_mem_limit_second_node(void **state)
{
	assert_int_equal(memblock_add_node(B, 384 * MiB, 0), 0);
	assert_int_equal(memblock_add_node(B + 384 * MiB, 640 * MiB, 1), 0);
	assert_int_equal(memblock_mem_limit_remove_map(512 * MiB), 0);
	EXPECT_LIST(memory, { B, 384 * MiB, 0 }, { B + 384 * MiB, 128 * MiB, 1 });
	EXPECT_LIST(held, { B + 512 * MiB, 512 * MiB, 1 });
	assert_int_equal(memblock_phys_mem_size(), 512 * MiB);
	assert_int_equal(memblock_end_of_DRAM(), B + 512 * MiB);
	edge(B + 384 * MiB, 0, 1);
	edge(B + 512 * MiB, 1, -1);
}

/** mem= across banks with holes, three nodes, a no-map bank and an odd byte limit. */
static void test_mem_limit_many_banks(void **state)
{
	/* 100 MiB node 0, hole, 50 MiB node 1 (no-map), 200 MiB node 1, hole, 300 MiB node 2 */
	assert_int_equal(memblock_add_node(B, 100 * MiB, 0), 0);
	assert_int_equal(memblock_add_node(B + 128 * MiB, 250 * MiB, 1), 0);
	assert_int_equal(memblock_mark_nomap(B + 128 * MiB, 50 * MiB), 0);
	assert_int_equal(memblock_add_node(B + 512 * MiB, 300 * MiB, 2), 0);
	EXPECT_LIST(memory, { B, 100 * MiB, 0 },
		    { B + 128 * MiB, 50 * MiB, 1, MEMBLOCK_NOMAP },
		    { B + 178 * MiB, 200 * MiB, 1 },
		    { B + 512 * MiB, 300 * MiB, 2 });
	/* Beyond the total: nothing changes. */
	assert_int_equal(memblock_mem_limit_remove_map(650 * MiB + 1), 0);
	assert_int_equal(memblock_mem_limit_remove_map(650 * MiB), 0);
	EXPECT_EMPTY(held);
	assert_int_equal(memblock_mem_limit_remove_map(0), -EINVAL);
	/* 100 + 50 + 200 = 350 MiB, then 7 MiB and 3 bytes of node 2. */
	assert_int_equal(memblock_mem_limit_remove_map(357 * MiB + 3), 0);
	EXPECT_LIST(memory, { B, 100 * MiB, 0 },
		    { B + 128 * MiB, 50 * MiB, 1, MEMBLOCK_NOMAP },
		    { B + 178 * MiB, 200 * MiB, 1 },
		    { B + 512 * MiB, 7 * MiB + 3, 2 });
	EXPECT_LIST(held, { B + 519 * MiB + 3, 293 * MiB - 3, 2 });
	edge(B + 519 * MiB + 3, 2, -1);
	/* A second, smaller limit cuts inside the no-map bank: the rest moves. */
	assert_int_equal(memblock_mem_limit_remove_map(120 * MiB), 0);
	EXPECT_LIST(memory, { B, 100 * MiB, 0 }, { B + 128 * MiB, 20 * MiB, 1, MEMBLOCK_NOMAP });
	EXPECT_LIST(held, { B + 148 * MiB, 230 * MiB, 1 }, { B + 512 * MiB, 300 * MiB, 2 });
	assert_int_equal(memblock_phys_mem_size(), 120 * MiB);
	/* A limit on a bank's end keeps that bank whole. */
	assert_int_equal(memblock_mem_limit_remove_map(100 * MiB), 0);
	EXPECT_LIST(memory, { B, 100 * MiB, 0 });
	EXPECT_LIST(held, { B + 128 * MiB, 250 * MiB, 1 }, { B + 512 * MiB, 300 * MiB, 2 });
}

/** The first bank alone exceeds the limit: the rest of it and every later bank move. */
static void test_mem_limit_inside_first_bank(void **state)
{
	assert_int_equal(memblock_add_node(B, 256 * MiB, -1), 0);
	assert_int_equal(memblock_add_node(B + 1024 * MiB, 256 * MiB, 1), 0);
	assert_int_equal(memblock_mem_limit_remove_map(64 * MiB), 0);
	EXPECT_LIST(memory, { B, 64 * MiB, -1 });
	EXPECT_LIST(held, { B + 64 * MiB, 192 * MiB, -1 }, { B + 1024 * MiB, 256 * MiB, 1 });
	edge(B + 64 * MiB, 0, -1);
}

/** nid_of and is_memory one byte either side of odd edges, adjacent banks, the top byte. */
static void test_nid_of_every_edge(void **state)
{
	const u64 top = (1UL << 48) - 0x1000;	/* a bank ending at the top of a 48-bit space */

	assert_int_equal(memblock_add_node(B + 0x1001, 0x2fff, 0), 0);
	assert_int_equal(memblock_add_node(B + 0x4000, 0x1000, 1), 0);		/* adjacent */
	assert_int_equal(memblock_add_node(B + 0x5000, 0x10, -1), 0);		/* adjacent */
	assert_int_equal(memblock_add_node(B + 0x8000, 1, 3), 0);		/* one byte */
	assert_int_equal(memblock_add_node(top, 0x1000, 2), 0);
	edge(B + 0x1001, -1, 0);
	edge(B + 0x4000, 0, 1);
	edge(B + 0x5000, 1, 0);
	edge(B + 0x5010, 0, -1);
	edge(B + 0x8000, -1, 3);
	edge(B + 0x8001, 3, -1);
	edge(top, -1, 2);
	edge(1UL << 48, 2, -1);
	assert_int_equal(memblock_nid_of(~0UL), -1);
	assert_int_equal(memblock_nid_of(0), -1);
	assert_false(memblock_is_memory(0));
	assert_int_equal(memblock_phys_mem_size(), 0x2fff + 0x1000 + 0x10 + 1 + 0x1000);
	assert_int_equal(memblock_end_of_DRAM(), 1UL << 48);
	/* Empty and wrapping ranges are refused. */
	assert_int_equal(memblock_add_node(B, 0, 0), -EINVAL);
	assert_int_equal(memblock_add_node(~0UL - 0xfff, 0x1001, 0), -EINVAL);
}

/** A newer reservation fills only the gaps: the older one keeps its name. */
static void test_overlap_keeps_older_name(void **state)
{
	const char *a = "a", *b = "b", *c = "c";

	assert_int_equal(memblock_reserve(B + 0x1000, 0x1000, a), 0);
	assert_int_equal(memblock_reserve(B + 0x1800, 0x1000, b), 0);
	EXPECT_LIST(reserved, { B + 0x1000, 0x1000, -1, 0, a }, { B + 0x2000, 0x800, -1, 0, b });
	assert_int_equal(memblock_reserve(B + 0x3000, 0x100, a), 0);
	/* c over all of it: only the three gaps become c. */
	assert_int_equal(memblock_reserve(B, 0x4000, c), 0);
	EXPECT_LIST(reserved, { B, 0x1000, -1, 0, c }, { B + 0x1000, 0x1000, -1, 0, a },
		    { B + 0x2000, 0x800, -1, 0, b }, { B + 0x2800, 0x800, -1, 0, c },
		    { B + 0x3000, 0x100, -1, 0, a }, { B + 0x3100, 0xf00, -1, 0, c });
	/* The same name again, inside and across: no change, then a merge. */
	assert_int_equal(memblock_reserve(B + 0x1100, 0x10, b), 0);
	assert_int_equal(memblock_reserve(B + 0x4000, 0x7, c), 0);
	EXPECT_LIST(reserved, { B, 0x1000, -1, 0, c }, { B + 0x1000, 0x1000, -1, 0, a },
		    { B + 0x2000, 0x800, -1, 0, b }, { B + 0x2800, 0x800, -1, 0, c },
		    { B + 0x3000, 0x100, -1, 0, a }, { B + 0x3100, 0xf07, -1, 0, c });
	/* Freeing a whole middle region and part of two others. */
	assert_int_equal(memblock_phys_free(B + 0x1800, 0x1100), 0);
	EXPECT_LIST(reserved, { B, 0x1000, -1, 0, c }, { B + 0x1000, 0x800, -1, 0, a },
		    { B + 0x2900, 0x700, -1, 0, c }, { B + 0x3000, 0x100, -1, 0, a },
		    { B + 0x3100, 0xf07, -1, 0, c });
}

/** phys_free in the middle of a region leaves two regions with its name. */
static void test_phys_free_splits(void **state)
{
	const char *n = "memmap";

	assert_int_equal(memblock_reserve(B, 0x10000, n), 0);
	assert_int_equal(memblock_phys_free(B + 0x3000, 0x1001), 0);
	EXPECT_LIST(reserved, { B, 0x3000, -1, 0, n }, { B + 0x4001, 0xbfff, -1, 0, n });
	/* Freeing what is not reserved changes nothing; the hole filled merges back. */
	assert_int_equal(memblock_phys_free(B + 0x3000, 0x1001), 0);
	assert_int_equal(memblock_phys_free(B + 0x20000, 0x1000), 0);
	assert_int_equal(memblock_reserve(B + 0x3000, 0x1001, n), 0);
	EXPECT_LIST(reserved, { B, 0x10000, -1, 0, n });
	assert_int_equal(memblock_phys_free(B, 0), -EINVAL);
	assert_int_equal(memblock_phys_free(B, 0x10000), 0);
	EXPECT_EMPTY(reserved);
}

/** A no-map range over two banks of two nodes and the hole between. */
static void test_nomap_across_regions(void **state)
{
	const char *x = "x";

	assert_int_equal(memblock_add_node(B, 256 * MiB, 0), 0);
	assert_int_equal(memblock_add_node(B + 256 * MiB, 256 * MiB, 1), 0);
	assert_int_equal(memblock_add_node(B + 1024 * MiB, 256 * MiB, 1), 0);
	assert_int_equal(memblock_mark_nomap(B + 192 * MiB, 896 * MiB), 0);
	EXPECT_LIST(memory, { B, 192 * MiB, 0 }, { B + 192 * MiB, 64 * MiB, 0, MEMBLOCK_NOMAP },
		    { B + 256 * MiB, 256 * MiB, 1, MEMBLOCK_NOMAP },
		    { B + 1024 * MiB, 64 * MiB, 1, MEMBLOCK_NOMAP },
		    { B + 1088 * MiB, 192 * MiB, 1 });
	edge(B + 512 * MiB, 1, -1);
	edge(B + 1024 * MiB, -1, 1);
	assert_int_equal(memblock_phys_mem_size(), 768 * MiB);
	/* Allocations skip no-map memory: node 1's top, then node 0 below the no-map part. */
	assert_int_equal(memblock_phys_alloc(192 * MiB, SZ_2M, x), B + 1088 * MiB);
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, x), B + 192 * MiB - SZ_4K);
	assert_int_equal(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 1, x),
			 B + 192 * MiB - 2 * SZ_4K);
	/* Marking the rest merges each node's parts into one no-map region. */
	assert_int_equal(memblock_mark_nomap(B, 2048 * MiB), 0);
	EXPECT_LIST(memory, { B, 256 * MiB, 0, MEMBLOCK_NOMAP },
		    { B + 256 * MiB, 256 * MiB, 1, MEMBLOCK_NOMAP },
		    { B + 1024 * MiB, 256 * MiB, 1, MEMBLOCK_NOMAP });
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, x), 0);
}

/** Top-down, aligned, around reservations, never across a node boundary. */
static void test_alloc_top_down_aligned(void **state)
{
	const char *n = "t", *fw = "fw";

	assert_int_equal(memblock_add_node(B, 64 * MiB, 0), 0);
	assert_int_equal(memblock_add_node(B + 64 * MiB, 64 * MiB + 0x1000, 1), 0);
	/* The top is 4 KiB past a 2 MiB boundary. */
	assert_int_equal(memblock_phys_alloc(0x1000, 0x1000, n), B + 128 * MiB);
	assert_int_equal(memblock_phys_alloc(0x1000, SZ_2M, n), B + 126 * MiB);
	assert_int_equal(memblock_phys_alloc(0x10, 0x10, n), B + 128 * MiB - 0x10);
	/* The 2 MiB - 4 KiB - 16 bytes between the two is too small. */
	assert_int_equal(memblock_phys_alloc(SZ_2M, SZ_2M, n), B + 124 * MiB);
	/* Exactly the gap between a reservation and the one above. */
	assert_int_equal(memblock_reserve(B + 100 * MiB + 0x800, 0x1000, fw), 0);
	assert_int_equal(memblock_phys_alloc(24 * MiB - 0x1800, 0x10, n), B + 100 * MiB + 0x1800);
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, n), B + 128 * MiB - 2 * SZ_4K);
	/* 1 MiB aligned fits only below the reservation. */
	assert_int_equal(memblock_phys_alloc(SZ_1M, SZ_1M, n), B + 99 * MiB);
	/* 99 MiB are free from B, but across the node boundary: no fit. */
	assert_int_equal(memblock_phys_alloc(70 * MiB, SZ_4K, n), 0);
	/* Node 1 has 35 MiB free in one piece: 36 MiB come from node 0. */
	assert_int_equal(memblock_phys_alloc_try_nid(36 * MiB, SZ_4K, 1, n), B + 28 * MiB);
	assert_int_equal(memblock_phys_alloc_try_nid(35 * MiB, SZ_4K, 1, n), B + 64 * MiB);
	assert_int_equal(memblock_nid_of(B + 64 * MiB), 1);
	EXPECT_LIST(reserved, { B + 28 * MiB, 72 * MiB, -1, 0, n },
		    { B + 100 * MiB + 0x800, 0x1000, -1, 0, fw },
		    { B + 100 * MiB + 0x1800, 26 * MiB - 0x800, -1, 0, n },
		    { B + 128 * MiB - 2 * SZ_4K, SZ_4K, -1, 0, n },
		    { B + 128 * MiB - 0x10, 0x1010, -1, 0, n });
	/* A node without memory falls back to any node. */
	assert_int_equal(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 3, n), B + 128 * MiB - 3 * SZ_4K);
	/* Once the buddy allocator runs, memblock hands out nothing. */
	after_bootmem = true;
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, n), 0);
	assert_int_equal(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 0, n), 0);
}

/** Fault injection: the Nth memblock allocation fails and reserves nothing. */
static void test_alloc_should_fail(void **state)
{
	const char *a = "a";

	assert_int_equal(memblock_add_node(B, 64 * MiB, 0), 0);
	fail_nth_set(2);
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, a), B + 64 * MiB - SZ_4K);
	assert_int_equal(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 0, a), 0);
	assert_int_equal(memblock_phys_alloc_try_nid(SZ_4K, SZ_4K, 0, a), B + 64 * MiB - 2 * SZ_4K);
	EXPECT_LIST(reserved, { B + 64 * MiB - 2 * SZ_4K, 2 * SZ_4K, -1, 0, a });
}

/* MAXR disjoint reservations of one page each, a page apart, named @n. */
static void fill_reserved(const char *n)
{
	for (int i = 0; i < MAXR; i++)
		assert_int_equal(memblock_reserve(B + 2 * i * SZ_4K, SZ_4K, n), 0);
	assert_int_equal(memblock.reserved.cnt, MAXR);
}

/** At the region limit: -ENOSPC and no change, unless the result fits. */
static void test_enospc_at_region_limit(void **state)
{
	static struct memblock_type before;
	const char *n = "n", *other = "other", *top = "top", *top2 = "top2";

	assert_int_equal(memblock_add_node(B, 64 * MiB, 0), 0);
	fill_reserved(n);
	before = memblock.reserved;
	/* A new region: no room, nothing changes. */
	assert_int_equal(memblock_reserve(B + 32 * MiB, SZ_4K, n), -ENOSPC);
	/* Over three gaps and past the end: still one region too many. */
	assert_int_equal(memblock_reserve(B + 2 * (MAXR - 3) * SZ_4K, 10 * SZ_4K, other),
			 -ENOSPC);
	/* A hole punched into one region needs one more. */
	assert_int_equal(memblock_phys_free(B + 2 * SZ_4K + 0x800, 0x100), -ENOSPC);
	/* The free space is at the top, away from every reservation. */
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, n), 0);
	assert_memory_equal(&memblock.reserved, &before, sizeof(before));
	/* A reservation that joins two neighbours frees a slot instead. */
	assert_int_equal(memblock_reserve(B + SZ_4K, SZ_4K, n), 0);
	assert_int_equal(memblock.reserved.cnt, MAXR - 1);
	assert_int_equal(memblock.reserved.regions[0].size, 3 * SZ_4K);
	/* Now one new region fits, and then nothing more. */
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, top), B + 64 * MiB - SZ_4K);
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, top2), 0);
	/* ...but one that extends a neighbour with its name does. */
	assert_int_equal(memblock_phys_alloc(SZ_4K, SZ_4K, top), B + 64 * MiB - 2 * SZ_4K);
	assert_int_equal(memblock.reserved.cnt, MAXR);
	/* Trimming an end or freeing a whole region needs no slot. */
	assert_int_equal(memblock_phys_free(B + 4 * SZ_4K, 0x800), 0);
	assert_int_equal(memblock_phys_free(B + 6 * SZ_4K, SZ_4K), 0);
	assert_int_equal(memblock.reserved.cnt, MAXR - 1);
}

/** The memory list at its limit: adding a bank, and no-map in the middle of a bank. */
static void test_enospc_memory_list(void **state)
{
	static struct memblock_type before;

	for (int i = 0; i < MAXR; i++)
		assert_int_equal(memblock_add_node(B + 2 * i * MiB, MiB, i % 4), 0);
	before = memblock.memory;
	assert_int_equal(memblock_add_node(B + 1024 * MiB, MiB, 0), -ENOSPC);
	assert_int_equal(memblock_mark_nomap(B + 0x1000, 0x1000), -ENOSPC);
	/* From one bank's end over the next one's start: a hole and two splits. */
	assert_int_equal(memblock_mark_nomap(B + MiB - 0x1000, MiB + 0x2000), -ENOSPC);
	assert_memory_equal(&memblock.memory, &before, sizeof(before));
	/* A whole bank no-map, or a bank's gap filled by its own node, fits. */
	assert_int_equal(memblock_mark_nomap(B + 2 * MiB, MiB), 0);
	assert_int_equal(memblock.memory.regions[1].flags, MEMBLOCK_NOMAP);
	assert_int_equal(memblock_add_node(B + 2 * 4 * MiB - MiB, MiB, 0), 0);
	assert_int_equal(memblock.memory.cnt, MAXR);
	assert_int_equal(memblock_add_node(B + MiB, MiB, 0), 0);	/* node 0 then node 1 */
	assert_int_equal(memblock.memory.cnt, MAXR);
	assert_int_equal(memblock.memory.regions[0].size, 2 * MiB);
}

/** mem= whose held list would overflow: -ENOSPC, memory and held unchanged. */
static void test_enospc_mem_limit(void **state)
{
	static struct memblock_type mem, held;

	/* 100 banks of node 0, and held ranges of node 1 in every hole between them. */
	for (int i = 0; i < 100; i++) {
		assert_int_equal(memblock_add_node(B + 2 * i * MiB, MiB, 0), 0);
		memblock.held.regions[i] = (struct memblock_region){
			.base = B + (2 * i + 1) * MiB, .size = MiB, .nid = 1 };
	}
	memblock.held.cnt = 100;
	mem = memblock.memory;
	held = memblock.held;
	/* 99 banks would join held between its regions, unmerged: 199 regions. */
	assert_int_equal(memblock_mem_limit_remove_map(MiB), -ENOSPC);
	assert_memory_equal(&memblock.memory, &mem, sizeof(mem));
	assert_memory_equal(&memblock.held, &held, sizeof(held));
	/* 28 of them fit exactly. */
	assert_int_equal(memblock_mem_limit_remove_map(72 * MiB), 0);
	assert_int_equal(memblock.memory.cnt, 72);
	assert_int_equal(memblock.held.cnt, MAXR);
	assert_int_equal(memblock_phys_mem_size(), 72 * MiB);
}

/* ---- random sequences against the model ---- */

static u64 rng_state;

static u64 rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static u64 test_seed(void)
{
	const char *s = getenv("HOTMM_SEED");

	return s ? strtoull(s, NULL, 0) : (u64)time(NULL) ^ ((u64)clock() << 20);
}

/* Crowded: small ranges, few frees, so the lists reach MEMBLOCK_MAX_REGIONS. */
static bool crowded;

/* A random range of units inside the window: small ones mostly. */
static void rnd_range(phys_addr_t *base, u64 *size)
{
	unsigned long first = rnd() % NU;
	unsigned long n = crowded ? 1 + rnd() % 2 :
			  rnd() % 4 ? 1 + rnd() % 32 : 1 + rnd() % 8192;

	if (first + n > NU)
		n = NU - first;
	*base = B + first * U;
	*size = n * U;
}

static struct {
	unsigned long ops, enospc, allocs, alloc_failed, fallback, limits, held;
} st;

/* Run @op on memblock, the model's @mop on the model; -ENOSPC iff it would not fit. */
static void apply(int ret)
{
	if (model_fits()) {
		assert_int_equal(ret, 0);
	} else {
		assert_int_equal(ret, -ENOSPC);
		memcpy(model, saved, sizeof(model));
		st.enospc++;
	}
}

static void random_alloc(void)
{
	static const u64 aligns[] = { SZ_64K, SZ_64K, SZ_2M, 32 * MiB, SZ_4K };
	u64 size = (rnd() % 3 ? 1 + rnd() % 16 : 1 + rnd() % 2048) * U;
	u64 align = aligns[rnd() % ARRAY_SIZE(aligns)];
	int name = rnd() % NR_NAMES, nid = (int)(rnd() % 5) - 1;
	phys_addr_t want, got;

	want = nid < 0 ? m_fit(size, align, -1) : m_fit(size, align, nid);
	if (nid >= 0 && !want) {
		want = m_fit(size, align, -1);
		st.fallback += want != 0;
	}
	if (want) {
		m_reserve(want, size, name);
		if (!model_fits()) {
			memcpy(model, saved, sizeof(model));
			want = 0;
			st.enospc++;
		}
	}
	got = nid < 0 ? memblock_phys_alloc(size, align, names[name]) :
	      memblock_phys_alloc_try_nid(size, align, nid, names[name]);
	if (got != want) {
		print_message("alloc %#llx align %#llx nid %d: got %#llx, model %#llx\n",
			      (unsigned long long)size, (unsigned long long)align, nid,
			      (unsigned long long)got, (unsigned long long)want);
		fail();
	}
	st.allocs++;
	st.alloc_failed += !want;
}

static void random_limit(void)
{
	u64 total = 0, limit;

	for (unsigned long i = 0; i < NU; i++)
		total += model[i].mem != NONE ? U : 0;
	if (!total)
		return;
	limit = (total / U / 2 + 1 + rnd() % (total / U / 2 + 1)) * U;
	m_limit(limit);
	/* Held can overflow only in contrived sequences; keep them out (see the fixed cases). */
	if (!model_fits()) {
		memcpy(model, saved, sizeof(model));
		return;
	}
	assert_int_equal(memblock_mem_limit_remove_map(limit), 0);
	st.limits++;
}

/*
 * Percentages of each operation: add, reserve, free, no-map, allocate; the
 * rest is mem=. Crowded sequences add more and free less.
 */
static const unsigned int mix_normal[] = { 8, 30, 22, 4, 35 };
static const unsigned int mix_crowded[] = { 20, 40, 7, 8, 24 };

static void random_step(void)
{
	const unsigned int *mix = crowded ? mix_crowded : mix_normal;
	unsigned int r = rnd() % 100, op = 0;
	phys_addr_t base;
	u64 size;

	while (op < 5 && r >= mix[op])
		r -= mix[op++];
	memcpy(saved, model, sizeof(model));
	rnd_range(&base, &size);
	if (op == 0) {
		int nid = (int)(rnd() % 5) - 1;

		m_add(base, size, nid);
		apply(memblock_add_node(base, size, nid));
	} else if (op == 1) {
		int name = rnd() % NR_NAMES;

		m_reserve(base, size, name);
		apply(memblock_reserve(base, size, names[name]));
	} else if (op == 2) {
		m_free(base, size);
		apply(memblock_phys_free(base, size));
	} else if (op == 3) {
		m_nomap(base, size);
		apply(memblock_mark_nomap(base, size));
	} else if (op == 4) {
		random_alloc();
	} else {
		random_limit();
	}
	st.ops++;
	check_all();
}

static void random_sequence(const char *what, unsigned int banks, unsigned int steps)
{
	u64 seed = test_seed();

	memset(&st, 0, sizeof(st));
	rng_state = seed ? seed : 1;
	print_message("%s: seed %llu (HOTMM_SEED=%llu repeats it)\n", what,
		      (unsigned long long)seed, (unsigned long long)seed);
	/* Banks first, as the DT gives them: a few large ones with holes. */
	for (unsigned int i = 0; i < banks; i++) {
		unsigned long first = rnd() % NU, n = 1 + rnd() % (NU / 4);
		int nid = (int)(rnd() % 5) - 1;

		n = min(n, NU - first);
		memcpy(saved, model, sizeof(model));
		m_add(B + first * U, n * U, nid);
		apply(memblock_add_node(B + first * U, n * U, nid));
	}
	check_all();
	for (unsigned int i = 0; i < steps; i++)
		random_step();
	for (unsigned long i = 0; i < NU; i++)
		st.held += model[i].held != NONE;
	print_message("  %lu ops, %lu -ENOSPC, %lu allocations (%lu failed, %lu fell back to "
		      "another node), %lu mem= cuts, %lu units held\n", st.ops, st.enospc,
		      st.allocs, st.alloc_failed, st.fallback, st.limits, st.held);
	assert_true(st.allocs > st.alloc_failed && st.alloc_failed && st.limits);
}

static void test_random_few_banks(void **state)
{
	random_sequence("4 banks", 4, 2000);
	assert_true(st.fallback);
}

/** Many small ranges: every list meets MEMBLOCK_MAX_REGIONS. */
static void test_random_crowded(void **state)
{
	crowded = true;
	random_sequence("24 banks, crowded", 24, 2000);
	crowded = false;
	assert_true(st.enospc);
}

#define T(f)	cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mem_limit_second_node),
		T(test_mem_limit_many_banks),
		T(test_mem_limit_inside_first_bank),
		T(test_nid_of_every_edge),
		T(test_overlap_keeps_older_name),
		T(test_phys_free_splits),
		T(test_nomap_across_regions),
		T(test_alloc_top_down_aligned),
		T(test_alloc_should_fail),
		T(test_enospc_at_region_limit),
		T(test_enospc_memory_list),
		T(test_enospc_mem_limit),
		T(test_random_few_banks),
		T(test_random_crowded),
	};

	if (getenv("HOTMM_TEST"))
		cmocka_set_test_filter(getenv("HOTMM_TEST"));
	return cmocka_run_group_tests_name("memblock", tests, NULL, NULL);
}
