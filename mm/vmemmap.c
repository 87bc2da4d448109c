// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual memmap: populating and tearing down the struct page array's
 * mappings (include/mm/vmemmap.h), Linux's mm/sparse-vmemmap.c with arm64's
 * vmemmap_populate() folded in.
 *
 * Per block-sized chunk of vmemmap VA (level-2 entry: 2 MiB, 32 MiB or
 * 512 MiB of struct pages):
 *
 *   whole chunk wanted and free?  -- block allocation --> one block leaf
 *        | no, or it failed (with an altmap: altmap_fallback decides)
 *   mode auto: per contiguous-run span -- run allocation --> one cont run
 *        | not a whole span, or it failed
 *   base pages, one allocation each (from the altmap when there is one)
 */
#include <arch/pgtable.h>
#include <kernel/panic.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/fault_inject.h>
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>
#include <mm/vmemmap.h>

enum vmemmap_mode vmemmap_mode = VMEMMAP_AUTO;
enum altmap_fallback altmap_fallback = ALTMAP_FALLBACK_NONE;
const char *const vmemmap_mode_names[3] = { "auto", "section", "base" };
const char *const altmap_fallback_names[2] = { "none", "basepages" };

static u64 block_size(void)
{
	return level_size(PGTABLE_LAST_LEVEL - 1);
}

static u64 cont_size(void)
{
	return arch_cont_entries(PGTABLE_LAST_LEVEL) * PAGE_SIZE;
}

/* Linux's altmap_alloc_block_buf(): naturally aligned pages from the altmap. */
static phys_addr_t altmap_alloc_block_buf(unsigned long size, struct vmem_altmap *altmap)
{
	unsigned long pfn = vmem_altmap_next_pfn(altmap);
	unsigned long nr_pfns = size >> PAGE_SHIFT;
	unsigned long nr_align;

	if (!size || size & (PAGE_SIZE - 1))
		return 0;
	nr_align = ALIGN(pfn, nr_pfns & -nr_pfns) - pfn;
	if (nr_pfns + nr_align > vmem_altmap_nr_free(altmap))
		return 0;
	altmap->alloc += nr_pfns;
	altmap->align += nr_align;
	return (phys_addr_t)(pfn + nr_align) << PAGE_SHIFT;
}

/*
 * Linux only lowers alloc here; hotmm also gives the alignment padding back
 * once nothing is allocated (docs/design.md), so an altmap whose memmap is
 * all gone reads as new.
 */
void vmem_altmap_free(struct vmem_altmap *altmap, unsigned long nr_pfns)
{
	BUG_ON(nr_pfns > altmap->alloc);
	altmap->alloc -= nr_pfns;
	if (!altmap->alloc)
		altmap->align = 0;
}

static enum fail_site size_site(unsigned long size)
{
	if (size == block_size())
		return FAIL_VMEMMAP_BLOCK;
	return size == PAGE_SIZE ? FAIL_VMEMMAP_PAGE : FAIL_VMEMMAP_CONT;
}

phys_addr_t vmemmap_alloc_block_buf(unsigned long size, int node, struct vmem_altmap *altmap)
{
	if (should_fail(size_site(size)))
		return 0;
	if (altmap)
		return altmap_alloc_block_buf(size, altmap);
	return kernel_pages_alloc(size, node, "memmap");
}

static bool in_altmap(const struct vmem_altmap *altmap, phys_addr_t pa)
{
	unsigned long pfn = pa >> PAGE_SHIFT;

	return altmap && pfn >= altmap->base_pfn && pfn <= altmap->end_pfn;
}

static void vmemmap_free_backing(phys_addr_t pa, u64 size, struct vmem_altmap *altmap)
{
	if (in_altmap(altmap, pa))
		vmem_altmap_free(altmap, size >> PAGE_SHIFT);
	else
		kernel_pages_free(pa, size);
}

/* The node whose struct pages the vmemmap VA @va holds (0 if none). */
static int vmemmap_va_nid(u64 va)
{
	unsigned long pfn = (va - VMEMMAP_START) / sizeof(struct page) +
			    (memstart_addr >> PAGE_SHIFT);
	struct mem_section *ms = __pfn_to_section(pfn);

	return ms && ms->nid >= 0 ? ms->nid : 0;
}

/*
 * The node a vmemmap table for @va comes from: the node of the struct pages
 * at @va. (A table whose span holds several nodes' struct pages is still
 * taken from that one node; vmemmap_describe() counts such tables.)
 */
static int table_nid(int level, u64 va)
{
	return vmemmap_va_nid(va);
}

static phys_addr_t vmemmap_pgt_alloc(struct pgtable_alloc *a, int level, u64 va)
{
	if (should_fail(FAIL_PGTABLE))
		return 0;
	return kernel_pages_alloc(PAGE_SIZE, table_nid(level, va), "pgtable");
}

static void vmemmap_pgt_free(struct pgtable_alloc *a, phys_addr_t table, int level)
{
	kernel_pages_free(table, PAGE_SIZE);
}

struct pgtable_alloc vmemmap_pgtable_alloc = {
	.alloc = vmemmap_pgt_alloc,
	.free = vmemmap_pgt_free,
	.name = "vmemmap",
};

static bool vmemmap_mapped(u64 va)
{
	struct pgtable_walk w;

	return !pgtable_walk(&swapper_pg, va, &w);
}

/*
 * Whether nothing maps [start, end): an empty entry at any level leaves its
 * whole span unmapped, so the walk steps over it (one walk per 2 MiB block
 * of a boot memmap, not one per page).
 */
static bool range_unmapped(u64 start, u64 end)
{
	for (u64 va = start; va < end; ) {
		struct pgtable_walk w;

		if (!pgtable_walk(&swapper_pg, va, &w))
			return false;
		va = ALIGN_DOWN(va, level_size(w.level)) + level_size(w.level);
		if (!va)	/* the span ended at the top of the address space */
			break;
	}
	return true;
}

/*
 * What one populate call has mapped, as VA runs in increasing order: a
 * failed call unmaps exactly these, and nothing that was mapped before it
 * (a neighbour's edge page, or a section populated earlier inside the
 * range). A run ends where a mapping that existed already interrupts the
 * call's own, so the runs are as many as those islands plus one.
 */
#define POPULATE_RUNS	32

struct populate_ctx {
	int node;
	struct vmem_altmap *altmap;
	struct pgtable_alloc *tables;
	unsigned int nr_runs;
	u64 run_start[POPULATE_RUNS], run_end[POPULATE_RUNS];
};

static bool log_mapping(struct populate_ctx *c, u64 va, u64 size)
{
	if (c->nr_runs && c->run_end[c->nr_runs - 1] == va) {
		c->run_end[c->nr_runs - 1] = va + size;
		return true;
	}
	if (c->nr_runs == POPULATE_RUNS)
		return false;
	c->run_start[c->nr_runs] = va;
	c->run_end[c->nr_runs++] = va + size;
	return true;
}

/*
 * The leaf mapping @va: its start, size and backing, a contiguous run
 * taken as one (it was one allocation). Return: false if @va is unmapped,
 * with *size the span to skip.
 */
static bool leaf_at(u64 va, u64 *start, u64 *size, phys_addr_t *pa)
{
	struct pgtable_walk w;
	bool mapped = !pgtable_walk(&swapper_pg, va, &w);

	*size = level_size(w.level);
	*start = ALIGN_DOWN(va, *size);
	if (!mapped)
		return false;
	*pa = arch_pte_addr(w.pte, w.level);
	if (arch_pte_cont(w.pte, w.level)) {
		u64 run = *size * arch_cont_entries(w.level);

		*pa -= *start - ALIGN_DOWN(va, run);
		*start = ALIGN_DOWN(va, run);
		*size = run;
	}
	return true;
}

/*
 * The first VA after the entry [@leaf, @leaf + @size), or @end if that is
 * sooner. The entry holding the last page of the space ends at 2^64 (0).
 */
static u64 entry_next(u64 leaf, u64 size, u64 end)
{
	return leaf + (size - 1) >= end - 1 ? end : leaf + size;
}

/* Unmap a whole leaf (no split: no table needed) and give its backing back. */
static void unmap_leaf(u64 leaf, u64 size, phys_addr_t pa, struct vmem_altmap *altmap)
{
	BUG_ON(pgtable_unmap(&swapper_pg, leaf, size, &vmemmap_pgtable_alloc));
	vmemmap_free_backing(pa, size, altmap);
}

/* Unmap every leaf that lies wholly inside [start, end) and give its backing back. */
static void unmap_leaves_inside(u64 start, u64 end, struct vmem_altmap *altmap)
{
	u64 va = start, leaf, size;
	phys_addr_t pa;

	while (va < end) {
		if (leaf_at(va, &leaf, &size, &pa) && leaf >= start && leaf + (size - 1) < end)
			unmap_leaf(leaf, size, pa, altmap);
		va = entry_next(leaf, size, end);
	}
}

static void populate_undo(struct populate_ctx *c)
{
	while (c->nr_runs--)
		unmap_leaves_inside(c->run_start[c->nr_runs], c->run_end[c->nr_runs], c->altmap);
}

/* Map @size bytes of memmap backing at @va and log it; on failure give @pa back. */
static int map_backing(struct populate_ctx *c, u64 va, phys_addr_t pa, u64 size,
		       unsigned int flags)
{
	int ret = pgtable_map(&swapper_pg, va, pa, size, PAGE_KERNEL, flags, c->tables);

	if (ret) {
		vmemmap_free_backing(pa, size, c->altmap);
		return ret;
	}
	if (!log_mapping(c, va, size)) {
		/* Too many islands to undo exactly later: undo this one now and fail. */
		unmap_leaf(va, size, pa, c->altmap);
		return -ENOMEM;
	}
	return 0;
}

static int populate_basepages(struct populate_ctx *c, u64 start, u64 end)
{
	for (u64 va = start; va < end; va += PAGE_SIZE) {
		phys_addr_t pa;

		if (vmemmap_mapped(va))
			continue;
		pa = vmemmap_alloc_block_buf(PAGE_SIZE, c->node, c->altmap);
		if (!pa || map_backing(c, va, pa, PAGE_SIZE, PGT_NO_BLOCKS | PGT_NO_CONT))
			return -ENOMEM;
	}
	return 0;
}

/* Contiguous runs where a whole run is wanted and can be had, base pages elsewhere. */
static int populate_cont(struct populate_ctx *c, u64 start, u64 end)
{
	u64 span = cont_size(), next;

	for (u64 va = start; va < end; va = next) {
		phys_addr_t pa = 0;

		next = min(ALIGN_DOWN(va, span) + span, end);
		if (span > PAGE_SIZE && next - va == span && range_unmapped(va, next))
			pa = vmemmap_alloc_block_buf(span, c->node, c->altmap);
		if (pa) {
			if (map_backing(c, va, pa, span, PGT_NO_BLOCKS))
				return -ENOMEM;
		} else if (populate_basepages(c, va, next)) {
			return -ENOMEM;
		}
	}
	return 0;
}

static int populate_chunk(struct populate_ctx *c, u64 start, u64 end)
{
	if (vmemmap_mode != VMEMMAP_BASE && end - start == block_size() &&
	    range_unmapped(start, end)) {
		phys_addr_t pa = vmemmap_alloc_block_buf(block_size(), c->node, c->altmap);

		if (pa)
			return map_backing(c, start, pa, block_size(), PGT_NO_CONT);
		/*
		 * seed 000: without an altmap, fall back for this chunk. With one,
		 * Linux >= 6.0 fails (a correctly sized altmap never runs short);
		 * arm64 5.11-5.19 took base pages from the altmap instead.
		 */
		if (c->altmap && altmap_fallback == ALTMAP_FALLBACK_NONE)
			return -ENOMEM;
		if (c->altmap)
			return populate_basepages(c, start, end);
	}
	if (vmemmap_mode == VMEMMAP_AUTO)
		return populate_cont(c, start, end);
	return populate_basepages(c, start, end);
}

int vmemmap_populate_basepages(unsigned long start, unsigned long end, int node,
			       struct vmem_altmap *altmap)
{
	struct populate_ctx c = { .node = node, .altmap = altmap,
				  .tables = &vmemmap_pgtable_alloc };
	int ret = populate_basepages(&c, ALIGN_DOWN(start, PAGE_SIZE), ALIGN(end, PAGE_SIZE));

	if (ret)
		populate_undo(&c);
	return ret;
}

int vmemmap_populate(unsigned long start, unsigned long end, int node,
		     struct vmem_altmap *altmap)
{
	return vmemmap_populate_tables(start, end, node, altmap, &vmemmap_pgtable_alloc);
}

int vmemmap_populate_tables(unsigned long start, unsigned long end, int node,
			    struct vmem_altmap *altmap, struct pgtable_alloc *tables)
{
	struct populate_ctx c = { .node = node, .altmap = altmap, .tables = tables };
	u64 block = block_size(), next;

	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN(end, PAGE_SIZE);
	for (u64 va = start; va < end; va = next) {
		int ret;

		next = min(ALIGN_DOWN(va, block) + block, (u64)end);
		ret = populate_chunk(&c, va, next);
		if (ret) {
			populate_undo(&c);
			return ret;
		}
	}
	return 0;
}

/* The pfns whose struct pages lie (at least partly) in vmemmap [start, end). */
static void memmap_pfns(u64 start, u64 end, unsigned long *first, unsigned long *last)
{
	unsigned long memstart_pfn = memstart_addr >> PAGE_SHIFT;

	*first = (start - VMEMMAP_START) / sizeof(struct page) + memstart_pfn;
	*last = DIV_ROUND_UP(end - VMEMMAP_START, sizeof(struct page)) + memstart_pfn;
}

void vmemmap_free(unsigned long start, unsigned long end, struct vmem_altmap *altmap)
{
	u64 va = ALIGN_DOWN(start, PAGE_SIZE), leaf, size;
	phys_addr_t pa;

	end = ALIGN(end, PAGE_SIZE);
	while (va < end) {
		if (leaf_at(va, &leaf, &size, &pa)) {
			unsigned long first, last;

			/* A leaf whose struct pages someone still has stays. */
			memmap_pfns(leaf, leaf + size, &first, &last);
			if (!memmap_in_use(first, last))
				unmap_leaf(leaf, size, pa, altmap);
		}
		va = entry_next(leaf, size, end);
	}
}

u64 vmemmap_block_bytes(void)
{
	return block_size();
}

u64 vmemmap_cont_bytes(void)
{
	return cont_size();
}

/*
 * Whether the table of @level that maps @va maps struct pages of more than
 * one node (it spans level_size(level - 1) of vmemmap; a high table's span
 * may start below VMEMMAP_START or end above VMEMMAP_END).
 */
static bool table_spans_nodes(int level, u64 va)
{
	u64 span = level_size(level - 1), lo = ALIGN_DOWN(va, span), last = lo + (span - 1);
	unsigned long first, end;
	int nid = vmemmap_va_nid(va);

	lo = max(lo, (u64)VMEMMAP_START);
	last = min(last, (u64)VMEMMAP_END - 1);
	memmap_pfns(lo, last + 1, &first, &end);
	for (unsigned long nr = pfn_to_section_nr(first);
	     nr < NR_MEM_SECTIONS && section_nr_to_pfn(nr) < end; nr++)
		if (present_section_nr(nr) && mem_section[nr].nid != nid)
			return true;
	return false;
}

/* Count each table the walk for @va read once: the first time it is seen. */
static void new_tables(const struct pgtable_walk *w, u64 va, struct vmemmap_cursor *c,
		       struct vmemmap_section_desc *d)
{
	for (int l = PGTABLE_START_LEVEL + 1; l <= w->level; l++) {
		if (c->last_table[l] != w->tables[l]) {
			c->last_table[l] = w->tables[l];
			d->table_pages++;
			d->cross_node_tables += table_spans_nodes(l, va);
		}
	}
}

void vmemmap_describe(unsigned long nr, struct vmemmap_section_desc *d,
		      struct vmemmap_cursor *c)
{
	u64 start = memmap_va(section_nr_to_pfn(nr));
	u64 end = memmap_va(section_nr_to_pfn(nr + 1));
	int nid = mem_section[nr].nid;
	struct pgtable_walk w;

	*d = (struct vmemmap_section_desc) { .memmap_bytes = end - start };
	for (u64 va = start; va < end;) {
		u64 size, leaf, next;
		bool mapped = !pgtable_walk(&swapper_pg, va, &w);

		size = level_size(w.level);
		leaf = ALIGN_DOWN(va, size);
		next = entry_next(leaf, size, end);
		if (mapped) {
			phys_addr_t pa = arch_pte_addr(w.pte, w.level) + (va - leaf);

			new_tables(&w, va, c, d);
			if (leaf != c->last_leaf || !c->last_leaf) {
				c->last_leaf = leaf;
				if (w.level < PGTABLE_LAST_LEVEL)
					d->blocks++;
				else if (arch_pte_cont(w.pte, w.level))
					d->cont_leaves++;
				else
					d->base_leaves++;
			}
			if (memblock_nid_of(pa) != nid)
				d->off_node_pages += (next - va) / sizeof(struct page);
		}
		va = next;
	}
}
