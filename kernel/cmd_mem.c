// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy allocator on the console: meminfo, buddyinfo, pagetypeinfo
 * (Linux's /proc files of those names), pfn N, and test allocations:
 * alloc fills every page with a pattern derived from the allocation's seed,
 * free checks it before giving the pages back.
 */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/bitmap.h>
#include <lib/errno.h>
#include <mm/deferred_init.h>
#include <mm/memblock.h>
#include <mm/memory.h>
#include <mm/memory_hotplug.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <mm/vmalloc.h>
#include <mm/vmemmap.h>
#include <string.h>

#define K(pages)	((unsigned long)(pages) << (PAGE_SHIFT - 10))

#define for_each_zone_of(pgdat, zone) \
	for (struct zone *zone = (pgdat)->node_zones; \
	     zone < (pgdat)->node_zones + MAX_NR_ZONES; zone++)

/* ---- meminfo ---- */

/* Pages of [start, end) that a memblock reservation touches (the buddy never gets them). */
static unsigned long reserved_pages_in(unsigned long start, unsigned long end)
{
	unsigned long n = 0, done = start;

	for_each_reserved_region(r) {
		unsigned long rs = max(PFN_DOWN(r->base), done);
		unsigned long re = min(PFN_UP(r->base + r->size), end);

		if (rs < re) {
			n += re - rs;
			done = re;
		}
	}
	return n;
}

/* Each reservation name once, with the bytes of all its regions. */
static void print_reserved_items(void)
{
	for (int i = 0; i < memblock.reserved.cnt; i++) {
		const struct memblock_region *r = &memblock.reserved.regions[i];
		const char *name = r->name ? r->name : "(unnamed)";
		u64 bytes = 0;
		bool seen = false;

		for (int j = 0; j < i && !seen; j++) {
			const char *other = memblock.reserved.regions[j].name;

			seen = !strcmp(other ? other : "(unnamed)", name);
		}
		if (seen)
			continue;
		for (int j = i; j < memblock.reserved.cnt; j++) {
			const char *other = memblock.reserved.regions[j].name;

			if (!strcmp(other ? other : "(unnamed)", name))
				bytes += memblock.reserved.regions[j].size;
		}
		printk("  %-18s %9llu kB  (%llu bytes)\n", name,
		       (unsigned long long)DIV_ROUND_UP(bytes, 1024), (unsigned long long)bytes);
	}
}

/* The RAM hot-added now, in kB; the ranges; the hot-added blocks (the online ones). */
static unsigned long hotplug_kib(void)
{
	u64 bytes = 0;

	for (int i = 0; i < MAX_HOTPLUG_RANGES; i++)
		if (hotplug_ranges[i].used)
			bytes += hotplug_ranges[i].size;
	return bytes >> 10;
}

static unsigned int nr_ranges(void)
{
	unsigned int n = 0;

	for (int i = 0; i < MAX_HOTPLUG_RANGES; i++)
		n += hotplug_ranges[i].used;
	return n;
}

static unsigned int nr_blocks(bool online)
{
	unsigned int n = 0;

	for_each_memory_block(mem)
		n += !mem->boot && (!online || mem->state == MEM_ONLINE);
	return n;
}

/*
 * Free pages whose struct pages wait for deferred init: not in MemTotal yet,
 * so RAM = MemTotal + Reserved + NoMap + Deferred; and how the work went.
 */
static void print_deferred(void)
{
	const struct deferred_init_stats *s = &deferred_init_stats;

	printk("Deferred:       %9lu kB  (%lu pages in %lu of %lu sections, deferred_init=%s; "
	       "%lu sections in %lu idle slices, longest %llu us; %lu on demand; %llu us of work)\n",
	       K(nr_deferred_pages()), nr_deferred_pages(), s->sections, s->boot_sections,
	       deferred_init_mode_names[deferred_init_mode], s->idle_sections, s->idle_slices,
	       (unsigned long long)(s->longest_slice_ns / 1000), s->demand_sections,
	       (unsigned long long)(s->work_ns / 1000));
}

static int cmd_meminfo(int argc, char **argv)
{
	unsigned long ram = 0, nomap = 0, reserved = 0;
	unsigned long memmap = sizeof(struct page) * PAGES_PER_SECTION * nr_populated_sections();
	unsigned long kernel_tables = kernel_pgtable_alloc.nr_tables;
	unsigned long vmemmap_tables = vmemmap_pgtable_alloc.nr_tables;
	unsigned long vmalloc_tables = vmalloc_pgtable_alloc.nr_tables;
	unsigned long hotplug_tables = mhp_pgtable_alloc.nr_tables;

	if (argc != 1)
		return shell_usage(argv[0]);
	for_each_mem_region(r) {
		unsigned long start = PFN_UP(r->base), end = PFN_DOWN(r->base + r->size);

		if (start >= end)
			continue;
		ram += end - start;
		if (r->flags & MEMBLOCK_NOMAP)
			nomap += end - start;
		else
			reserved += reserved_pages_in(start, end);
	}
	printk("MemTotal:       %9lu kB\n", K(totalram_pages()));
	printk("MemFree:        %9lu kB\n", K(nr_free_pages()));
	printk("RAM:            %9lu kB  (memblock memory = MemTotal + Reserved + NoMap + Deferred)\n",
	       K(ram));
	printk("NoMap:          %9lu kB\n", K(nomap));
	printk("Reserved:       %9lu kB  (%lu pages memblock keeps)\n", K(reserved), reserved);
	print_reserved_items();
	printk("Memmap:         %9lu kB  (%lu sections x %lu kB)\n", memmap >> 10,
	       nr_populated_sections(), (sizeof(struct page) * PAGES_PER_SECTION) >> 10);
	printk("PageTables:     %9lu kB  (kernel %lu, vmemmap %lu, vmalloc %lu, hotplug %lu tables)\n",
	       K(kernel_tables + vmemmap_tables + vmalloc_tables + hotplug_tables), kernel_tables,
	       vmemmap_tables, vmalloc_tables, hotplug_tables);
	printk("Hotplug:        %9lu kB  (%u ranges, %u blocks, %u online; tables: %lu hosted in "
	       "added memory, %lu in memory that was there; %lu moved out since boot)\n",
	       hotplug_kib(), nr_ranges(), nr_blocks(false), nr_blocks(true),
	       mhp_table_stats.hosted, mhp_table_stats.existing, mhp_table_stats.moved);
	printk("VmallocTotal:   %9lu kB\n", (VMALLOC_END - VMALLOC_START) >> 10);
	printk("VmallocUsed:    %9lu kB  (%lu pages)\n", K(vmalloc_nr_pages()), vmalloc_nr_pages());
	print_deferred();
	for_each_online_node(nid)
		for_each_zone_of(NODE_DATA(nid), zone)
			printk("Node %d, zone %8s: present %8lu  managed %8lu  free %8lu pages\n", nid,
			       zone->name, zone->present_pages, zone->managed_pages, zone->free_pages);
	for_each_online_node(nid)
		if (NODE_DATA(nid)->nr_deferred_pages)
			printk("Node %d: deferred %8lu pages from pfn %#lx\n", nid,
			       NODE_DATA(nid)->nr_deferred_pages, NODE_DATA(nid)->first_deferred_pfn);
	return 0;
}
SHELL_CMD(meminfo, cmd_meminfo, "", "memory totals, memblock's reservations, memmap, page tables, zones");

/* ---- buddyinfo, pagetypeinfo ---- */

static int cmd_buddyinfo(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	for_each_online_node(nid) {
		for_each_zone_of(NODE_DATA(nid), zone) {
			if (!zone->present_pages)
				continue;
			printk("Node %d, zone %8s", nid, zone->name);
			for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
				printk(" %6lu", zone->free_area[o].nr_free);
			printk("\n");
		}
	}
	return 0;
}
SHELL_CMD(buddyinfo, cmd_buddyinfo, "", "free blocks per order, per node and zone");

static unsigned long count_free(const struct zone *zone, unsigned int order, int mt)
{
	const struct list_head *head = &zone->free_area[order].free_list[mt];
	unsigned long n = 0;

	for (const struct list_head *l = head->next; l != head; l = l->next)
		n++;
	return n;
}

/*
 * A pageblock counts in the zone of its first page in the zone's span
 * (Linux's). One whose struct pages wait for deferred init is counted
 * apart: its byte is not written yet. Return: how many those are.
 */
static unsigned long count_pageblocks(const struct zone *zone, unsigned long count[MIGRATE_TYPES])
{
	unsigned long start = zone->zone_start_pfn, end = zone_end_pfn(zone), deferred = 0;

	for (unsigned long pfn = pageblock_start_pfn(start); pfn < end; pfn += pageblock_nr_pages) {
		unsigned long p = max(pfn, start);

		if (!pfn_valid(p))
			continue;
		if (section_deferred(pfn_to_section_nr(p)))
			deferred++;
		else if (page_zone(pfn_to_page(p)) == zone)
			count[get_pageblock_migratetype(p)]++;
	}
	return deferred;
}

static int cmd_pagetypeinfo(int argc, char **argv)
{
	unsigned long deferred = 0;

	if (argc != 1)
		return shell_usage(argv[0]);
	printk("Page block order: %u\nPages per block:  %lu\n\n", pageblock_order,
	       pageblock_nr_pages);
	printk("%-43s", "Free pages count per migrate type at order");
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
		printk(" %6u", o);
	printk("\n");
	for_each_online_node(nid) {
		for_each_zone_of(NODE_DATA(nid), zone) {
			if (!zone->present_pages)
				continue;
			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				printk("Node %4d, zone %8s, type %12s", nid, zone->name,
				       migratetype_names[mt]);
				for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
					printk(" %6lu", count_free(zone, o, mt));
				printk("\n");
			}
		}
	}
	printk("\n%-23s", "Number of blocks type");
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		printk(" %12s", migratetype_names[mt]);
	printk(" %12s\n", "Stolen");
	for_each_online_node(nid) {
		for_each_zone_of(NODE_DATA(nid), zone) {
			unsigned long count[MIGRATE_TYPES] = { 0 };

			if (!zone->present_pages)
				continue;
			deferred += count_pageblocks(zone, count);
			printk("Node %d, zone %8s", nid, zone->name);
			for (int mt = 0; mt < MIGRATE_TYPES; mt++)
				printk(" %12lu", count[mt]);
			printk(" %12lu\n", zone->nr_stolen);
		}
	}
	if (deferred)
		printk("\n%lu pageblocks not counted: their struct pages wait for deferred init\n",
		       deferred);
	return 0;
}
SHELL_CMD(pagetypeinfo, cmd_pagetypeinfo, "",
	  "free blocks per order and migratetype, pageblocks per type, pageblocks stolen");

/* ---- pfn ---- */

static void print_flags(const struct page *page)
{
	static const char *const names[NR_PAGEFLAGS] = {
		[PG_reserved] = "reserved", [PG_buddy] = "buddy", [PG_vmemmap] = "vmemmap",
		[PG_pgtable] = "pgtable", [PG_movable] = "movable", [PG_offline] = "offline",
	};
	bool any = false;

	printk("  flags 0x%016lx:", page->flags);
	for (int f = 0; f < NR_PAGEFLAGS; f++) {
		if (page_test(page, f)) {
			printk(" %s", names[f]);
			any = true;
		}
	}
	printk("%s; node %d, zone %u (%s)\n", any ? "" : " (none)", page_to_nid(page),
	       page_zonenum(page),
	       page_zonenum(page) < MAX_NR_ZONES ? zone_names[page_zonenum(page)] : "?");
}

/* The free block holding @pfn: its head and order, or false. */
static bool find_free_block(unsigned long pfn, unsigned long *head, unsigned int *order)
{
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++) {
		unsigned long h = ALIGN_DOWN(pfn, 1UL << o);
		struct page *p;

		if (!pfn_valid(h))
			continue;
		p = pfn_to_page(h);
		if (PageBuddy(p) && p->private >= o && h + (1UL << p->private) > pfn) {
			*head = h;
			*order = p->private;
			return true;
		}
	}
	return false;
}

static void print_section(unsigned long pfn)
{
	unsigned long nr = pfn_to_section_nr(pfn);
	struct mem_section *ms = __pfn_to_section(pfn);

	if (!ms) {
		printk("  section %lu: beyond the section table (%d-bit physical)\n", nr,
		       MAX_PHYSMEM_BITS);
		return;
	}
	printk("  section %lu (pfn 0x%lx-0x%lx), node %d:%s%s%s%s%s\n", nr, section_nr_to_pfn(nr),
	       section_nr_to_pfn(nr + 1) - 1, ms->nid,
	       ms->flags & SECTION_MARKED_PRESENT ? " present" : " not present",
	       ms->flags & SECTION_HAS_MEM_MAP ? ", has memmap" : ", no memmap",
	       ms->flags & SECTION_IS_ONLINE ? ", online" : "",
	       ms->flags & SECTION_IS_EARLY ? ", early (boot)" : "",
	       ms->flags & SECTION_DEFERRED ? ", deferred" : "");
	printk("  subsection %lu of %lu: %s\n", subsection_index(pfn), SUBSECTIONS_PER_SECTION,
	       pfn_section_valid(ms, pfn) ? "valid (holds memory)" :
	       early_section(ms) ? "not valid (a hole of a boot section)" : "not valid");
}

/* What memblock says about the page at @pa (@has_page: it has a struct page). */
static void print_memory(phys_addr_t pa, bool has_page)
{
	u64 last = pa + PAGE_SIZE - 1;

	/* A reservation touching any byte of the page keeps all of it. */
	for_each_reserved_region(r) {
		u64 r_last = r->base + r->size - 1;

		if (r->base <= last && r_last >= pa) {
			bool part = r->base > pa || r_last < last;

			printk("  memblock: reserved by %s%s\n", r->name ? r->name : "(unnamed)",
			       part ? " (part of the page)" : "");
			return;
		}
	}
	for_each_mem_region(r) {
		if (pa >= r->base && pa - r->base < r->size) {
			printk("  memblock: memory of node %d%s\n", r->nid < 0 ? 0 : r->nid,
			       r->flags & MEMBLOCK_NOMAP ? ", no-map" : "");
			return;
		}
	}
	for_each_held_region(r) {
		if (pa >= r->base && pa - r->base < r->size) {
			printk("  memblock: memory held back for hotplug (node %d)\n",
			       r->nid < 0 ? 0 : r->nid);
			return;
		}
	}
	printk("  memblock: no memory here%s\n",
	       has_page ? " (a hole in a present section: its struct page stays reserved)" : "");
}

/* Which memory block holds @pfn, and for a hot-added one what the page is to it. */
static void print_memory_block(unsigned long pfn)
{
	struct memory_block *mem = find_memory_block_by_pfn(pfn);
	unsigned long start;
	const char *role = NULL;

	if (!mem)
		return;
	start = memory_block_start_pfn(mem);
	printk("  memory block %lu: %s, %s%s%s, node %d\n", mem->id,
	       mem->boot ? "boot memory" : "hot-added", memory_block_state_name(mem->state),
	       mem->zone ? " in " : "", mem->zone ? mem->zone->name : "", mem->nid);
	if (mem->boot)
		return;
	for (unsigned int i = 0; i < mem->nr_tables; i++)
		if (mem->table_pfn[i] == pfn)
			role = "a page table of the hot-add, hosted by the block";
	if (!role && pfn < start + mem->nr_vmemmap_pages)
		role = PageVmemmap(pfn_to_page(pfn)) ? "memmap (the block's own struct pages)" :
						     "padding of the memmap reservation";
	if (!role && pfn >= memory_block_usable_end(mem))
		role = "padding (a page table that moved out was here)";
	if (role)
		printk("  in the block: %s\n", role);
}

static int cmd_pfn(int argc, char **argv)
{
	unsigned long pfn, head, pb;
	unsigned int order;
	struct page *page;
	u64 v;

	if (argc != 2)
		return shell_usage(argv[0]);
	if (shell_parse_u64(argv[1], "pfn", &v))
		return -EINVAL;
	if (v >> (MAX_PHYSMEM_BITS - PAGE_SHIFT)) {
		printk("error: pfn %#llx is beyond the %d-bit physical space\n",
		       (unsigned long long)v, MAX_PHYSMEM_BITS);
		return -ERANGE;
	}
	pfn = v;
	printk("pfn %#lx (pa %#llx)\n", pfn, (unsigned long long)pfn << PAGE_SHIFT);
	if (!pfn_valid(pfn)) {
		printk("  no struct page: its (sub)section has no memmap\n");
		print_section(pfn);
		print_memory((phys_addr_t)pfn << PAGE_SHIFT, false);
		return 0;
	}
	/* Its section first, if deferred init has not reached it (the walk below reads neighbours). */
	if (deferred_init_pfn_range(pfn, pfn + 1))
		printk("  deferred: its section's struct pages were initialised just now\n");
	page = pfn_to_page(pfn);
	printk("  struct page %p\n", page);
	print_flags(page);
	printk("  refcount %u, owner %#lx, index %lu\n", page->_refcount, page->owner, page->index);
	if (PageBuddy(page))
		printk("  free: head of an order-%lu block (pfn %#lx-%#lx)\n", page->private, pfn,
		       pfn + (1UL << page->private) - 1);
	else if (find_free_block(pfn, &head, &order))
		printk("  free: inside the order-%u block at pfn %#lx\n", order, head);
	print_section(pfn);
	pb = pageblock_start_pfn(pfn);
	printk("  pageblock pfn %#lx-%#lx: %s\n", pb, pb + pageblock_nr_pages - 1,
	       migratetype_names[get_pageblock_migratetype(pfn)]);
	print_memory((phys_addr_t)pfn << PAGE_SHIFT, true);
	print_memory_block(pfn);
	return 0;
}
SHELL_CMD(pfn, cmd_pfn, "N",
	  "a page frame: struct page, flags, section and subsection, pageblock, node, zone");

/* ---- alloc, free ---- */

#define NR_HANDLES	256

struct test_alloc {
	unsigned long id;	/* 0: slot free */
	unsigned long pfn;
	unsigned int order;
	int nid;
	u64 seed;
};

static struct test_alloc handles[NR_HANDLES];
static unsigned long next_id = 1;

static u64 mix64(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Word @i of the allocation's pattern: differs per seed, page and word. */
static u64 pattern(u64 seed, unsigned long i)
{
	return mix64(seed + i);
}

static u64 *alloc_words(const struct test_alloc *h)
{
	return __va((phys_addr_t)h->pfn << PAGE_SHIFT);
}

static unsigned long alloc_nr_words(const struct test_alloc *h)
{
	return (PAGE_SIZE << h->order) / sizeof(u64);
}

static void fill_pattern(const struct test_alloc *h)
{
	u64 *w = alloc_words(h);

	for (unsigned long i = 0; i < alloc_nr_words(h); i++)
		w[i] = pattern(h->seed, i);
}

/* Return: 0, or -EIO after one error line naming the first bad word. */
static int check_pattern(const struct test_alloc *h)
{
	const u64 *w = alloc_words(h);
	unsigned long bad = 0, first = 0;

	for (unsigned long i = 0; i < alloc_nr_words(h); i++) {
		if (w[i] != pattern(h->seed, i) && !bad++)
			first = i;
	}
	if (!bad)
		return 0;
	printk("error: id %lu: pattern broken at pfn %#lx + %#lx: expected %#llx, found %#llx "
	       "(%lu of %lu words differ)\n", h->id,
	       h->pfn + first * sizeof(u64) / PAGE_SIZE, (first * sizeof(u64)) % PAGE_SIZE,
	       (unsigned long long)pattern(h->seed, first), (unsigned long long)w[first], bad,
	       alloc_nr_words(h));
	return -EIO;
}

/*
 * A movable test allocation follows its pages when offlining migrates them
 * (the contents are copied already): the handle takes the new pfn.
 */
static int test_alloc_migrate(struct page *dst, struct page *src, unsigned int order)
{
	for (int i = 0; i < NR_HANDLES; i++) {
		struct test_alloc *h = &handles[i];

		if (!h->id || h->pfn != page_to_pfn(src) || h->order != order)
			continue;
		printk("id %lu: moved from pfn %#lx to pfn %#lx\n", h->id, h->pfn, page_to_pfn(dst));
		h->pfn = page_to_pfn(dst);
		h->nid = page_to_nid(dst);
		return 0;
	}
	return -ENOENT;
}

static const struct movable_operations test_alloc_mops = {
	.migrate_page = test_alloc_migrate,
};

static struct test_alloc *free_handle(void)
{
	for (int i = 0; i < NR_HANDLES; i++)
		if (!handles[i].id)
			return &handles[i];
	return NULL;
}

/* alloc's options; every bad one gets its error line here. */
struct alloc_args {
	int nid;
	gfp_t gfp;
	u64 order, count;
};

static int parse_alloc_args(int argc, char **argv, struct alloc_args *a)
{
	const char *pos[2];
	int npos = 0;
	u64 node;

	a->nid = -1;		/* any node, the first one first */
	a->gfp = GFP_KERNEL;
	a->count = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--node")) {
			if (++i == argc) {
				printk("error: --node needs a node number\n");
				return -EINVAL;
			}
			if (shell_parse_u64(argv[i], "node", &node))
				return -EINVAL;
			if (node >= MAX_NUMNODES || !NODE_DATA(node)->online) {
				printk("error: node %llu has no memory\n", (unsigned long long)node);
				return -EINVAL;
			}
			a->nid = node;
			a->gfp |= __GFP_THISNODE;
		} else if (!strcmp(argv[i], "--movable")) {
			a->gfp |= __GFP_MOVABLE;
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			printk("error: unknown option '%s'\n", argv[i]);
			return -EINVAL;
		} else if (npos == 2) {
			return shell_usage(argv[0]);
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (!npos)
		return shell_usage(argv[0]);
	if (shell_parse_u64(pos[0], "order", &a->order))
		return -EINVAL;
	if (a->order > MAX_PAGE_ORDER) {
		printk("error: order %llu is above MAX_PAGE_ORDER (%d)\n",
		       (unsigned long long)a->order, MAX_PAGE_ORDER);
		return -EINVAL;
	}
	if (npos == 2 && shell_parse_u64(pos[1], "count", &a->count))
		return -EINVAL;
	if (!a->count || a->count > NR_HANDLES) {
		printk("error: count must be 1 to %d\n", NR_HANDLES);
		return -EINVAL;
	}
	return 0;
}

static int cmd_alloc(int argc, char **argv)
{
	struct alloc_args a;
	int ret = parse_alloc_args(argc, argv, &a);

	if (ret)
		return ret;
	for (u64 done = 0; done < a.count; done++) {
		struct test_alloc *h = free_handle();
		struct page *page;

		if (!h) {
			printk("error: out of handles after %llu of %llu allocation(s): all %d in use\n",
			       (unsigned long long)done, (unsigned long long)a.count, NR_HANDLES);
			return -ENOSPC;
		}
		page = alloc_pages_node(a.nid, a.order, a.gfp);
		if (!page) {
			printk("error: out of memory after %llu of %llu allocation(s) of order %llu\n",
			       (unsigned long long)done, (unsigned long long)a.count,
			       (unsigned long long)a.order);
			return -ENOMEM;
		}
		h->id = next_id++;
		h->pfn = page_to_pfn(page);
		h->order = a.order;
		h->nid = page_to_nid(page);
		h->seed = mix64(h->id ^ 0x5eed5eed5eed5eedULL);
		page->index = h->id;
		if (a.gfp & __GFP_MOVABLE)
			__SetPageMovable(page, &test_alloc_mops);
		fill_pattern(h);
		printk("id %lu: pfn %#lx, order %u, node %d, zone %s, %s pageblock, seed %#llx\n",
		       h->id, h->pfn, h->order, h->nid, zone_names[page_zonenum(page)],
		       migratetype_names[get_pageblock_migratetype(h->pfn)],
		       (unsigned long long)h->seed);
	}
	return 0;
}
SHELL_CMD(alloc, cmd_alloc, "[--node N] [--movable] ORDER [COUNT]",
	  "allocate 2^ORDER pages COUNT times (test handles), filled with a pattern");

/* Check the pattern, then free: a broken pattern is reported, the pages freed anyway. */
static int free_one(struct test_alloc *h)
{
	struct page *page = pfn_to_page(h->pfn);
	int ret = check_pattern(h);

	if (page->index != h->id) {
		printk("error: id %lu: struct page of pfn %#lx holds id %lu\n", h->id, h->pfn,
		       page->index);
		ret = -EIO;
	}
	free_pages(page, h->order);
	printk("id %lu: freed pfn %#lx, order %u%s\n", h->id, h->pfn, h->order,
	       ret ? " (pattern broken)" : ", pattern intact");
	h->id = 0;
	return ret;
}

static void list_handles(void)
{
	unsigned long n = 0, pages = 0;

	for (int i = 0; i < NR_HANDLES; i++) {
		const struct test_alloc *h = &handles[i];

		if (!h->id)
			continue;
		printk("id %lu: pfn %#lx, order %u, node %d, seed %#llx\n", h->id, h->pfn, h->order,
		       h->nid, (unsigned long long)h->seed);
		n++;
		pages += 1UL << h->order;
	}
	printk("%lu allocation(s), %lu pages, %d handles free\n", n, pages, NR_HANDLES - (int)n);
}

static int cmd_free(int argc, char **argv)
{
	int ret = 0;
	u64 id;

	if (argc == 1) {
		list_handles();
		return 0;
	}
	if (argc != 2)
		return shell_usage(argv[0]);
	if (!strcmp(argv[1], "all")) {
		for (int i = 0; i < NR_HANDLES; i++)
			if (handles[i].id && free_one(&handles[i]))
				ret = -EIO;
		return ret;
	}
	if (shell_parse_u64(argv[1], "id", &id))
		return -EINVAL;
	for (int i = 0; i < NR_HANDLES; i++)
		if (id && handles[i].id == id)
			return free_one(&handles[i]);
	printk("error: no allocation with id %llu (free with no argument lists them)\n",
	       (unsigned long long)id);
	return -ENOENT;
}
SHELL_CMD(free, cmd_free, "[ID|all]",
	  "check the pattern and free a test allocation, or all; without ID, list them");
