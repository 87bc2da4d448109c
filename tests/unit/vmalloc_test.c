// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of mm/vmalloc.c and mm/pageattr.c (the VA allocator, vmalloc,
 * vmalloc_huge, vfree, vmap, set_memory_*), linked with the real
 * mm/pgtable.c, mm/ptdump.c and mm/fault_inject.c over the fake arch (every
 * descriptor write checked for break-before-make, every live leaf shown at
 * a host address) and fake/fake_vmemmap_ram.c's recording buddy allocator
 * (each allocation's exact size and order is known, so a unit freed with
 * the wrong order, or a page freed twice, fails the test).
 *
 * One fake window shows the start of the vmalloc area, where first fit puts
 * every area these tests make:
 *
 *   VMALLOC_START                                         + WIN
 *   |<- block ->|<- block ->| ...   (4K 2M, 16K 32M, 64K 512M)
 *
 * Every count asserted is exact: leaves of each kind (against a model of
 * the huge ladder), buddy allocations and pages, table pages (against the
 * tables the leaves need), and all of it back to the start after each free.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake/fake_arch.h"
#include "fake/fake_phys.h"
#include "fake/fake_vmemmap_ram.h"
#include <lib/errno.h>
#include <mm/fault_inject.h>
#include <mm/ptdump.h>
#include <mm/vmalloc.h>

#define START		PGTABLE_START_LEVEL
#define LAST		PGTABLE_LAST_LEVEL
#define PG		((u64)PAGE_SIZE)

static struct fake_window win;
static u64 BLOCK, CONT, WIN;
static unsigned int CE;		/* entries in a run at the last level */

/* ---- what is mapped: the units of the window ---- */

struct unit {
	u64 va, size;		/* a contiguous run is one unit of CONT bytes */
	phys_addr_t pa;
	int level;
	bool cont;
	pgprot_t prot;
};

struct census {
	struct unit *v;
	unsigned long n, cap;
	unsigned long blocks, runs, pages, entries;
};

static struct census cs;

static void push_unit(u64 va, u64 size, phys_addr_t pa, int level, bool cont, pgprot_t prot)
{
	if (cs.n == cs.cap) {
		cs.cap = cs.cap ? cs.cap * 2 : 1024;
		cs.v = realloc(cs.v, cs.cap * sizeof(*cs.v));
		assert_non_null(cs.v);
	}
	cs.v[cs.n++] = (struct unit){ va, size, pa, level, cont, prot };
}

static void census_fn(void *arg, u64 va, int level, pte_t pte)
{
	enum pte_type t = arch_pte_type(pte, level);
	pgprot_t prot;
	phys_addr_t pa;

	if (t == PTE_INVALID)
		return;
	pa = arch_pte_addr(pte, level);
	prot = arch_pte_prot(pte, level);
	cs.entries++;
	if (t == PTE_BLOCK) {
		/* vmalloc makes level-2 blocks only, never in runs */
		assert_int_equal(level, LAST - 1);
		assert_false(arch_pte_cont(pte, level));
		push_unit(va, level_size(level), pa, level, false, prot);
		cs.blocks++;
	} else if (arch_pte_cont(pte, level)) {
		u64 run = ALIGN_DOWN(va, CONT);

		if (va == run) {
			push_unit(va, CONT, pa, level, true, prot);
			cs.runs++;
		} else {
			const struct unit *u = &cs.v[cs.n - 1];

			assert_true(cs.n && u->cont && u->va == run);
			assert_int_equal(pa, u->pa + (va - run));
			assert_int_equal(prot, u->prot);
		}
	} else {
		push_unit(va, PG, pa, level, false, prot);
		cs.pages++;
	}
}

static void take_census(void)
{
	cs.n = cs.blocks = cs.runs = cs.pages = cs.entries = 0;
	pgtable_for_each_leaf(&swapper_pg, win.va, win.va + win.size - 1, census_fn, NULL);
}

struct shape {
	unsigned long blocks, runs, pages;
};

/* The units that start in [a, b). */
static struct shape shape_in(u64 a, u64 b)
{
	struct shape k = { 0 };

	for (unsigned long i = 0; i < cs.n; i++) {
		const struct unit *u = &cs.v[i];

		if (u->va < a || u->va >= b)
			continue;
		if (u->cont)
			k.runs++;
		else if (u->level < LAST)
			k.blocks++;
		else
			k.pages++;
	}
	return k;
}

static void assert_shape(u64 a, u64 b, struct shape want)
{
	struct shape k = shape_in(a, b);

	if (memcmp(&k, &want, sizeof(k)))
		fail_msg("[%#lx, %#lx): %lu blocks, %lu runs, %lu pages; want %lu, %lu, %lu",
			 a, b, k.blocks, k.runs, k.pages, want.blocks, want.runs, want.pages);
}

/*
 * The huge ladder as a model: per block chunk of [va, va + size), a whole
 * block is a block; the rest runs where a whole aligned run fits, pages
 * elsewhere.
 */
static struct shape model_huge(u64 va, u64 size)
{
	struct shape k = { 0 };
	u64 end = va + size, next, n2;

	for (u64 a = va; a < end; a = next) {
		next = min(ALIGN_DOWN(a, BLOCK) + BLOCK, end);
		if (IS_ALIGNED(a, BLOCK) && next - a == BLOCK) {
			k.blocks++;
			continue;
		}
		for (u64 b = a; b < next; b = n2) {
			n2 = min(ALIGN_DOWN(b, CONT) + CONT, next);
			if (CE > 1 && IS_ALIGNED(b, CONT) && n2 - b == CONT)
				k.runs++;
			else
				k.pages += (n2 - b) / PG;
		}
	}
	return k;
}

/* Table pages a set of units needs: one per distinct span at each level. */
static unsigned long model_tables(void)
{
	u64 last[4];
	bool seen[4] = { false };
	unsigned long n = 0;

	for (unsigned long i = 0; i < cs.n; i++) {
		const struct unit *u = &cs.v[i];

		for (int lv = START + 1; lv <= u->level; lv++) {
			u64 base = ALIGN_DOWN(u->va, level_size(lv - 1));

			if (!seen[lv] || last[lv] != base) {
				seen[lv] = true;
				last[lv] = base;
				n++;
			}
		}
	}
	return n;
}

/* ---- what is allocated ---- */

struct snap {
	unsigned long nr_tables, fa_live, pool_used;
	unsigned long buddy_live, buddy_pages, table_pages, data_pages;
	unsigned long units, vm_pages, areas;
};

static unsigned long nr_areas(void)
{
	struct vm_struct *vm;
	unsigned long n = 0;

	list_for_each_entry(vm, &vmap_area_list, list)
		n++;
	return n;
}

static struct snap snap(void)
{
	take_census();
	return (struct snap){
		.nr_tables = vmalloc_pgtable_alloc.nr_tables, .fa_live = fake_vmemmap_tables.live,
		.pool_used = fake_pool_used(), .buddy_live = fake_ram.buddy_live,
		.buddy_pages = fake_ram.buddy_pages, .table_pages = fake_ram.table_pages,
		.data_pages = fake_ram.data_pages, .units = cs.n, .vm_pages = vmalloc_nr_pages(),
		.areas = nr_areas(),
	};
}

/* Everything is as it was at @a: pages, tables, leaves, areas. */
static void assert_back(const struct snap *a, const char *what)
{
	struct snap now = snap(), *b = &now;

	if (memcmp(a, b, sizeof(*a)))
		fail_msg("%s: not back to the start: tables %lu/%lu (fake %lu/%lu, pool %lu/%lu), "
			 "buddy %lu/%lu (%lu/%lu pages: tables %lu/%lu, data %lu/%lu), units %lu/%lu, "
			 "vmalloc pages %lu/%lu, areas %lu/%lu", what,
			 b->nr_tables, a->nr_tables, b->fa_live, a->fa_live, b->pool_used,
			 a->pool_used, b->buddy_live, a->buddy_live, b->buddy_pages, a->buddy_pages,
			 b->table_pages, a->table_pages, b->data_pages, a->data_pages, b->units,
			 a->units, b->vm_pages, a->vm_pages, b->areas, a->areas);
}

static void check_tables(void)
{
	fake_check_tree();
	assert_int_equal(vmalloc_pgtable_alloc.nr_tables, fake_vmemmap_tables.live);
	assert_int_equal(fake_ram.table_pages, fake_vmemmap_tables.live);
	take_census();
	assert_int_equal(vmalloc_pgtable_alloc.nr_tables, model_tables());
}

/* Nothing maps any page of [a, b): the host faults there too. */
static void assert_unmapped(u64 a, u64 b)
{
	u64 v;

	take_census();
	for (unsigned long i = 0; i < cs.n; i++)
		if (cs.v[i].va < b && cs.v[i].va + cs.v[i].size > a)
			fail_msg("[%#lx, +%#lx) is still mapped", cs.v[i].va, cs.v[i].size);
	for (u64 va = a; va < b; va += max((b - a) / 8, PG))
		assert_int_equal(fake_probe_read(fake_host_ptr(va), &v), -EFAULT);
	assert_int_equal(fake_probe_read(fake_host_ptr(b - PG), &v), -EFAULT);
}

/*
 * Every unit of @area is one buddy allocation of the unit's size, aligned
 * to it, owned by vmalloc; data written through the mapping lands in the
 * unit's pages (read through the mapping, which may be read-only); the guard
 * page faults.
 */
static void check_vmalloc_area(const struct vm_struct *area)
{
	u64 start = (u64)area->addr, end = start + get_vm_area_size(area), pages = 0, v;

	take_census();
	for (unsigned long i = 0; i < cs.n; i++) {
		const struct unit *u = &cs.v[i];
		phys_addr_t head;
		u64 size, *h;
		bool table;
		int nid;

		if (u->va < start || u->va >= end)
			continue;
		assert_true(u->va + u->size <= end);
		if (fake_ram_owner(u->pa, &head, &size, &nid, &table) != FR_BUDDY ||
		    head != u->pa || size != u->size || table)
			fail_msg("unit [%#lx, +%#lx): backing %#lx is not one buddy allocation of "
				 "its size", u->va, u->size, u->pa);
		assert_true(IS_ALIGNED(u->pa, u->size));
		for (u64 off = 0; off < u->size; off += PG)
			assert_int_equal(pfn_to_page((u->pa + off) >> PAGE_SHIFT)->owner,
					 PAGE_OWNER_VMALLOC);
		/* written to the unit's last word in RAM, read through the mapping */
		*(u64 *)fake_phys_ptr(u->pa + u->size - 8) = u->va ^ 0x5a5a5a5a5a5a5a5aULL;
		h = fake_host_ptr(u->va + u->size - 8);
		assert_int_equal(*h, u->va ^ 0x5a5a5a5a5a5a5a5aULL);
		pages += u->size / PG;
	}
	assert_int_equal(pages, area->nr_pages);
	assert_int_equal(pages * PG, get_vm_area_size(area));
	if (!(area->flags & VM_NO_GUARD))
		assert_int_equal(fake_probe_read(fake_host_ptr(end), &v), -EFAULT);
	assert_int_equal(fake_ram.movable_allocs, 0);
}

/* ---- operations, each one checked by the fake arch at its end ---- */

static char opname[256];

static void *range(u64 size, u64 align, u64 start, u64 end, pgprot_t prot,
		   unsigned long vm_flags)
{
	void *p;

	snprintf(opname, sizeof(opname), "__vmalloc_node_range %#lx align %#lx [%#lx, %#lx) "
		 "prot %#x flags %#lx", size, align, start, end, prot, vm_flags);
	fake_op_begin(opname);
	p = __vmalloc_node_range(size, align, start, end, GFP_KERNEL, prot, vm_flags,
				 NUMA_NO_NODE, NULL);
	fake_op_end();
	check_tables();
	return p;
}

static void *do_vmalloc(u64 size, bool huge)
{
	void *p;

	snprintf(opname, sizeof(opname), "vmalloc%s %#lx", huge ? "_huge" : "", size);
	fake_op_begin(opname);
	p = huge ? vmalloc_huge(size, GFP_KERNEL | __GFP_MOVABLE) : vmalloc(size);
	fake_op_end();
	check_tables();
	if (p) {
		struct vm_struct *area = find_vm_area(p);

		assert_non_null(area);
		assert_ptr_equal(area->addr, p);
		assert_int_equal(!!(area->flags & VM_HUGE_PAGES), huge);
		check_vmalloc_area(area);
	}
	return p;
}

static void do_vfree(const void *p)
{
	snprintf(opname, sizeof(opname), "vfree %p", p);
	fake_op_begin(opname);
	vfree(p);
	fake_op_end();
	check_tables();
}

static int do_set(int (*fn)(unsigned long, int), const char *name, u64 addr, int n)
{
	int ret;

	snprintf(opname, sizeof(opname), "set_memory_%s %#lx %d", name, addr, n);
	fake_op_begin(opname);
	ret = fn(addr, n);
	fake_op_end();
	check_tables();
	return ret;
}

#define SET(op, addr, n)	do_set(set_memory_##op, #op, addr, n)

static void *do_vmap(struct page **pages, unsigned int count, pgprot_t prot)
{
	void *p;

	snprintf(opname, sizeof(opname), "vmap %u pages prot %#x", count, prot);
	fake_op_begin(opname);
	p = vmap(pages, count, VM_MAP, prot);
	fake_op_end();
	check_tables();
	return p;
}

static void do_vunmap(const void *p)
{
	snprintf(opname, sizeof(opname), "vunmap %p", p);
	fake_op_begin(opname);
	vunmap(p);
	fake_op_end();
	check_tables();
}

/* The protection every unit of [a, b) has, or fail. */
static void assert_prot(u64 a, u64 b, pgprot_t prot)
{
	take_census();
	for (unsigned long i = 0; i < cs.n; i++)
		if (cs.v[i].va >= a && cs.v[i].va < b && cs.v[i].prot != prot)
			fail_msg("unit %#lx: prot %#x, want %#x", cs.v[i].va, cs.v[i].prot, prot);
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	fake_phys_init();
	fake_ram_init();
	BLOCK = level_size(LAST - 1);
	CE = arch_cont_entries(LAST);
	CONT = CE * PG;
	WIN = 64 * BLOCK;
	win = (struct fake_window){ .name = "vmalloc", .va = VMALLOC_START, .size = WIN };
	fake_arch_init(&win, 1);
	fake_ram_hook_tables(&vmalloc_pgtable_alloc);
	print_message("vmalloc %s: VMALLOC_START %#lx, window %#lx bytes, block %#lx, run %u x %#lx\n",
		      PAGE_SIZE_NAME, (unsigned long)VMALLOC_START, WIN, BLOCK, CE, PG);
	return 0;
}

static int setup(void **state)
{
	fake_arch_reset();
	fake_phys_reset();
	fake_ram_reset();
	swapper_pg.root = fake_phys_root_alloc(START);
	fake_arch_set_root(swapper_pg.root);
	vmalloc_pgtable_alloc.nr_tables = 0;
	for (int s = 0; s < NR_FAIL_SITES; s++)
		fail_site_every(s, 0);
	fail_nth_set(0);
	after_bootmem = true;
	vmalloc_init();
	return 0;
}

static int teardown(void **state)
{
	fake_arch_reset();
	return 0;
}

/* A small deterministic generator; the seed is printed. */
static u64 rng_state;

static u64 rnd(u64 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

/* ---- the tests ---- */

static void test_geometry(void **state)
{
	assert_int_equal(BLOCK, PAGE_SHIFT == 12 ? SZ_2M : PAGE_SHIFT == 14 ? 32 * SZ_1M : 512 * SZ_1M);
	assert_int_equal(CONT, PAGE_SHIFT == 12 ? 64 * SZ_1K : SZ_2M);
	/* a block's allocation fits the buddy allocator on every granule */
	assert_true(__builtin_ctzll(BLOCK) - PAGE_SHIFT <= MAX_PAGE_ORDER);
	assert_true(IS_ALIGNED(VMALLOC_START, BLOCK));
}

/**
 * The VA allocator, in a small range: areas never overlap, each is followed
 * by its unmapped guard page, alignment holds, the range fills up, and after
 * freeing everything the same requests get the same addresses again.
 */
static void test_areas_no_overlap_guard_gaps_and_reuse(void **state)
{
	u64 lo = VMALLOC_START + BLOCK, hi = lo + 256 * PG;
	struct { u64 size, align; struct vm_struct *vm; u64 addr; } req[200];
	struct vm_struct *vm, *prev = NULL;
	unsigned int n = 0, random;
	struct snap s0 = snap();

	rng_state = 0x1234567;
	print_message("seed %#lx\n", rng_state);
	/* random sizes and alignments until one does not fit, then single pages */
	for (random = 1; n < ARRAY_SIZE(req); n++) {
		u64 aligns[] = { PG, PG, 2 * PG, 8 * PG };

		req[n].size = random ? (1 + rnd(16)) * PG - rnd(2) * 8 : PG;
		req[n].align = random ? aligns[rnd(ARRAY_SIZE(aligns))] : PG;
		req[n].vm = __get_vm_area_caller(req[n].size, req[n].align, 0, lo, hi, NULL);
		if (!req[n].vm && random) {
			random = 0;
			n--;
			continue;
		}
		if (!req[n].vm)
			break;
		req[n].addr = (u64)req[n].vm->addr;
	}
	assert_true(n > 8 && n < ARRAY_SIZE(req));
	/* in range, aligned, the guard page counted */
	for (unsigned int i = 0; i < n; i++) {
		vm = req[i].vm;
		assert_true(req[i].addr >= lo && req[i].addr + vm->size <= hi);
		assert_true(IS_ALIGNED(req[i].addr, req[i].align));
		assert_int_equal(vm->size, ALIGN(req[i].size, PG) + PG);
		assert_int_equal(get_vm_area_size(vm), ALIGN(req[i].size, PG));
		assert_ptr_equal(find_vm_area((void *)(req[i].addr + vm->size - 1)), vm);
		assert_ptr_equal(find_vm_area((void *)req[i].addr), vm);
	}
	/* sorted, no overlap, and full: no gap (edges included) holds a page plus its guard */
	list_for_each_entry(vm, &vmap_area_list, list) {
		u64 from = prev ? (u64)prev->addr + prev->size : lo;

		assert_true(from <= (u64)vm->addr);
		assert_true((u64)vm->addr - from < 2 * PG);
		prev = vm;
	}
	assert_true(hi - ((u64)prev->addr + prev->size) < 2 * PG);
	/* free in a scrambled order, then ask again in the first order: same addresses */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = (i * 7 + 3) % n;

		while (!req[j].vm)
			j = (j + 1) % n;
		free_vm_area(req[j].vm);
		req[j].vm = NULL;
	}
	assert_null(find_vm_area((void *)lo));
	assert_back(&s0, "all freed");
	for (unsigned int i = 0; i < n; i++) {
		vm = __get_vm_area_caller(req[i].size, req[i].align, 0, lo, hi, NULL);
		assert_non_null(vm);
		assert_int_equal((u64)vm->addr, req[i].addr);
	}
	while (!list_empty(&vmap_area_list))
		free_vm_area(list_first_entry(&vmap_area_list, struct vm_struct, list));
	/* bad requests */
	assert_null(__get_vm_area_caller(0, PG, 0, lo, hi, NULL));
	assert_null(__get_vm_area_caller(PG, PG / 2, 0, lo, hi, NULL));
	assert_null(__get_vm_area_caller(PG, 3 * PG, 0, lo, hi, NULL));
	assert_null(__get_vm_area_caller(PG, PG, 0, hi, lo, NULL));
	assert_null(__get_vm_area_caller(~0UL, PG, 0, lo, hi, NULL));
	assert_null(__get_vm_area_caller(hi - lo, PG, 0, lo, hi, NULL));	/* no room for the guard */
	vm = __get_vm_area_caller(hi - lo, PG, VM_NO_GUARD, lo, hi, NULL);
	assert_non_null(vm);
	assert_int_equal(get_vm_area_size(vm), hi - lo);
	free_vm_area(vm);
	assert_back(&s0, "bad requests");
}

/** The vm_struct pool runs out before the VA does; freeing one area makes room. */
static void test_area_pool_exhaustion(void **state)
{
	struct vm_struct *last = NULL, *vm;
	unsigned long n = 0;

	while ((vm = get_vm_area(PG, 0)))
		last = vm, n++;
	print_message("%lu areas\n", n);
	assert_true(n >= 64);
	assert_non_null(last);
	free_vm_area(last);
	assert_non_null(get_vm_area(PG, 0));
	assert_null(vmalloc(PG));
	while (!list_empty(&vmap_area_list))
		free_vm_area(list_first_entry(&vmap_area_list, struct vm_struct, list));
}

/** vmalloc(): base pages, each its own allocation; vfree gives back every page and table. */
static void test_vmalloc_base_pages(void **state)
{
	struct snap s0 = snap();
	u64 sizes[] = { 1, PG, 3 * PG + 1, CONT + PG, BLOCK + 5 * PG };

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 mapped = ALIGN(sizes[i], PG);
		char *p = do_vmalloc(sizes[i], false);
		struct vm_struct *area = find_vm_area(p);

		assert_non_null(p);
		assert_int_equal((u64)p, VMALLOC_START);
		assert_int_equal(area->size, mapped + PG);
		assert_shape((u64)p, (u64)p + mapped, (struct shape){ 0, 0, mapped / PG });
		assert_int_equal(fake_ram.buddy_live - s0.buddy_live,
				 mapped / PG + vmalloc_pgtable_alloc.nr_tables);
		assert_int_equal(vmalloc_nr_pages(), mapped / PG);
		assert_ptr_equal(vmalloc_to_page(p + mapped - 1),
				 pfn_to_page(cs.v[cs.n - 1].pa >> PAGE_SHIFT));
		do_vfree(p);
		assert_unmapped((u64)p, (u64)p + mapped + PG);
		assert_back(&s0, "vfree");
		assert_null(vmalloc_to_page(p));
	}
	do_vfree(NULL);
	assert_null(do_vmalloc(0, false));
	assert_back(&s0, "nothing");
}

/**
 * vmalloc_huge(): block-aligned areas; whole blocks as blocks, runs where a
 * whole run fits in the rest, pages elsewhere; for odd sizes, and with the
 * free VA starting at odd places.
 */
static void test_huge_split_for_odd_sizes_and_alignments(void **state)
{
	u64 sizes[] = {
		2 * BLOCK, 2 * BLOCK + 3 * CONT + 5 * PG, BLOCK + 1, BLOCK - PG, 3 * CONT,
		2 * CONT - 8, CONT, CONT - PG, 3 * PG, 1,
	};
	unsigned int skews[] = { 0, 1, CE + 3 };
	struct snap s0 = snap();

	for (unsigned int k = 0; k < ARRAY_SIZE(skews); k++) {
		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
			u64 mapped = ALIGN(sizes[i], PG);
			u64 align = mapped >= BLOCK ? BLOCK : mapped >= CONT ? CONT : PG;
			void *skew = skews[k] ? do_vmalloc(skews[k] * PG, false) : NULL;
			char *p = do_vmalloc(sizes[i], true);
			struct shape want = model_huge((u64)p, mapped);

			assert_non_null(p);
			assert_true(IS_ALIGNED((u64)p, align));
			/* first fit: the lowest aligned address after the skew area */
			assert_int_equal((u64)p, ALIGN(VMALLOC_START + (skews[k] ? (skews[k] + 1) * PG : 0),
						       align));
			assert_shape((u64)p, (u64)p + mapped, want);
			do_vfree(p);
			assert_unmapped((u64)p, (u64)p + mapped);
			if (skew)
				do_vfree(skew);
			assert_back(&s0, "vfree");
		}
	}
	/* the model itself, spelled out for the mixed size */
	{
		unsigned long calls = fail_site_calls(FAIL_VMALLOC_BLOCK);
		char *p = do_vmalloc(2 * BLOCK + 3 * CONT + 5 * PG, true);
		u64 a = (u64)p;

		assert_shape(a, a + 2 * BLOCK, (struct shape){ 2, 0, 0 });
		assert_shape(a + 2 * BLOCK, a + 2 * BLOCK + 3 * CONT, (struct shape){ 0, 3, 0 });
		assert_shape(a + 2 * BLOCK + 3 * CONT, a + 2 * BLOCK + 3 * CONT + 5 * PG,
			     (struct shape){ 0, 0, 5 });
		assert_int_equal(fail_site_calls(FAIL_VMALLOC_BLOCK) - calls, 2);
		do_vfree(p);
		assert_back(&s0, "mixed");
	}
}

/**
 * Injected block failures: exactly the failed blocks fall back, to base
 * pages (Linux's fallback); failed runs too; nothing else changes.
 */
static void test_huge_falls_back_under_injection(void **state)
{
	u64 size = 4 * BLOCK + 2 * CONT;
	struct snap s0 = snap();
	char *p;

	fail_site_every(FAIL_VMALLOC_BLOCK, 2);
	p = do_vmalloc(size, true);
	assert_non_null(p);
	for (int i = 0; i < 4; i++)
		assert_shape((u64)p + i * BLOCK, (u64)p + (i + 1) * BLOCK,
			     i % 2 ? (struct shape){ 0, 0, BLOCK / PG } : (struct shape){ 1, 0, 0 });
	assert_shape((u64)p + 4 * BLOCK, (u64)p + size, (struct shape){ 0, 2, 0 });
	assert_int_equal(fail_site_failures(FAIL_VMALLOC_BLOCK), 2);
	do_vfree(p);
	assert_back(&s0, "every second block");

	/* every block and every run fails: base pages only, the area still huge */
	fail_site_every(FAIL_VMALLOC_BLOCK, 1);
	fail_site_every(FAIL_VMALLOC_CONT, 1);
	p = do_vmalloc(size, true);
	assert_shape((u64)p, (u64)p + size, (struct shape){ 0, 0, size / PG });
	assert_true(find_vm_area(p)->flags & VM_HUGE_PAGES);
	do_vfree(p);
	assert_back(&s0, "all fail");

	/* the buddy allocator itself fails the first block (call 1 is the block site): same */
	fail_site_every(FAIL_VMALLOC_BLOCK, 0);
	fail_site_every(FAIL_VMALLOC_CONT, 0);
	fail_nth_set(2);
	p = do_vmalloc(2 * BLOCK, true);
	assert_shape((u64)p, (u64)p + 2 * BLOCK, (struct shape){ 1, 0, BLOCK / PG });
	assert_shape((u64)p, (u64)p + BLOCK, (struct shape){ 0, 0, BLOCK / PG });
	do_vfree(p);
	assert_back(&s0, "buddy failure");
}

/**
 * Every allocation failing in turn (fail_nth): the call either succeeds
 * with a consistent area or returns NULL with every page, table and area
 * given back. Base-page and table failures are not fallen back from.
 */
static void test_fail_nth_everywhere_rolls_back(void **state)
{
	u64 size = BLOCK + 2 * CONT + 3 * PG;
	unsigned long ok = 0, failed = 0;
	struct snap s0 = snap();

	for (unsigned long n = 1;; n++) {
		unsigned long calls = 0;
		char *p;

		for (int s = 0; s < NR_FAIL_SITES; s++)
			calls += fail_site_calls(s);
		fail_nth_set(n);
		p = do_vmalloc(size, true);
		if (p) {
			do_vfree(p);
			ok++;
		} else {
			failed++;
		}
		fail_nth_set(0);
		assert_back(&s0, "fail_nth");
		{
			unsigned long now = 0;

			for (int s = 0; s < NR_FAIL_SITES; s++)
				now += fail_site_calls(s);
			/* the n-th call of this run was not reached: every point was tried */
			if (now - calls < n)
				break;
		}
	}
	print_message("fail_nth: %lu calls fell back or succeeded, %lu returned NULL\n", ok, failed);
	assert_true(failed > 0 && ok > 0);

	/* a starved table allocator: NULL, all undone */
	fail_site_every(FAIL_PGTABLE, 1);
	assert_null(do_vmalloc(size, true));
	assert_null(do_vmalloc(3 * PG, false));
	assert_back(&s0, "no tables");
}

/** Seed 004: only PAGE_KERNEL allocations may go huge; others keep base pages. */
static void test_only_page_kernel_goes_huge(void **state)
{
	pgprot_t prots[] = { PAGE_KERNEL_RO, PAGE_KERNEL_EXEC, PAGE_KERNEL_ROX };
	struct snap s0 = snap();

	for (unsigned int i = 0; i < ARRAY_SIZE(prots); i++) {
		char *p = range(2 * BLOCK, PG, VMALLOC_START, VMALLOC_START + WIN, prots[i],
				VM_HUGE_PAGES);
		struct vm_struct *area = find_vm_area(p);

		assert_non_null(p);
		assert_false(area->flags & VM_HUGE_PAGES);
		check_vmalloc_area(area);
		assert_shape((u64)p, (u64)p + 2 * BLOCK, (struct shape){ 0, 0, 2 * BLOCK / PG });
		assert_prot((u64)p, (u64)p + 2 * BLOCK, prots[i]);
		do_vfree(p);
		assert_back(&s0, "vfree");
	}
	assert_int_equal(fail_site_calls(FAIL_VMALLOC_BLOCK), 0);
}

/**
 * set_memory_*: a range that covers part of a block or run is refused with
 * nothing written; whole units change (a run with break-before-make, which
 * the fake arch checks); ranges outside one vmalloc area are refused.
 */
static void test_set_memory_whole_units_only(void **state)
{
	u64 size = BLOCK + CONT + 2 * PG, bn = BLOCK / PG;
	struct snap s0 = snap();
	char *p = do_vmalloc(size, true);
	u64 a = (u64)p, writes, v;
	char *q;

	assert_shape(a, a + size, (struct shape){ 1, 1, 2 });
	writes = fake_stats.writes;
	assert_int_equal(SET(ro, a, 1), -EINVAL);			/* part of the block */
	assert_int_equal(SET(ro, a + PG, bn), -EINVAL);			/* its tail and more */
	assert_int_equal(SET(ro, a, bn + 1), -EINVAL);			/* block + part of the run */
	assert_int_equal(SET(ro, a + BLOCK + PG, CE - 1), -EINVAL);	/* part of the run */
	assert_int_equal(SET(ro, a + BLOCK, CE + 3), -EINVAL);		/* into the guard page */
	assert_int_equal(SET(ro, a + 1, 1), -EINVAL);			/* not page aligned */
	assert_int_equal(SET(ro, a, -1), -EINVAL);
	assert_int_equal(fake_stats.writes, writes);
	assert_prot(a, a + size, PAGE_KERNEL);

	assert_int_equal(SET(ro, a, 0), 0);
	assert_int_equal(SET(ro, a, bn), 0);
	assert_prot(a, a + BLOCK, PAGE_KERNEL_RO);
	assert_prot(a + BLOCK, a + size, PAGE_KERNEL);
	assert_int_equal(fake_probe_write(fake_host_ptr(a + BLOCK - 8), 1), -EFAULT);
	assert_int_equal(fake_probe_read(fake_host_ptr(a + BLOCK - 8), &v), 0);
	assert_int_equal(SET(ro, a + BLOCK, CE + 1), 0);
	assert_prot(a + BLOCK, a + BLOCK + CONT + PG, PAGE_KERNEL_RO);
	assert_prot(a + BLOCK + CONT + PG, a + size, PAGE_KERNEL);
	assert_int_equal(fake_probe_write(fake_host_ptr(a + BLOCK + PG), 1), -EFAULT);
	/* x and nx keep the write bit as it is; rw puts it back */
	assert_int_equal(SET(x, a, bn + CE), 0);
	assert_prot(a, a + BLOCK + CONT, PAGE_KERNEL_ROX);
	assert_int_equal(SET(nx, a, bn + CE + 2), 0);
	assert_int_equal(SET(rw, a, bn + CE + 2), 0);
	assert_prot(a, a + size, PAGE_KERNEL);
	assert_int_equal(fake_probe_write(fake_host_ptr(a + BLOCK + PG), 2), 0);
	check_vmalloc_area(find_vm_area(p));

	/* not a vmalloc area, or not one area */
	assert_int_equal(SET(ro, VMALLOC_START + WIN - PG, 1), -EINVAL);
	q = do_vmalloc(PG, false);
	assert_int_equal(SET(ro, a + size - PG, 2 + 1), -EINVAL);
	assert_int_equal(SET(ro, (u64)q, 1), 0);
	do_vfree(q);
	do_vfree(p);
	assert_back(&s0, "vfree");
}

/** The walkers (ptdump, pt, the unit walk) agree on blocks and runs in the vmalloc area. */
static void test_walkers_see_blocks_and_runs(void **state)
{
	u64 size = 2 * BLOCK + 2 * CONT + 3 * PG;
	char *p = do_vmalloc(size, true);
	struct vm_area_leaves l;
	struct pgtable_walk w;
	struct pgtable_unit u;
	u64 a = (u64)p;

	vm_area_leaves(find_vm_area(p), &l);
	take_census();
	assert_int_equal(l.blocks, 2);
	assert_int_equal(l.cont_runs, 2);
	assert_int_equal(l.pages, 3);
	assert_int_equal(l.entries, cs.entries);
	assert_int_equal(l.entries, 2 + 2 * CE + 3);
	assert_int_equal(l.mapped, size);
	/* pt: the walk stops at the block; the run's entries carry the bit */
	assert_int_equal(pgtable_walk(&swapper_pg, a + BLOCK + 5 * PG, &w), 0);
	assert_int_equal(w.level, LAST - 1);
	assert_int_equal(arch_pte_addr(w.pte, w.level), cs.v[1].pa);
	assert_int_equal(pgtable_walk(&swapper_pg, a + 2 * BLOCK + CONT + PG, &w), 0);
	assert_true(w.level == LAST && arch_pte_cont(w.pte, LAST));
	/* the unit of any page of a run is the whole run */
	assert_int_equal(pgtable_leaf_unit(&swapper_pg, a + 2 * BLOCK + CONT + 3 * PG, &u), 0);
	assert_true(u.cont && u.va == a + 2 * BLOCK + CONT && u.size == CONT);
	assert_int_equal(u.pa, cs.v[3].pa);
	assert_int_equal(pgtable_leaf_unit(&swapper_pg, a + size, &u), -EFAULT);
	/* ptdump: one range per block (separate allocations), runs marked, no W+X */
	assert_int_equal(ptdump_wx_pages(&swapper_pg, win.va, win.va + win.size - 1, NULL), 0);
	do_vfree(p);
}

static void collect_range(void *arg, const struct ptdump_range *r)
{
	struct census *c = arg;

	c->entries += r->entries;
	if (r->cont)
		c->runs += r->entries / CE;
	else if (r->level < LAST)
		c->blocks += r->entries;
	else
		c->pages += r->entries;
}

static void test_ptdump_counts_match(void **state)
{
	u64 size = 2 * BLOCK + 2 * CONT + 3 * PG;
	char *p = do_vmalloc(size, true);
	struct census c = { 0 };

	assert_int_equal(ptdump_walk(&swapper_pg, win.va, win.va + win.size - 1, collect_range,
				     &c), 0);
	take_census();
	assert_int_equal(c.blocks, cs.blocks);
	assert_int_equal(c.runs, cs.runs);
	assert_int_equal(c.pages, cs.pages);
	assert_int_equal(c.entries, cs.entries);
	do_vfree(p);
}

/**
 * vmap() of higher-order pages: each aligned, physically consecutive run
 * of pages takes the largest leaf it fills; other protections, or a
 * misaligned start, keep base pages; vunmap leaves the pages to the caller.
 */
static void test_vmap_takes_the_largest_leaves(void **state)
{
	unsigned int bn = BLOCK / PG, n = bn + CE + 3, i = 0;
	struct page **pages = calloc(n, sizeof(*pages));
	struct page *blk, *run, *one[3];
	unsigned long live;
	struct snap s0;
	char *p;

	assert_non_null(pages);
	blk = alloc_pages_node(0, __builtin_ctzll(BLOCK) - PAGE_SHIFT, GFP_KERNEL);
	run = alloc_pages_node(0, __builtin_ctz(CE), GFP_KERNEL);
	for (int k = 0; k < 3; k++)
		one[k] = alloc_pages_node(0, 0, GFP_KERNEL);
	assert_true(blk && run && one[0] && one[1] && one[2]);
	for (unsigned int k = 0; k < bn; k++)
		pages[i++] = blk + k;
	for (unsigned int k = 0; k < CE; k++)
		pages[i++] = run + k;
	for (int k = 0; k < 3; k++)
		pages[i++] = one[k];
	live = fake_ram.buddy_live;
	s0 = snap();

	p = do_vmap(pages, n, PAGE_KERNEL);
	assert_non_null(p);
	assert_true(find_vm_area(p)->flags & VM_MAP);
	assert_shape((u64)p, (u64)p + BLOCK, (struct shape){ 1, 0, 0 });
	assert_shape((u64)p + BLOCK, (u64)p + BLOCK + CONT, (struct shape){ 0, 1, 0 });
	assert_shape((u64)p + BLOCK + CONT, (u64)p + (u64)n * PG, (struct shape){ 0, 0, 3 });
	for (unsigned int k = 0; k < n; k += 97)
		assert_ptr_equal(vmalloc_to_page(p + (u64)k * PG), pages[k]);
	assert_int_equal(fake_ram.buddy_live - live, vmalloc_pgtable_alloc.nr_tables);
	assert_int_equal(SET(ro, (u64)p, 1), -EINVAL);	/* not vmalloc memory */
	do_vunmap(p);
	assert_unmapped((u64)p, (u64)p + (u64)n * PG);
	assert_back(&s0, "vunmap");

	/* read-only: base pages only */
	p = do_vmap(pages, n, PAGE_KERNEL_RO);
	assert_shape((u64)p, (u64)p + (u64)n * PG, (struct shape){ 0, 0, n });
	do_vunmap(p);
	/* starting one page into the block: nothing lines up */
	p = do_vmap(pages + 1, bn - 1, PAGE_KERNEL);
	assert_shape((u64)p, (u64)p + (u64)(bn - 1) * PG, (struct shape){ 0, 0, bn - 1 });
	/* vfree of a vmap area unmaps it and leaves the pages */
	do_vfree(p);
	assert_back(&s0, "vfree of a vmap area");
	assert_int_equal(fake_ram.buddy_live, live);

	free_pages(blk, __builtin_ctzll(BLOCK) - PAGE_SHIFT);
	free_pages(run, __builtin_ctz(CE));
	for (int k = 0; k < 3; k++)
		free_pages(one[k], 0);
	free(pages);
}

/**
 * Random vmalloc / vmalloc_huge / vfree: after every step the tables are
 * the ones the leaves need; at the end everything is back, to the page.
 */
static void test_random_counts_back_to_baseline(void **state)
{
	struct { char *p; u64 size; } live[16] = { 0 };
	struct snap s0 = snap();

	rng_state = 0x9e3779b97f4a7c15ULL ^ PAGE_SHIFT;
	print_message("seed %#lx\n", rng_state);
	for (int step = 0; step < 200; step++) {
		unsigned int i = rnd(ARRAY_SIZE(live));

		if (live[i].p) {
			do_vfree(live[i].p);
			live[i].p = NULL;
			continue;
		}
		/* a quarter up to two blocks, the rest up to three runs */
		live[i].size = rnd(4) == 0 ? rnd(2 * BLOCK / PG) * PG + rnd(PG) + 1 :
			       rnd(3 * CE) * PG + 1;
		if (rnd(4) == 0)
			fail_site_every(FAIL_VMALLOC_BLOCK, 1 + rnd(3));
		live[i].p = do_vmalloc(live[i].size, rnd(3) != 0);
		fail_site_every(FAIL_VMALLOC_BLOCK, 0);
		assert_non_null(live[i].p);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(live); i++)
		if (live[i].p)
			do_vfree(live[i].p);
	assert_back(&s0, "all freed");
	assert_int_equal(fake_ram.buddy_frees, fake_ram.buddy_allocs);
	assert_int_equal(fake_ram.data_pages + fake_ram.table_pages, 0);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_geometry),
		T(test_areas_no_overlap_guard_gaps_and_reuse),
		T(test_area_pool_exhaustion),
		T(test_vmalloc_base_pages),
		T(test_huge_split_for_odd_sizes_and_alignments),
		T(test_huge_falls_back_under_injection),
		T(test_fail_nth_everywhere_rolls_back),
		T(test_only_page_kernel_goes_huge),
		T(test_set_memory_whole_units_only),
		T(test_walkers_see_blocks_and_runs),
		T(test_ptdump_counts_match),
		T(test_vmap_takes_the_largest_leaves),
		T(test_random_counts_back_to_baseline),
	};

	return cmocka_run_group_tests_name("vmalloc " PAGE_SIZE_NAME, tests, group_setup, NULL);
}
