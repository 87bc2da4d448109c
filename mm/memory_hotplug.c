// SPDX-License-Identifier: GPL-2.0
/*
 * Memory hotplug (include/mm/memory_hotplug.h), Linux's mm/memory_hotplug.c:
 * nodes and zones as memory joins and leaves them; adding and removing
 * ranges (the linear map, sections, memmap, memory blocks); onlining and
 * offlining blocks. With memmap on memory a block carries its memmap in its
 * first pages, and the page tables the add needs come from the added range
 * too where their span maps nothing else (the private-span rule, DESIGN §4),
 * so an add can cost no memory that was there before.
 */
#include <arch/mmu.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/bitmap.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/fault_inject.h>
#include <mm/memblock.h>
#include <mm/memory.h>
#include <mm/memory_hotplug.h>
#include <mm/migrate.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>

#include "internal.h"

/* ==== adding and removing memory ==== */

enum memhp_state memhp_default_state = MEMHP_ONLINE;
const char *const memhp_state_names[2] = { "online", "offline" };
struct hotplug_range hotplug_ranges[MAX_HOTPLUG_RANGES];
struct mhp_table_stats mhp_table_stats;

void mhp_block_plan(struct mhp_memmap_plan *plan)
{
	struct mhp_geometry g = {
		.page_shift = PAGE_SHIFT,
		.block_size = memory_block_size,
		.struct_page_size = sizeof(struct page),
		.pageblock_pages = pageblock_nr_pages,
		.pmd_size = level_size(PGTABLE_LAST_LEVEL - 1),
		.mode = memmap_on_memory,
	};

	mhp_memmap_plan(&g, memmap_on_memory_check, plan);
}

/* ---- page tables of a hot-add: the private-span rule ---- */

/* The add in progress: the range whose blocks may host its tables. */
static struct hotplug_range *mhp_adding;

static bool range_has_pfn(const struct hotplug_range *hr, unsigned long pfn)
{
	return pfn >= PFN_DOWN(hr->start) && pfn < PFN_DOWN(hr->start + hr->size);
}

/*
 * Whether the table of @level that maps @va maps nothing but @hr: in the
 * linear map, no other mapped memory lies in the table's span; in the
 * vmemmap, no other pfn with a memmap has its struct pages there. Such a
 * table goes away with @hr whatever is removed first.
 */
static bool span_private(const struct hotplug_range *hr, int level, u64 va)
{
	u64 span = level_size(level - 1), lo = ALIGN_DOWN(va, span), last = lo + (span - 1);

	if (va >= PAGE_OFFSET && va < VMALLOC_START) {
		phys_addr_t plo = __pa(lo), pend = __pa(last) + 1;

		for_each_mem_region(r) {
			if (r->flags & MEMBLOCK_NOMAP)
				continue;
			if (r->base < pend && plo < r->base + r->size)
				return false;
		}
		return true;
	}
	if (va >= VMEMMAP_START && va < VMEMMAP_END) {
		unsigned long memstart_pfn = PFN_DOWN(memstart_addr);
		unsigned long first, end;

		lo = max(lo, (u64)VMEMMAP_START);
		last = min(last, (u64)VMEMMAP_END - 1);
		first = (lo - VMEMMAP_START) / sizeof(struct page) + memstart_pfn;
		end = DIV_ROUND_UP(last + 1 - VMEMMAP_START, sizeof(struct page)) + memstart_pfn;
		for (unsigned long nr = pfn_to_section_nr(first);
		     nr < NR_MEM_SECTIONS && section_nr_to_pfn(nr) < end; nr++) {
			struct mem_section *ms = &mem_section[nr];
			unsigned long pfn = section_nr_to_pfn(nr);

			if (!(ms->flags & SECTION_MARKED_PRESENT))
				continue;
			if (early_section(ms) && !range_has_pfn(hr, pfn))
				return false;
			for (unsigned long i = 0; i < SUBSECTIONS_PER_SECTION; i++)
				if (test_bit(i, ms->subsection_map) &&
				    !range_has_pfn(hr, pfn + i * PAGES_PER_SUBSECTION))
					return false;
		}
		return true;
	}
	return false;
}

/* A page of @mem for a table: a padding page the memmap leaves free, else its last pages. */
static phys_addr_t block_host_table(struct memory_block *mem)
{
	unsigned long base = memory_block_start_pfn(mem), pfn;

	if (!mem->has_altmap || mem->nr_tables == MEMORY_BLOCK_MAX_TABLES)
		return 0;
	if (mem->altmap.free - mem->padding_used > mem->plan.memmap_pages) {
		pfn = base + mem->altmap.free - 1 - mem->padding_used;
		mem->padding_used++;
	} else if (mem->tail_used < MEMORY_BLOCK_MAX_TABLES) {
		pfn = base + memory_block_pages() - 1 - mem->tail_used;
		mem->tail_used++;
	} else {
		return 0;
	}
	mem->table_pfn[mem->nr_tables++] = pfn;
	return PFN_PHYS(pfn);
}

/* Whether @mem hosts the table page @pfn; forget it if @release. */
static bool block_hosts_table(struct memory_block *mem, unsigned long pfn, bool release)
{
	for (unsigned int i = 0; i < mem->nr_tables; i++) {
		if (mem->table_pfn[i] != pfn)
			continue;
		if (release)
			mem->table_pfn[i] = mem->table_pfn[--mem->nr_tables];
		return true;
	}
	return false;
}

static phys_addr_t host_table(struct hotplug_range *hr)
{
	for (unsigned long pfn = PFN_DOWN(hr->start); range_has_pfn(hr, pfn);
	     pfn += memory_block_pages()) {
		struct memory_block *mem = find_memory_block_by_pfn(pfn);
		phys_addr_t pa = mem ? block_host_table(mem) : 0;

		if (pa)
			return pa;
	}
	return 0;
}

/* The node a table for @va is best taken from. */
static int table_nid(u64 va)
{
	if (va >= VMEMMAP_START && va < VMEMMAP_END) {
		struct mem_section *ms = __pfn_to_section((va - VMEMMAP_START) / sizeof(struct page) +
							  PFN_DOWN(memstart_addr));

		return ms && (ms->flags & SECTION_MARKED_PRESENT) ? ms->nid : NUMA_NO_NODE;
	}
	return mhp_adding ? mhp_adding->nid : NUMA_NO_NODE;
}

static phys_addr_t mhp_pgt_alloc(struct pgtable_alloc *a, int level, u64 va)
{
	phys_addr_t pa = 0;

	if (should_fail(FAIL_PGTABLE))
		return 0;
	if (mhp_adding && (mhp_adding->flags & MHP_MEMMAP_ON_MEMORY) &&
	    span_private(mhp_adding, level, va))
		pa = host_table(mhp_adding);
	if (pa) {
		mhp_table_stats.hosted++;
		return pa;
	}
	pa = kernel_pages_alloc(PAGE_SIZE, table_nid(va), "pgtable");
	if (pa)
		mhp_table_stats.existing++;
	return pa;
}

static void mhp_pgt_free(struct pgtable_alloc *a, phys_addr_t pa, int level)
{
	struct memory_block *mem = find_memory_block_by_pfn(PFN_DOWN(pa));

	if (mem && block_hosts_table(mem, PFN_DOWN(pa), true)) {
		/* The page stays the block's, reserved, until the block goes. */
		mhp_table_stats.hosted--;
		return;
	}
	kernel_pages_free(pa, PAGE_SIZE);
	mhp_table_stats.existing--;
}

struct pgtable_alloc mhp_pgtable_alloc = {
	.alloc = mhp_pgt_alloc,
	.free = mhp_pgt_free,
	.name = "hotplug",
};

/* A table hosted in another range is on the walk of @hr's mappings: list it. */
struct shared_tables {
	const struct hotplug_range *hr;
	unsigned int n;
	u64 va[16];
	int level[16];
	bool overflow;
};

static void find_foreign_table(void *arg, u64 va, int level, phys_addr_t table)
{
	struct shared_tables *st = arg;
	struct memory_block *mem;

	if (pgtable_origin(table) != &mhp_pgtable_alloc || range_has_pfn(st->hr, PFN_DOWN(table)))
		return;
	mem = find_memory_block_by_pfn(PFN_DOWN(table));
	if (!mem || !block_hosts_table(mem, PFN_DOWN(table), false))
		return;
	if (st->n == ARRAY_SIZE(st->va)) {
		st->overflow = true;
		return;
	}
	st->va[st->n] = va;
	st->level[st->n++] = level;
}

/*
 * A table another range hosts is about to map @hr's memory too: its span is
 * no longer private, so it moves to memory that was there before (and is
 * counted), and removing either range later never pulls a table from under
 * the other. Moving changes no mapping: nothing needs undoing if the add
 * fails later.
 */
static int unshare_tables(struct hotplug_range *hr, u64 va, u64 size)
{
	struct shared_tables st = { .hr = hr };
	struct hotplug_range *adding = mhp_adding;
	int ret = 0;

	pgtable_for_each_table(&swapper_pg, va, va + size - 1, find_foreign_table, &st);
	if (st.overflow)
		return -ENOMEM;
	mhp_adding = NULL;		/* the new home is existing memory */
	for (unsigned int i = 0; i < st.n && !ret; i++) {
		ret = pgtable_move_table(&swapper_pg, st.va[i], st.level[i], &mhp_pgtable_alloc);
		if (!ret)
			mhp_table_stats.moved++;
	}
	mhp_adding = adding;
	return ret;
}

/* ---- add_memory() ---- */

static u64 linear_map_end(void)
{
	return memstart_addr + (VMALLOC_START - PAGE_OFFSET);
}

/*
 * Linux's check_hotplug_memory_range() and mhp_range_allowed(): whole
 * blocks, inside what hotmm can map and describe, on no memory, and RAM
 * that is there for the taking (held). Prints why not.
 */
static int check_hotplug_memory_range(int *nid, u64 start, u64 size)
{
	u64 end = start + size;
	unsigned int pa_bits = min(arch_phys_addr_bits(), (unsigned int)MAX_PHYSMEM_BITS);
	int held;

	if (*nid < NUMA_NO_NODE || *nid >= MAX_NUMNODES) {
		pr_err("mem add: node %d is beyond MAX_NUMNODES (%d)\n", *nid, MAX_NUMNODES);
		return -EINVAL;
	}
	if (!size || end < start || !IS_ALIGNED(start | size, memory_block_size)) {
		pr_err("mem add: [%#llx, +%#llx) is not whole memory blocks (%llu MiB each)\n",
		       (unsigned long long)start, (unsigned long long)size,
		       (unsigned long long)(memory_block_size >> 20));
		return -EINVAL;
	}
	if (end > (1ULL << pa_bits)) {
		pr_err("mem add: [%#llx, %#llx) ends beyond the %u-bit physical range hotmm maps "
		       "and describes\n", (unsigned long long)start, (unsigned long long)end,
		       pa_bits);
		return -ERANGE;
	}
	if (start < memstart_addr || end > linear_map_end()) {
		pr_err("mem add: [%#llx, %#llx) is outside the linear map [%#llx, %#llx)\n",
		       (unsigned long long)start, (unsigned long long)end,
		       (unsigned long long)memstart_addr, (unsigned long long)linear_map_end());
		return -ERANGE;
	}
	for_each_mem_region(r) {
		if (r->base < end && start < r->base + r->size) {
			pr_err("mem add: [%#llx, %#llx) overlaps memory at [%#llx, %#llx)\n",
			       (unsigned long long)start, (unsigned long long)end,
			       (unsigned long long)r->base, (unsigned long long)(r->base + r->size));
			return -EEXIST;
		}
	}
	held = memblock_held_nid(start, size);
	if (held == -EINVAL) {
		pr_err("mem add: [%#llx, %#llx) spans held RAM of more than one node\n",
		       (unsigned long long)start, (unsigned long long)end);
		return -EINVAL;
	}
	if (held < 0) {
		pr_err("mem add: [%#llx, %#llx) is not RAM held back for hotplug (memblock lists "
		       "what mem=, hold_node= and DIMMs hold)\n",
		       (unsigned long long)start, (unsigned long long)end);
		return -EINVAL;
	}
	if (*nid != NUMA_NO_NODE && *nid != held) {
		pr_err("mem add: [%#llx, %#llx) is RAM of node %d, not node %d\n",
		       (unsigned long long)start, (unsigned long long)end, held, *nid);
		return -EINVAL;
	}
	*nid = held;
	return 0;
}

static struct hotplug_range *find_hotplug_range(u64 start, u64 size)
{
	for (int i = 0; i < MAX_HOTPLUG_RANGES; i++)
		if (hotplug_ranges[i].used && hotplug_ranges[i].start == start &&
		    hotplug_ranges[i].size == size)
			return &hotplug_ranges[i];
	return NULL;
}

/* The blocks of @hr, created offline; each with an altmap where memmap on memory applies. */
static int create_memory_blocks(struct hotplug_range *hr, const struct mhp_memmap_plan *plan)
{
	unsigned long per = memory_block_pages();
	bool altmap = (hr->flags & MHP_MEMMAP_ON_MEMORY) && plan->allows;

	for (u64 pa = hr->start; pa < hr->start + hr->size; pa += memory_block_size) {
		struct memory_block *mem = memory_block_alloc(PFN_DOWN(pa) / per);

		if (!mem)
			return -ENOSPC;
		mem->state = MEM_OFFLINE;
		mem->nid = hr->nid;
		mem->range = hr - hotplug_ranges;
		mem->plan = *plan;
		if (!altmap)
			continue;
		mem->has_altmap = true;
		mem->altmap = (struct vmem_altmap) {
			.base_pfn = PFN_DOWN(pa),
			.end_pfn = PFN_DOWN(pa) + per - 1,
			.free = plan->reserved_pages,
		};
		mem->nr_vmemmap_pages = plan->reserved_pages;
	}
	return 0;
}

static void remove_memory_blocks(struct hotplug_range *hr)
{
	for (u64 pa = hr->start; pa < hr->start + hr->size; pa += memory_block_size) {
		struct memory_block *mem = find_memory_block_by_pfn(PFN_DOWN(pa));

		if (mem && !mem->boot)
			memory_block_release(mem);
	}
}

/* The memmap pages a block's altmap backs get PG_vmemmap (seed 002). */
static void mark_vmemmap_leaf(void *arg, u64 va, int level, pte_t pte)
{
	struct memory_block *mem = arg;
	unsigned long pfn, n;

	if (arch_pte_type(pte, level) != PTE_BLOCK && arch_pte_type(pte, level) != PTE_PAGE)
		return;
	pfn = PFN_DOWN(arch_pte_addr(pte, level));
	n = level_size(level) >> PAGE_SHIFT;
	if (pfn < mem->altmap.base_pfn || pfn >= mem->altmap.base_pfn + mem->altmap.free)
		return;
	for (unsigned long i = 0; i < n; i++)
		SetPageVmemmap(pfn_to_page(pfn + i));
}

static void mark_vmemmap_pages(struct memory_block *mem)
{
	unsigned long start = memory_block_start_pfn(mem);
	u64 va = ALIGN_DOWN(memmap_va(start), PAGE_SIZE);
	u64 end = ALIGN(memmap_va(start + memory_block_pages()), PAGE_SIZE);

	pgtable_for_each_leaf(&swapper_pg, va, end - 1, mark_vmemmap_leaf, mem);
}

/* The memmap of [start, end): whole sections, or subsections where the block is smaller. */
static int add_pages(struct hotplug_range *hr)
{
	unsigned long start = PFN_DOWN(hr->start), end = PFN_DOWN(hr->start + hr->size);
	unsigned long pfn;
	int ret = 0;

	for (pfn = start; pfn < end; pfn = ALIGN(pfn + 1, PAGES_PER_SECTION)) {
		unsigned long next = min(ALIGN(pfn + 1, PAGES_PER_SECTION), end);
		struct memory_block *mem = find_memory_block_by_pfn(pfn);

		ret = sparse_add_section(hr->nid, pfn, next - pfn,
					 mem->has_altmap ? &mem->altmap : NULL, &mhp_pgtable_alloc);
		if (ret)
			break;
	}
	if (!ret)
		return 0;
	while (pfn > start) {
		unsigned long prev = max(ALIGN_DOWN(pfn - 1, PAGES_PER_SECTION), start);

		BUG_ON(sparse_remove_section(prev, pfn - prev));
		pfn = prev;
	}
	return ret;
}

static void remove_pages(struct hotplug_range *hr)
{
	unsigned long start = PFN_DOWN(hr->start), end = PFN_DOWN(hr->start + hr->size);

	for (unsigned long pfn = start; pfn < end; pfn = ALIGN(pfn + 1, PAGES_PER_SECTION))
		BUG_ON(sparse_remove_section(pfn, min(ALIGN(pfn + 1, PAGES_PER_SECTION), end) - pfn));
}

/* Where the memmap of @hr came from, in words: the log says why when it is not the range. */
static void log_added(const struct hotplug_range *hr, const struct mhp_memmap_plan *p)
{
	unsigned long first = PFN_DOWN(hr->start) / memory_block_pages();
	unsigned long last = PFN_DOWN(hr->start + hr->size - 1) / memory_block_pages();

	if (!(hr->flags & MHP_MEMMAP_ON_MEMORY) || !p->allows)
		pr_info("hotplug: added [%#llx-%#llx] on node %d: blocks %lu-%lu, memmap from existing "
			"memory (%s%s)\n", (unsigned long long)hr->start,
			(unsigned long long)(hr->start + hr->size - 1), hr->nid, first, last,
			hr->flags & MHP_MEMMAP_ON_MEMORY ? "memmap_on_memory refused: " : "",
			hr->flags & MHP_MEMMAP_ON_MEMORY ? p->reason : "not asked for");
	else
		pr_info("hotplug: added [%#llx-%#llx] on node %d: blocks %lu-%lu, memmap on the "
			"blocks themselves (%lu pages each, %lu padding)%s\n",
			(unsigned long long)hr->start, (unsigned long long)(hr->start + hr->size - 1),
			hr->nid, first, last, p->memmap_pages, p->padding_pages,
			p->linux_allows ? "" : "; Linux would refuse it: see altmap ID");
}

int add_memory(int nid, u64 start, u64 size, mhp_t flags)
{
	struct hotplug_range *hr = NULL;
	struct mhp_memmap_plan plan;
	u64 va = (u64)__va(start), mm_va, mm_size;
	int ret;

	ret = check_hotplug_memory_range(&nid, start, size);
	if (ret)
		return ret;
	for (int i = 0; i < MAX_HOTPLUG_RANGES && !hr; i++)
		if (!hotplug_ranges[i].used)
			hr = &hotplug_ranges[i];
	if (!hr) {
		pr_err("mem add: all %d hot-add ranges are in use\n", MAX_HOTPLUG_RANGES);
		return -ENOSPC;
	}
	*hr = (struct hotplug_range){ .used = true, .start = start, .size = size, .nid = nid,
				      .held_nid = nid, .flags = flags };
	for_each_held_region(r)
		if (r->base <= start && start < r->base + r->size)
			hr->held_nid = r->nid;
	mhp_block_plan(&plan);
	ret = create_memory_blocks(hr, &plan);
	if (ret) {
		pr_err("mem add: no room for %llu more memory blocks (at most %d)\n",
		       (unsigned long long)(size / memory_block_size), MAX_MEMORY_BLOCKS);
		goto err_blocks;
	}
	mm_va = ALIGN_DOWN(memmap_va(PFN_DOWN(start)), PAGE_SIZE);
	mm_size = ALIGN(memmap_va(PFN_DOWN(start + size)), PAGE_SIZE) - mm_va;
	mhp_adding = hr;
	ret = unshare_tables(hr, va, size) ?: unshare_tables(hr, mm_va, mm_size);
	if (ret) {
		pr_err("mem add: cannot move a shared page table out of another range: %d\n", ret);
		goto err_blocks;
	}
	/* arm64's arch_add_memory(): the linear map first, then sections and memmap. */
	ret = pgtable_map(&swapper_pg, va, start, size, PAGE_KERNEL, 0, &mhp_pgtable_alloc);
	if (ret) {
		pr_err("mem add: [%#llx, +%#llx): no page tables for the linear map: %d\n",
		       (unsigned long long)start, (unsigned long long)size, ret);
		goto err_blocks;
	}
	ret = add_pages(hr);
	if (ret) {
		pr_err("mem add: [%#llx, +%#llx): no memmap: %d\n", (unsigned long long)start,
		       (unsigned long long)size, ret);
		goto err_linear;
	}
	ret = memblock_unhold(start, size) ?: memblock_add_node(start, size, nid);
	if (ret) {
		memblock_remove(start, size);
		memblock_hold(start, size, hr->held_nid);
		pr_err("mem add: memblock has no room for the range: %d\n", ret);
		goto err_pages;
	}
	mhp_adding = NULL;
	pgtable_origins_settle();	/* hosted tables' records into their struct pages */
	for (u64 pa = start; pa < start + size; pa += memory_block_size) {
		struct memory_block *mem = find_memory_block_by_pfn(PFN_DOWN(pa));

		if (mem->has_altmap)
			mark_vmemmap_pages(mem);
	}
	log_added(hr, &plan);
	if (memhp_default_state == MEMHP_ONLINE) {
		for (u64 pa = start; pa < start + size; pa += memory_block_size)
			memory_block_online(find_memory_block_by_pfn(PFN_DOWN(pa)), MMOP_ONLINE);
	}
	return 0;

err_pages:
	pgtable_origins_unsettle(PFN_DOWN(start), PFN_DOWN(start + size));
	remove_pages(hr);
err_linear:
	BUG_ON(pgtable_unmap(&swapper_pg, va, size, &kernel_pgtable_alloc));
err_blocks:
	mhp_adding = NULL;
	remove_memory_blocks(hr);
	hr->used = false;
	return ret;
}

/* ---- remove_memory() ---- */

int remove_memory(u64 start, u64 size)
{
	struct hotplug_range *hr = find_hotplug_range(start, size);
	int ret;

	if (!hr) {
		pr_err("mem remove: [%#llx, +%#llx) is not a range mem add added\n",
		       (unsigned long long)start, (unsigned long long)size);
		return -EINVAL;
	}
	for (u64 pa = start; pa < start + size; pa += memory_block_size) {
		struct memory_block *mem = find_memory_block_by_pfn(PFN_DOWN(pa));

		if (mem->state != MEM_OFFLINE) {
			pr_err("mem remove: block %lu is %s: offline it first\n", mem->id,
			       memory_block_state_name(mem->state));
			return -EBUSY;
		}
	}
	/* The range's memmap goes first: table records must not live in it. */
	ret = pgtable_origins_unsettle(PFN_DOWN(start), PFN_DOWN(start + size));
	if (ret) {
		pgtable_origins_settle();
		pr_err("mem remove: too many page-table records to move: %d\n", ret);
		return ret;
	}
	memblock_remove(start, size);
	BUG_ON(memblock_hold(start, size, hr->held_nid));
	remove_pages(hr);
	for (u64 pa = start; pa < start + size; pa += memory_block_size) {
		struct memory_block *mem = find_memory_block_by_pfn(PFN_DOWN(pa));

		if (mem->has_altmap && mem->altmap.alloc)
			panic("mem remove: block %lu: altmap not fully unmapped (%lu pages)",
			      mem->id, mem->altmap.alloc);
	}
	BUG_ON(pgtable_unmap(&swapper_pg, (u64)__va(start), size, &kernel_pgtable_alloc));
	remove_memory_blocks(hr);
	hr->used = false;
	pr_info("hotplug: removed [%#llx-%#llx]\n", (unsigned long long)start,
		(unsigned long long)(start + size - 1));
	return 0;
}

/* ---- online and offline ---- */

static void memory_block_sections_online(struct memory_block *mem, bool online)
{
	unsigned long start = memory_block_start_pfn(mem);

	for (unsigned long pfn = start; pfn < start + memory_block_pages(); pfn += PAGES_PER_SECTION) {
		struct mem_section *ms = __pfn_to_section(pfn);

		if (online)
			ms->flags |= SECTION_IS_ONLINE;
		else
			ms->flags &= ~SECTION_IS_ONLINE;
	}
}

static const char *const mmop_names[] = { "Movable", "Normal", "Movable" };

/*
 * The pages of @mem the buddy never gets (memmap, padding, hosted tables) are
 * offline with the block and not while it is online: they are in use.
 */
static void memory_block_own_pages_offline(struct memory_block *mem, bool offline)
{
	unsigned long start = memory_block_start_pfn(mem), end = start + memory_block_pages();

	for (unsigned long pfn = start; pfn < end; pfn++) {
		if (pfn == memory_block_usable_start(mem))
			pfn = memory_block_usable_end(mem);
		if (pfn >= end)
			break;
		if (offline)
			page_set(pfn_to_page(pfn), PG_offline);
		else
			page_clear(pfn_to_page(pfn), PG_offline);
	}
}

int memory_block_online(struct memory_block *mem, enum mmop type)
{
	unsigned long start = memory_block_start_pfn(mem), nr = memory_block_pages();
	unsigned long ustart = memory_block_usable_start(mem), uend = memory_block_usable_end(mem);
	struct zone *zone;

	if (mem->state != MEM_OFFLINE) {
		pr_err("mem online: block %lu is %s already\n", mem->id,
		       memory_block_state_name(mem->state));
		return -EINVAL;
	}
	zone = &NODE_DATA(mem->nid)->node_zones[type == MMOP_ONLINE_KERNEL ? ZONE_NORMAL :
									  ZONE_MOVABLE];
	/* Linux's mhp_init_memmap_on_memory(): the memmap pages join the zone, never the buddy. */
	if (mem->nr_vmemmap_pages)
		move_pfn_range_to_zone(zone, start, mem->nr_vmemmap_pages, MIGRATE_UNMOVABLE);
	move_pfn_range_to_zone(zone, ustart, start + nr - ustart, MIGRATE_MOVABLE);
	adjust_present_page_count(zone, nr);
	memory_block_sections_online(mem, true);
	memory_block_own_pages_offline(mem, false);
	__free_pages_memory(ustart, uend);
	mem->zone = zone;
	mem->state = MEM_ONLINE;
	pr_info("hotplug: block %lu online in %s of node %d: %lu pages to the buddy, %lu memmap, "
		"%lu padding, %u tables\n", mem->id, mmop_names[type], mem->nid, uend - ustart,
		mem->has_altmap ? mem->altmap.alloc : 0,
		mem->has_altmap ? mem->plan.padding_pages : 0, mem->nr_tables);
	return 0;
}

int memory_block_offline(struct memory_block *mem)
{
	unsigned long start = memory_block_start_pfn(mem), nr = memory_block_pages();
	unsigned long ustart = memory_block_usable_start(mem), uend = memory_block_usable_end(mem);
	unsigned long end = start + nr, failed = 0;
	struct zone *zone = mem->zone;
	long pfn;
	int ret;

	if (mem->boot) {
		pr_err("mem offline: block %lu is boot memory, which arm64 never offlines\n", mem->id);
		return -EINVAL;
	}
	if (mem->state != MEM_ONLINE) {
		pr_err("mem offline: block %lu is %s\n", mem->id, memory_block_state_name(mem->state));
		return -EINVAL;
	}
	if (test_pages_in_a_zone(ustart, uend) != zone) {
		pr_err("mem offline: block %lu spans zones\n", mem->id);
		return -EINVAL;
	}
	pfn = has_unmovable_pages(ustart, uend);
	if (pfn >= 0) {
		pr_err("mem offline: block %lu: pfn %#lx is not movable\n", mem->id, pfn);
		return -EBUSY;
	}
	mem->state = MEM_GOING_OFFLINE;
	ret = set_migratetype_isolate(ustart, end);
	if (ret) {
		pr_err("mem offline: block %lu: cannot isolate its pageblocks: %d\n", mem->id, ret);
		goto failed;
	}
	ret = migrate_pages_range(ustart, uend, &failed);
	if (ret) {
		pr_err("mem offline: block %lu: pfn %#lx could not move: %d\n", mem->id, failed, ret);
		goto undo;
	}
	if (test_pages_isolated(ustart, uend)) {
		pfn = has_unmovable_pages(ustart, uend);
		pr_err("mem offline: block %lu: pfn %#lx is still in use\n", mem->id, pfn);
		ret = -EBUSY;
		goto undo;
	}
	__offline_isolated_pages(ustart, uend);
	undo_isolate_page_range(ustart, end);
	memory_block_sections_online(mem, false);
	memory_block_own_pages_offline(mem, true);
	adjust_present_page_count(zone, -(long)nr);
	remove_pfn_range_from_zone(zone, start, nr);
	mem->zone = NULL;
	mem->state = MEM_OFFLINE;
	pr_info("hotplug: block %lu offline\n", mem->id);
	return 0;

undo:
	undo_isolate_page_range(ustart, end);
failed:
	mem->state = MEM_ONLINE;
	return ret;
}
