/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Populating the virtual memmap (mm/vmemmap.c), Linux's sparse-vmemmap.
 *
 * vmemmap_populate() maps [start, end) of the vmemmap (struct page VAs)
 * with, per block-sized chunk: one block when the whole aligned block of
 * memmap is wanted and a block-sized allocation succeeds; otherwise (mode
 * `auto`) contiguous-bit runs, then base pages. With a vmem_altmap the
 * memmap comes from the altmap's pages, and a failed block follows
 * altmap_fallback: `none` fails (Linux >= 6.0), `basepages` takes base pages
 * from the altmap (arm64 5.11-5.19, seed 000).
 */
#ifndef MM_VMEMMAP_H
#define MM_VMEMMAP_H

#include <mm/pgtable.h>

/* Linux's include/linux/memremap.h, same meanings. */
struct vmem_altmap {
	unsigned long base_pfn;		/* first pfn of the range */
	unsigned long end_pfn;		/* last pfn, inclusive */
	unsigned long reserve;		/* pages kept before the memmap (0 for RAM) */
	unsigned long free;		/* pages the vmemmap may take */
	unsigned long align;		/* pages skipped to align allocations */
	unsigned long alloc;		/* pages handed out */
};

enum vmemmap_mode {
	VMEMMAP_AUTO,		/* block, else contiguous run, else base pages */
	VMEMMAP_SECTION,	/* block, else base pages */
	VMEMMAP_BASE,		/* base pages only */
};

enum altmap_fallback {
	ALTMAP_FALLBACK_NONE,		/* a failed block fails the populate */
	ALTMAP_FALLBACK_BASEPAGES,	/* base pages from the altmap instead */
};

extern enum vmemmap_mode vmemmap_mode;		/* `vmemmap=` */
extern enum altmap_fallback altmap_fallback;	/* `altmap_fallback=` */
extern const char *const vmemmap_mode_names[3];
extern const char *const altmap_fallback_names[2];

/*
 * vmemmap_populate() - map the struct pages [start, end) (vmemmap VAs; the
 * pages they touch) on node @node. Pages already mapped are left alone.
 * Return: 0, or -ENOMEM with exactly what this call mapped undone (also
 * when already mapped pieces split the call's own into more than 32 runs).
 */
int vmemmap_populate(unsigned long start, unsigned long end, int node,
		     struct vmem_altmap *altmap);
/* The same, with its page tables from @tables (hot-add's: some from the added range). */
int vmemmap_populate_tables(unsigned long start, unsigned long end, int node,
			    struct vmem_altmap *altmap, struct pgtable_alloc *tables);
/* Base pages only, from @altmap when given (seed 001). Same return. */
int vmemmap_populate_basepages(unsigned long start, unsigned long end, int node,
			       struct vmem_altmap *altmap);
/*
 * vmemmap_alloc_block_buf() - @size bytes of memmap backing, naturally
 * aligned: from @altmap when given (nothing else is tried), else from node
 * @node. Returns the physical address (Linux returns its linear-map VA),
 * or 0.
 */
phys_addr_t vmemmap_alloc_block_buf(unsigned long size, int node, struct vmem_altmap *altmap);
/*
 * vmemmap_free() - unmap the vmemmap leaves that overlap [start, end) and
 * hold no struct page of a pfn that still has a memmap (memmap_in_use():
 * clear the section state first), and give their pages back: to @altmap
 * (alloc drops) when they came from it, else to the allocator they came
 * from; empty tables are freed. A leaf shared with memory that stays is
 * left for whoever removes that memory last.
 */
void vmemmap_free(unsigned long start, unsigned long end, struct vmem_altmap *altmap);

static inline unsigned long vmem_altmap_offset(const struct vmem_altmap *altmap)
{
	return altmap->reserve + altmap->free;
}

static inline unsigned long vmem_altmap_next_pfn(const struct vmem_altmap *altmap)
{
	return altmap->base_pfn + altmap->reserve + altmap->alloc + altmap->align;
}

static inline unsigned long vmem_altmap_nr_free(const struct vmem_altmap *altmap)
{
	unsigned long used = altmap->alloc + altmap->align;

	return altmap->free > used ? altmap->free - used : 0;
}

void vmem_altmap_free(struct vmem_altmap *altmap, unsigned long nr_pfns);

/* How one section's memmap is mapped (the `vmemmap` command, tests). */
struct vmemmap_section_desc {
	unsigned long blocks, cont_leaves, base_leaves;	/* leaves starting in the section */
	unsigned long table_pages;	/* tables first used by this section's range */
	unsigned long cross_node_tables;	/* of those, tables mapping several nodes' struct pages */
	unsigned long memmap_bytes;
	unsigned long off_node_pages;	/* struct pages backed by another node's memory */
};

/*
 * vmemmap_describe() - walk the vmemmap of section @nr. Call it for
 * sections in increasing order with one @cursor (zeroed first), so a table
 * or leaf shared by several sections is counted once, with the first.
 */
struct vmemmap_cursor {
	phys_addr_t last_table[4];
	u64 last_leaf;
};
void vmemmap_describe(unsigned long nr, struct vmemmap_section_desc *d,
		      struct vmemmap_cursor *cursor);
/* Bytes of memmap one block / one contiguous run holds. */
u64 vmemmap_block_bytes(void);
u64 vmemmap_cont_bytes(void);

/* The table allocator the vmemmap uses (node-local where a table's span is). */
extern struct pgtable_alloc vmemmap_pgtable_alloc;

#endif
