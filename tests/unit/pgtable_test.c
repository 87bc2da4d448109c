// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of mm/pgtable.c: map_action(), pgtable_map(), pgtable_unmap(),
 * pgtable_protect(), pgtable_walk(), pgtable_for_each_leaf() and
 * pgtable_origin(), linked with the fake arch (fake/fake_arch.h), which
 * checks break-before-make, contiguous runs and table lifetimes on every
 * descriptor write, and shows every live leaf at a host address so that
 * content is read through the mapping.
 *
 * Two VA windows, H = 4 GiB (4K, 16K) or 64 GiB (64K), both aligned to H:
 *
 *      "mid"                                       "top"
 *   |<---- H ---->|<---- H ---->|        |<------- 2H ------->|
 *   B0 - H        B0            B0 + H   2^64 - 2H            2^64
 *                 ^ a boundary of the start level's entries   ^ the last page ends here
 *
 * so a range across B0 straddles every level's boundary at once, and the
 * top window holds the last page of the 48-bit space.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake/fake_arch.h"
#include "fake/fake_phys.h"
#include <lib/errno.h>
#include <mm/fixmap.h>
#include <mm/pgtable.h>

#define START		PGTABLE_START_LEVEL
#define LAST		PGTABLE_LAST_LEVEL
#define TTBR1_BASE	(~0ULL << VA_BITS)
#if CONFIG_PAGE_SHIFT == 16
#define HALF		(64ULL << 30)
#else
#define HALF		(4ULL << 30)
#endif
#define PG		((u64)PAGE_SIZE)

static struct fake_window windows[2];
static u64 B0;				/* the start-level boundary in "mid" */
static struct fake_alloc fa;
static struct pgtable pt;

/* ---- geometry ---- */

static u64 cont_span(int level)
{
	return arch_cont_entries(level) * level_size(level);
}

static bool leaf_level(int level)
{
	return level == LAST || arch_block_allowed(level);
}

/* The largest leaf or run: what PAs are aligned to when blocks are wanted. */
static u64 max_span(void)
{
	u64 m = PG;

	for (int l = START; l <= LAST; l++) {
		if (leaf_level(l) && level_size(l) <= HALF)
			m = max(m, level_size(l));
		if (cont_span(l) <= HALF)
			m = max(m, cont_span(l));
	}
	return m;
}

/* A data PA congruent to @va modulo max_span(), in the @k-th such slot. */
static phys_addr_t pa_like(u64 va, unsigned int k)
{
	u64 a = max_span();

	return ALIGN(FAKE_DATA_BASE, a) + (va & (a - 1)) + k * a;
}

/* ---- the fixture ---- */

static int group_setup(void **state)
{
	B0 = TTBR1_BASE + level_size(START);
	windows[0] = (struct fake_window){ .name = "mid", .va = B0 - HALF, .size = 2 * HALF };
	windows[1] = (struct fake_window){ .name = "top", .va = 0 - 2 * HALF, .size = 2 * HALF };
	fake_phys_init();
	fake_arch_init(windows, ARRAY_SIZE(windows));
	return 0;
}

static int setup(void **state)
{
	fake_arch_reset();
	fake_phys_reset();
	fake_alloc_init(&fa, "test");
	pt.root = fake_phys_root_alloc(START);
	fake_arch_set_root(pt.root);
	return 0;
}

static int teardown(void **state)
{
	fake_arch_reset();
	return 0;
}

/* ---- operations, each checked by the fake arch at its end ---- */

static char cur_op[256];

static int pt_map_with(u64 va, phys_addr_t pa, u64 size, pgprot_t prot, unsigned int flags,
		       struct fake_alloc *a)
{
	int ret;

	snprintf(cur_op, sizeof(cur_op), "map [%#lx, +%#lx) -> %#lx prot %#x flags %#x", va, size,
		 pa, prot, flags);
	fake_op_begin(cur_op);
	ret = pgtable_map(&pt, va, pa, size, prot, flags, &a->a);
	fake_op_end();
	assert_int_equal(a->a.nr_tables, a->live);
	return ret;
}

static int pt_map(u64 va, phys_addr_t pa, u64 size, pgprot_t prot, unsigned int flags)
{
	return pt_map_with(va, pa, size, prot, flags, &fa);
}

static int pt_unmap_with(u64 va, u64 size, struct fake_alloc *a)
{
	int ret;

	snprintf(cur_op, sizeof(cur_op), "unmap [%#lx, +%#lx)", va, size);
	fake_op_begin(cur_op);
	ret = pgtable_unmap(&pt, va, size, &a->a);
	fake_op_end();
	assert_int_equal(a->a.nr_tables, a->live);
	return ret;
}

static int pt_unmap(u64 va, u64 size)
{
	return pt_unmap_with(va, size, &fa);
}

static int pt_protect(u64 va, u64 size, pgprot_t prot)
{
	int ret;

	snprintf(cur_op, sizeof(cur_op), "protect [%#lx, +%#lx) prot %#x", va, size, prot);
	fake_op_begin(cur_op);
	ret = pgtable_protect(&pt, va, size, prot, &fa.a);
	fake_op_end();
	assert_int_equal(fa.a.nr_tables, fa.live);
	return ret;
}

/* ---- intervals: what a range maps, canonical (adjacent pieces merged) ---- */

struct ival {
	u64 first, last;
	phys_addr_t pa;
	pgprot_t prot;
};

struct ivals {
	struct ival *v;
	unsigned long n, cap;
};

static void ivals_free(struct ivals *s)
{
	free(s->v);
	*s = (struct ivals){ 0 };
}

/* Append (in VA order), merging with the last piece when it continues it. */
static void ivals_add(struct ivals *s, u64 first, u64 last, phys_addr_t pa, pgprot_t prot)
{
	struct ival *p = s->n ? &s->v[s->n - 1] : NULL;

	if (p && p->last + 1 == first && p->pa + (p->last - p->first + 1) == pa &&
	    p->prot == prot) {
		p->last = last;
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		assert_non_null(s->v);
	}
	s->v[s->n++] = (struct ival){ first, last, pa, prot };
}

/* [first, last] of @s becomes unmapped (@set false) or maps @pa with @prot. */
static void ivals_set(struct ivals *s, u64 first, u64 last, bool set, phys_addr_t pa,
		      pgprot_t prot)
{
	struct ivals out = { 0 };
	bool placed = !set;

	for (unsigned long i = 0; i < s->n; i++) {
		struct ival iv = s->v[i];

		if (iv.last < first) {
			ivals_add(&out, iv.first, iv.last, iv.pa, iv.prot);
			continue;
		}
		if (iv.first < first)
			ivals_add(&out, iv.first, first - 1, iv.pa, iv.prot);
		if (!placed && iv.first > last) {
			ivals_add(&out, first, last, pa, prot);
			placed = true;
		}
		if (iv.first > last) {
			ivals_add(&out, iv.first, iv.last, iv.pa, iv.prot);
			continue;
		}
		if (!placed) {
			ivals_add(&out, first, last, pa, prot);
			placed = true;
		}
		if (iv.last > last)
			ivals_add(&out, last + 1, iv.last, iv.pa + (last + 1 - iv.first), iv.prot);
	}
	if (!placed)
		ivals_add(&out, first, last, pa, prot);
	ivals_free(s);
	*s = out;
}

/* The part of @s inside [first, last]. */
static void ivals_clip(const struct ivals *s, u64 first, u64 last, struct ivals *out)
{
	for (unsigned long i = 0; i < s->n; i++) {
		const struct ival *iv = &s->v[i];
		u64 f = max(iv->first, first), l = min(iv->last, last);

		if (f <= l)
			ivals_add(out, f, l, iv->pa + (f - iv->first), iv->prot);
	}
}

/* Bytes of [first, last] that @s maps. */
static u64 ivals_covered(const struct ivals *s, u64 first, u64 last)
{
	u64 n = 0;

	for (unsigned long i = 0; i < s->n; i++) {
		u64 f = max(s->v[i].first, first), l = min(s->v[i].last, last);

		if (f <= l)
			n += l - f + 1;
	}
	return n;
}

/*
 * What pgtable_protect(@first..@last, @prot) must return: the walk meets
 * the pages in VA order, and the first that is unmapped (-EFAULT) or of
 * another memory type (-EINVAL: Normal <-> Device is never done in place)
 * decides.
 */
static int ivals_protect_result(const struct ivals *s, u64 first, u64 last, pgprot_t prot)
{
	u64 pos = first;

	for (unsigned long i = 0; i < s->n; i++) {
		const struct ival *iv = &s->v[i];

		if (iv->last < pos)
			continue;
		if (iv->first > pos)
			return -EFAULT;
		if ((iv->prot ^ prot) & PROT_DEVICE)
			return -EINVAL;
		if (iv->last >= last)
			return 0;
		pos = iv->last + 1;
	}
	return -EFAULT;
}

static void ivals_protect(struct ivals *s, u64 first, u64 last, pgprot_t prot)
{
	struct ivals part = { 0 };

	ivals_clip(s, first, last, &part);
	for (unsigned long i = 0; i < part.n; i++)
		ivals_set(s, part.v[i].first, part.v[i].last, true, part.v[i].pa, prot);
	ivals_free(&part);
}

static bool ivals_lookup(const struct ivals *s, u64 va, phys_addr_t *pa, pgprot_t *prot)
{
	for (unsigned long i = 0; i < s->n; i++) {
		if (va >= s->v[i].first && va <= s->v[i].last) {
			*pa = s->v[i].pa + (va - s->v[i].first);
			*prot = s->v[i].prot;
			return true;
		}
	}
	return false;
}

static void ivals_expect_equal(const struct ivals *got, const struct ivals *want,
			       const char *what)
{
	unsigned long i;

	for (i = 0; i < got->n && i < want->n; i++)
		if (memcmp(&got->v[i], &want->v[i], sizeof(got->v[i])))
			break;
	if (i == got->n && i == want->n)
		return;
	print_error("%s: the tables differ from the model at piece %lu (during %s)\n", what, i,
		    cur_op);
	for (unsigned long j = i > 2 ? i - 2 : 0; j < i + 3; j++) {
		if (j < got->n)
			print_error("  tables [%#lx, %#lx] -> %#lx prot %#x\n", got->v[j].first,
				    got->v[j].last, got->v[j].pa, got->v[j].prot);
		if (j < want->n)
			print_error("  model  [%#lx, %#lx] -> %#lx prot %#x\n", want->v[j].first,
				    want->v[j].last, want->v[j].pa, want->v[j].prot);
	}
	fail();
}

/* ---- reading the tables ---- */

struct leaves_ctx {
	struct ivals *s;
	u64 first, last;
};

static void leaves_cb(void *arg, u64 va, int level, pte_t pte)
{
	struct leaves_ctx *c = arg;
	u64 f, l;

	if (arch_pte_type(pte, level) == PTE_INVALID)
		return;
	f = max(va, c->first);
	l = min(va + level_size(level) - 1, c->last);
	ivals_add(c->s, f, l, arch_pte_addr(pte, level) + (f - va), arch_pte_prot(pte, level));
}

/* What the tables map in [first, last], as intervals. */
static void tables_ivals(u64 first, u64 last, struct ivals *out)
{
	struct leaves_ctx c = { out, first, last };

	pgtable_for_each_leaf(&pt, first, last, leaves_cb, &c);
}

static void expect_region(const struct ivals *model, u64 first, u64 last)
{
	struct ivals got = { 0 }, want = { 0 };

	tables_ivals(first, last, &got);
	ivals_clip(model, first, last, &want);
	ivals_expect_equal(&got, &want, "for_each_leaf");
	ivals_free(&got);
	ivals_free(&want);
}

struct leaf {
	u64 va;
	int level;
	pte_t pte;
};

struct leaves {
	struct leaf v[16384];
	unsigned int n;
};

static void leaf_list_cb(void *arg, u64 va, int level, pte_t pte)
{
	struct leaves *l = arg;

	if (arch_pte_type(pte, level) != PTE_INVALID && l->n < ARRAY_SIZE(l->v))
		l->v[l->n++] = (struct leaf){ va, level, pte };
}

static struct leaves leaf_buf;

static struct leaves *leaves_of(u64 first, u64 last)
{
	leaf_buf.n = 0;
	pgtable_for_each_leaf(&pt, first, last, leaf_list_cb, &leaf_buf);
	return &leaf_buf;
}

/* Every non-zero entry of the tree, in walk order (the tree's exact shape). */
struct snapshot {
	struct leaf *v;
	unsigned long n, cap;
	unsigned long tables;
};

static void snap_table(struct snapshot *s, phys_addr_t table, int level, u64 va)
{
	const pte_t *e = fake_phys_ptr(table);

	for (unsigned long i = 0; i < level_entries(level); i++) {
		u64 v = va + i * level_size(level);

		if (!e[i])
			continue;
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 1024;
			s->v = realloc(s->v, s->cap * sizeof(*s->v));
			assert_non_null(s->v);
		}
		s->v[s->n++] = (struct leaf){ v, level, e[i] };
		if (arch_pte_type(e[i], level) == PTE_TABLE)
			snap_table(s, arch_pte_addr(e[i], level), level + 1, v);
	}
}

static void snapshot_take(struct snapshot *s)
{
	s->n = 0;
	s->tables = fa.a.nr_tables;
	snap_table(s, pt.root, START, TTBR1_BASE);
}

static void snapshot_expect(const struct snapshot *before, const char *what)
{
	struct snapshot now = { 0 };

	snapshot_take(&now);
	if (now.n != before->n || now.tables != before->tables ||
	    (now.n && memcmp(now.v, before->v, now.n * sizeof(*now.v))))
		fail_msg("%s: the tables changed (%lu entries, %lu tables before; %lu, %lu after)",
			 what, before->n, before->tables, now.n, now.tables);
	free(now.v);
}

/* ---- reading through the mapping ---- */

static u64 tag(phys_addr_t pa)
{
	return (pa * 0x9e3779b97f4a7c15ULL) ^ 0x70617467ULL;
}

/* @va maps @pa with @prot: in the walk, and by reading and writing through it. */
static void expect_page(u64 va, phys_addr_t pa, pgprot_t prot)
{
	struct pgtable_walk w;
	u64 *phys = fake_phys_ptr(pa), *host = fake_host_ptr(va), v = 0;
	u64 off;

	if (pgtable_walk(&pt, va, &w))
		fail_msg("walk of %#lx: nothing maps it, %#lx expected (%s)", va, pa, cur_op);
	off = va & (level_size(w.level) - 1);
	if (arch_pte_addr(w.pte, w.level) + off != pa || arch_pte_prot(w.pte, w.level) != prot)
		fail_msg("walk of %#lx: %#lx prot %#x, expected %#lx prot %#x (%s)", va,
			 arch_pte_addr(w.pte, w.level) + off, arch_pte_prot(w.pte, w.level), pa,
			 prot, cur_op);
	assert_non_null(host);
	phys[0] = tag(pa);
	phys[PG / 8 - 1] = ~tag(pa);
	if (fake_probe_read(&host[0], &v) || v != tag(pa))
		fail_msg("read through %#lx: %#lx, expected %#lx (%s)", va, v, tag(pa), cur_op);
	if (fake_probe_read(&host[PG / 8 - 1], &v) || v != ~tag(pa))
		fail_msg("read through the end of %#lx (%s)", va, cur_op);
	if (prot & PROT_WRITE) {
		if (fake_probe_write(&host[1], tag(pa) + 1) || phys[1] != tag(pa) + 1)
			fail_msg("write through %#lx did not reach %#lx (%s)", va, pa, cur_op);
	} else if (!fake_probe_write(&host[1], 0)) {
		fail_msg("write through read-only %#lx did not fault (%s)", va, cur_op);
	}
}

/* Nothing maps @va: the walk says so and a read faults. */
static void expect_hole(u64 va)
{
	struct pgtable_walk w;
	u64 v;

	if (!pgtable_walk(&pt, va, &w))
		fail_msg("walk of %#lx: mapped at level %d, expected a hole (%s)", va, w.level,
			 cur_op);
	if (fake_probe_read(fake_host_ptr(va), &v) != -EFAULT)
		fail_msg("read through unmapped %#lx did not fault (%s)", va, cur_op);
}

/* [va, va + size) maps [pa, ...) with @prot: up to 24 pages, ends and spread. */
static void expect_range(u64 va, phys_addr_t pa, u64 size, pgprot_t prot)
{
	u64 pages = size / PG;

	for (u64 i = 0; i < min(pages, (u64)24); i++) {
		u64 p = pages <= 24 ? i : i < 8 ? i : i >= 16 ? pages - 24 + i : (pages / 17) * i;

		expect_page(va + p * PG, pa + p * PG, prot);
	}
}

static void expect_holes(u64 va, u64 size)
{
	u64 pages = size / PG;

	for (u64 i = 0; i < min(pages, (u64)16); i++) {
		u64 p = pages <= 16 ? i : i < 4 ? i : i >= 12 ? pages - 16 + i : (pages / 13) * i;

		expect_hole(va + p * PG);
	}
}

/* Every table gone: only the root left, and it is empty. */
static void expect_empty_tree(void)
{
	const pte_t *e = fake_phys_ptr(pt.root);

	assert_int_equal(fa.a.nr_tables, 0);
	assert_int_equal(fa.live, 0);
	assert_int_equal(fake_pool_used(), 1);
	for (unsigned long i = 0; i < level_entries(START); i++)
		assert_int_equal(e[i], 0);
}

/* ---- map_action() ---- */

struct action_case {
	const char *name;
	int dva_pages, dpa_pages;	/* VA and PA moved by whole pages */
	int dva_entries, dpa_entries;	/* ... and by whole entries */
	enum { R_ENTRY, R_RUN, R_ENTRY_SHORT, R_RUN_SHORT, R_HUGE } req;
	unsigned int flags;
	enum pte_type existing;
	bool run_free;
	bool top;			/* the run or entry ends at the end of the space */
};

/*
 * What map_action() must answer at @level for @c, from the rule in
 * include/mm/pgtable.h: spelled out per case rather than recomputed.
 */
static enum map_action expected_action(const struct action_case *c, int level)
{
	unsigned int n = arch_cont_entries(level);
	bool blocks = leaf_level(level) && (level == LAST || !(c->flags & PGT_NO_BLOCKS));
	bool va_ok = (c->dva_pages == 0 || level == LAST);
	bool pa_ok = (c->dpa_pages == 0 || level == LAST);
	bool fits, run_ok;

	if (c->existing == PTE_TABLE)
		return MAP_DESCEND;
	if (c->existing != PTE_INVALID)
		return MAP_EXISTS;
	switch (c->req) {
	case R_ENTRY:
	case R_RUN:
	case R_HUGE:
		fits = true;
		break;
	case R_ENTRY_SHORT:
		fits = level == LAST;	/* a page less than one entry: only pages fit */
		break;
	default:
		fits = level == LAST || n > 1;	/* a page less than a run: the first entry fits */
		break;
	}
	if (!blocks || !va_ok || !pa_ok || !fits)
		return MAP_NEW_TABLE;
	run_ok = n && !(c->flags & PGT_NO_CONT) && c->run_free && c->dva_pages == 0 &&
		 c->dpa_pages == 0 && c->dva_entries == 0 && c->dpa_entries == 0 &&
		 (c->req == R_RUN || c->req == R_HUGE);
	return run_ok ? MAP_CONT : MAP_LEAF;
}

static const char *const action_name[] = { "LEAF", "CONT", "NEW_TABLE", "DESCEND", "EXISTS" };

/** map_action() answers by the rule at every level, for every case of the block-or-table decision. */
static void map_action_decides_by_the_rule_at_every_level(void **state)
{
	static const struct action_case cases[] = {
		{ "aligned, one run, free", .req = R_RUN, .run_free = true },
		{ "aligned, one run, free, at the top", .req = R_RUN, .run_free = true, .top = true },
		{ "aligned, much more than a run", .req = R_HUGE, .run_free = true },
		{ "aligned, one run, not free", .req = R_RUN },
		{ "aligned, one run, PGT_NO_CONT", .req = R_RUN, .run_free = true,
		  .flags = PGT_NO_CONT },
		{ "aligned, one run, PGT_NO_BLOCKS", .req = R_RUN, .run_free = true,
		  .flags = PGT_NO_BLOCKS },
		{ "aligned, one run, both flags", .req = R_RUN, .run_free = true,
		  .flags = PGT_NO_BLOCKS | PGT_NO_CONT },
		{ "aligned, one entry", .req = R_ENTRY, .run_free = true },
		{ "aligned, one entry, at the top", .req = R_ENTRY, .run_free = true, .top = true },
		{ "aligned, a page short of an entry", .req = R_ENTRY_SHORT, .run_free = true },
		{ "aligned, a page short of a run", .req = R_RUN_SHORT, .run_free = true },
		{ "VA a page off", .dva_pages = 1, .dpa_pages = 1, .req = R_ENTRY, .run_free = true },
		{ "PA a page off", .dpa_pages = 1, .req = R_ENTRY, .run_free = true },
		{ "VA a page off, PA aligned", .dva_pages = 1, .req = R_ENTRY, .run_free = true },
		{ "VA an entry off the run", .dva_entries = 1, .dpa_entries = 1, .req = R_RUN,
		  .run_free = true },
		{ "PA an entry off the run", .dpa_entries = 1, .req = R_RUN, .run_free = true },
		{ "existing table", .existing = PTE_TABLE, .req = R_RUN, .run_free = true },
		{ "existing table, unaligned", .existing = PTE_TABLE, .dva_pages = 1,
		  .req = R_ENTRY_SHORT },
		{ "existing leaf", .existing = PTE_BLOCK, .req = R_RUN, .run_free = true },
		{ "existing leaf, unaligned", .existing = PTE_BLOCK, .dva_pages = 1,
		  .req = R_ENTRY_SHORT },
	};
	unsigned int checked = 0;

	for (int level = START; level <= LAST; level++) {
		u64 size = level_size(level);
		u64 unit = cont_span(level) ? cont_span(level) : size;

		for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
			const struct action_case *c = &cases[i];
			u64 base = c->top ? 0 - unit : B0;
			u64 va = base + c->dva_pages * PG + c->dva_entries * size;
			phys_addr_t pa = (c->top ? 1ULL << 47 : 0) + c->dpa_pages * PG +
					 c->dpa_entries * size;
			enum pte_type existing = c->existing;
			u64 last;
			enum map_action got, want;

			if (level == LAST && existing == PTE_TABLE)
				continue;	/* no tables below the last level */
			if (level == LAST && existing == PTE_BLOCK)
				existing = PTE_PAGE;
			if (c->req == R_ENTRY_SHORT && level == LAST)
				continue;	/* a page short of a page is nothing */
			if (c->req == R_ENTRY && c->top)
				va = 0 - size;
			switch (c->req) {
			case R_ENTRY:
				last = va + size - 1;
				break;
			case R_ENTRY_SHORT:
				last = va + size - PG - 1;
				break;
			case R_RUN:
				last = va + unit - 1;
				break;
			case R_RUN_SHORT:
				last = va + unit - PG - 1;
				break;
			default:
				last = va + 4 * unit - 1;
				if (last < va)
					last = ~0ULL;	/* 16K's level 0: two entries */
				break;
			}
			if (c->top && !c->dva_pages && !c->dva_entries)
				assert_true(last == ~0ULL);
			got = map_action(va, last, pa, level, c->flags, existing, c->run_free);
			want = expected_action(c, level);
			if (got != want)
				fail_msg("level %d, %s: map_action() = %s, expected %s", level,
					 c->name, action_name[got], action_name[want]);
			checked++;
		}
	}
	print_message("map_action: %u cases over levels %d..%d\n", checked, START, LAST);
}

/* ---- mapping and walking ---- */

/** Each leaf size (page, every block level, every run) is mapped at its own level and read back through the walk and the mapping. */
static void map_then_walk_finds_each_leaf_at_its_level(void **state)
{
	for (int level = LAST; level >= START; level--) {
		u64 size = level_size(level);

		if (!leaf_level(level) || size > HALF)
			continue;
		/* one entry on each side of B0, and the last one of the space */
		u64 vas[] = { B0 - size, B0, 0 - size };

		for (unsigned int i = 0; i < ARRAY_SIZE(vas); i++) {
			phys_addr_t pa = pa_like(vas[i], 0);
			struct pgtable_walk w;
			struct leaves *l;

			assert_int_equal(pt_map(vas[i], pa, size, PAGE_KERNEL, PGT_NO_CONT), 0);
			assert_int_equal(pgtable_walk(&pt, vas[i] + size / 2, &w), 0);
			assert_int_equal(w.level, level);
			assert_false(arch_pte_cont(w.pte, level));
			l = leaves_of(vas[i], vas[i] + size - 1);
			assert_int_equal(l->n, 1);
			assert_true(l->v[0].va == vas[i] && l->v[0].level == level);
			expect_range(vas[i], pa, size, PAGE_KERNEL);
			expect_hole(vas[i] - PG);
			if (vas[i] + size)
				expect_hole(vas[i] + size);
			assert_int_equal(pt_unmap(vas[i], size), 0);
			expect_holes(vas[i], size);
			expect_empty_tree();
		}
		if (!arch_cont_entries(level) || cont_span(level) > HALF)
			continue;
		/* a run across B0 is not possible (runs are aligned): one on each side */
		u64 span = cont_span(level), rvas[] = { B0 - span, B0, 0 - span };

		for (unsigned int i = 0; i < ARRAY_SIZE(rvas); i++) {
			phys_addr_t pa = pa_like(rvas[i], 0);
			struct pgtable_walk w;

			assert_int_equal(pt_map(rvas[i], pa, span, PAGE_KERNEL_RO, 0), 0);
			for (unsigned int e = 0; e < arch_cont_entries(level); e++) {
				assert_int_equal(pgtable_walk(&pt, rvas[i] + e * size, &w), 0);
				assert_int_equal(w.level, level);
				assert_true(arch_pte_cont(w.pte, level));
			}
			expect_range(rvas[i], pa, span, PAGE_KERNEL_RO);
			assert_int_equal(pt_unmap(rvas[i], span), 0);
			expect_holes(rvas[i], span);
			expect_empty_tree();
		}
	}
}

/** Pages across B0 with an unaligned PA get tables at every level on both sides, and each page walks to its PA. */
static void map_across_every_level_boundary_walks_page_by_page(void **state)
{
	u64 va = B0 - 5 * PG, size = 10 * PG;
	phys_addr_t pa = FAKE_DATA_BASE + 3 * PG;

	assert_int_equal(pt_map(va, pa, size, PAGE_KERNEL_EXEC, 0), 0);
	/* one table per level below the root, on each side of B0 */
	assert_int_equal(fa.a.nr_tables, 2 * (LAST - START));
	for (u64 off = 0; off < size; off += PG) {
		struct pgtable_walk w;

		assert_int_equal(pgtable_walk(&pt, va + off, &w), 0);
		assert_int_equal(w.level, LAST);
		assert_true(arch_pte_addr(w.pte, LAST) == pa + off);
		expect_page(va + off, pa + off, PAGE_KERNEL_EXEC);
	}
	expect_hole(va - PG);
	expect_hole(va + size);
	assert_int_equal(pt_unmap(va, size), 0);
	expect_holes(va, size);
	expect_empty_tree();
}

/** A request with an unaligned VA, size or PA, no size, or one that wraps is refused with -EINVAL and nothing written. */
static void bad_requests_return_einval_and_write_nothing(void **state)
{
	unsigned long writes = fake_stats.writes;

	assert_int_equal(pt_map(B0 + 1, FAKE_DATA_BASE, PG, PAGE_KERNEL, 0), -EINVAL);
	assert_int_equal(pt_map(B0, FAKE_DATA_BASE + 8, PG, PAGE_KERNEL, 0), -EINVAL);
	assert_int_equal(pt_map(B0, FAKE_DATA_BASE, PG + 8, PAGE_KERNEL, 0), -EINVAL);
	assert_int_equal(pt_map(B0, FAKE_DATA_BASE, 0, PAGE_KERNEL, 0), -EINVAL);
	assert_int_equal(pt_map(0 - PG, FAKE_DATA_BASE, 2 * PG, PAGE_KERNEL, 0), -EINVAL);
	assert_int_equal(pt_unmap(B0, 0), -EINVAL);
	assert_int_equal(pt_unmap(0 - PG, 2 * PG), -EINVAL);
	assert_int_equal(pt_protect(B0 + 8, PG, PAGE_KERNEL), -EINVAL);
	assert_int_equal(fake_stats.writes, writes);
	expect_empty_tree();
}

/** Mapping onto any mapped part returns -EEXIST and leaves the tables exactly as they were. */
static void map_onto_mapped_va_returns_eexist_and_changes_nothing(void **state)
{
	u64 blk = level_size(2), pva = B0 - 4 * PG, bva = B0 + blk;
	phys_addr_t ppa = FAKE_DATA_BASE + 7 * PG, bpa = pa_like(bva, 0);
	struct snapshot snap = { 0 };
	struct {
		u64 va, size;
		unsigned int flags;
	} tries[] = {
		{ pva, 8 * PG, 0 },			/* the same */
		{ pva - 3 * PG, 4 * PG, 0 },		/* overlapping its first page */
		{ pva + 7 * PG, 3 * PG, 0 },		/* overlapping its last page */
		{ pva - 9 * PG, 20 * PG, 0 },		/* around it */
		{ pva + 2 * PG, PG, 0 },			/* inside */
		{ bva - 5 * PG, 6 * PG, 0 },		/* the block's first page, after free pages */
		{ bva + blk - PG, 2 * PG, 0 },		/* the block's last page */
		{ bva, blk, 0 },				/* the block, as a block */
		{ bva + blk / 2, PG, PGT_NO_BLOCKS },	/* one page in the block */
		{ B0 - blk, 2 * blk + blk, 0 },		/* blocks before, pages, the block */
	};

	assert_int_equal(pt_map(pva, ppa, 8 * PG, PAGE_KERNEL, 0), 0);
	assert_int_equal(pt_map(bva, bpa, blk, PAGE_KERNEL_RO, PGT_NO_CONT), 0);
	snapshot_take(&snap);
	for (unsigned int i = 0; i < ARRAY_SIZE(tries); i++) {
		phys_addr_t pa = pa_like(tries[i].va, 1);

		assert_int_equal(pt_map(tries[i].va, pa, tries[i].size, PAGE_KERNEL_EXEC,
					tries[i].flags), -EEXIST);
		snapshot_expect(&snap, cur_op);
	}
	expect_range(pva, ppa, 8 * PG, PAGE_KERNEL);
	expect_range(bva, bpa, blk, PAGE_KERNEL_RO);
	expect_hole(pva - PG);
	assert_int_equal(pt_unmap(B0 - 2 * blk, 4 * blk), 0);
	expect_empty_tree();
	free(snap.v);
}

/** No block or run ends past the request: a request ending (or starting) inside a block maps that part with smaller leaves. */
static void blocks_never_extend_past_the_request(void **state)
{
	unsigned int checked = 0;

	for (int level = START; level <= LAST; level++) {
		u64 unit[2] = { leaf_level(level) ? level_size(level) : 0, cont_span(level) };

		for (int k = 0; k < 2; k++) {
			u64 u = unit[k];
			/* ends inside, starts inside, both; around B0 and at the top */
			struct { u64 va, size; } reqs[] = {
				{ B0, u + u / 2 },
				{ B0 - u - u / 2, u + u / 2 },
				{ B0 - u / 2 - PG, u + PG },
				{ B0 - u + PG, 2 * u - 2 * PG },
				{ 0 - u - u / 2, u + u / 2 },
			};

			if (!u || u > HALF || u <= PG)
				continue;
			for (unsigned int i = 0; i < ARRAY_SIZE(reqs); i++) {
				u64 va = reqs[i].va, last = va + reqs[i].size - 1;
				phys_addr_t pa = pa_like(va, 0);
				struct leaves *l;
				bool biggest = false;

				assert_int_equal(pt_map(va, pa, reqs[i].size, PAGE_KERNEL, 0), 0);
				l = leaves_of(va, last);
				for (unsigned int j = 0; j < l->n; j++) {
					u64 lv = l->v[j].va, ls = level_size(l->v[j].level);
					int ll = l->v[j].level;

					if (arch_pte_cont(l->v[j].pte, ll)) {
						lv = ALIGN_DOWN(lv, cont_span(ll));
						ls = cont_span(ll);
					}
					if (lv < va || lv + ls - 1 > last)
						fail_msg("level %d unit %#lx, [%#lx, %#lx]: leaf at level "
							 "%d [%#lx, +%#lx) reaches outside", level, u,
							 va, last, ll, lv, ls);
					biggest |= ll == level &&
						   (k == 0 || arch_pte_cont(l->v[j].pte, ll));
				}
				/* and where a whole unit fits, it is used */
				if (ALIGN(va, u) + u - 1 <= last && ALIGN(va, u) >= va)
					assert_true(biggest);
				expect_range(va, pa, reqs[i].size, PAGE_KERNEL);
				assert_int_equal(pt_unmap(va, reqs[i].size), 0);
				expect_empty_tree();
				checked++;
			}
		}
	}
	assert_true(checked >= 10);
}

/* ---- contiguous runs ---- */

/** Runs are made where VA, PA, flags and the request allow, and nowhere else. */
static void contiguous_runs_made_exactly_where_allowed(void **state)
{
	for (int level = START; level <= LAST; level++) {
		u64 size = level_size(level), span = cont_span(level);
		unsigned int n = arch_cont_entries(level);

		if (!n || span > HALF / 2)
			continue;
		struct {
			u64 va, size;
			phys_addr_t pa;
			unsigned int flags;
			unsigned int runs;
		} c[] = {
			/* two runs and one entry more: two runs */
			{ B0, 2 * span + size, pa_like(B0, 0), 0, 2 },
			{ B0 - 2 * span - size, 2 * span + size, pa_like(B0 - 2 * span - size, 0), 0, 2 },
			{ B0, 2 * span, pa_like(B0, 0), PGT_NO_CONT, 0 },
			/* the PA an entry off: aligned leaves, but no run */
			{ B0, 2 * span, pa_like(B0, 0) + size, 0, 0 },
			/* the VA and PA an entry off: the first run is cut, one is left */
			{ B0 + size, 2 * span, pa_like(B0 + size, 0), 0, 1 },
			/* at the end of the space */
			{ 0 - span, span, pa_like(0 - span, 0), 0, 1 },
		};

		for (unsigned int i = 0; i < ARRAY_SIZE(c); i++) {
			u64 last = c[i].va + c[i].size - 1;
			struct leaves *l;
			unsigned int cont = 0;

			assert_int_equal(pt_map(c[i].va, c[i].pa, c[i].size, PAGE_KERNEL_ROX,
						c[i].flags), 0);
			l = leaves_of(c[i].va, last);
			for (unsigned int j = 0; j < l->n; j++) {
				if (l->v[j].level != level && l->v[j].level != LAST)
					fail_msg("case %u: a level-%d leaf", i, l->v[j].level);
				cont += l->v[j].level == level && arch_pte_cont(l->v[j].pte, level);
			}
			if (cont != c[i].runs * n)
				fail_msg("level %d case %u: %u entries in runs, expected %u", level, i,
					 cont, c[i].runs * n);
			expect_range(c[i].va, c[i].pa, c[i].size, PAGE_KERNEL_ROX);
			assert_int_equal(pt_unmap(c[i].va, c[i].size), 0);
			expect_empty_tree();
		}
	}
}

/* The entries of the run that holds @va: how many are valid, how many in a run. */
static void run_entries(u64 va, int level, unsigned int *valid, unsigned int *cont)
{
	u64 start = ALIGN_DOWN(va, cont_span(level));

	*valid = *cont = 0;
	for (unsigned int e = 0; e < arch_cont_entries(level); e++) {
		struct pgtable_walk w;

		if (pgtable_walk(&pt, start + e * level_size(level), &w) || w.level != level)
			continue;
		(*valid)++;
		*cont += arch_cont_entries(level) && arch_pte_cont(w.pte, level);
	}
}

/** Unmapping or protecting part of a run rewrites the whole run as single entries (break-before-make), keeping every other mapping. */
static void part_of_a_run_unmapped_or_protected_breaks_it_as_a_unit(void **state)
{
	for (int level = START; level <= LAST; level++) {
		u64 size = level_size(level), span = cont_span(level);
		unsigned int n = arch_cont_entries(level), valid, cont;

		if (!n || span > HALF / 2)
			continue;
		u64 va = B0 + span;
		phys_addr_t pa = pa_like(va, 0);
		unsigned long tlbis;

		/* unmap one entry of the run: the others stay, without the bit */
		assert_int_equal(pt_map(va, pa, span, PAGE_KERNEL, 0), 0);
		run_entries(va, level, &valid, &cont);
		assert_int_equal(valid, n);
		assert_int_equal(cont, n);
		tlbis = fake_stats.tlbi_leaf;
		assert_int_equal(pt_unmap(va + 3 * size, size), 0);
		assert_true(fake_stats.tlbi_leaf - tlbis >= n);	/* every entry invalidated */
		run_entries(va, level, &valid, &cont);
		assert_int_equal(valid, n - 1);
		assert_int_equal(cont, 0);
		expect_range(va, pa, 3 * size, PAGE_KERNEL);
		expect_holes(va + 3 * size, size);
		expect_range(va + 4 * size, pa + 4 * size, span - 4 * size, PAGE_KERNEL);
		assert_int_equal(pt_unmap(va, span), 0);
		expect_empty_tree();

		/* protect one entry (one page of it, for blocks) */
		assert_int_equal(pt_map(va, pa, span, PAGE_KERNEL, 0), 0);
		assert_int_equal(pt_protect(va + size, PG, PAGE_KERNEL_RO), 0);
		run_entries(va, level, &valid, &cont);
		assert_int_equal(cont, 0);
		assert_int_equal(valid, level == LAST ? n : n - 1);	/* a block was split */
		expect_page(va + size, pa + size, PAGE_KERNEL_RO);
		expect_range(va, pa, size, PAGE_KERNEL);
		expect_range(va + size + PG, pa + size + PG, span - size - PG, PAGE_KERNEL);

		/* a whole run protected stays a run, with the new protection */
		assert_int_equal(pt_unmap(va, span), 0);
		assert_int_equal(pt_map(va, pa, 2 * span, PAGE_KERNEL, 0), 0);
		assert_int_equal(pt_protect(va + span, span, PAGE_KERNEL_RO), 0);
		run_entries(va + span, level, &valid, &cont);
		assert_int_equal(cont, n);
		run_entries(va, level, &valid, &cont);
		assert_int_equal(cont, n);
		expect_range(va, pa, span, PAGE_KERNEL);
		expect_range(va + span, pa + span, span, PAGE_KERNEL_RO);

		/* a range from the middle of one run into the next breaks both */
		assert_int_equal(pt_unmap(va + span - size, 2 * size), 0);
		run_entries(va, level, &valid, &cont);
		assert_int_equal(cont, 0);
		run_entries(va + span, level, &valid, &cont);
		assert_int_equal(cont, 0);
		expect_holes(va + span - size, 2 * size);
		expect_range(va, pa, span - size, PAGE_KERNEL);
		expect_range(va + span + size, pa + span + size, span - size, PAGE_KERNEL_RO);
		assert_int_equal(pt_unmap(va, 2 * span), 0);
		expect_empty_tree();
	}
}

/* ---- splitting blocks ---- */

/** A live block is split by unmapping or protecting one page inside it: tables replace it with break-before-make, the rest stays mapped. */
static void splitting_a_live_block_by_partial_unmap_and_protect(void **state)
{
	for (int level = START; level < LAST; level++) {
		u64 size = level_size(level);

		if (!leaf_level(level) || size > HALF / 2)
			continue;
		u64 va = B0 - size;
		phys_addr_t pa = pa_like(va, 0);
		u64 mid = va + size / 2 + 3 * PG;
		unsigned long tlbi_va = fake_stats.tlbi_va;

		/* unmap a page in the middle: one table per level below */
		assert_int_equal(pt_map(va, pa, size, PAGE_KERNEL, PGT_NO_CONT), 0);
		assert_int_equal(fa.a.nr_tables, level - START);
		assert_int_equal(pt_unmap(mid, PG), 0);
		assert_int_equal(fa.a.nr_tables, LAST - START);
		assert_true(fake_stats.tlbi_va - tlbi_va >= (u64)(LAST - level));
		expect_hole(mid);
		expect_range(va, pa, mid - va, PAGE_KERNEL);
		expect_range(mid + PG, pa + (mid + PG - va), va + size - mid - PG, PAGE_KERNEL);
		expect_page(mid - PG, pa + (mid - PG - va), PAGE_KERNEL);
		expect_page(mid + PG, pa + (mid + PG - va), PAGE_KERNEL);
		/* far from the page, the next level's blocks are still blocks */
		if (level + 1 < LAST && leaf_level(level + 1)) {
			struct pgtable_walk w;

			assert_int_equal(pgtable_walk(&pt, va, &w), 0);
			assert_int_equal(w.level, level + 1);
		}
		/* mapping the page again does not fold anything back */
		assert_int_equal(pt_map(mid, pa + (mid - va), PG, PAGE_KERNEL, 0), 0);
		expect_range(va, pa, size, PAGE_KERNEL);
		assert_int_equal(pt_unmap(va, size), 0);
		expect_empty_tree();

		/* protect a page in the middle */
		assert_int_equal(pt_map(va, pa, size, PAGE_KERNEL, PGT_NO_CONT), 0);
		assert_int_equal(pt_protect(mid, PG, PAGE_KERNEL_RO), 0);
		expect_page(mid, pa + (mid - va), PAGE_KERNEL_RO);
		expect_page(mid - PG, pa + (mid - PG - va), PAGE_KERNEL);
		expect_page(mid + PG, pa + (mid + PG - va), PAGE_KERNEL);
		expect_range(va, pa, size, PAGE_KERNEL);	/* samples skip the middle */
		/* protect from inside this block over the next one's start */
		assert_int_equal(pt_map(va + size, pa_like(va + size, 1), size, PAGE_KERNEL, 0), 0);
		assert_int_equal(pt_protect(va + size - 2 * PG, 4 * PG, PAGE_KERNEL_ROX), 0);
		expect_page(va + size - PG, pa + size - PG, PAGE_KERNEL_ROX);
		expect_page(va + size, pa_like(va + size, 1), PAGE_KERNEL_ROX);
		expect_page(va + size + 2 * PG, pa_like(va + size, 1) + 2 * PG, PAGE_KERNEL);
		expect_page(va + size - 3 * PG, pa + size - 3 * PG, PAGE_KERNEL);
		assert_int_equal(pt_unmap(va, 2 * size), 0);
		expect_empty_tree();
	}
}

/** Protecting a range with a hole returns -EFAULT and changes no mapping. */
static void protect_over_a_hole_returns_efault_and_changes_no_mapping(void **state)
{
	u64 blk = level_size(2), va = B0 - blk;
	phys_addr_t pa = pa_like(va, 0), pa2 = pa_like(B0 + PG, 1);
	struct ivals model = { 0 };

	assert_int_equal(pt_map(va, pa, blk, PAGE_KERNEL, 0), 0);
	assert_int_equal(pt_map(B0 + PG, pa2, 4 * PG, PAGE_KERNEL, 0), 0);
	ivals_set(&model, va, va + blk - 1, true, pa, PAGE_KERNEL);
	ivals_set(&model, B0 + PG, B0 + 5 * PG - 1, true, pa2, PAGE_KERNEL);
	/* the hole is the page at B0, after a block that must be split first */
	assert_int_equal(pt_protect(va + blk / 2 + PG, blk / 2 + 2 * PG, PAGE_KERNEL_RO), -EFAULT);
	assert_int_equal(pt_protect(B0 + 5 * PG, PG, PAGE_KERNEL_RO), -EFAULT);
	assert_int_equal(pt_protect(0 - PG, PG, PAGE_KERNEL_RO), -EFAULT);
	expect_region(&model, B0 - 2 * blk, B0 + 2 * blk - 1);
	expect_range(va, pa, blk, PAGE_KERNEL);
	assert_int_equal(pt_unmap(B0 - HALF, 2 * HALF), 0);
	expect_empty_tree();
	ivals_free(&model);
}

/**
 * A live mapping keeps its memory type: protecting Normal memory as Device
 * (or back) returns -EINVAL and changes no mapping, whether the range starts
 * on the mismatched leaf or reaches it after leaves that could change.
 */
static void protect_refuses_a_memory_type_change(void **state)
{
	u64 blk = level_size(2), va = B0 - blk;
	phys_addr_t pa = pa_like(va, 0), pa2 = pa_like(B0, 1);
	struct ivals model = { 0 };

	assert_int_equal(pt_map(va, pa, blk, PAGE_KERNEL, 0), 0);
	assert_int_equal(pt_map(B0, pa2, 4 * PG, PAGE_DEVICE, PGT_NO_BLOCKS), 0);
	ivals_set(&model, va, va + blk - 1, true, pa, PAGE_KERNEL);
	ivals_set(&model, B0, B0 + 4 * PG - 1, true, pa2, PAGE_DEVICE);
	assert_int_equal(pt_protect(va, blk, PAGE_DEVICE), -EINVAL);
	assert_int_equal(pt_protect(va + blk / 2, PG, PAGE_DEVICE), -EINVAL);
	assert_int_equal(pt_protect(B0, 4 * PG, PAGE_KERNEL), -EINVAL);
	/* Normal then Device: the first leaves could change, the Device one cannot. */
	assert_int_equal(pt_protect(B0 - 2 * PG, 4 * PG, PAGE_KERNEL_RO), -EINVAL);
	expect_region(&model, B0 - 2 * blk, B0 + 2 * blk - 1);
	/* Permissions alone still change, within one type. */
	assert_int_equal(pt_protect(B0 + PG, PG, PROT_READ | PROT_DEVICE), 0);
	ivals_protect(&model, B0 + PG, B0 + 2 * PG - 1, PROT_READ | PROT_DEVICE);
	expect_region(&model, B0 - 2 * blk, B0 + 2 * blk - 1);
	assert_int_equal(pt_unmap(B0 - HALF, 2 * HALF), 0);
	expect_empty_tree();
	ivals_free(&model);
}

/* ---- table lifetimes ---- */

/** Unmapping frees every table that became empty, in any order of unmaps, and the counts return exactly to their start. */
static void unmap_frees_empty_tables_and_counts_return_to_start(void **state)
{
	u64 blk = level_size(2);
	struct { u64 va, size; unsigned int flags; } m[] = {
		{ B0 - 3 * PG, 6 * PG, 0 },		/* pages across B0: tables on both sides */
		{ B0 + 4 * blk, 2 * blk, 0 },		/* blocks */
		{ B0 - 8 * blk - PG, blk + 2 * PG, 0 },	/* a block and pages on each side */
		{ 0 - PG, PG, 0 },			/* the last page of the space */
		{ 0 - 3 * blk, 0, PGT_NO_BLOCKS },	/* pages (and runs) where a block would fit */
	};
	unsigned long pool0 = fake_pool_used(), writes;

	m[ARRAY_SIZE(m) - 1].size = 2 * cont_span(LAST) + 2 * PG;
	for (int order = 0; order < 3; order++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(m); i++)
			assert_int_equal(pt_map(m[i].va, pa_like(m[i].va, i % 2), m[i].size,
						PAGE_KERNEL, m[i].flags), 0);
		assert_true(fa.a.nr_tables > 0);
		if (order == 0) {
			for (unsigned int i = 0; i < ARRAY_SIZE(m); i++)
				assert_int_equal(pt_unmap(m[i].va, m[i].size), 0);
		} else if (order == 1) {
			for (unsigned int i = ARRAY_SIZE(m); i-- > 0;) {
				/* in two halves, the second one empties the tables */
				u64 half = ALIGN_DOWN(m[i].size / 2, PG);

				assert_int_equal(pt_unmap(m[i].va + half, m[i].size - half), 0);
				if (half)
					assert_int_equal(pt_unmap(m[i].va, half), 0);
			}
		} else {
			/* whole windows, holes and all */
			assert_int_equal(pt_unmap(windows[0].va, windows[0].size), 0);
			assert_int_equal(pt_unmap(windows[1].va, windows[1].size), 0);
		}
		expect_empty_tree();
		assert_int_equal(fake_pool_used(), pool0);
		for (unsigned int i = 0; i < ARRAY_SIZE(m); i++)
			expect_holes(m[i].va, m[i].size);
	}
	/* unmapping what is not mapped allocates and writes nothing */
	writes = fake_stats.writes;
	assert_int_equal(pt_unmap(B0 - HALF, 2 * HALF), 0);
	assert_int_equal(fake_stats.writes, writes);
	assert_int_equal(fa.calls, fa.frees);
}

/** Tables go back to the allocator they came from, whichever allocator the unmap is given. */
static void unmap_returns_tables_to_the_allocator_they_came_from(void **state)
{
	struct fake_alloc other;
	u64 blk = level_size(2), va = B0 + blk;
	struct pgtable_walk w;

	fake_alloc_init(&other, "other");
	assert_int_equal(pt_map(va, pa_like(va, 0), blk, PAGE_KERNEL, PGT_NO_CONT), 0);
	assert_int_equal(pgtable_walk(&pt, va, &w), 0);
	assert_ptr_equal(pgtable_origin(w.tables[w.level]), &fa.a);
	assert_null(pgtable_origin(pt.root));
	/* the split's table comes from "other" */
	assert_int_equal(pt_unmap_with(va + PG, PG, &other), 0);
	assert_int_equal(other.live, 1);
	assert_int_equal(pgtable_walk(&pt, va, &w), 0);
	assert_ptr_equal(pgtable_origin(w.tables[LAST]), &other.a);
	/* an unmap given "fa" returns the split table to "other" */
	assert_int_equal(pt_unmap_with(va, blk, &fa), 0);
	assert_int_equal(other.live, 0);
	assert_int_equal(other.frees, 1);
	assert_int_equal(other.a.nr_tables, 0);
	expect_empty_tree();
}

/* ---- tables from elsewhere (the fixmap's) ---- */

static int pt_install(u64 va, phys_addr_t table)
{
	int ret;

	snprintf(cur_op, sizeof(cur_op), "install table %#lx for %#lx", table, va);
	fake_op_begin(cur_op);
	ret = pgtable_install_table(&pt, va, LAST, table, &fa.a);
	fake_op_end();
	assert_int_equal(fa.a.nr_tables, fa.live);
	return ret;
}

/* A last-level table for @va from no allocator, mapping its first @n pages. */
static phys_addr_t foreign_table(u64 va, unsigned int n)
{
	phys_addr_t t = fake_phys_foreign_alloc(LAST, va);
	pte_t *e = fake_phys_ptr(t);

	for (unsigned int i = 0; i < n; i++)
		e[i] = arch_pte_mkleaf(FAKE_DATA_BASE + i * PG, LAST, PAGE_KERNEL);
	return t;
}

/** A table page from elsewhere is linked with the tables above it made, is walked and mapped through, and is never given to an allocator. */
static void install_table_links_a_table_from_elsewhere(void **state)
{
	u64 va = 0 - level_size(LAST - 1);	/* where the fixmap's last table is */
	phys_addr_t t = foreign_table(va, 2);
	struct pgtable_walk w;

	assert_int_equal(pt_install(va, t), 0);
	assert_int_equal(fa.a.nr_tables, LAST - 1 - START);
	assert_null(pgtable_origin(t));
	expect_page(va, FAKE_DATA_BASE, PAGE_KERNEL);
	expect_page(va + PG, FAKE_DATA_BASE + PG, PAGE_KERNEL);
	expect_hole(va + 2 * PG);
	assert_int_equal(pt_install(va, t), -EEXIST);
	/* maps and unmaps of other pages go through it */
	assert_int_equal(pt_map(va + 5 * PG, FAKE_DATA_BASE + 5 * PG, 2 * PG, PAGE_KERNEL_RO, 0), 0);
	assert_int_equal(pgtable_walk(&pt, va + 6 * PG, &w), 0);
	assert_true(w.tables[LAST] == t);
	expect_page(va + 6 * PG, FAKE_DATA_BASE + 6 * PG, PAGE_KERNEL_RO);
	assert_int_equal(pt_unmap(va + 5 * PG, 2 * PG), 0);
	expect_page(va, FAKE_DATA_BASE, PAGE_KERNEL);
	/* even empty, it stays linked: no allocator could take it back */
	assert_int_equal(pt_unmap(va, 2 * PG), 0);
	assert_int_equal(pgtable_walk(&pt, va, &w), -EFAULT);
	assert_int_equal(w.level, LAST);
	assert_true(w.tables[LAST] == t);
	assert_int_equal(fa.a.nr_tables, LAST - 1 - START);
}

/** With every Nth allocation failing, installing a table either links it or leaves the tables exactly as before. */
static void install_table_with_a_starved_allocator_leaves_nothing_behind(void **state)
{
	u64 va = 0 - level_size(LAST - 1);
	phys_addr_t t = foreign_table(va, 1);
	struct snapshot snap = { 0 };
	unsigned int nomem = 0;

	for (unsigned int n = 1; n <= 4; n++) {
		int ret;

		snapshot_take(&snap);
		fa.fail_every = n;
		fa.calls = 0;
		ret = pt_install(va, t);
		fa.fail_every = 0;
		if (!ret) {
			expect_page(va, FAKE_DATA_BASE, PAGE_KERNEL);
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		nomem++;
		snapshot_expect(&snap, cur_op);
	}
	assert_true(nomem > 0);
	expect_page(va, FAKE_DATA_BASE, PAGE_KERNEL);
	free(snap.v);
}

/* ---- the starved allocator ---- */

/** With every Nth table allocation failing, a map is either whole or undone exactly; an unmap or protect either happens or maps the same as before. */
static void starved_allocator_leaves_nothing_half_mapped(void **state)
{
	static const unsigned int every[] = { 1, 2, 3, 4, 5, 7, 11 };
	u64 ms = max_span(), blk = level_size(2);
	struct { u64 va, size; phys_addr_t pa; unsigned int flags; } req[] = {
		{ B0 - 5 * PG, 10 * PG, FAKE_DATA_BASE + 3 * PG, 0 },
		{ B0 - ms - 3 * PG, 2 * ms + 5 * PG, pa_like(B0 - ms - 3 * PG, 0), 0 },
		{ B0 - 2 * blk - PG, 4 * blk + 2 * PG, pa_like(B0 - 2 * blk - PG, 1), PGT_NO_CONT },
		{ 0 - blk - 3 * PG, blk + 3 * PG, pa_like(0 - blk - 3 * PG, 0), 0 },
	};
	/* neighbours sharing tables with the requests */
	u64 nva = B0 + ms + 4 * PG, tva = 0 - 2 * blk;
	unsigned int ok = 0, nomem = 0;
	struct snapshot snap = { 0 };
	unsigned long pool0;

	assert_int_equal(pt_map(nva, FAKE_DATA_BASE, PG, PAGE_KERNEL_RO, 0), 0);
	assert_int_equal(pt_map(tva, FAKE_DATA_BASE, PG, PAGE_KERNEL_RO, 0), 0);
	pool0 = fake_pool_used();
	for (unsigned int r = 0; r < ARRAY_SIZE(req); r++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(every); i++) {
			int ret;

			snapshot_take(&snap);
			fa.fail_every = every[i];
			fa.calls = 0;
			ret = pt_map(req[r].va, req[r].pa, req[r].size, PAGE_KERNEL, req[r].flags);
			fa.fail_every = 0;
			if (ret == -ENOMEM) {
				snapshot_expect(&snap, cur_op);
				expect_holes(req[r].va, req[r].size);
				nomem++;
				continue;
			}
			assert_int_equal(ret, 0);
			ok++;
			expect_range(req[r].va, req[r].pa, req[r].size, PAGE_KERNEL);
			assert_int_equal(pt_unmap(req[r].va, req[r].size), 0);
			snapshot_expect(&snap, "unmap after a starved map");
			assert_int_equal(fake_pool_used(), pool0);
		}
	}
	expect_page(nva, FAKE_DATA_BASE, PAGE_KERNEL_RO);
	expect_page(tva, FAKE_DATA_BASE, PAGE_KERNEL_RO);

	/* splitting under starvation: a run of blocks and a block, cut in the middle */
	for (unsigned int i = 0; i < ARRAY_SIZE(every); i++) {
		for (int op = 0; op < 2; op++) {
			u64 va = B0 - ms, cut = va + ms / 2 + PG;
			phys_addr_t pa = pa_like(va, 0);
			struct ivals model = { 0 };
			int ret;

			assert_int_equal(pt_map(va, pa, ms, PAGE_KERNEL, 0), 0);
			ivals_set(&model, va, va + ms - 1, true, pa, PAGE_KERNEL);
			fa.fail_every = every[i];
			fa.calls = 0;
			ret = op ? pt_protect(cut, PG, PAGE_KERNEL_RO) : pt_unmap(cut, PG);
			fa.fail_every = 0;
			if (ret == 0) {
				ok++;
				if (op)
					ivals_protect(&model, cut, cut + PG - 1, PAGE_KERNEL_RO);
				else
					ivals_set(&model, cut, cut + PG - 1, false, 0, 0);
			} else {
				assert_int_equal(ret, -ENOMEM);
				nomem++;
			}
			expect_region(&model, va - ms, va + 2 * ms - 1);
			if (op)
				expect_page(cut, pa + (cut - va), ret ? PAGE_KERNEL : PAGE_KERNEL_RO);
			else if (ret)
				expect_page(cut, pa + (cut - va), PAGE_KERNEL);
			else
				expect_hole(cut);
			expect_page(cut - PG, pa + (cut - PG - va), PAGE_KERNEL);
			expect_page(cut + PG, pa + (cut + PG - va), PAGE_KERNEL);
			assert_int_equal(pt_unmap(va, ms), 0);
			assert_int_equal(fake_pool_used(), pool0);
			ivals_free(&model);
		}
	}
	assert_int_equal(pt_unmap(nva, PG), 0);
	assert_int_equal(pt_unmap(tva, PG), 0);
	expect_empty_tree();
	assert_true(ok > 0 && nomem > 0);
	print_message("starved allocator: %u operations completed, %u refused with -ENOMEM\n",
		      ok, nomem);
	free(snap.v);
}

/* ---- random operations against a model ---- */

static u64 rng;

static u64 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

static u64 scales[8];
static unsigned int nr_scales;

static void add_scale(u64 s)
{
	if (s < PG || s > HALF)
		return;
	for (unsigned int i = 0; i < nr_scales; i++)
		if (scales[i] == s)
			return;
	scales[nr_scales++] = s;
}

/*
 * A length at scale @s: none, a few pages, about one or two @s, or cut at a
 * finer boundary (a finer scale, often a page) so ends fall inside blocks
 * and runs, where they must be split.
 */
static u64 rand_len(u64 s)
{
	u64 t = scales[rnd() % nr_scales];

	if (t >= s)
		t = PG;
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return PG * (1 + rnd() % 3);
	case 2:
		return s;
	case 3:
		return s + PG * (1 + rnd() % 3);
	case 4:
		return s > 3 * t ? s - t * (1 + rnd() % 3) : s;
	case 5:
		return 2 * s;
	case 6:
		return t * rnd_below(s / t + 1);
	default:
		return ALIGN_DOWN(s / 2, PG);
	}
}

/* A range around a boundary of some level (often B0, or the end of the space). */
static void pick_range(const struct fake_window *w, u64 *va, u64 *size)
{
	u64 s = scales[rnd() % nr_scales], p, left, right;

	if (rnd() % 3 == 0)
		p = w == &windows[0] ? HALF : w->size;
	else
		p = ALIGN_DOWN(rnd_below(w->size), s);
	left = min(rand_len(s), p);
	right = min(rand_len(s), w->size - p);
	if (!left && !right) {
		if (p < w->size)
			right = PG;
		else
			left = PG;
	}
	*va = w->va + p - left;
	*size = left + right;
}

static const struct fake_window *window_of(u64 va)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(windows); i++)
		if (va - windows[i].va < windows[i].size)
			return &windows[i];
	return NULL;
}

/*
 * A range inside one mapped piece of @model in @w, around a boundary inside
 * it when there is one (what protect and partial unmaps split); false if
 * @w maps nothing.
 */
static bool pick_inside(const struct ivals *model, const struct fake_window *w, u64 *va,
			u64 *size)
{
	u64 s = scales[rnd() % nr_scales], p, left, right;
	unsigned long n = 0, k;
	const struct ival *iv = NULL;

	for (unsigned long i = 0; i < model->n; i++)
		n += window_of(model->v[i].first) == w;
	if (!n)
		return false;
	k = rnd_below(n);
	for (unsigned long i = 0; i < model->n; i++)
		if (window_of(model->v[i].first) == w && !k--)
			iv = &model->v[i];
	p = iv->first + PG * rnd_below((iv->last - iv->first) / PG + 1);
	if (ALIGN(p, s) - 1 <= iv->last && ALIGN(p, s) > iv->first)
		p = ALIGN(p, s);
	left = min(rand_len(s), p - iv->first);
	right = min(rand_len(s), iv->last + 1 - p);
	if (!left && !right) {
		if (p <= iv->last)
			right = PG;
		else
			left = PG;
	}
	*va = p - left;
	*size = left + right;
	return true;
}

#define RANDOM_MAX_PAGES	2048	/* cap for requests that can only use pages */

/*
 * A PA for mapping [va, va + *size): mostly congruent to the VA modulo the
 * largest span (blocks and runs possible), else modulo a smaller scale or
 * just a page. Requests that can only be mapped with pages are kept small.
 */
static phys_addr_t pick_pa(u64 va, u64 *size, unsigned int flags)
{
	u64 a = rnd() % 4 ? max_span() : scales[rnd() % nr_scales];
	u64 lo = ALIGN(FAKE_DATA_BASE, a), off = va & (a - 1);

	if ((flags & PGT_NO_BLOCKS) || a < level_size(2))
		*size = min(*size, RANDOM_MAX_PAGES * PG);
	if (a > PG && lo + off + *size <= FAKE_PHYS_END)
		return lo + off + a * rnd_below((FAKE_PHYS_END - lo - off - *size) / a + 1);
	*size = min(*size, RANDOM_MAX_PAGES * PG);
	return FAKE_DATA_BASE + PG * rnd_below((FAKE_PHYS_END - FAKE_DATA_BASE - *size) / PG + 1);
}

/* Last-level entries a map writes: the pages outside whole blocks. */
static u64 page_entries(u64 va, u64 size, phys_addr_t pa, unsigned int flags)
{
	u64 blk = level_size(2), head, tail;

	if ((flags & PGT_NO_BLOCKS) || ((va ^ pa) & (blk - 1)))
		return size / PG;
	head = min((0 - va) & (blk - 1), size);
	tail = size > head ? (va + size) & (blk - 1) : 0;
	return (head + tail) / PG;
}

static const pgprot_t prots[] = { PAGE_KERNEL, PAGE_KERNEL_RO, PAGE_KERNEL_ROX,
				  PAGE_KERNEL_EXEC, PAGE_DEVICE };

/* @va as the model says: the page it maps, or a hole. */
static void expect_model(const struct ivals *model, u64 va)
{
	phys_addr_t pa;
	pgprot_t prot;

	if (!window_of(va))
		return;
	if (ivals_lookup(model, va, &pa, &prot))
		expect_page(va, pa, prot);
	else
		expect_hole(va);
}

/* Pieces of the model that match a host mapping: R or RW from the memfd. */
static void host_ivals(const struct ivals *model, struct ivals *out)
{
	for (unsigned long i = 0; i < model->n; i++)
		ivals_add(out, model->v[i].first, model->v[i].last, model->v[i].pa,
			  model->v[i].prot & PROT_WRITE ? 3 : 1);
}

/* Every page of both windows, as the host maps it (/proc/self/maps), is what the model says. */
static void expect_host_maps(const struct ivals *model)
{
	struct ivals got = { 0 }, want = { 0 };
	char line[512];

	(void)fake_host_ptr(B0);	/* flushes pending host changes */
	/* window by window, so the pieces come in VA order */
	for (unsigned int i = 0; i < ARRAY_SIZE(windows); i++) {
		u8 *h = windows[i].host;
		FILE *f = fopen("/proc/self/maps", "r");

		assert_non_null(f);
		while (fgets(line, sizeof(line), f)) {
			unsigned long start, end, off;
			char perms[8];
			u8 *lo, *hi;
			int n = 0;

			if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &start, &end, perms, &off,
				   &n) < 4)
				continue;
			/* clip: the host may merge a mapping with its neighbour outside */
			lo = max((u8 *)start, h);
			hi = min((u8 *)end, h + windows[i].size);
			if (lo >= hi || !strcmp(perms, "---p"))
				continue;
			if (!strstr(line + n, "fake_phys"))
				fail_msg("host map in window %s: %s", windows[i].name, line);
			ivals_add(&got, windows[i].va + (lo - h), windows[i].va + (hi - h) - 1,
				  FAKE_PHYS_BASE + off + (lo - (u8 *)start), perms[1] == 'w' ? 3 : 1);
		}
		fclose(f);
	}
	host_ivals(model, &want);
	ivals_expect_equal(&got, &want, "host mappings");
	ivals_free(&got);
	ivals_free(&want);
}

static void full_check(const struct ivals *model)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(windows); i++)
		expect_region(model, windows[i].va, windows[i].va + windows[i].size - 1);
	fake_check_tree();
	for (unsigned long i = 0; i < model->n; i++) {
		const struct ival *iv = &model->v[i];

		expect_page(iv->first, iv->pa, iv->prot);
		expect_page(iv->last + 1 - PG, iv->pa + (iv->last + 1 - PG - iv->first), iv->prot);
	}
}

static unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

/** 10^4 random map/unmap/protect operations around every level's boundary and the end of the space keep the tables equal to a model. */
static void random_operations_match_a_model(void **state)
{
	unsigned long nr_ops = env_ulong("HOTMM_PGTABLE_OPS", 10000);
	u64 seed = env_ulong("HOTMM_PGTABLE_SEED", 0);
	struct ivals model = { 0 };
	unsigned long count[3][3] = { { 0 } };	/* op x (ok, refused, other) */

	if (!seed)
		seed = ((u64)time(NULL) << 20) ^ ((u64)getpid() << 1) ^ 0x9e37;
	print_message("pgtable random: %lu operations, HOTMM_PGTABLE_SEED=%#lx\n", nr_ops, seed);
	rng = seed;
	nr_scales = 0;
	add_scale(PG);
	for (int l = START; l <= LAST; l++) {
		if (leaf_level(l))
			add_scale(level_size(l));
		if (arch_cont_entries(l))
			add_scale(cont_span(l));
	}
	for (unsigned long op = 0; op < nr_ops; op++) {
		const struct fake_window *w = &windows[rnd() % 2];
		unsigned int kind = rnd() % 100 < 45 ? 0 : rnd() % 100 < 55 ? 1 : 2;
		u64 va, size, last;
		int ret, want;

		if (kind == 0 || rnd() % 2 || !pick_inside(&model, w, &va, &size))
			pick_range(w, &va, &size);
		if (kind == 0) {
			unsigned int flags, tries = 0;
			pgprot_t prot = prots[rnd() % ARRAY_SIZE(prots)];
			phys_addr_t pa;

			/* mostly avoid maps of thousands of pages (64K: 8192 a block) */
			for (;;) {
				flags = rnd() % 100;
				flags = flags < 60 ? 0 : flags < 75 ? PGT_NO_CONT :
					flags < 90 ? PGT_NO_BLOCKS : PGT_NO_BLOCKS | PGT_NO_CONT;
				pa = pick_pa(va, &size, flags);
				if (page_entries(va, size, pa, flags) <= RANDOM_MAX_PAGES ||
				    ++tries == 4 || !(rnd() % 4))
					break;
				pick_range(w, &va, &size);
			}
			last = va + size - 1;
			want = ivals_covered(&model, va, last) ? -EEXIST : 0;
			ret = pt_map(va, pa, size, prot, flags);
			if (ret != want)
				fail_msg("op %lu: %s returned %d, expected %d", op, cur_op, ret, want);
			if (!ret)
				ivals_set(&model, va, last, true, pa, prot);
		} else if (kind == 1) {
			last = va + size - 1;
			want = 0;
			ret = pt_unmap(va, size);
			if (ret != want)
				fail_msg("op %lu: %s returned %d", op, cur_op, ret);
			ivals_set(&model, va, last, false, 0, 0);
		} else {
			pgprot_t prot = prots[rnd() % ARRAY_SIZE(prots)];

			last = va + size - 1;
			want = ivals_protect_result(&model, va, last, prot);
			ret = pt_protect(va, size, prot);
			if (ret != want)
				fail_msg("op %lu: %s returned %d, expected %d", op, cur_op, ret, want);
			if (!ret)
				ivals_protect(&model, va, last, prot);
		}
		count[kind][ret == 0 ? 0 : ret == want ? 1 : 2]++;

		/*
		 * Around the range: the walk, and pages at its edges. (Further
		 * out, splits change no mapping: full_check() looks there.)
		 */
		{
			u64 nb = cont_span(LAST);
			u64 f = max(ALIGN_DOWN(va, nb), w->va);
			u64 l = min(ALIGN_DOWN(last, nb) + nb - 1, w->va + w->size - 1);

			expect_region(&model, f, l);
			expect_model(&model, va);
			expect_model(&model, last + 1 - PG);
			expect_model(&model, va - PG);
			expect_model(&model, last + 1);
			expect_model(&model, va + PG * rnd_below(size / PG));
		}
		if (op % 1000 == 999) {
			full_check(&model);
			expect_host_maps(&model);
			fake_phys_release_data();
		}
	}
	full_check(&model);
	expect_host_maps(&model);
	print_message("pgtable random: map %lu ok %lu -EEXIST, unmap %lu, protect %lu ok "
		      "%lu -EFAULT or -EINVAL; %lu tables live; %lu descriptor writes, %lu TLBIs\n",
		      count[0][0], count[0][1], count[1][0], count[2][0], count[2][1],
		      fa.a.nr_tables, fake_stats.writes, fake_stats.tlbi_leaf + fake_stats.tlbi_va);
	for (unsigned int i = 0; i < ARRAY_SIZE(windows); i++)
		assert_int_equal(pt_unmap(windows[i].va, windows[i].size), 0);
	expect_empty_tree();
	assert_true(count[0][0] && count[0][1] && count[1][0] && count[2][0] && count[2][1]);
	fake_phys_release_data();
	ivals_free(&model);
}

/* ---- the checker itself ---- */

/*
 * A hand-built path of tables down to the last level for B0, written
 * correctly; the scenarios then break one rule each.
 */
static phys_addr_t path[4];

static pte_t *slot_entry(phys_addr_t table, int level, u64 va)
{
	return (pte_t *)fixmap_set(FIX_PTE_L0 + level, table, PAGE_KERNEL) + level_index(va, level);
}

static void build_path(void)
{
	path[START] = pt.root;
	fake_op_begin("build a path");
	for (int l = START; l < LAST; l++) {
		path[l + 1] = fa.a.alloc(&fa.a, l + 1, B0);
		memset(fake_phys_ptr(path[l + 1]), 0, PAGE_SIZE);
		arch_set_pte(slot_entry(path[l], l, B0), arch_pte_mktable(path[l + 1], l));
	}
	arch_dsb_ishst();
	arch_isb();
	fake_op_end();
}

static void leaf(u64 va, phys_addr_t pa, pgprot_t prot)
{
	arch_set_pte(slot_entry(path[LAST], LAST, va), arch_pte_mkleaf(pa, LAST, prot));
}

static void clear_leaf(u64 va)
{
	arch_set_pte(slot_entry(path[LAST], LAST, va), 0);
}

static void sc_correct_sequences(void)
{
	/* map, permission change, break-before-make replacement, unmap */
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL_RO);
	arch_dsb_ishst();
	arch_tlbi_leaf(B0);
	arch_dsb_ish();
	clear_leaf(B0);
	arch_dsb_ishst();
	arch_tlbi_leaf(B0);
	arch_dsb_ish();
	leaf(B0, FAKE_DATA_BASE + PG, PAGE_KERNEL);
	arch_dsb_ishst();
	arch_isb();
}

static void sc_valid_to_valid(void)
{
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
	leaf(B0, FAKE_DATA_BASE + PG, PAGE_KERNEL);
}

/* Normal memory turned Device in place: a type change, not a permission one. */
static void sc_memory_type_in_place(void)
{
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
	leaf(B0, FAKE_DATA_BASE, PAGE_DEVICE);
}

static void sc_no_tlbi_before_make(void)
{
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
	clear_leaf(B0);
	arch_dsb_ishst();
	leaf(B0, FAKE_DATA_BASE + PG, PAGE_KERNEL);
}

static void sc_no_dsb_ish_before_make(void)
{
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
	clear_leaf(B0);
	arch_dsb_ishst();
	arch_tlbi_leaf(B0);
	leaf(B0, FAKE_DATA_BASE + PG, PAGE_KERNEL);
}

static void sc_tlbi_before_dsb(void)
{
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
	clear_leaf(B0);
	arch_tlbi_leaf(B0);
}

static void sc_tlbi_other_va(void)
{
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
	clear_leaf(B0);
	arch_dsb_ishst();
	arch_tlbi_leaf(B0 + PG);
	arch_dsb_ish();
	arch_isb();
}

static void sc_block_to_table_with_leaf_tlbi(void)
{
	int l = LAST - 1;
	phys_addr_t pa = ALIGN(FAKE_DATA_BASE, level_size(l));
	phys_addr_t t = fa.a.alloc(&fa.a, LAST, B0 + level_size(l));
	pte_t *e = slot_entry(path[l], l, B0 + level_size(l));

	arch_set_pte(e, arch_pte_mkleaf(pa, l, PAGE_KERNEL));
	arch_dsb_ishst();
	arch_set_pte(e, 0);
	arch_dsb_ishst();
	arch_tlbi_leaf(B0 + level_size(l));
	arch_dsb_ish();
	memset(fake_phys_ptr(t), 0, PAGE_SIZE);
	arch_set_pte(e, arch_pte_mktable(t, l));
}

static void sc_unmap_without_tlbi(void)
{
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
	clear_leaf(B0);
	arch_dsb_ishst();
	arch_isb();
}

static void sc_no_isb(void)
{
	leaf(B0, FAKE_DATA_BASE, PAGE_KERNEL);
	arch_dsb_ishst();
}

static void sc_run_mixed(void)
{
	for (unsigned int i = 0; i < arch_cont_entries(LAST); i++)
		arch_set_pte(slot_entry(path[LAST], LAST, B0 + i * PG),
			     arch_pte_mkcont(arch_pte_mkleaf(FAKE_DATA_BASE + i * PG, LAST,
							     i == 2 ? PAGE_KERNEL_RO : PAGE_KERNEL),
					     LAST));
}

static void sc_run_partial(void)
{
	for (unsigned int i = 0; i + 1 < arch_cont_entries(LAST); i++)
		arch_set_pte(slot_entry(path[LAST], LAST, B0 + i * PG),
			     arch_pte_mkcont(arch_pte_mkleaf(FAKE_DATA_BASE + i * PG, LAST,
							     PAGE_KERNEL), LAST));
	arch_dsb_ishst();
	arch_isb();
}

static void sc_run_protect_piecewise(void)
{
	unsigned int n = arch_cont_entries(LAST);

	for (unsigned int i = 0; i < n; i++)
		arch_set_pte(slot_entry(path[LAST], LAST, B0 + i * PG),
			     arch_pte_mkcont(arch_pte_mkleaf(FAKE_DATA_BASE + i * PG, LAST,
							     PAGE_KERNEL), LAST));
	arch_dsb_ishst();
	for (unsigned int i = 0; i < n; i++) {
		pte_t *e = slot_entry(path[LAST], LAST, B0 + i * PG);

		arch_set_pte(e, arch_pte_modify_prot(*e, LAST, PAGE_KERNEL_RO));
	}
}

static void sc_free_linked_table(void)
{
	fa.a.free(&fa.a, path[LAST], LAST);
}

static void sc_free_before_tlbi(void)
{
	arch_set_pte(slot_entry(path[LAST - 1], LAST - 1, B0), 0);
	arch_dsb_ishst();
	fa.a.free(&fa.a, path[LAST], LAST);
}

static void sc_double_free(void)
{
	arch_set_pte(slot_entry(path[LAST - 1], LAST - 1, B0), 0);
	arch_dsb_ishst();
	arch_tlbi_va(B0);
	arch_dsb_ish();
	fa.a.free(&fa.a, path[LAST], LAST);
	fa.a.free(&fa.a, path[LAST], LAST);
}

static void sc_level_mixup(void)
{
	(void)arch_pte_type(arch_pte_mktable(path[LAST], LAST - 1), LAST);
}

static void sc_stale_slot(void)
{
	pte_t *e = slot_entry(path[LAST], LAST, B0);
	phys_addr_t other = fa.a.alloc(&fa.a, LAST, B0 + level_size(LAST - 1));

	(void)fixmap_set(FIX_PTE_L0 + LAST, other, PAGE_KERNEL);
	arch_set_pte(e, arch_pte_mkleaf(FAKE_DATA_BASE, LAST, PAGE_KERNEL));
}

static void sc_leaf_outside_data(void)
{
	leaf(B0, FAKE_PHYS_BASE, PAGE_KERNEL);	/* a table page of the pool */
}

struct scenario {
	const char *name;
	void (*fn)(void);
	const char *expect;		/* NULL: must pass */
};

/* Run @s on a fresh tree; return what the checker said, or NULL. */
static const char *run_scenario(const struct scenario *s)
{
	jmp_buf env;

	setup(NULL);
	build_path();
	fake_catch = &env;
	if (setjmp(env))
		return fake_fail_msg;
	fake_op_begin(s->name);
	s->fn();
	fake_op_end();
	fake_catch = NULL;
	return NULL;
}

/** The checker fails each broken sequence (and passes the correct one), so its silence on mm/pgtable.c means something. */
static void checker_catches_each_broken_rule(void **state)
{
	static const struct scenario sc[] = {
		{ "correct sequences", sc_correct_sequences, NULL },
		{ "valid to valid", sc_valid_to_valid, "without being invalidated" },
		{ "memory type changed in place", sc_memory_type_in_place, "without being invalidated" },
		{ "no TLBI before make", sc_no_tlbi_before_make, "not invalidated by a TLBI" },
		{ "no DSB ISH before make", sc_no_dsb_ish_before_make, "no DSB ISH waited" },
		{ "TLBI before DSB", sc_tlbi_before_dsb, "before a DSB" },
		{ "TLBI of another VA", sc_tlbi_other_va, "not invalidated by a TLBI" },
		{ "block to table, VALE1IS", sc_block_to_table_with_leaf_tlbi, "VAE1IS" },
		{ "unmap without TLBI", sc_unmap_without_tlbi, "not invalidated by a TLBI" },
		{ "no ISB", sc_no_isb, "no ISB" },
		{ "run with mixed attributes", sc_run_mixed, "differs" },
		{ "run left partial", sc_run_partial, "at the end of" },
		{ "run protected entry by entry", sc_run_protect_piecewise, "differs" },
		{ "free of a linked table", sc_free_linked_table, "still links it" },
		{ "free before TLBI", sc_free_before_tlbi, "walk caches" },
		{ "double free", sc_double_free, "double free" },
		{ "level mix-up", sc_level_mixup, "level" },
		{ "stale fixmap slot", sc_stale_slot, "stale pointer" },
		{ "leaf over a table page", sc_leaf_outside_data, "not data memory" },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(sc); i++) {
		const char *msg = run_scenario(&sc[i]);

		if (sc[i].expect && !msg)
			fail_msg("scenario '%s' was not caught", sc[i].name);
		if (msg && (!sc[i].expect || !strstr(msg, sc[i].expect)))
			fail_msg("scenario '%s': the checker said: %s", sc[i].name, msg);
	}
}

/** A leaf's host mapping follows its descriptor: reads work while mapped and fault after the unmap. */
static void stale_mapping_faults_after_unmap(void **state)
{
	u64 va = B0 + 5 * PG, v;
	u64 *host;

	assert_int_equal(pt_map(va, FAKE_DATA_BASE, PG, PAGE_KERNEL, 0), 0);
	host = fake_host_ptr(va);
	*(u64 *)fake_phys_ptr(FAKE_DATA_BASE) = 0x1234;
	assert_int_equal(fake_probe_read(host, &v), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(pt_protect(va, PG, PAGE_KERNEL_RO), 0);
	assert_int_equal(fake_probe_write(host, 1), -EFAULT);
	assert_int_equal(pt_unmap(va, PG), 0);
	assert_int_equal(fake_probe_read(host, &v), -EFAULT);
	expect_empty_tree();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(map_action_decides_by_the_rule_at_every_level),
		T(checker_catches_each_broken_rule),
		T(stale_mapping_faults_after_unmap),
		T(map_then_walk_finds_each_leaf_at_its_level),
		T(map_across_every_level_boundary_walks_page_by_page),
		T(bad_requests_return_einval_and_write_nothing),
		T(map_onto_mapped_va_returns_eexist_and_changes_nothing),
		T(blocks_never_extend_past_the_request),
		T(contiguous_runs_made_exactly_where_allowed),
		T(part_of_a_run_unmapped_or_protected_breaks_it_as_a_unit),
		T(splitting_a_live_block_by_partial_unmap_and_protect),
		T(protect_over_a_hole_returns_efault_and_changes_no_mapping),
		T(protect_refuses_a_memory_type_change),
		T(unmap_frees_empty_tables_and_counts_return_to_start),
		T(unmap_returns_tables_to_the_allocator_they_came_from),
		T(starved_allocator_leaves_nothing_half_mapped),
		T(install_table_links_a_table_from_elsewhere),
		T(install_table_with_a_starved_allocator_leaves_nothing_behind),
		T(random_operations_match_a_model),
	};

	return cmocka_run_group_tests_name("pgtable (" PAGE_SIZE_NAME ")", tests, group_setup,
					   NULL);
}
