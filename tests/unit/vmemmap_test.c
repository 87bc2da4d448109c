// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of mm/vmemmap.c (vmemmap_populate(), vmemmap_populate_basepages(),
 * vmemmap_alloc_block_buf(), vmemmap_free(), vmemmap_describe()), linked with
 * the real mm/pgtable.c and mm/fault_inject.c over the fake arch (every
 * descriptor write checked for break-before-make, every live leaf shown at a
 * host address) and fake/fake_vmemmap_ram.c (memblock, a buddy allocator
 * and the kernel globals, recording every allocation).
 *
 * The vmemmap is where layout.h puts it; one fake window shows the memmap
 * of [memstart, 1 TiB) (MAX_PHYSMEM_BITS), at least 8 blocks of it:
 *
 *   VMEMMAP_START = struct page of memstart_addr (section S0)
 *   |<- block ->|<- block ->| ...                      (4K 2M, 16K 32M, 64K 512M)
 *   runs of CONT (4K 64K, 16K 2M, 64K 2M), base pages
 *
 * Every number asserted is exact: leaves of each kind, allocations and
 * pages of each allocator, table pages (against a model of which tables a
 * set of leaves needs), altmap alloc/align (against a model of Linux's
 * altmap_alloc_block_buf()) and each leaf's physical address.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake/fake_arch.h"
#include "fake/fake_phys.h"
#include "fake/fake_vmemmap_ram.h"
#include <lib/bitmap.h>
#include <lib/errno.h>
#include <mm/fault_inject.h>
#include <mm/pgtable.h>
#include <mm/vmemmap.h>

#define START		PGTABLE_START_LEVEL
#define LAST		PGTABLE_LAST_LEVEL
#define PG		((u64)PAGE_SIZE)
#define SP		((u64)sizeof(struct page))
#define SECMM		(PAGES_PER_SECTION * SP)	/* memmap bytes of a section */

static struct fake_window win;
static u64 BLOCK, CONT;			/* vmemmap_block_bytes(), vmemmap_cont_bytes() */
static unsigned int CE;			/* entries in a run at the last level */
static unsigned long memstart_pfn, S0;	/* S0: the section of memstart_addr */

static u64 pfn_va(unsigned long pfn)
{
	return VMEMMAP_START + (pfn - memstart_pfn) * SP;
}

static u64 sec_va(unsigned long nr)
{
	return pfn_va(section_nr_to_pfn(nr));
}

/* ---- what is mapped: the leaves of the whole window ---- */

struct leaf {
	u64 va, size;		/* a contiguous run is one leaf of CONT bytes */
	phys_addr_t pa;
	int level;
	bool cont;
};

struct census {
	struct leaf *v;
	unsigned long n, cap;
	unsigned long blocks, runs, cont_entries, base;
	u64 bytes;
};

static struct census cs;

static void push_leaf(struct census *c, u64 va, u64 size, phys_addr_t pa, int level, bool cont)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		assert_non_null(c->v);
	}
	c->v[c->n++] = (struct leaf){ va, size, pa, level, cont };
	c->bytes += size;
}

static void census_fn(void *arg, u64 va, int level, pte_t pte)
{
	struct census *c = arg;
	enum pte_type t = arch_pte_type(pte, level);
	phys_addr_t pa;

	if (t == PTE_INVALID)
		return;
	pa = arch_pte_addr(pte, level);
	assert_int_equal(arch_pte_prot(pte, level), PAGE_KERNEL);
	if (t == PTE_BLOCK) {
		/* the only blocks are level-2 ones, never in runs */
		assert_int_equal(level, LAST - 1);
		assert_false(arch_pte_cont(pte, level));
		push_leaf(c, va, level_size(level), pa, level, false);
		c->blocks++;
	} else if (arch_pte_cont(pte, level)) {
		u64 run = ALIGN_DOWN(va, CONT);

		c->cont_entries++;
		if (va == run) {
			push_leaf(c, va, CONT, pa, level, true);
			c->runs++;
		} else {
			const struct leaf *l = &c->v[c->n - 1];

			assert_true(c->n && l->cont && l->va == run);
			assert_int_equal(pa, l->pa + (va - run));
		}
	} else {
		push_leaf(c, va, PG, pa, level, false);
		c->base++;
	}
}

static void take_census(void)
{
	cs.n = cs.blocks = cs.runs = cs.cont_entries = cs.base = cs.bytes = 0;
	pgtable_for_each_leaf(&swapper_pg, win.va, win.va + win.size - 1, census_fn, &cs);
}

struct counts {
	unsigned long blocks, runs, base, n;
	u64 bytes;
};

/* Leaves that start in [a, b). */
static struct counts count_in(u64 a, u64 b)
{
	struct counts k = { 0 };

	for (unsigned long i = 0; i < cs.n; i++) {
		const struct leaf *l = &cs.v[i];

		if (l->va < a || l->va >= b)
			continue;
		k.n++;
		k.bytes += l->size;
		if (l->cont)
			k.runs++;
		else if (l->level < LAST)
			k.blocks++;
		else
			k.base++;
	}
	return k;
}

static void assert_counts(u64 a, u64 b, unsigned long blocks, unsigned long runs,
			  unsigned long base)
{
	struct counts k = count_in(a, b);

	if (k.blocks != blocks || k.runs != runs || k.base != base)
		fail_msg("[%#lx, %#lx): %lu blocks, %lu runs, %lu base pages; want %lu, %lu, %lu",
			 a, b, k.blocks, k.runs, k.base, blocks, runs, base);
}

/* Table pages a set of leaves needs: one per distinct span at each level. */
static unsigned long model_tables(void)
{
	u64 last[4];
	bool seen[4] = { false };
	unsigned long n = 0;

	for (unsigned long i = 0; i < cs.n; i++) {
		const struct leaf *l = &cs.v[i];

		for (int lv = START + 1; lv <= l->level; lv++) {
			u64 base = ALIGN_DOWN(l->va, level_size(lv - 1));

			if (!seen[lv] || last[lv] != base) {
				seen[lv] = true;
				last[lv] = base;
				n++;
			}
		}
	}
	return n;
}

/*
 * Every leaf lies in [a, b) (when a < b) and is exactly one allocation of
 * @kind (no altmap), or lies in the altmap's [base + reserve, + free)
 * naturally aligned. Reads and writes a sample through the host mapping.
 */
static void check_backing(u64 a, u64 b, enum fake_ram_kind kind, const struct vmem_altmap *alt)
{
	unsigned long step = cs.n / 24 + 1;

	for (unsigned long i = 0; i < cs.n; i++) {
		const struct leaf *l = &cs.v[i];
		phys_addr_t start;
		u64 size;
		int nid;
		bool table;

		if (a < b && (l->va < a || l->va + l->size > b))
			fail_msg("leaf [%#lx, +%#lx) outside [%#lx, %#lx)", l->va, l->size, a, b);
		if (!IS_ALIGNED(l->pa, l->size))
			fail_msg("leaf %#lx: backing %#lx not aligned to %#lx", l->va, l->pa, l->size);
		if (alt && kind == FR_CARVED) {
			phys_addr_t lo = (alt->base_pfn + alt->reserve) << PAGE_SHIFT;
			phys_addr_t hi = (alt->base_pfn + alt->reserve + alt->free) << PAGE_SHIFT;

			if (l->pa < lo || l->pa + l->size > hi)
				fail_msg("leaf %#lx: backing %#lx outside the altmap's [%#lx, %#lx)",
					 l->va, l->pa, lo, hi);
		} else if (fake_ram_owner(l->pa, &start, &size, &nid, &table) != kind ||
			   start != l->pa || size != l->size || table) {
			fail_msg("leaf [%#lx, +%#lx): backing %#lx is not one allocation of kind %d",
				 l->va, l->size, l->pa, kind);
		}
		if (i % step == 0 || i == cs.n - 1) {
			u64 *h = fake_host_ptr(l->va + l->size - 8);

			*h = l->va ^ 0x5a5a5a5a5a5a5a5aULL;
			assert_int_equal(*(u64 *)fake_phys_ptr(l->pa + l->size - 8),
					 l->va ^ 0x5a5a5a5a5a5a5a5aULL);
		}
	}
}

/* Nothing maps any page of [a, b): the host faults there too. */
static void assert_unmapped(u64 a, u64 b)
{
	u64 v;

	if (a >= b)
		return;
	take_census();
	for (unsigned long i = 0; i < cs.n; i++)
		if (cs.v[i].va < b && cs.v[i].va + cs.v[i].size > a)
			fail_msg("[%#lx, +%#lx) is still mapped", cs.v[i].va, cs.v[i].size);
	assert_int_equal(fake_probe_read(fake_host_ptr(ALIGN_DOWN(a, PG)), &v), -EFAULT);
	assert_int_equal(fake_probe_read(fake_host_ptr(ALIGN(b, PG) - PG), &v), -EFAULT);
}

/* ---- what is allocated ---- */

struct snap {
	const struct vmem_altmap *alt;
	unsigned long nr_tables, fa_live, pool_used;
	unsigned long buddy_live, buddy_pages, memblock_live, memblock_pages;
	unsigned long leaves, alt_alloc;
};

static struct snap snap(const struct vmem_altmap *alt)
{
	take_census();
	return (struct snap){
		.alt = alt, .nr_tables = vmemmap_pgtable_alloc.nr_tables, .fa_live = fake_vmemmap_tables.live,
		.pool_used = fake_pool_used(),
		.buddy_live = fake_ram.buddy_live, .buddy_pages = fake_ram.buddy_pages,
		.memblock_live = fake_ram.memblock_live, .memblock_pages = fake_ram.memblock_pages,
		.leaves = cs.n, .alt_alloc = alt ? alt->alloc : 0,
	};
}

/* Everything is as it was at @a. */
static void assert_back(const struct snap *a, const char *what)
{
	struct snap now = snap(a->alt), *b = &now;

	if (memcmp(a, b, sizeof(*a)))
		fail_msg("%s: not back to the start: tables %lu/%lu (fake %lu/%lu, pool %lu/%lu), "
			 "buddy %lu/%lu (%lu/%lu pages), memblock %lu/%lu (%lu/%lu pages), "
			 "leaves %lu/%lu, altmap alloc %lu/%lu", what,
			 b->nr_tables, a->nr_tables, b->fa_live, a->fa_live, b->pool_used,
			 a->pool_used, b->buddy_live, a->buddy_live, b->buddy_pages, a->buddy_pages,
			 b->memblock_live, a->memblock_live, b->memblock_pages, a->memblock_pages,
			 b->leaves, a->leaves, b->alt_alloc, a->alt_alloc);
}

static void check_tables(void)
{
	fake_check_tree();
	assert_int_equal(vmemmap_pgtable_alloc.nr_tables, fake_vmemmap_tables.live);
	assert_int_equal(fake_ram.table_pages, fake_vmemmap_tables.live);
	take_census();
	assert_int_equal(vmemmap_pgtable_alloc.nr_tables, model_tables());
}

/* ---- operations, each one checked by the fake arch at its end ---- */

static char opname[256];

static int populate(u64 start, u64 end, int node, struct vmem_altmap *alt)
{
	int ret;

	snprintf(opname, sizeof(opname), "vmemmap_populate [%#lx, %#lx) node %d%s", start, end,
		 node, alt ? " altmap" : "");
	fake_op_begin(opname);
	ret = vmemmap_populate(start, end, node, alt);
	fake_op_end();
	check_tables();
	return ret;
}

static int populate_basepages(u64 start, u64 end, int node, struct vmem_altmap *alt)
{
	int ret;

	snprintf(opname, sizeof(opname), "vmemmap_populate_basepages [%#lx, %#lx)", start, end);
	fake_op_begin(opname);
	ret = vmemmap_populate_basepages(start, end, node, alt);
	fake_op_end();
	check_tables();
	return ret;
}

static void vfree(u64 start, u64 end, struct vmem_altmap *alt)
{
	snprintf(opname, sizeof(opname), "vmemmap_free [%#lx, %#lx)%s", start, end,
		 alt ? " altmap" : "");
	fake_op_begin(opname);
	vmemmap_free(start, end, alt);
	fake_op_end();
	check_tables();
}

static void describe(unsigned long nr, struct vmemmap_section_desc *d, struct vmemmap_cursor *c)
{
	fake_ram_va_view();
	vmemmap_describe(nr, d, c);
	fake_ram_host_view();
}

/* ---- Linux's altmap_alloc_block_buf(), as a model ---- */

struct alt_model {
	unsigned long next, alloc, align;
};

static phys_addr_t model_alt(struct alt_model *m, u64 size)
{
	unsigned long k = size >> PAGE_SHIFT, pad = ALIGN(m->next, k & -k) - m->next;
	phys_addr_t pa = (phys_addr_t)(m->next + pad) << PAGE_SHIFT;

	m->next += pad + k;
	m->alloc += k;
	m->align += pad;
	return pa;
}

/* The leaves, in VA order, are the altmap's allocations in order: check each address. */
static struct alt_model check_altmap_order(const struct vmem_altmap *alt)
{
	struct alt_model m = { .next = alt->base_pfn + alt->reserve };

	take_census();
	for (unsigned long i = 0; i < cs.n; i++) {
		phys_addr_t want = model_alt(&m, cs.v[i].size);

		if (cs.v[i].pa != want)
			fail_msg("leaf %lu (%#lx, %#lx bytes): backing %#lx, the altmap model says %#lx",
				 i, cs.v[i].va, cs.v[i].size, cs.v[i].pa, want);
	}
	assert_int_equal(alt->alloc, m.alloc);
	assert_int_equal(alt->align, m.align);
	return m;
}

/* An altmap over @pages of fresh data memory, @misalign pages past a block boundary. */
static struct vmem_altmap make_altmap(unsigned long reserve, unsigned long free,
				      unsigned long misalign, int nid)
{
	phys_addr_t pa = fake_ram_carve((reserve + free) * PG, BLOCK, misalign * PG, nid);

	return (struct vmem_altmap){ .base_pfn = pa >> PAGE_SHIFT,
				     .end_pfn = (pa >> PAGE_SHIFT) + reserve + free - 1,
				     .reserve = reserve, .free = free };
}

static unsigned long calls(enum fail_site s)
{
	return fail_site_calls(s);
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	u64 need = ((1ULL << MAX_PHYSMEM_BITS) - ALIGN_DOWN(FAKE_PHYS_BASE, arch_memstart_align())) /
		   PG * SP;

	fake_phys_init();
	fake_ram_init();
	BLOCK = vmemmap_block_bytes();
	CONT = vmemmap_cont_bytes();
	CE = arch_cont_entries(LAST);
	win = (struct fake_window){ .name = "vmemmap", .va = VMEMMAP_START,
				    .size = max(ALIGN(need, BLOCK), 8 * BLOCK) };
	fake_arch_init(&win, 1);
	fake_ram_hook_tables(&vmemmap_pgtable_alloc);
	memstart_pfn = ALIGN_DOWN(FAKE_PHYS_BASE, arch_memstart_align()) >> PAGE_SHIFT;
	S0 = pfn_to_section_nr(memstart_pfn);
	print_message("vmemmap %s: VMEMMAP_START %#lx, window %#lx bytes, block %#lx, run %u x %#lx, "
		      "section memmap %#lx, memstart section %lu\n", PAGE_SIZE_NAME,
		      (unsigned long)VMEMMAP_START, win.size, BLOCK, CE, PG, SECMM, S0);
	return 0;
}

/* A test that loops for good is a failure, not a hang. */
static sigjmp_buf *hang_env;

static void on_alarm(int sig)
{
	static const char msg[] = "vmemmap test: still running after 120 s: a walk that "
				  "never ends?\n";

	if (hang_env)
		siglongjmp(*hang_env, 1);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static int setup(void **state)
{
	signal(SIGALRM, on_alarm);
	alarm(120);
	fake_arch_reset();
	fake_phys_reset();
	fake_ram_reset();
	assert_int_equal(memstart_addr >> PAGE_SHIFT, memstart_pfn);
	swapper_pg.root = fake_phys_root_alloc(START);
	fake_arch_set_root(swapper_pg.root);
	vmemmap_pgtable_alloc.nr_tables = 0;
	vmemmap_mode = VMEMMAP_AUTO;
	altmap_fallback = ALTMAP_FALLBACK_NONE;
	for (int s = 0; s < NR_FAIL_SITES; s++)
		fail_site_every(s, 0);
	fail_nth_set(0);
	after_bootmem = true;
	return 0;
}

static int teardown(void **state)
{
	alarm(0);
	hang_env = NULL;
	fake_arch_reset();
	return 0;
}

/*
 * The mixed range most tests use: a partial head chunk (3 base pages and 2
 * runs), two whole block chunks, a partial tail chunk (1 run, 5 base pages).
 */
static u64 mix_b0(void)
{
	return VMEMMAP_START + BLOCK;
}

static u64 mix_start(void)
{
	return mix_b0() - 2 * CONT - 3 * PG;
}

static u64 mix_end(void)
{
	return mix_b0() + 2 * BLOCK + CONT + 5 * PG;
}

static u64 mix_pages(void)
{
	return (mix_end() - mix_start()) / PG;
}

/* ---- the tests ---- */

static void test_geometry(void **state)
{
	assert_int_equal(BLOCK, level_size(LAST - 1));
	assert_int_equal(CONT, CE * PG);
	assert_int_equal(BLOCK, PAGE_SHIFT == 12 ? SZ_2M : PAGE_SHIFT == 14 ? 32 * SZ_1M : 512 * SZ_1M);
	assert_int_equal(CONT, PAGE_SHIFT == 12 ? 64 * SZ_1K : SZ_2M);
	assert_true(IS_ALIGNED(VMEMMAP_START, BLOCK));
	assert_int_equal(sec_va(S0), VMEMMAP_START);
}

/** No altmap, mode auto: whole blocks as blocks, runs where whole, base pages elsewhere. */
static void test_auto_blocks_then_runs_then_base(void **state)
{
	struct snap s0 = snap(NULL);
	unsigned long b = calls(FAIL_VMEMMAP_BLOCK), c = calls(FAIL_VMEMMAP_CONT),
		      p = calls(FAIL_VMEMMAP_PAGE);

	assert_int_equal(populate(mix_start(), mix_end(), 0, NULL), 0);
	take_census();
	assert_int_equal(cs.bytes, mix_end() - mix_start());
	assert_counts(mix_start(), mix_b0(), 0, 2, 3);
	assert_counts(mix_b0(), mix_b0() + 2 * BLOCK, 2, 0, 0);
	assert_counts(mix_b0() + 2 * BLOCK, mix_end(), 0, 1, 5);
	assert_int_equal(cs.cont_entries, 3 * CE);
	check_backing(mix_start(), mix_end(), FR_BUDDY, NULL);
	/* one buddy allocation per leaf, one per table; memblock untouched */
	assert_int_equal(fake_ram.buddy_live, 13 + model_tables());
	assert_int_equal(fake_ram.data_pages, mix_pages());
	assert_int_equal(fake_ram.memblock_live, 0);
	assert_int_equal(model_tables(), START == 0 ? 4 : 3);
	assert_int_equal(calls(FAIL_VMEMMAP_BLOCK) - b, 2);
	assert_int_equal(calls(FAIL_VMEMMAP_CONT) - c, 3);
	assert_int_equal(calls(FAIL_VMEMMAP_PAGE) - p, 8);

	/* populating it again changes nothing */
	assert_int_equal(populate(mix_start(), mix_end(), 0, NULL), 0);
	assert_int_equal(fake_ram.buddy_live, 13 + model_tables());

	vfree(mix_start(), mix_end(), NULL);
	assert_unmapped(mix_start(), mix_end());
	assert_back(&s0, "free");
	assert_int_equal(fake_ram.data_pages + fake_ram.table_pages, 0);
	assert_int_equal(fake_ram.buddy_frees, fake_ram.buddy_allocs);
}

/** Mode section: blocks, else base pages; no run is ever tried. */
static void test_section_mode_never_makes_runs(void **state)
{
	unsigned long c = calls(FAIL_VMEMMAP_CONT);
	struct snap s0 = snap(NULL);

	vmemmap_mode = VMEMMAP_SECTION;
	assert_int_equal(populate(mix_start(), mix_end(), 0, NULL), 0);
	take_census();
	assert_counts(mix_start(), mix_b0(), 0, 0, 2 * CE + 3);
	assert_counts(mix_b0(), mix_b0() + 2 * BLOCK, 2, 0, 0);
	assert_counts(mix_b0() + 2 * BLOCK, mix_end(), 0, 0, CE + 5);
	assert_int_equal(cs.cont_entries, 0);
	assert_int_equal(calls(FAIL_VMEMMAP_CONT), c);
	check_backing(mix_start(), mix_end(), FR_BUDDY, NULL);
	assert_int_equal(fake_ram.buddy_live, 2 + 3 * CE + 8 + model_tables());
	vfree(mix_start(), mix_end(), NULL);
	assert_unmapped(mix_start(), mix_end());
	assert_back(&s0, "free");
}

/** Mode base: base pages only, no block or run allocation tried. */
static void test_base_mode_only_base_pages(void **state)
{
	unsigned long b = calls(FAIL_VMEMMAP_BLOCK), c = calls(FAIL_VMEMMAP_CONT);
	struct snap s0 = snap(NULL);

	vmemmap_mode = VMEMMAP_BASE;
	assert_int_equal(populate(mix_start(), mix_end(), 0, NULL), 0);
	take_census();
	assert_int_equal(cs.blocks + cs.runs, 0);
	assert_int_equal(cs.base, mix_pages());
	assert_int_equal(calls(FAIL_VMEMMAP_BLOCK), b);
	assert_int_equal(calls(FAIL_VMEMMAP_CONT), c);
	check_backing(mix_start(), mix_end(), FR_BUDDY, NULL);
	assert_int_equal(fake_ram.buddy_live, mix_pages() + model_tables());
	vfree(mix_start(), mix_end(), NULL);
	assert_unmapped(mix_start(), mix_end());
	assert_back(&s0, "free");
}

/** At boot the memmap and its tables come from memblock, and go back there even after boot. */
static void test_boot_memmap_from_memblock(void **state)
{
	struct snap s0;

	after_bootmem = false;
	s0 = snap(NULL);
	assert_int_equal(populate(mix_start(), mix_end(), 0, NULL), 0);
	take_census();
	assert_counts(mix_b0(), mix_b0() + 2 * BLOCK, 2, 0, 0);
	assert_int_equal(cs.runs, 3);
	assert_int_equal(cs.base, 8);
	check_backing(mix_start(), mix_end(), FR_MEMBLOCK, NULL);
	assert_int_equal(fake_ram.memblock_live, 13 + model_tables());
	assert_int_equal(fake_ram.buddy_live, 0);
	/* half of it goes back before the buddy allocator runs, half after */
	vfree(mix_start(), mix_b0() + BLOCK, NULL);
	after_bootmem = true;
	vfree(mix_b0() + BLOCK, mix_end(), NULL);
	assert_unmapped(mix_start(), mix_end());
	assert_back(&s0, "free");
	assert_int_equal(fake_ram.memblock_frees, fake_ram.memblock_allocs);
	assert_int_equal(fake_ram.buddy_allocs, 0);
}

/** Seed 000: exactly the chunks whose block allocation fails fall back. */
static void test_failed_blocks_fall_back_chunk_by_chunk(void **state)
{
	u64 b0 = VMEMMAP_START, runs = BLOCK / CONT;
	struct snap s0 = snap(NULL);

	/* auto, every second block fails: chunks 1 and 3 become runs */
	fail_site_every(FAIL_VMEMMAP_BLOCK, 2);
	assert_int_equal(populate(b0, b0 + 4 * BLOCK, 0, NULL), 0);
	assert_int_equal(fail_site_calls(FAIL_VMEMMAP_BLOCK), 4);
	take_census();
	for (int i = 0; i < 4; i++)
		assert_counts(b0 + i * BLOCK, b0 + (i + 1) * BLOCK, i % 2 ? 0 : 1, i % 2 ? runs : 0, 0);
	check_backing(b0, b0 + 4 * BLOCK, FR_BUDDY, NULL);
	vfree(b0, b0 + 4 * BLOCK, NULL);
	assert_back(&s0, "free after auto");

	/* section, every third fails: chunk 2 becomes base pages */
	vmemmap_mode = VMEMMAP_SECTION;
	fail_site_every(FAIL_VMEMMAP_BLOCK, 3);
	assert_int_equal(populate(b0, b0 + 4 * BLOCK, 0, NULL), 0);
	take_census();
	for (int i = 0; i < 4; i++)
		assert_counts(b0 + i * BLOCK, b0 + (i + 1) * BLOCK, i == 2 ? 0 : 1, 0,
			      i == 2 ? BLOCK / PG : 0);
	check_backing(b0, b0 + 4 * BLOCK, FR_BUDDY, NULL);
	vfree(b0, b0 + 4 * BLOCK, NULL);
	assert_back(&s0, "free after section");

	/* auto, every block and every second run fail: half runs, half base pages */
	vmemmap_mode = VMEMMAP_AUTO;
	fail_site_every(FAIL_VMEMMAP_BLOCK, 1);
	fail_site_every(FAIL_VMEMMAP_CONT, 2);
	assert_int_equal(populate(b0, b0 + 2 * BLOCK, 0, NULL), 0);
	take_census();
	for (int i = 0; i < 2; i++)
		assert_counts(b0 + i * BLOCK, b0 + (i + 1) * BLOCK, 0, runs / 2, runs / 2 * CE);
	for (unsigned long i = 0; i < cs.n; i++)	/* the odd runs are runs */
		if (cs.v[i].cont)
			assert_int_equal((cs.v[i].va - b0) / CONT % 2, 0);
	check_backing(b0, b0 + 2 * BLOCK, FR_BUDDY, NULL);
	vfree(b0, b0 + 2 * BLOCK, NULL);
	assert_back(&s0, "free after runs");
}

/** With an altmap: every page from it, naturally aligned, padding in align, exact fit. */
static void test_altmap_pages_come_from_the_altmap(void **state)
{
	struct alt_model m = { 0 };
	struct vmem_altmap alt;
	struct snap s0;
	u64 sizes[16];
	int n = 0;

	/* the allocations in VA order: 3 pages, 2 runs, 2 blocks, 1 run, 5 pages */
	for (int i = 0; i < 3; i++)
		sizes[n++] = PG;
	sizes[n++] = CONT;
	sizes[n++] = CONT;
	sizes[n++] = BLOCK;
	sizes[n++] = BLOCK;
	sizes[n++] = CONT;
	for (int i = 0; i < 5; i++)
		sizes[n++] = PG;
	/* base 3 pages past a block boundary, 2 reserved: the model sizes free exactly */
	m.next = 3 + 2;
	for (int i = 0; i < n; i++)
		model_alt(&m, sizes[i]);
	alt = make_altmap(2, m.next - 5, 3, 0);
	assert_true(m.align > 0);
	s0 = snap(&alt);

	assert_int_equal(populate(mix_start(), mix_end(), 0, &alt), 0);
	take_census();
	assert_counts(mix_start(), mix_b0(), 0, 2, 3);
	assert_counts(mix_b0(), mix_b0() + 2 * BLOCK, 2, 0, 0);
	assert_counts(mix_b0() + 2 * BLOCK, mix_end(), 0, 1, 5);
	check_backing(mix_start(), mix_end(), FR_CARVED, &alt);
	m = check_altmap_order(&alt);
	assert_int_equal(alt.alloc, mix_pages());
	assert_int_equal(alt.alloc + alt.align, alt.free);	/* it fit exactly */
	assert_int_equal(fake_ram.data_pages, 0);		/* nothing from ordinary memory */
	assert_int_equal(fake_ram.buddy_live, model_tables());	/* only the tables */

	vfree(mix_start(), mix_end(), &alt);
	assert_unmapped(mix_start(), mix_end());
	assert_int_equal(alt.alloc, 0);
	/* Linux's vmem_altmap_free() leaves align; hotmm gives it back with the last page */
	assert_true(m.align > 0);
	assert_int_equal(alt.align, 0);
	assert_back(&s0, "free");

	/* one page less: the last base page fails; everything is undone */
	alt = make_altmap(2, m.alloc + m.align - 1, 3, 0);
	assert_int_equal(populate(mix_start(), mix_end(), 0, &alt), -ENOMEM);
	assert_unmapped(mix_start(), mix_end());
	assert_int_equal(alt.alloc, 0);
	assert_int_equal(fake_ram.data_pages, 0);
	assert_back(&s0, "-ENOMEM");
}

/** altmap_fallback=none (Linux >= 6.0): a failed block fails the populate, all undone. */
static void test_altmap_failed_block_fails_without_fallback(void **state)
{
	u64 start = VMEMMAP_START + BLOCK - CONT, end = VMEMMAP_START + 3 * BLOCK;
	struct vmem_altmap alt = make_altmap(0, 4 * BLOCK / PG, 0, 0);
	struct snap s0 = snap(&alt);

	for (unsigned int every = 1; every <= 2; every++) {
		unsigned long c = calls(FAIL_VMEMMAP_CONT), p = calls(FAIL_VMEMMAP_PAGE);

		fail_site_every(FAIL_VMEMMAP_BLOCK, every);
		assert_int_equal(populate(start, end, 0, &alt), -ENOMEM);
		assert_int_equal(fail_site_calls(FAIL_VMEMMAP_BLOCK), every);
		/* the head's run was made, nothing was tried in the failed chunk */
		assert_int_equal(calls(FAIL_VMEMMAP_CONT) - c, 1);
		assert_int_equal(calls(FAIL_VMEMMAP_PAGE) - p, 0);
		assert_unmapped(start, end);
		assert_int_equal(alt.alloc, 0);
		assert_int_equal(fake_ram.data_pages, 0);
		assert_back(&s0, "-ENOMEM");
	}
}

/** altmap_fallback=basepages (arm64 5.11-5.19, seed 000/001): base pages from the altmap. */
static void test_altmap_failed_block_takes_base_pages_from_it(void **state)
{
	u64 start = VMEMMAP_START + BLOCK - CONT, end = VMEMMAP_START + 3 * BLOCK;
	struct vmem_altmap alt = make_altmap(0, 4 * BLOCK / PG, 1, 0);
	struct snap s0 = snap(&alt);

	altmap_fallback = ALTMAP_FALLBACK_BASEPAGES;
	fail_site_every(FAIL_VMEMMAP_BLOCK, 2);
	assert_int_equal(populate(start, end, 0, &alt), 0);
	take_census();
	assert_counts(start, start + CONT, 0, 1, 0);
	assert_counts(start + CONT, start + CONT + BLOCK, 1, 0, 0);
	/* in mode auto too: no run in the failed chunk, base pages only */
	assert_counts(start + CONT + BLOCK, end, 0, 0, BLOCK / PG);
	check_backing(start, end, FR_CARVED, &alt);
	check_altmap_order(&alt);
	assert_int_equal(alt.alloc, (end - start) / PG);
	assert_int_equal(fake_ram.data_pages, 0);
	vfree(start, end, &alt);
	assert_int_equal(alt.alloc, 0);
	assert_back(&s0, "free");
}

/** An exhausted altmap: -ENOMEM, nothing mapped, nothing from ordinary memory. */
static void test_exhausted_altmap_never_falls_back_to_ram(void **state)
{
	u64 a = VMEMMAP_START + 2 * BLOCK, b = a + 3 * CONT + 2 * PG;
	unsigned long buddy = fake_ram.buddy_allocs;
	struct vmem_altmap alt;
	struct snap s0;

	/* runs 1 and 2 fit, run 3 does not; its base pages run out after one */
	alt = make_altmap(0, 2 * CE + 1, 0, 0);
	s0 = snap(&alt);
	assert_int_equal(populate(a, b, 0, &alt), -ENOMEM);
	assert_unmapped(a, b);
	assert_int_equal(alt.alloc, 0);
	assert_back(&s0, "runs");

	/* mode base */
	vmemmap_mode = VMEMMAP_BASE;
	assert_int_equal(populate(a, b, 0, &alt), -ENOMEM);
	assert_unmapped(a, b);
	assert_int_equal(alt.alloc, 0);
	assert_back(&s0, "base");

	/* a block chunk, none: the block does not fit */
	vmemmap_mode = VMEMMAP_AUTO;
	alt = make_altmap(0, BLOCK / PG - 1, 0, 0);
	s0 = snap(&alt);
	assert_int_equal(populate(a, a + BLOCK, 0, &alt), -ENOMEM);
	assert_unmapped(a, a + BLOCK);
	assert_int_equal(alt.alloc, 0);
	assert_back(&s0, "block, none");

	/* basepages: base pages until the altmap is empty, then -ENOMEM */
	altmap_fallback = ALTMAP_FALLBACK_BASEPAGES;
	assert_int_equal(populate(a, a + BLOCK, 0, &alt), -ENOMEM);
	assert_unmapped(a, a + BLOCK);
	assert_int_equal(alt.alloc, 0);
	assert_back(&s0, "block, basepages");

	/* only page-table pages ever came from the buddy allocator */
	assert_int_equal(fake_ram.data_pages, 0);
	assert_true(fake_ram.buddy_allocs > buddy);
	assert_int_equal(fake_ram.buddy_allocs - buddy, fake_ram.buddy_frees);
}

/** vmemmap_alloc_block_buf(): natural alignment, padding, exhaustion, injection. */
static void test_alloc_block_buf(void **state)
{
	struct vmem_altmap alt = make_altmap(1, 2 * BLOCK / PG + 8, 2, 0);
	unsigned long first = alt.base_pfn + 1;	/* 3 pages past a block boundary */
	struct alt_model m = { .next = first };
	struct vmem_altmap before;
	struct page *page;
	phys_addr_t pa;

	assert_int_equal(vmemmap_alloc_block_buf(PG, 0, &alt), model_alt(&m, PG));
	assert_int_equal(vmemmap_alloc_block_buf(PG, 0, &alt) >> PAGE_SHIFT, first + 1);
	model_alt(&m, PG);
	assert_int_equal(alt.align, 0);
	pa = vmemmap_alloc_block_buf(CONT, 0, &alt);
	assert_int_equal(pa, model_alt(&m, CONT));
	assert_true(IS_ALIGNED(pa, CONT));
	assert_int_equal(alt.align, CE - 5 % CE);
	pa = vmemmap_alloc_block_buf(3 * PG, 0, &alt);	/* 3 pages: aligned to 1 */
	assert_int_equal(pa, model_alt(&m, 3 * PG));
	pa = vmemmap_alloc_block_buf(BLOCK, 0, &alt);
	assert_int_equal(pa, model_alt(&m, BLOCK));
	assert_true(IS_ALIGNED(pa, BLOCK));
	assert_int_equal(alt.alloc, m.alloc);
	assert_int_equal(alt.align, m.align);

	/* refusals change nothing */
	before = alt;
	assert_int_equal(vmemmap_alloc_block_buf(PG / 2, 0, &alt), 0);
	assert_int_equal(vmemmap_alloc_block_buf(BLOCK, 0, &alt), 0);	/* no room */
	assert_memory_equal(&alt, &before, sizeof(alt));
	fail_site_every(FAIL_VMEMMAP_PAGE, 1);
	assert_int_equal(vmemmap_alloc_block_buf(PG, 0, &alt), 0);	/* injected */
	assert_memory_equal(&alt, &before, sizeof(alt));
	fail_site_every(FAIL_VMEMMAP_PAGE, 0);
	/* the rest fits exactly */
	while (vmem_altmap_nr_free(&alt))
		assert_int_equal(vmemmap_alloc_block_buf(PG, 0, &alt), model_alt(&m, PG));
	assert_int_equal(vmemmap_alloc_block_buf(PG, 0, &alt), 0);
	assert_int_equal(alt.alloc + alt.align, alt.free);
	vmem_altmap_free(&alt, alt.alloc);
	assert_int_equal(alt.alloc, 0);

	/* without an altmap: the buddy allocator, naturally aligned, on the node asked */
	pa = vmemmap_alloc_block_buf(CONT, 1, NULL);
	assert_true(pa && IS_ALIGNED(pa, CONT));
	assert_int_equal(memblock_nid_of(pa), 1);
	assert_int_equal(fake_ram.buddy_live, 1);
	assert_int_equal(fake_ram.buddy_pages, CE);
	page = pfn_to_page(pa >> PAGE_SHIFT);
	free_pages(page, __builtin_ctzl(CE));
	assert_int_equal(fake_ram.buddy_live, 0);
	/* and memblock before it runs */
	after_bootmem = false;
	pa = vmemmap_alloc_block_buf(BLOCK, 0, NULL);
	assert_true(pa && IS_ALIGNED(pa, BLOCK));
	assert_int_equal(fake_ram.memblock_pages, BLOCK / PG);
	assert_int_equal(memblock_phys_free(pa, BLOCK), 0);
}

/* The backing of the base page mapping @va. */
static phys_addr_t backing(u64 va)
{
	struct pgtable_walk w;

	assert_int_equal(pgtable_walk(&swapper_pg, va, &w), 0);
	return arch_pte_addr(w.pte, w.level) + (va & (level_size(w.level) - 1) & ~(PG - 1));
}

/*
 * Subsections [pfn, pfn + n * PAGES_PER_SUBSECTION) gain or lose their
 * memory in the section state, as sparse_add_section() and
 * sparse_remove_section() record it: vmemmap_free() keeps whatever memmap a
 * subsection with memory still uses.
 */
static void set_subsections(unsigned long pfn, unsigned long n, bool on)
{
	for (unsigned long i = 0; i < n; i++, pfn += PAGES_PER_SUBSECTION) {
		struct mem_section *ms = __pfn_to_section(pfn);

		if (on) {
			ms->flags |= SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP;
			set_bit(subsection_index(pfn), ms->subsection_map);
			continue;
		}
		clear_bit(subsection_index(pfn), ms->subsection_map);
		if (!bitmap_weight(ms->subsection_map, SUBSECTIONS_PER_SECTION))
			ms->flags &= ~SECTION_HAS_MEM_MAP;
	}
}

/* Distinct memmap pages [a, b) touches. */
static unsigned long pages_of(u64 a, u64 b)
{
	return (ALIGN(b, PG) - ALIGN_DOWN(a, PG)) / PG;
}

#define SUBMM	(PAGES_PER_SUBSECTION * SP)	/* memmap bytes of a subsection */

/*
 * Two hot-added ranges of subsections, A then B. Where a subsection's memmap
 * is not a whole number of pages (16K: 8 KiB, 64K: 2 KiB), A's last memmap
 * page is B's first: it is populated once, stays while either uses it, and
 * goes with the last of them, in either order of removal. On 4K nothing is
 * shared, and the same steps check that.
 */
static void shared_page_cycle(bool a_first_out)
{
	unsigned long p0 = section_nr_to_pfn(S0 + 1), na = 3, nb = 3;
	unsigned long pb0 = p0 + na * PAGES_PER_SUBSECTION;
	u64 aa = pfn_va(p0), ab = pfn_va(pb0), bb = pfn_va(pb0 + nb * PAGES_PER_SUBSECTION);
	bool shared = !IS_ALIGNED(ab, PG);
	u64 spage = ALIGN_DOWN(ab, PG);
	struct snap s0 = snap(NULL);
	phys_addr_t spa;

	vmemmap_mode = VMEMMAP_BASE;		/* one page per leaf: sharing is per page */
	assert_int_equal(populate(aa, ab, 0, NULL), 0);
	set_subsections(p0, na, true);
	assert_int_equal(fake_ram.data_pages, pages_of(aa, ab));
	if (shared) {
		spa = backing(spage);
		*(u64 *)fake_host_ptr(ab - SP) = 0xa11ce;	/* A's last struct page */
	}
	assert_int_equal(populate(ab, bb, 0, NULL), 0);
	set_subsections(pb0, nb, true);
	assert_int_equal(fake_ram.data_pages, pages_of(aa, bb));
	if (shared) {
		assert_int_equal(backing(spage), spa);		/* left alone */
		assert_int_equal(*(u64 *)fake_host_ptr(ab - SP), 0xa11ce);
	}
	/* a failed repopulate of B's own pages leaves the shared one */
	set_subsections(pb0, nb, false);
	vfree(ab, bb, NULL);
	assert_int_equal(fake_ram.data_pages, pages_of(aa, ab));
	if (pages_of(ab, bb) > 1UL + shared) {
		fail_site_every(FAIL_VMEMMAP_PAGE, 2);
		assert_int_equal(populate(ab, bb, 0, NULL), -ENOMEM);
		fail_site_every(FAIL_VMEMMAP_PAGE, 0);
		assert_int_equal(fake_ram.data_pages, pages_of(aa, ab));
	}
	if (shared)
		assert_int_equal(backing(spage), spa);
	assert_int_equal(populate(ab, bb, 0, NULL), 0);
	set_subsections(pb0, nb, true);

	if (a_first_out) {
		set_subsections(p0, na, false);
		vfree(aa, ab, NULL);
		assert_int_equal(fake_ram.data_pages, pages_of(ab, bb));
		if (shared)
			assert_int_equal(backing(spage), spa);	/* B still uses it */
		assert_unmapped(ALIGN_DOWN(aa, PG), ALIGN_DOWN(ab, PG));
		set_subsections(pb0, nb, false);
		vfree(ab, bb, NULL);
	} else {
		set_subsections(pb0, nb, false);
		vfree(ab, bb, NULL);
		assert_int_equal(fake_ram.data_pages, pages_of(aa, ab));
		assert_unmapped(ALIGN(ab, PG), ALIGN(bb, PG));
		set_subsections(p0, na, false);
		vfree(aa, ab, NULL);
	}
	assert_unmapped(ALIGN_DOWN(aa, PG), ALIGN(bb, PG));
	assert_back(&s0, a_first_out ? "A out first" : "B out first");
}

/** A memmap page shared by two ranges of subsections is populated once and freed with its last user. */
static void test_shared_memmap_page(void **state)
{
	shared_page_cycle(true);
	shared_page_cycle(false);
}

/*
 * A block of memmap populated whole, for all of its subsections, stays while
 * any of them has memory: removing half of them leaves it, removing the rest
 * frees it.
 */
static void test_block_freed_with_its_last_subsection(void **state)
{
	u64 b0 = VMEMMAP_START;		/* 64K: one block is the memmap of 512 GiB */
	unsigned long p0 = memstart_pfn, nsub = BLOCK / SUBMM;
	unsigned long half = p0 + nsub / 2 * PAGES_PER_SUBSECTION;
	struct snap s0 = snap(NULL);

	assert_int_equal(populate(b0, b0 + BLOCK, 0, NULL), 0);
	set_subsections(p0, nsub, true);
	take_census();
	assert_counts(b0, b0 + BLOCK, 1, 0, 0);
	set_subsections(p0, nsub / 2, false);
	vfree(b0, pfn_va(half), NULL);
	take_census();
	assert_counts(b0, b0 + BLOCK, 1, 0, 0);
	assert_int_equal(fake_ram.data_pages, BLOCK / PG);
	set_subsections(half, nsub - nsub / 2, false);
	vfree(pfn_va(half), b0 + BLOCK, NULL);
	assert_unmapped(b0, b0 + BLOCK);
	assert_back(&s0, "free");
}

/* should_fail() calls so far, every site: what fail_nth counts. */
static unsigned long alloc_calls(void)
{
	unsigned long n = 0;

	for (int site = 0; site < NR_FAIL_SITES; site++)
		n += fail_site_calls(site);
	return n;
}

/* Populate section S0 + 1 and mark its memmap's first and last struct pages. */
static phys_addr_t populate_middle(u64 s1, u64 s2)
{
	assert_int_equal(populate(s1, s2, 0, NULL), 0);
	set_subsections(section_nr_to_pfn(S0 + 1), SUBSECTIONS_PER_SECTION, true);
	*(u64 *)fake_host_ptr(s1) = 0x5ec7;
	*(u64 *)fake_host_ptr(s2 - SP) = 0x5ec8;
	return backing(s1);
}

/*
 * Defect: a failed vmemmap_populate() unmapped memmap that existed before
 * the call (the undo trimmed only the two ends). A section populated earlier
 * sits in the middle of the range; allocations of the call fail in turn,
 * including ones after part of the third section is mapped (base pages make
 * that happen on every granule): that section's leaves, backing and
 * contents stay, and everything the call mapped goes.
 */
static void test_failed_populate_keeps_what_was_there(void **state)
{
	u64 s1 = sec_va(S0 + 1), s2 = sec_va(S0 + 2);
	struct snap s0 = snap(NULL);

	for (int mode = VMEMMAP_AUTO; mode <= VMEMMAP_BASE; mode += VMEMMAP_BASE - VMEMMAP_AUTO) {
		unsigned long calls, tries[10];
		struct counts before;
		phys_addr_t pa1;
		unsigned int nt = 0;

		vmemmap_mode = mode;
		pa1 = populate_middle(s1, s2);
		take_census();
		before = count_in(s1, s2);
		calls = alloc_calls();
		assert_int_equal(populate(sec_va(S0), sec_va(S0 + 3), 0, NULL), 0);
		calls = alloc_calls() - calls;
		set_subsections(section_nr_to_pfn(S0 + 1), SUBSECTIONS_PER_SECTION, false);
		vfree(sec_va(S0), sec_va(S0 + 3), NULL);
		assert_back(&s0, "whole range");
		assert_true(calls >= 2);
		/* the first few, spread through the middle, and the last few */
		for (unsigned long n = 1; n <= 3 && n <= calls; n++)
			tries[nt++] = n;
		tries[nt++] = calls / 3;
		tries[nt++] = calls / 2;
		tries[nt++] = calls * 2 / 3;
		tries[nt++] = calls * 5 / 6;
		for (unsigned long n = calls > 2 ? calls - 2 : 1; n <= calls; n++)
			tries[nt++] = n;

		for (unsigned int t = 0; t < nt; t++) {
			struct counts after;
			int ret;

			if (!tries[t])
				continue;
			pa1 = populate_middle(s1, s2);
			fail_nth_set(tries[t]);
			ret = populate(sec_va(S0), sec_va(S0 + 3), 0, NULL);
			fail_nth_set(0);
			if (ret == 0) {
				/* the failure fell where there is a fallback: all mapped */
				set_subsections(section_nr_to_pfn(S0 + 1), SUBSECTIONS_PER_SECTION,
						false);
				vfree(sec_va(S0), sec_va(S0 + 3), NULL);
				assert_back(&s0, "fell back");
				continue;
			}
			assert_int_equal(ret, -ENOMEM);
			take_census();
			after = count_in(s1, s2);
			assert_memory_equal(&after, &before, sizeof(after));
			assert_int_equal(backing(s1), pa1);
			assert_int_equal(*(u64 *)fake_host_ptr(s1), 0x5ec7);
			assert_int_equal(*(u64 *)fake_host_ptr(s2 - SP), 0x5ec8);
			assert_unmapped(sec_va(S0), s1);
			assert_unmapped(s2, sec_va(S0 + 3));
			set_subsections(section_nr_to_pfn(S0 + 1), SUBSECTIONS_PER_SECTION, false);
			vfree(s1, s2, NULL);
			assert_back(&s0, "failed around a populated section");
		}
	}
}

/** A starved table allocator: -ENOMEM with everything undone, each time. */
static void test_starved_table_allocator_rolls_back(void **state)
{
	struct vmem_altmap alt = make_altmap(0, 4 * BLOCK / PG, 0, 0);
	struct snap s0 = snap(&alt);
	unsigned long needed;
	struct counts full;

	assert_int_equal(populate(mix_start(), mix_end(), 0, NULL), 0);
	take_census();
	needed = model_tables();
	full = count_in(win.va, win.va + win.size);
	vfree(mix_start(), mix_end(), NULL);
	assert_back(&s0, "first free");

	for (int with_alt = 0; with_alt < 2; with_alt++) {
		for (unsigned long every = 1; every <= needed + 1; every++) {
			struct vmem_altmap *a = with_alt ? &alt : NULL;
			unsigned long failed = fake_vmemmap_tables.failed;
			int ret;

			fail_site_every(FAIL_PGTABLE, every);
			ret = populate(mix_start(), mix_end(), 0, a);
			fail_site_every(FAIL_PGTABLE, 0);
			if (every <= needed) {
				assert_int_equal(ret, -ENOMEM);
				assert_int_equal(fake_vmemmap_tables.failed, failed + 1);
				assert_unmapped(mix_start(), mix_end());
				assert_back(&s0, "starved");
				continue;
			}
			assert_int_equal(ret, 0);
			take_census();
			assert_int_equal(count_in(win.va, win.va + win.size).n, full.n);
			assert_int_equal(cs.bytes, full.bytes);
			vfree(mix_start(), mix_end(), a);
			assert_back(&s0, "free");
		}
	}
}

/*
 * Every allocation call of a populate failed in turn (fail_nth): either a
 * fallback maps everything, or -ENOMEM leaves nothing, and the free after
 * a success gives everything back.
 */
static void nth_sweep(struct vmem_altmap *alt, enum fake_ram_kind kind, const char *what)
{
	struct snap s0 = snap(alt);
	unsigned long total = 0, ok = 0, enomem = 0;

	for (int s = 0; s < NR_FAIL_SITES; s++)
		total -= fail_site_calls(s);
	assert_int_equal(populate(mix_start(), mix_end(), 0, alt), 0);
	for (int s = 0; s < NR_FAIL_SITES; s++)
		total += fail_site_calls(s);
	vfree(mix_start(), mix_end(), alt);
	assert_back(&s0, what);

	for (unsigned long n = 1; n <= total; n++) {
		int ret;

		fail_nth_set(n);
		ret = populate(mix_start(), mix_end(), 0, alt);
		fail_nth_set(0);
		if (ret) {
			assert_int_equal(ret, -ENOMEM);
			assert_unmapped(mix_start(), mix_end());
			assert_back(&s0, what);
			enomem++;
			continue;
		}
		take_census();
		assert_int_equal(cs.bytes, mix_end() - mix_start());
		check_backing(mix_start(), mix_end(), kind, alt);
		vfree(mix_start(), mix_end(), alt);
		assert_unmapped(mix_start(), mix_end());
		assert_back(&s0, what);
		ok++;
	}
	print_message("fail_nth %s: %lu calls, %lu fell back, %lu -ENOMEM\n", what, total, ok,
		      enomem);
	assert_true(enomem > 0);
	assert_true(ok > 0);
}

static void test_fail_nth_everywhere(void **state)
{
	struct vmem_altmap alt = make_altmap(0, 4 * BLOCK / PG, 0, 0);

	nth_sweep(NULL, FR_BUDDY, "buddy");
	nth_sweep(&alt, FR_CARVED, "altmap, none");
	altmap_fallback = ALTMAP_FALLBACK_BASEPAGES;
	nth_sweep(&alt, FR_CARVED, "altmap, basepages");
	after_bootmem = false;
	altmap_fallback = ALTMAP_FALLBACK_NONE;
	nth_sweep(NULL, FR_MEMBLOCK, "memblock");
}

/*
 * Whether a table spanning vmemmap [base, base + span) maps struct pages of
 * present sections of more than one node, judged against the node of the
 * section whose struct pages are at @va.
 */
static bool model_table_spans_nodes(u64 base, u64 span, u64 va)
{
	u64 lo = max(base, (u64)VMEMMAP_START), hi = min(base + (span - 1), (u64)VMEMMAP_END - 1);
	unsigned long first = pfn_to_section_nr((lo - VMEMMAP_START) / SP + memstart_pfn);
	unsigned long last = pfn_to_section_nr((hi - VMEMMAP_START) / SP + memstart_pfn);
	unsigned long home = pfn_to_section_nr((va - VMEMMAP_START) / SP + memstart_pfn);
	int nid = present_section_nr(home) ? mem_section[home].nid : 0;

	for (unsigned long nr = first; nr <= last && nr < NR_MEM_SECTIONS; nr++)
		if (present_section_nr(nr) && mem_section[nr].nid != nid)
			return true;
	return false;
}

/* What vmemmap_describe() must say, from the census (each leaf entry and table once, first section seen). */
static void model_describe(unsigned long first, unsigned long n, struct vmemmap_section_desc *out)
{
	u64 lo = sec_va(first), hi = sec_va(first + n);
	u64 last[4];
	bool seen[4] = { false };

	memset(out, 0, n * sizeof(*out));
	for (unsigned long s = 0; s < n; s++)
		out[s].memmap_bytes = SECMM;
	for (unsigned long i = 0; i < cs.n; i++) {
		const struct leaf *l = &cs.v[i];
		u64 esize = l->cont ? PG : l->size;

		for (u64 e = l->va; e < l->va + l->size; e += esize) {
			u64 first_va = max(e, lo);
			unsigned long s;

			if (e + esize <= lo || e >= hi)
				continue;
			s = (first_va - lo) / SECMM;
			if (l->cont)
				out[s].cont_leaves++;
			else if (l->level < LAST)
				out[s].blocks++;
			else
				out[s].base_leaves++;
			for (int lv = START + 1; lv <= l->level; lv++) {
				u64 base = ALIGN_DOWN(e, level_size(lv - 1));

				if (!seen[lv] || last[lv] != base) {
					seen[lv] = true;
					last[lv] = base;
					out[s].table_pages++;
					out[s].cross_node_tables +=
						model_table_spans_nodes(base, level_size(lv - 1), first_va);
				}
			}
			/* off-node struct pages, section by section */
			for (u64 v = first_va; v < min(e + esize, hi);) {
				unsigned long t = (v - lo) / SECMM;
				u64 next = min(min(e + esize, hi), lo + (t + 1) * SECMM);

				if (memblock_nid_of(l->pa + (v - l->va)) !=
				    mem_section[first + t].nid)
					out[t].off_node_pages += (next - v) / SP;
				v = next;
			}
		}
	}
}

static void check_describe(unsigned long first, unsigned long n)
{
	struct vmemmap_section_desc *want = calloc(n, sizeof(*want)), got;
	struct vmemmap_cursor c = { 0 };

	assert_non_null(want);
	take_census();
	model_describe(first, n, want);
	for (unsigned long s = 0; s < n; s++) {
		describe(first + s, &got, &c);
		if (memcmp(&got, &want[s], sizeof(got)))
			fail_msg("section %lu: tables %lu blocks %lu cont %lu base %lu bytes %lu off %lu; "
				 "want %lu %lu %lu %lu %lu %lu", first + s, got.table_pages, got.blocks,
				 got.cont_leaves, got.base_leaves, got.memmap_bytes, got.off_node_pages,
				 want[s].table_pages, want[s].blocks, want[s].cont_leaves,
				 want[s].base_leaves, want[s].memmap_bytes, want[s].off_node_pages);
	}
	free(want);
}

/** vmemmap_describe() per section matches what was built, exactly. */
static void test_describe_matches_what_was_built(void **state)
{
	unsigned long spb = BLOCK / SECMM, spc = CONT / SECMM;
	/* 64K: a block holds the memmap of 1024 sections, and 1 TiB has 2048 */
	unsigned long n = min(3 * spb + max(spc, 1UL) + 1, NR_MEM_SECTIONS - S0);
	struct vmemmap_section_desc d;
	struct vmemmap_cursor c = { 0 };
	unsigned long tables = 0, blocks = 0, conts = 0, bases = 0;

	for (unsigned long s = 0; s < n; s++)
		fake_ram_section_present(S0 + s, 0);
	fail_site_every(FAIL_VMEMMAP_BLOCK, 2);
	assert_int_equal(populate(sec_va(S0), sec_va(S0 + n), 0, NULL), 0);
	take_census();
	for (unsigned long s = 0; s < n; s++) {
		describe(S0 + s, &d, &c);
		tables += d.table_pages;
		blocks += d.blocks;
		conts += d.cont_leaves;
		bases += d.base_leaves;
		assert_int_equal(d.memmap_bytes, SECMM);
		assert_int_equal(d.off_node_pages, 0);
	}
	assert_int_equal(tables, vmemmap_pgtable_alloc.nr_tables);
	assert_int_equal(blocks, cs.blocks);
	assert_int_equal(conts, cs.cont_entries);
	assert_int_equal(bases, cs.base);
	check_describe(S0, n);
	if (PAGE_SHIFT == 12) {
		/* one block per section: block, runs, block, runs, block */
		static const unsigned long want[5][4] = {
			{ 2, 1, 0, 0 }, { 1, 0, 512, 0 }, { 0, 1, 0, 0 }, { 1, 0, 512, 0 },
			{ 0, 1, 0, 0 },
		};
		c = (struct vmemmap_cursor){ 0 };
		for (int s = 0; s < 5; s++) {
			describe(S0 + s, &d, &c);
			assert_int_equal(d.table_pages, want[s][0]);
			assert_int_equal(d.blocks, want[s][1]);
			assert_int_equal(d.cont_leaves, want[s][2]);
			assert_int_equal(d.base_leaves, want[s][3]);
		}
	} else if (PAGE_SHIFT == 14) {
		/* block, runs (a block's worth), block, then a partial chunk: a run and 1 section of pages */
		assert_int_equal(n, 3 * 64 + 5);
		assert_int_equal(cs.blocks, 2);
		assert_int_equal(cs.runs, BLOCK / CONT + 1);
		assert_int_equal(cs.base, SECMM / PG);
	} else {
		/* block, then the 1022 sections up to 1 TiB: 255 runs and 2 sections of pages */
		assert_int_equal(n, 2046);
		assert_int_equal(cs.blocks, 1);
		assert_int_equal(cs.runs, 255);
		assert_int_equal(cs.base, 2 * SECMM / PG);
	}

	/* a fresh cursor in the middle of a block: the block and its tables are counted there */
	c = (struct vmemmap_cursor){ 0 };
	describe(S0 + (spb > 1 ? spb / 2 : 2), &d, &c);
	assert_int_equal(d.blocks, 1);
	assert_int_equal(d.cont_leaves + d.base_leaves, 0);
	assert_int_equal(d.table_pages, LAST - 1 - START);
	vfree(sec_va(S0), sec_va(S0 + n), NULL);
}

/** Struct pages from another node's memory are reported as off-node. */
static void test_describe_off_node_pages(void **state)
{
	unsigned long nr = S0 + BLOCK / SECMM + 1;
	struct vmemmap_section_desc d;
	struct vmemmap_cursor c = { 0 };

	fake_ram_section_present(nr, 1);
	assert_int_equal(populate(sec_va(nr), sec_va(nr + 1), 1, NULL), 0);
	describe(nr, &d, &c);
	assert_int_equal(d.off_node_pages, 0);
	take_census();
	for (unsigned long i = 0; i < cs.n; i++)
		assert_int_equal(memblock_nid_of(cs.v[i].pa), 1);
	vfree(sec_va(nr), sec_va(nr + 1), NULL);

	/* the caller asked for node 0: every struct page of the section is off-node */
	assert_int_equal(populate(sec_va(nr), sec_va(nr + 1), 0, NULL), 0);
	c = (struct vmemmap_cursor){ 0 };
	describe(nr, &d, &c);
	assert_int_equal(d.off_node_pages, PAGES_PER_SECTION);
	check_describe(nr, 1);
	vfree(sec_va(nr), sec_va(nr + 1), NULL);
	assert_int_equal(vmemmap_pgtable_alloc.nr_tables, 0);
}

/*
 * A table whose span holds struct pages of two nodes is counted by
 * vmemmap_describe(), with the section that uses it first. Sections S0
 * (node 0) and S0 + 1 (node 1) share every table above their leaves,
 * including the top ones whose span starts below VMEMMAP_START.
 */
static void test_cross_node_tables_counted(void **state)
{
	u64 va0 = sec_va(S0), va1 = sec_va(S0 + 1);
	unsigned long want = 0;
	int leaf_level;

	fake_ram_section_present(S0, 0);
	fake_ram_section_present(S0 + 1, 1);
	assert_int_equal(populate(va0, va1, 0, NULL), 0);
	take_census();
	leaf_level = cs.v[0].level;
	for (int lv = START + 1; lv <= leaf_level; lv++)
		want += ALIGN_DOWN(va0, level_size(lv - 1)) == ALIGN_DOWN(va1, level_size(lv - 1));
	assert_int_equal(want, vmemmap_pgtable_alloc.nr_tables);
	assert_int_equal(populate(va1, sec_va(S0 + 2), 1, NULL), 0);
	{
		struct vmemmap_cursor c = { 0 };
		struct vmemmap_section_desc d0, d1;

		describe(S0, &d0, &c);
		describe(S0 + 1, &d1, &c);
		if (d0.cross_node_tables != want || d1.cross_node_tables != 0)
			fail_msg("tables spanning nodes: section %lu %lu, section %lu %lu; want %lu, "
				 "0 (every table over both)", S0, d0.cross_node_tables, S0 + 1,
				 d1.cross_node_tables, want);
	}
	check_describe(S0, 2);
	vfree(va0, sec_va(S0 + 2), NULL);
}

/** vmemmap_populate_basepages(): base pages only, and "-ENOMEM with everything undone". */
static void test_populate_basepages(void **state)
{
	u64 a = VMEMMAP_START + 2 * BLOCK, b = a + 2 * CONT;
	struct vmem_altmap alt = make_altmap(0, 2 * CE, 1, 0);
	struct snap s0 = snap(&alt);

	assert_int_equal(populate_basepages(a, b, 0, &alt), 0);
	take_census();
	assert_counts(a, b, 0, 0, 2 * CE);
	check_backing(a, b, FR_CARVED, &alt);
	check_altmap_order(&alt);
	vfree(a, b, &alt);
	assert_back(&s0, "free");

	/* one page too few */
	alt = make_altmap(0, 2 * CE - 1, 1, 0);
	s0 = snap(&alt);
	assert_int_equal(populate_basepages(a, b, 0, &alt), -ENOMEM);
	assert_unmapped(a, b);
	assert_int_equal(alt.alloc, 0);
	assert_back(&s0, "-ENOMEM");
}

/** Ranges across the largest table boundary in the window (every level's at once). */
static void test_straddles_table_boundaries(void **state)
{
	u64 x = 0, start, end;
	struct vmem_altmap alt = make_altmap(0, 4 * BLOCK / PG, 0, 0);
	struct snap s0 = snap(&alt);
	int lv;

	for (lv = START; lv < LAST; lv++) {
		x = ALIGN(VMEMMAP_START + 2 * BLOCK, level_size(lv));
		if (x >= VMEMMAP_START + 2 * BLOCK && x + 2 * BLOCK <= win.va + win.size)
			break;
	}
	assert_true(lv < LAST);
	start = x - BLOCK - CONT - PG;
	end = x + BLOCK + CONT + PG;
	print_message("straddling the level-%d boundary %#lx\n", lv, x);
	for (int with_alt = 0; with_alt < 2; with_alt++) {
		struct vmem_altmap *a = with_alt ? &alt : NULL;

		assert_int_equal(populate(start, end, 0, a), 0);
		take_census();
		assert_counts(start, x - BLOCK, 0, 1, 1);
		assert_counts(x - BLOCK, x + BLOCK, 2, 0, 0);
		assert_counts(x + BLOCK, end, 0, 1, 1);
		/* the tables on each side of x are separate down from level lv + 1 */
		assert_int_equal(model_tables(), 2 * (LAST - lv) + (lv - START));
		check_backing(start, end, a ? FR_CARVED : FR_BUDDY, a);
		if (a)
			check_altmap_order(a);
		vfree(start, end, a);
		assert_unmapped(start, end);
		assert_back(&s0, "free");
	}
}

/*
 * Walks over empty tables near the top of the space: the entry that holds
 * the last page of the space ends at 2^64, so "the next entry" wraps to 0.
 * (In the kernel the fixmap keeps that entry live; here nothing does.)
 */
static void test_walks_end_at_the_top_of_the_space(void **state)
{
	static sigjmp_buf env;
	struct vmemmap_section_desc d;
	struct vmemmap_cursor c = { 0 };
	u64 a = VMEMMAP_START + BLOCK;

	if (sigsetjmp(env, 1))
		fail_msg("a walk over empty tables did not end (the next entry after the one "
			 "holding the top of the space wraps to 0)");
	hang_env = &env;
	alarm(5);
	vfree(VMEMMAP_END - 2 * BLOCK, VMEMMAP_END, NULL);
	vfree(a, a + 2 * BLOCK, NULL);
	describe(S0, &d, &c);
	assert_int_equal(d.blocks + d.cont_leaves + d.base_leaves + d.table_pages, 0);
	/* a free that empties the last table */
	assert_int_equal(populate(a, a + PG, 0, NULL), 0);
	vfree(a, a + 2 * BLOCK, NULL);
	assert_unmapped(a, a + PG);
	alarm(0);
	hang_env = NULL;
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_geometry),
		T(test_walks_end_at_the_top_of_the_space),
		T(test_auto_blocks_then_runs_then_base),
		T(test_section_mode_never_makes_runs),
		T(test_base_mode_only_base_pages),
		T(test_boot_memmap_from_memblock),
		T(test_failed_blocks_fall_back_chunk_by_chunk),
		T(test_altmap_pages_come_from_the_altmap),
		T(test_altmap_failed_block_fails_without_fallback),
		T(test_altmap_failed_block_takes_base_pages_from_it),
		T(test_exhausted_altmap_never_falls_back_to_ram),
		T(test_alloc_block_buf),
		T(test_shared_memmap_page),
		T(test_block_freed_with_its_last_subsection),
		T(test_failed_populate_keeps_what_was_there),
		T(test_starved_table_allocator_rolls_back),
		T(test_fail_nth_everywhere),
		T(test_describe_matches_what_was_built),
		T(test_describe_off_node_pages),
		T(test_cross_node_tables_counted),
		T(test_populate_basepages),
		T(test_straddles_table_boundaries),
	};

	return cmocka_run_group_tests_name("vmemmap " PAGE_SIZE_NAME, tests, group_setup, NULL);
}
