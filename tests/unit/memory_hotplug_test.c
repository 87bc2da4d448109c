// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of memory hotplug's rollback (issue 9): add, online, offline
 * and remove with an injected failure at each allocation site in turn.
 *
 * What runs is the kernel's own mm/ from paging_init() on: memblock,
 * the linear map, sparse_init() and its vmemmap, the buddy allocator,
 * memory blocks, add_memory() with memmap on memory and hosted tables,
 * onlining, offlining with migration, remove_memory(), and
 * mm/fault_inject.c's fail_nth. Beneath it the fake arch (break-before-make
 * checker) and fake physical memory in a sparse memfd; the memmap is read
 * through the vmemmap's own mappings and page contents through the linear
 * map's (fake/fake_views.h), so memory that is not mapped faults.
 *
 * The boot layout (B = memory_block_size, one section):
 *
 *   2 GiB         +4B          +6B   +8B         +10B        1 TiB - 2B     1 TiB
 *   |== node 0 ===|== held 0 ==|.....|== node 1 ==|....................|== held 1 ==|
 *    kernel 2 MiB   "shared"                                              "private"
 *
 * "shared" hot-adds two blocks next to node 0's memory: its page tables
 * exist or are shared with boot memory. "private" hot-adds two blocks of
 * node 1 at the top of the physical range, whose table spans map nothing
 * else (the private-span rule): with memmap on memory those tables are
 * hosted in the blocks, and the add takes no page of the memory that was
 * there.
 *
 * For each geometry and memmap_on_memory mode: one clean sequence (add,
 * online each block movable, three movable allocations with a pattern,
 * offline each block, free them, remove) brings the allocator to its
 * steady state; the next clean one counts the should_fail() calls of each
 * step and must end exactly where it began. Then for every call N in turn
 * the sequence runs with call N failing: the step returns the errno the
 * site's caller must return (or 0 where a fallback takes over), a failed
 * add leaves every counter as before it, a failed offline leaves the
 * block online and the data where the owner now finds it; the step is
 * retried clean, the sequence completes, every counter is back to the
 * baseline, and a whole clean sequence after it makes the same calls.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake/fake_arch.h"
#include "fake/fake_kernel.h"
#include "fake/fake_phys.h"
#include "fake/fake_views.h"
#include <lib/errno.h>
#include <mm/fault_inject.h>
#include <mm/memblock.h>
#include <mm/memory.h>
#include <mm/memory_hotplug.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <mm/vmemmap.h>

#define PHYS_TOP	(1UL << MAX_PHYSMEM_BITS)
#define RAM0		(2 * SZ_1G)
#define BLK		memory_block_size

_Static_assert(FAKE_PHYS_END == PHYS_TOP, "the fake memory must reach the top of the section table");

/* ---- the layout ---- */

static u64 ram0_end(void)	{ return RAM0 + 4 * BLK; }
static u64 held0(void)		{ return RAM0 + 4 * BLK; }
static u64 ram1(void)		{ return RAM0 + 8 * BLK; }
static u64 ram1_end(void)	{ return RAM0 + 10 * BLK; }
static u64 held1(void)		{ return PHYS_TOP - 2 * BLK; }

/*
 * pageblock_order: the granule's default, or fitted to a block's memmap
 * (PB_MEMMAP: what makes memmap_on_memory=on apply on 16K and 64K, as
 * `pageblock_order=` does on the console), or twice that (PB_PADDED: force
 * mode pads the memmap to a pageblock, and hosts tables in the padding).
 */
enum pb_choice { PB_DEFAULT, PB_MEMMAP, PB_PADDED };

struct hp_case {
	const char *name;
	bool private;			/* the "private" geometry, else "shared" */
	enum memmap_on_memory_mode mode;
	enum pb_choice pb;
};

static const struct hp_case cases[] = {
	{ "shared_off", false, MEMMAP_ON_MEMORY_OFF, PB_DEFAULT },
	{ "shared_on", false, MEMMAP_ON_MEMORY_ON, PB_DEFAULT },
	{ "shared_force", false, MEMMAP_ON_MEMORY_FORCE, PB_DEFAULT },
	{ "private_off", true, MEMMAP_ON_MEMORY_OFF, PB_DEFAULT },
	{ "private_on", true, MEMMAP_ON_MEMORY_ON, PB_DEFAULT },
	{ "private_force", true, MEMMAP_ON_MEMORY_FORCE, PB_DEFAULT },
	{ "shared_on_memmap_pageblocks", false, MEMMAP_ON_MEMORY_ON, PB_MEMMAP },
	{ "private_on_memmap_pageblocks", true, MEMMAP_ON_MEMORY_ON, PB_MEMMAP },
	{ "private_force_padded", true, MEMMAP_ON_MEMORY_FORCE, PB_PADDED },
};

static const unsigned int default_pageblock_order =
	PTRS_PER_TABLE_SHIFT < MAX_PAGE_ORDER ? PTRS_PER_TABLE_SHIFT : MAX_PAGE_ORDER;

static unsigned int case_pageblock_order(const struct hp_case *c)
{
	unsigned long memmap = memory_block_size / PAGE_SIZE * sizeof(struct page) / PAGE_SIZE;
	unsigned int order = __builtin_ctzl(memmap);

	if (c->pb == PB_DEFAULT)
		return default_pageblock_order;
	return min(order + (c->pb == PB_PADDED), (unsigned int)MAX_PAGE_ORDER);
}

static u64 case_base(const struct hp_case *c)
{
	return c->private ? held1() : held0();
}

static u64 case_size(const struct hp_case *c)
{
	return 2 * BLK;
}

static int case_nid(const struct hp_case *c)
{
	return c->private ? 1 : 0;
}

/* ---- the fake machine ---- */

static struct fake_window windows[2];
static struct fake_alloc kernel_tables, vmemmap_tables, mhp_tables;

static int group_setup(void **state)
{
	u64 memstart = ALIGN_DOWN(RAM0, arch_memstart_align());
	u64 memmap = (PHYS_TOP - memstart) / PAGE_SIZE * sizeof(struct page);
	cpu_set_t cpu;

	/*
	 * One CPU: the fake arch replaces host mappings for every leaf mm/
	 * unmaps, and on one CPU the host needs no TLB shootdown for them.
	 */
	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu(), &cpu);
	sched_setaffinity(0, sizeof(cpu), &cpu);
	fake_phys_init();
	windows[0] = (struct fake_window){ .name = "linear", .va = PAGE_OFFSET,
					   .size = PHYS_TOP - memstart };
	windows[1] = (struct fake_window){ .name = "vmemmap", .va = VMEMMAP_START,
					   .size = ALIGN(memmap, vmemmap_block_bytes()) };
	fake_arch_init(windows, ARRAY_SIZE(windows));
	fake_vmemmap_host = windows[1].host;
	fake_phys_hook_tables(&kernel_tables, &kernel_pgtable_alloc);
	fake_phys_hook_tables(&vmemmap_tables, &vmemmap_pgtable_alloc);
	fake_phys_hook_tables(&mhp_tables, &mhp_pgtable_alloc);
	fake_printk_echo = getenv("HOTMM_UNIT_VERBOSE");
	return 0;
}

static void reset_table_counts(struct fake_alloc *fa, struct pgtable_alloc *a)
{
	fa->calls = fa->failed = fa->live = fa->frees = 0;
	a->nr_tables = 0;
}

/* kernel/main.c's boot, from memblock to the memory blocks. */
static void boot(void)
{
	fake_arch_reset();
	fake_phys_reset();
	memset(&memblock, 0, sizeof(memblock));
	memset(mem_section, 0, sizeof(mem_section));
	memset(memory_blocks, 0, sizeof(memory_blocks));
	memset(hotplug_ranges, 0, sizeof(hotplug_ranges));
	memset(&mhp_table_stats, 0, sizeof(mhp_table_stats));
	reset_table_counts(&kernel_tables, &kernel_pgtable_alloc);
	reset_table_counts(&vmemmap_tables, &vmemmap_pgtable_alloc);
	reset_table_counts(&mhp_tables, &mhp_pgtable_alloc);
	after_bootmem = false;
	for (int s = 0; s < NR_FAIL_SITES; s++)
		fail_site_every(s, 0);
	fail_nth_set(0);
	memhp_default_state = MEMHP_OFFLINE;

	assert_int_equal(memblock_add_node(RAM0, ram0_end() - RAM0, 0), 0);
	assert_int_equal(memblock_add_node(ram1(), ram1_end() - ram1(), 1), 0);
	assert_int_equal(memblock_reserve(RAM0, SZ_2M, "kernel"), 0);
	assert_int_equal(memblock_hold(held0(), 2 * BLK, 0), 0);
	assert_int_equal(memblock_hold(held1(), 2 * BLK, 1), 0);

	fake_op_begin("paging_init");
	paging_init();
	fake_op_end();
	fake_op_begin("sparse_init");
	sparse_init();
	fake_op_end();
	free_area_init();
	memblock_free_all();
	after_bootmem = true;
	memory_dev_init();
	fake_check_tree();
}

static int setup(void **state)
{
	const struct hp_case *c = *state;

	pageblock_order = case_pageblock_order(c);
	boot();
	return 0;
}

static int teardown(void **state)
{
	fail_nth_set(0);
	fake_arch_reset();
	pageblock_order = default_pageblock_order;
	return 0;
}

/* ---- counters ---- */

#define MAX_COUNTERS	256

struct counter {
	char name[56];
	u64 v;
	bool moves;		/* a migration may change it: not compared after a failed offline */
};

struct counters {
	unsigned int n;
	struct counter c[MAX_COUNTERS];
};

static __printf(4, 5) void put(struct counters *s, bool moves, u64 v, const char *fmt, ...)
{
	va_list ap;

	assert_true(s->n < MAX_COUNTERS);
	va_start(ap, fmt);
	vsnprintf(s->c[s->n].name, sizeof(s->c[s->n].name), fmt, ap);
	va_end(ap);
	s->c[s->n].v = v;
	s->c[s->n++].moves = moves;
}

/* Digests: a word at a time (the memmap is large), bytes for the odd ends. */
static u64 mix(u64 h, u64 x)
{
	h = (h ^ x) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static u64 fnv(u64 h, const void *p, size_t n)
{
	const u8 *b = p;
	u64 w;

	for (; n >= sizeof(w); n -= sizeof(w), b += sizeof(w)) {
		memcpy(&w, b, sizeof(w));
		h = mix(h, w);
	}
	while (n--)
		h = mix(h, *b++);
	return h;
}

#define FNV0	0xcbf29ce484222325ULL

static u64 region_digest(const struct memblock_type *t)
{
	u64 h = FNV0;

	for (int i = 0; i < t->cnt; i++) {
		const struct memblock_region *r = &t->regions[i];

		h = fnv(h, &r->base, sizeof(r->base));
		h = fnv(h, &r->size, sizeof(r->size));
		h = fnv(h, &r->nid, sizeof(r->nid));
		h = fnv(h, &r->flags, sizeof(r->flags));
		h = fnv(h, r->name ? r->name : "", r->name ? strlen(r->name) : 0);
	}
	return h;
}

/*
 * What a struct page says, without its free-list links (their order may
 * differ) and its pageblock's migratetype: the buddy allocator steals
 * pageblocks for unmovable allocations and never gives them back, in Linux
 * too, so a fallback to base pages may leave more Unmovable pageblocks. An
 * isolation left behind counts.
 */
static u64 memmap_digest(u64 start, u64 end)
{
	u64 h = FNV0;

	for (unsigned long pfn = PFN_DOWN(start); pfn < PFN_DOWN(end); pfn++) {
		const struct page *p = pfn_to_page(pfn);
		u8 isolated = p->pageblock_flags & PB_ISOLATE;

		h = mix(h, p->flags);
		h = mix(h, (u64)p->_refcount << 8 | isolated);
		h = mix(h, p->owner);
		if (PageBuddy(p))
			h = mix(h, p->private);
	}
	return h;
}

static void leaf_digest_fn(void *arg, u64 va, int level, pte_t pte)
{
	u64 *h = arg;

	if (arch_pte_type(pte, level) == PTE_INVALID)
		return;
	*h = fnv(*h, &va, sizeof(va));
	*h = fnv(*h, &level, sizeof(level));
	*h = fnv(*h, &pte, sizeof(pte));
}

/* Every live leaf of the kernel tables in both windows. */
static u64 leaf_digest(void)
{
	u64 h = FNV0;

	for (unsigned int i = 0; i < ARRAY_SIZE(windows); i++)
		pgtable_for_each_leaf(&swapper_pg, windows[i].va, windows[i].va + windows[i].size - 1,
				      leaf_digest_fn, &h);
	return h;
}

static unsigned long live_tables(void)
{
	const struct fake_table *t;
	unsigned long i = 0, n = 0;
	phys_addr_t pa;

	while ((t = fake_table_next(&i, &pa)))
		n += t->state != FT_FREE && t->live;
	return n;
}

static unsigned long subsections(void)
{
	unsigned long n = 0;

	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++)
		n += bitmap_weight(mem_section[nr].subsection_map, SUBSECTIONS_PER_SECTION);
	return n;
}

static unsigned long isolated_pageblocks(void)
{
	unsigned long n = 0;

	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++) {
		unsigned long pfn = section_nr_to_pfn(nr);

		if (!valid_section_nr(nr))
			continue;
		for (unsigned long i = 0; i < PAGES_PER_SECTION; i += pageblock_nr_pages)
			n += pfn_valid(pfn + i) &&
			     (pfn_to_page(pfn + i)->pageblock_flags & PB_ISOLATE);
	}
	return n;
}

static unsigned long injected(void)
{
	unsigned long n = 0;

	for (int s = 0; s < NR_FAIL_SITES; s++)
		n += fail_site_failures(s);
	return n;
}

static unsigned long should_fail_calls(void)
{
	unsigned long n = 0;

	for (int s = 0; s < NR_FAIL_SITES; s++)
		n += fail_site_calls(s);
	return n;
}

static void take(struct counters *s)
{
	unsigned long blocks = 0, ranges = 0;

	s->n = 0;
	for (int nid = 0; nid < 2; nid++) {
		const pg_data_t *pgdat = NODE_DATA(nid);

		put(s, false, pgdat->online, "node %d online", nid);
		put(s, false, pgdat->node_start_pfn, "node %d start pfn", nid);
		put(s, false, pgdat->node_spanned_pages, "node %d spanned", nid);
		put(s, false, pgdat->node_present_pages, "node %d present", nid);
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &pgdat->node_zones[z];
			u64 h = FNV0;

			put(s, false, zone->zone_start_pfn, "node %d %s start pfn", nid, zone_names[z]);
			put(s, false, zone->spanned_pages, "node %d %s spanned", nid, zone_names[z]);
			put(s, false, zone->present_pages, "node %d %s present", nid, zone_names[z]);
			put(s, false, zone->managed_pages, "node %d %s managed", nid, zone_names[z]);
			put(s, true, zone->free_pages, "node %d %s free", nid, zone_names[z]);
			for (int o = 0; o <= MAX_PAGE_ORDER; o++)
				h = fnv(h, &zone->free_area[o].nr_free, sizeof(unsigned long));
			put(s, true, h, "node %d %s free blocks per order (digest)", nid,
			    zone_names[z]);
		}
	}
	for (int nid = 2; nid < MAX_NUMNODES; nid++)
		put(s, false, NODE_DATA(nid)->online, "node %d online", nid);
	put(s, false, nr_free_pages(), "free pages");
	put(s, false, totalram_pages(), "managed pages");
	put(s, false, memblock.memory.cnt, "memblock memory regions");
	put(s, false, memblock_phys_mem_size(), "memblock memory bytes");
	put(s, false, region_digest(&memblock.memory), "memblock memory (digest)");
	put(s, false, memblock.reserved.cnt, "memblock reserved regions");
	put(s, false, region_digest(&memblock.reserved), "memblock reserved (digest)");
	put(s, false, memblock.held.cnt, "memblock held regions");
	put(s, false, region_digest(&memblock.held), "memblock held (digest)");
	put(s, false, kernel_pgtable_alloc.nr_tables, "kernel tables");
	put(s, false, vmemmap_pgtable_alloc.nr_tables, "vmemmap tables");
	put(s, false, mhp_pgtable_alloc.nr_tables, "hotplug tables");
	put(s, false, mhp_table_stats.hosted, "hotplug tables hosted");
	put(s, false, mhp_table_stats.existing, "hotplug tables in existing memory");
	put(s, false, mhp_table_stats.moved, "hotplug tables moved");
	put(s, false, kernel_tables.live + vmemmap_tables.live + mhp_tables.live,
	    "fake arch: table pages handed out");
	put(s, false, fake_data_tables_used() + fake_pool_used(), "fake arch: table pages in use");
	put(s, false, live_tables(), "fake arch: live tables");
	put(s, false, pgtable_origins_pending(), "table origins waiting for a memmap");
	put(s, false, leaf_digest(), "kernel page-table leaves (digest)");
	put(s, false, nr_present_sections(), "present sections");
	put(s, false, nr_populated_sections(), "sections with a memmap");
	put(s, false, subsections(), "subsections holding memory");
	put(s, false, isolated_pageblocks(), "isolated pageblocks");
	put(s, false, fnv(FNV0, mem_section, sizeof(mem_section)), "mem_section (digest)");
	for_each_memory_block(mem)
		blocks++;
	put(s, false, blocks, "memory blocks");
	put(s, false, fnv(FNV0, memory_blocks, sizeof(memory_blocks)), "memory blocks (digest)");
	for (int i = 0; i < MAX_HOTPLUG_RANGES; i++)
		ranges += hotplug_ranges[i].used;
	put(s, false, ranges, "hot-added ranges");
	put(s, true, memmap_digest(RAM0, ram0_end()) ^ memmap_digest(ram1(), ram1_end()),
	    "boot memory's struct pages (digest)");
}

/* Every counter equal, or (@relaxed) every one a migration leaves alone; else say which. */
static void expect_same(const struct counters *a, const struct counters *b, bool relaxed,
			const char *when)
{
	unsigned int bad = 0;

	assert_int_equal(a->n, b->n);
	for (unsigned int i = 0; i < a->n; i++) {
		if (a->c[i].v == b->c[i].v || (relaxed && a->c[i].moves))
			continue;
		if (!bad++)
			print_error("%s: counters differ (mm/ said last: \"%s\")\n", when,
				    fake_printk_last);
		print_error("  %-48s %#lx, now %#lx\n", a->c[i].name, a->c[i].v, b->c[i].v);
	}
	if (bad)
		fail_msg("%s: %u counter(s) not back where they were", when, bad);
}

/* ---- the sequence ---- */

enum step_kind { ST_ADD, ST_ONLINE, ST_OFFLINE, ST_REMOVE };

static const char *const step_names[] = { "add", "online", "offline", "remove" };

struct step {
	enum step_kind kind;
	int block;		/* online, offline: which block of the range */
};

#define NR_BLOCKS	2
#define NR_STEPS	(2 + 2 * NR_BLOCKS)
#define MAX_SITES	256

/* The test's movable allocations, followed through migration. */
struct test_alloc {
	struct page *page;
	unsigned int order;
	u64 seed;
};

static struct test_alloc allocs[3];
static unsigned long migrations;

static const unsigned int alloc_orders[ARRAY_SIZE(allocs)] = { 0, 1, 3 };

static int follow(struct page *dst, struct page *src, unsigned int order)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(allocs); i++) {
		if (allocs[i].page == src) {
			allocs[i].page = dst;
			migrations++;
			return 0;
		}
	}
	fail_msg("migrate_page: pfn %#lx is no allocation of the test", page_to_pfn(src));
	return -EINVAL;
}

static const struct movable_operations follow_ops = { .migrate_page = follow };

static u64 pattern(u64 seed, u64 i)
{
	return (seed + i) * 0x9e3779b97f4a7c15ULL;
}

static void fill(const struct test_alloc *a)
{
	u64 *p = page_address(a->page);

	for (u64 i = 0; i < (PAGE_SIZE << a->order) / sizeof(u64); i++)
		p[i] = pattern(a->seed, i);
}

static void expect_data(const char *when)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(allocs); i++) {
		const struct test_alloc *a = &allocs[i];
		const u64 *p = page_address(a->page);

		for (u64 w = 0; w < (PAGE_SIZE << a->order) / sizeof(u64); w++)
			if (p[w] != pattern(a->seed, w))
				fail_msg("%s: allocation %u (pfn %#lx, order %u) lost its data at "
					 "word %lu", when, i, page_to_pfn(a->page), a->order, w);
		assert_true(PageMovable(a->page) && a->page->_refcount == 1);
	}
}

/* Movable allocations in the new blocks, so that offlining migrates. */
static void alloc_in_range(const struct hp_case *c)
{
	u64 base = case_base(c), end = base + case_size(c);

	for (unsigned int i = 0; i < ARRAY_SIZE(allocs); i++) {
		struct page *page = alloc_pages_node(case_nid(c), alloc_orders[i],
						     __GFP_MOVABLE | __GFP_THISNODE);
		u64 pa;

		assert_non_null(page);
		pa = PFN_PHYS(page_to_pfn(page));
		if (pa < base || pa >= end)
			fail_msg("a movable allocation on node %d came from %#lx, outside the new "
				 "blocks [%#lx, %#lx)", case_nid(c), pa, base, end);
		allocs[i] = (struct test_alloc){ .page = page, .order = alloc_orders[i],
						 .seed = i * 1000 + 17 };
		fill(&allocs[i]);
		__SetPageMovable(page, &follow_ops);
	}
}

static void free_allocs(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(allocs); i++)
		free_pages(allocs[i].page, allocs[i].order);
	memset(allocs, 0, sizeof(allocs));
}

static struct memory_block *case_block(const struct hp_case *c, int b)
{
	return find_memory_block_by_pfn(PFN_DOWN(case_base(c) + b * BLK));
}

static int run_step(const struct hp_case *c, const struct step *st)
{
	int ret;

	fake_op_begin(step_names[st->kind]);
	switch (st->kind) {
	case ST_ADD:
		ret = add_memory(c->private ? case_nid(c) : NUMA_NO_NODE, case_base(c), case_size(c),
				 MHP_MEMMAP_ON_MEMORY);
		break;
	case ST_ONLINE:
		ret = memory_block_online(case_block(c, st->block), MMOP_ONLINE_MOVABLE);
		break;
	case ST_OFFLINE:
		ret = memory_block_offline(case_block(c, st->block));
		break;
	default:
		ret = remove_memory(case_base(c), case_size(c));
		break;
	}
	fake_op_end();
	fake_check_tree();
	return ret;
}

struct sweep {
	const struct hp_case *c;
	struct step steps[NR_STEPS];
	bool altmap;			/* memmap on memory applies to this geometry and mode */
	unsigned long calls[NR_STEPS];	/* should_fail() calls of each step, clean */
	unsigned long total;
	const char *site[MAX_SITES + 1];	/* the site of each call, as injection found it */
	struct counters base;
	unsigned long rolled_back, fell_back;
	unsigned long hosted, existing;	/* tables a clean add takes */
};

/* The one call the sweep makes fail: step @step's @nth. */
struct injection {
	int step;
	unsigned long nth, global;
};

/*
 * What the caller of the failing site must return: 0 where a fallback
 * takes over (a memmap block or run without an altmap, or a run with one:
 * smaller pieces are tried; the page allocation under either), else
 * -ENOMEM. A block from an altmap has no fallback (altmap_fallback=none).
 */
static int expected_ret(const struct sweep *sw, const char *site, const char *prev)
{
	if (!strcmp(site, "vmemmap_block"))
		return sw->altmap ? -ENOMEM : 0;
	if (!strcmp(site, "vmemmap_cont"))
		return 0;
	if (!strcmp(site, "page_alloc") && prev &&
	    (!strcmp(prev, "vmemmap_block") || !strcmp(prev, "vmemmap_cont")))
		return 0;
	if (!strcmp(site, "vmemmap_page") || !strcmp(site, "pgtable") ||
	    !strcmp(site, "page_alloc"))
		return -ENOMEM;
	fail_msg("an injected failure at site %s, which hot-add should never reach", site);
	return 0;
}

/*
 * One sequence, with @inj's call failing (NULL: none). A step that fails
 * is checked and run again, clean. @calls gets the should_fail() calls of
 * each step's successful run, which must match @expect's (unless NULL)
 * wherever no fallback changed the way.
 */
static void run_sequence(struct sweep *sw, const struct injection *inj, unsigned long *calls,
			 const unsigned long *expect)
{
	const struct hp_case *c = sw->c;
	struct counters before, after;
	char when[160];
	bool fell_back, retried;

	for (int i = 0; i < NR_STEPS; i++) {
		const struct step *st = &sw->steps[i];
		bool armed = inj && inj->step == i;
		unsigned long failures, calls0;
		int ret;

		if (st->kind == ST_OFFLINE && st->block == 0) {
			alloc_in_range(c);
			expect_data("after onlining");
		}
		failures = injected();
		calls0 = should_fail_calls();
		if (armed) {
			take(&before);
			fail_nth_set(inj->nth);
		}
		ret = run_step(c, st);
		fail_nth_set(0);
		calls[i] = should_fail_calls() - calls0;
		fell_back = retried = false;
		if (injected() != failures) {
			const char *site = fail_nth_site(), *prev;
			int want;

			assert_true(armed);
			assert_int_equal(injected(), failures + 1);
			sw->site[inj->global] = site;
			prev = inj->global > 1 ? sw->site[inj->global - 1] : NULL;
			want = st->kind == ST_ADD ? expected_ret(sw, site, inj->nth > 1 ? prev : NULL) :
			       -ENOMEM;
			snprintf(when, sizeof(when), "%s, call %lu (%s, call %lu of %s block %d)",
				 c->name, inj->global, site, inj->nth, step_names[st->kind], st->block);
			if (ret != want)
				fail_msg("%s returned %d, expected %d (mm/ said last: \"%s\")", when, ret,
					 want, fake_printk_last);
			if (!ret) {
				sw->fell_back++;
				fell_back = true;
			} else {
				sw->rolled_back++;
				take(&after);
				expect_same(&before, &after, st->kind == ST_OFFLINE, when);
				if (st->kind == ST_OFFLINE) {
					assert_int_equal(case_block(c, st->block)->state, MEM_ONLINE);
					expect_data(when);
				}
				/* Once more, clean, from where the failure left it. */
				retried = true;
				calls0 = should_fail_calls();
				ret = run_step(c, st);
				calls[i] = should_fail_calls() - calls0;
			}
		} else if (armed) {
			fail_msg("%s: call %lu of %s block %d was to fail, but the step made %lu calls",
				 c->name, inj->nth, step_names[st->kind], st->block, calls[i]);
		}
		if (ret)
			fail_msg("%s: %s of block %d failed: %d (mm/ said last: \"%s\")", c->name,
				 step_names[st->kind], st->block, ret, fake_printk_last);
		/*
		 * A clean step makes the calls the first clean run made: nothing
		 * stayed behind. An offline retried after a failure has less to
		 * migrate: what moved before the failure stays moved.
		 */
		if (expect && !fell_back && !(retried && st->kind == ST_OFFLINE) &&
		    calls[i] != expect[i])
			fail_msg("%s: %s of block %d made %lu allocation calls, the first clean run %lu%s",
				 c->name, step_names[st->kind], st->block, calls[i], expect[i],
				 inj ? " (after an injected failure)" : "");
		if (st->kind == ST_OFFLINE && st->block == NR_BLOCKS - 1) {
			expect_data("after offlining");
			free_allocs();
		}
	}
}

static void clean_sequence(struct sweep *sw, const char *when)
{
	unsigned long calls[NR_STEPS];
	struct counters now;

	run_sequence(sw, NULL, calls, sw->calls);
	take(&now);
	expect_same(&sw->base, &now, false, when);
}

static void sweep_test(void **state)
{
	const struct hp_case *c = *state;
	static struct sweep sweep;
	struct sweep *sw = &sweep;
	struct mhp_memmap_plan plan;
	unsigned long free0, hosted0, existing0;
	int n = 0;

	if (c->pb != PB_DEFAULT && case_pageblock_order(c) == default_pageblock_order &&
	    c->mode == MEMMAP_ON_MEMORY_ON) {
		print_message("%s %s: the default pageblock_order fits the memmap already\n",
			      PAGE_SIZE_NAME, c->name);
		skip();
	}
	memset(sw, 0, sizeof(*sw));
	sw->c = c;
	sw->steps[n++] = (struct step){ ST_ADD, 0 };
	for (int b = 0; b < NR_BLOCKS; b++)
		sw->steps[n++] = (struct step){ ST_ONLINE, b };
	for (int b = 0; b < NR_BLOCKS; b++)
		sw->steps[n++] = (struct step){ ST_OFFLINE, b };
	sw->steps[n++] = (struct step){ ST_REMOVE, 0 };
	memmap_on_memory = c->mode;
	mhp_block_plan(&plan);
	sw->altmap = c->mode != MEMMAP_ON_MEMORY_OFF && plan.allows;

	/* The first run may steal a pageblock for tables: the steady state comes after it. */
	run_sequence(sw, NULL, sw->calls, NULL);
	take(&sw->base);

	/* What a clean add takes, from where. */
	free0 = nr_free_pages();
	hosted0 = mhp_table_stats.hosted;
	existing0 = mhp_table_stats.existing;
	assert_int_equal(run_step(c, &sw->steps[0]), 0);
	sw->hosted = mhp_table_stats.hosted - hosted0;
	sw->existing = mhp_table_stats.existing - existing0;
	if (c->private && sw->altmap && (sw->existing || nr_free_pages() != free0))
		fail_msg("%s: a private hot-add with its memmap on the blocks took %lu pages of "
			 "existing memory (%lu tables there, %lu hosted)", c->name,
			 free0 - nr_free_pages(), sw->existing, sw->hosted);
	assert_int_equal(run_step(c, &sw->steps[NR_STEPS - 1]), 0);

	clean_sequence(sw, "the first clean run");
	for (int i = 0; i < NR_STEPS; i++)
		sw->total += sw->calls[i];
	assert_true(sw->total <= MAX_SITES);

	for (unsigned long g = 1; g <= sw->total; g++) {
		struct injection inj = { .global = g, .nth = g };
		unsigned long calls[NR_STEPS];
		struct counters now;
		char when[96];

		for (inj.step = 0; inj.nth > sw->calls[inj.step]; inj.step++)
			inj.nth -= sw->calls[inj.step];
		run_sequence(sw, &inj, calls, sw->calls);
		snprintf(when, sizeof(when), "%s, after call %lu failed (%s)", c->name, g,
			 sw->site[g]);
		take(&now);
		expect_same(&sw->base, &now, false, when);
	}
	clean_sequence(sw, "a clean run after the sweep");
	print_message("%s %s (pageblock_order %u): %lu allocation calls (add %lu, offline %lu), "
		      "%lu rolled back, %lu fell back; memmap %s, add tables: %lu hosted, "
		      "%lu existing\n", PAGE_SIZE_NAME, c->name, pageblock_order, sw->total,
		      sw->calls[0], sw->total - sw->calls[0], sw->rolled_back, sw->fell_back,
		      sw->altmap ? "on the blocks" : "from existing memory", sw->hosted,
		      sw->existing);
	assert_int_equal(sw->rolled_back + sw->fell_back, sw->total);
	assert_true(sw->rolled_back > 0);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(cases)];

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].name, .test_func = sweep_test,
						.setup_func = setup, .teardown_func = teardown,
						.initial_state = (void *)&cases[i] };
	return cmocka_run_group_tests_name("memory_hotplug " PAGE_SIZE_NAME, tests, group_setup,
					   NULL);
}
