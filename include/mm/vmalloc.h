/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtually contiguous kernel memory (mm/vmalloc.c), Linux's vmalloc.
 *
 * Areas are carved from [VMALLOC_START, VMALLOC_END), each followed by an
 * unmapped guard page (counted in vm_struct.size, as in Linux). vmalloc()
 * backs an area with base pages; vmalloc_huge() (seed 004) with block-sized,
 * block-aligned chunks where a whole block fits, contiguous runs where a
 * whole run fits in the rest, base pages elsewhere, and base pages for any
 * chunk whose allocation fails:
 *
 *   area (block aligned)                                        guard
 *   |<-- block -->|<-- block -->|<- run ->|<- run ->|pg|pg|pg|  |////|
 *
 * Only PAGE_KERNEL allocations may take huge mappings; such areas carry
 * VM_HUGE_PAGES. Pages come from alloc_pages_node() without __GFP_MOVABLE,
 * and carry PAGE_OWNER_VMALLOC: they are unmovable.
 */
#ifndef MM_VMALLOC_H
#define MM_VMALLOC_H

#include <lib/list.h>
#include <mm/page_alloc.h>
#include <mm/pgtable.h>

#ifndef NUMA_NO_NODE
#define NUMA_NO_NODE	(-1)
#endif

/* vm_struct.flags (Linux's values; VM_HUGE_PAGES is the seed's). */
#define VM_ALLOC	0x00000002	/* vmalloc(): the area owns its pages */
#define VM_MAP		0x00000004	/* vmap(): the caller owns the pages */
#define VM_NO_GUARD	0x00000040	/* no guard page after the area */
#define VM_HUGE_PAGES	0x00000100	/* may use block and contiguous mappings */

struct vm_struct {
	struct list_head list;		/* on vmap_area_list, in VA order */
	void *addr;
	unsigned long size;		/* bytes, the guard page included */
	unsigned long flags;
	unsigned int nr_pages;		/* pages vmalloc allocated for it */
	const void *caller;
};

/* Every area, in VA order (Linux keeps them in a tree of vmap_areas). */
extern struct list_head vmap_area_list;
/* The table allocator for the vmalloc area (buddy pages). */
extern struct pgtable_alloc vmalloc_pgtable_alloc;

/* Forget every area (boot; host tests between cases). */
void vmalloc_init(void);

/* Bytes the area maps: its size without the guard page. */
static inline unsigned long get_vm_area_size(const struct vm_struct *area)
{
	return area->flags & VM_NO_GUARD ? area->size : area->size - PAGE_SIZE;
}

static inline bool is_vmalloc_addr(const void *x)
{
	unsigned long a = (unsigned long)x;

	return a >= VMALLOC_START && a < VMALLOC_END;
}

/*
 * __get_vm_area_caller() - reserve @size bytes (page aligned up, plus the
 * guard page unless VM_NO_GUARD) of VA in [start, end), first fit, aligned
 * to @align (a power of two, at least PAGE_SIZE). Nothing is mapped.
 * Return: the area, or NULL (no room, no free vm_struct, bad arguments).
 */
struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long align,
				       unsigned long flags, unsigned long start,
				       unsigned long end, const void *caller);
/* The same over the whole vmalloc area, page aligned. */
struct vm_struct *get_vm_area(unsigned long size, unsigned long flags);
/* The area whose range (guard page included) holds @addr, or NULL. */
struct vm_struct *find_vm_area(const void *addr);
/*
 * free_vm_area() - unmap whatever the area maps and release its VA. The
 * pages behind it are the caller's (vfree() gives back a vmalloc area's).
 */
void free_vm_area(struct vm_struct *area);

/*
 * __vmalloc_node_range() - Linux's: @size bytes of VA in [start, end)
 * backed by pages from node @node (NUMA_NO_NODE: any) mapped with @prot.
 * With VM_HUGE_PAGES in @vm_flags and @prot == PAGE_KERNEL, block and
 * contiguous mappings are tried first (see above); otherwise base pages.
 * Return: the address, or NULL with nothing left allocated or mapped.
 */
void *__vmalloc_node_range(unsigned long size, unsigned long align, unsigned long start,
			   unsigned long end, gfp_t gfp_mask, pgprot_t prot,
			   unsigned long vm_flags, int node, const void *caller);
void *vmalloc(unsigned long size);
void *vmalloc_huge(unsigned long size, gfp_t gfp_mask);
/*
 * vfree() - unmap a vmalloc() or vmap() area and release its VA; a vmalloc
 * area's pages go back to the buddy allocator, every table page its mapping
 * took goes back too. NULL is ignored; any other address that does not
 * start an area is a caller's bug (panic).
 */
void vfree(const void *addr);

/*
 * vmap() - map @count pages at consecutive VAs (VM_MAP area). With
 * PAGE_KERNEL, runs of physically consecutive pages that are aligned like
 * their VA take the largest leaf they fill (block, contiguous run), so
 * higher-order pages map as huge pages (the seed's suggestion).
 * Return: the address, or NULL with nothing mapped.
 */
void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
/* Unmap a vmap() area; the pages stay the caller's. */
void vunmap(const void *addr);

/* The struct page behind the vmalloc address @addr, or NULL if unmapped. */
struct page *vmalloc_to_page(const void *addr);

/* How an area is mapped, read from the page tables. */
struct vm_area_leaves {
	unsigned long blocks;		/* block leaves */
	unsigned long cont_runs;	/* contiguous runs (each one unit) */
	unsigned long pages;		/* last-level leaves outside runs */
	unsigned long entries;		/* leaf descriptors in all */
	unsigned long mapped;		/* bytes mapped */
};
void vm_area_leaves(const struct vm_struct *area, struct vm_area_leaves *l);

/* Pages vmalloc holds now (meminfo's VmallocUsed). */
unsigned long vmalloc_nr_pages(void);

/*
 * set_memory_ro/rw/nx/x() (mm/pageattr.c, Linux's change_memory_common):
 * change the permissions of @numpages pages from @addr, which must lie in
 * one vmalloc() area. Return: 0; -EINVAL (not page aligned, not inside one
 * VM_ALLOC area, or the range covers part of a block or contiguous
 * mapping: that would need a split); -EFAULT (part is not mapped).
 */
int set_memory_ro(unsigned long addr, int numpages);
int set_memory_rw(unsigned long addr, int numpages);
int set_memory_nx(unsigned long addr, int numpages);
int set_memory_x(unsigned long addr, int numpages);

/*
 * apply_to_existing_page_range() - the walker set_memory uses: for every
 * mapping unit (page, block, or whole contiguous run) of [addr, addr + size)
 * call @fn, which returns the unit's new protection. Every unit is checked
 * before any changes: a hole gives -EFAULT, a unit that reaches outside the
 * range -EINVAL, and nothing changes. A changed unit is rewritten whole
 * (permissions only: in place; a run: break-before-make, mm/pgtable.c).
 */
typedef pgprot_t (*pte_unit_fn_t)(const struct pgtable_unit *u, void *data);
int apply_to_existing_page_range(struct pgtable *pt, u64 addr, u64 size, pte_unit_fn_t fn,
				 void *data);

#endif
