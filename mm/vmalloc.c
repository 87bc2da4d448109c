// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc (include/mm/vmalloc.h): Linux's mm/vmalloc.c for one CPU, with
 * seed 004's huge mappings.
 *
 * The VA allocator keeps every area on one list in VA order and places a
 * new one in the first gap that fits it aligned (Linux searches a tree of
 * free ranges; a list is enough for a few hundred areas). vm_structs come
 * from a fixed pool: hotmm has no slab allocator.
 *
 * A vmalloc area keeps no page array: its page tables are the record. Each
 * leaf unit (a page, a block, a whole contiguous run) maps exactly one
 * allocation of its size, so vfree() walks the area, unmaps each unit and
 * frees its pages with the order the unit's size gives.
 *
 * The huge ladder, per level-2-block chunk of a VM_HUGE_PAGES area:
 *
 *   whole block in the area? -- alloc block order --> block leaf
 *        | no                       | failed (or injected)
 *        v                          v
 *   per run span:                base pages for the whole block (Linux's
 *   whole run in the chunk?      fallback target)
 *     -- alloc run order --> contiguous run
 *        | no, or failed
 *   base pages, one allocation each
 */
#include <kernel/panic.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/fault_inject.h>
#include <mm/mmu.h>
#include <mm/sparse.h>
#include <mm/vmalloc.h>

#define NR_VM_STRUCTS	256

static struct vm_struct vm_pool[NR_VM_STRUCTS];
static struct list_head vm_free_list = LIST_HEAD_INIT(vm_free_list);
struct list_head vmap_area_list = LIST_HEAD_INIT(vmap_area_list);
static unsigned long nr_vmalloc_pages;

/* ---- the table allocator ---- */

static phys_addr_t vmalloc_pgt_alloc(struct pgtable_alloc *a, int level, u64 va)
{
	struct page *page;

	if (should_fail(FAIL_PGTABLE))
		return 0;
	page = alloc_pages_node(NUMA_NO_NODE, 0, GFP_KERNEL);
	return page ? (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT : 0;
}

static void vmalloc_pgt_free(struct pgtable_alloc *a, phys_addr_t table, int level)
{
	free_pages(pfn_to_page(table >> PAGE_SHIFT), 0);
}

struct pgtable_alloc vmalloc_pgtable_alloc = {
	.alloc = vmalloc_pgt_alloc,
	.free = vmalloc_pgt_free,
	.name = "vmalloc",
};

/* ---- geometry ---- */

static u64 block_size(void)
{
	return level_size(PGTABLE_LAST_LEVEL - 1);
}

static u64 cont_size(void)
{
	return arch_cont_entries(PGTABLE_LAST_LEVEL) * PAGE_SIZE;
}

static unsigned int size_order(u64 size)
{
	return __builtin_ctzll(size) - PAGE_SHIFT;
}

/* ---- the VA allocator ---- */

void vmalloc_init(void)
{
	INIT_LIST_HEAD(&vmap_area_list);
	INIT_LIST_HEAD(&vm_free_list);
	for (int i = 0; i < NR_VM_STRUCTS; i++)
		list_add_tail(&vm_pool[i].list, &vm_free_list);
	nr_vmalloc_pages = 0;
}

static struct vm_struct *vm_struct_get(void)
{
	struct vm_struct *vm;

	if (list_empty(&vm_free_list))
		return NULL;
	vm = list_first_entry(&vm_free_list, struct vm_struct, list);
	list_del(&vm->list);
	return vm;
}

static u64 vm_start(const struct vm_struct *vm)
{
	return (u64)vm->addr;
}

static u64 vm_end(const struct vm_struct *vm)
{
	return (u64)vm->addr + vm->size;
}

/*
 * First fit: the lowest @align-aligned address in [start, end) where @size
 * bytes meet no area; @before gets the area to insert in front of (the list
 * head when it goes last). Return: the address, or 0.
 */
static u64 find_gap(u64 size, u64 align, u64 start, u64 end, struct list_head **before)
{
	u64 addr = ALIGN(start, align);
	struct vm_struct *vm;

	list_for_each_entry(vm, &vmap_area_list, list) {
		if (addr < start || addr > end || end - addr < size)
			return 0;
		if (vm_end(vm) <= addr)
			continue;
		if (addr + size <= vm_start(vm)) {
			*before = &vm->list;
			return addr;
		}
		addr = ALIGN(vm_end(vm), align);
	}
	if (addr < start || addr > end || end - addr < size)
		return 0;
	*before = &vmap_area_list;
	return addr;
}

struct vm_struct *__get_vm_area_caller(unsigned long size, unsigned long align,
				       unsigned long flags, unsigned long start,
				       unsigned long end, const void *caller)
{
	struct list_head *before;
	struct vm_struct *vm;
	u64 addr;

	if (!size || size > end - start || align < PAGE_SIZE || (align & (align - 1)) ||
	    start >= end)
		return NULL;
	size = ALIGN(size, PAGE_SIZE);
	if (!(flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	if (size > end - start)
		return NULL;
	addr = find_gap(size, align, start, end, &before);
	if (!addr)
		return NULL;
	vm = vm_struct_get();
	if (!vm)
		return NULL;
	*vm = (struct vm_struct){ .addr = (void *)addr, .size = size, .flags = flags,
				  .caller = caller };
	list_add_tail(&vm->list, before);
	return vm;
}

struct vm_struct *get_vm_area(unsigned long size, unsigned long flags)
{
	return __get_vm_area_caller(size, PAGE_SIZE, flags, VMALLOC_START, VMALLOC_END,
				    __builtin_return_address(0));
}

struct vm_struct *find_vm_area(const void *addr)
{
	struct vm_struct *vm;

	list_for_each_entry(vm, &vmap_area_list, list) {
		if ((u64)addr < vm_start(vm))
			return NULL;
		if ((u64)addr < vm_end(vm))
			return vm;
	}
	return NULL;
}

/* ---- mapping and unmapping ---- */

/* Mark the 2^@order pages from @page as vmalloc's (or no one's). */
static void set_pages_owner(struct page *page, unsigned int order, unsigned long owner)
{
	for (unsigned long i = 0; i < (1UL << order); i++)
		page[i].owner = owner;
}

#define UNMAP_BATCH	64

/* Give back the pages of @n units, unmapped already. */
static void free_units(const struct pgtable_unit *units, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct page *page = pfn_to_page(units[i].pa >> PAGE_SHIFT);
		unsigned int order = size_order(units[i].size);

		BUG_ON(page->owner != PAGE_OWNER_VMALLOC);
		set_pages_owner(page, order, 0);
		free_pages(page, order);
		nr_vmalloc_pages -= 1UL << order;
	}
}

/*
 * Unmap every unit [start, end) maps; with @free_backing give each unit's
 * pages (one allocation per unit) back to the buddy allocator once its
 * translations are gone. Units are unmapped in batches: one
 * pgtable_unmap() call per batch, not per page, keeps the walks down.
 */
static void unmap_range(u64 start, u64 end, bool free_backing)
{
	struct pgtable_unit batch[UNMAP_BATCH], u;
	unsigned int n = 0;

	for (u64 va = start; va < end;) {
		bool mapped = !pgtable_leaf_unit(&swapper_pg, va, &u);

		if (mapped) {
			BUG_ON(u.va < start || u.va + u.size > end);
			batch[n++] = u;
		}
		va = pgtable_unit_next(&u, end);
		if (n && (n == UNMAP_BATCH || va >= end)) {
			u64 first = batch[0].va, last = batch[n - 1].va + batch[n - 1].size;

			BUG_ON(pgtable_unmap(&swapper_pg, first, last - first,
					     &vmalloc_pgtable_alloc));
			if (free_backing)
				free_units(batch, n);
			n = 0;
		}
	}
}

void free_vm_area(struct vm_struct *area)
{
	unmap_range(vm_start(area), vm_start(area) + get_vm_area_size(area), false);
	list_del(&area->list);
	list_add(&area->list, &vm_free_list);
}

/* The pgtable_map() flags that make leaves of exactly @size. */
static unsigned int leaf_flags(u64 size)
{
	if (size == block_size())
		return PGT_NO_CONT;
	if (size == cont_size())
		return PGT_NO_BLOCKS;
	return PGT_NO_BLOCKS | PGT_NO_CONT;
}

/*
 * Allocate @size bytes (a block, a run or a page) for @va and map them.
 * A block or run asks fault-injection @site first; a base page only the
 * buddy allocator's own site.
 * Return: 0; -EAGAIN when the pages could not be had (the caller may fall
 * back to smaller ones); -ENOMEM when the mapping failed (no table page).
 */
static int map_chunk(struct vm_struct *area, u64 va, u64 size, int node, gfp_t gfp,
		     pgprot_t prot, enum fail_site site)
{
	unsigned int order = size_order(size);
	struct page *page;
	int ret;

	if (size > PAGE_SIZE && (order > MAX_PAGE_ORDER || should_fail(site)))
		return -EAGAIN;
	page = alloc_pages_node(node, order, gfp & ~__GFP_MOVABLE);
	if (!page)
		return -EAGAIN;
	set_pages_owner(page, order, PAGE_OWNER_VMALLOC);
	ret = pgtable_map(&swapper_pg, va, (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT, size,
			  prot, leaf_flags(size), &vmalloc_pgtable_alloc);
	if (ret) {
		set_pages_owner(page, order, 0);
		free_pages(page, order);
		return ret;
	}
	area->nr_pages += 1U << order;
	nr_vmalloc_pages += 1UL << order;
	return 0;
}

static int map_base_pages(struct vm_struct *area, u64 va, u64 end, int node, gfp_t gfp,
			  pgprot_t prot)
{
	for (; va < end; va += PAGE_SIZE) {
		int ret = map_chunk(area, va, PAGE_SIZE, node, gfp, prot, FAIL_PAGE_ALLOC);

		if (ret)
			return ret == -EAGAIN ? -ENOMEM : ret;
	}
	return 0;
}

/* [va, end), less than a block: contiguous runs where a whole one fits, else pages. */
static int map_runs(struct vm_struct *area, u64 va, u64 end, int node, gfp_t gfp,
		    pgprot_t prot)
{
	u64 span = cont_size(), next;

	if (span <= PAGE_SIZE)
		return map_base_pages(area, va, end, node, gfp, prot);
	for (; va < end; va = next) {
		int ret = -EAGAIN;

		next = min(ALIGN_DOWN(va, span) + span, end);
		if (next - va == span)
			ret = map_chunk(area, va, span, node, gfp, prot, FAIL_VMALLOC_CONT);
		if (ret == -EAGAIN)
			ret = map_base_pages(area, va, next, node, gfp, prot);
		if (ret)
			return ret;
	}
	return 0;
}

/* The ladder above, over [va, end). */
static int map_huge(struct vm_struct *area, u64 va, u64 end, int node, gfp_t gfp,
		    pgprot_t prot)
{
	u64 block = block_size(), next;

	for (; va < end; va = next) {
		int ret;

		next = min(ALIGN_DOWN(va, block) + block, end);
		if (next - va < block) {
			ret = map_runs(area, va, next, node, gfp, prot);
		} else {
			ret = map_chunk(area, va, block, node, gfp, prot, FAIL_VMALLOC_BLOCK);
			/* A failed huge allocation falls back to base pages, as in Linux. */
			if (ret == -EAGAIN)
				ret = map_base_pages(area, va, next, node, gfp, prot);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Back the area with pages and map them: the ladder above for a
 * VM_HUGE_PAGES area, base pages otherwise. Return: 0 or -ENOMEM, with
 * everything mapped so far undone.
 */
static int vmalloc_area_populate(struct vm_struct *area, int node, gfp_t gfp, pgprot_t prot)
{
	u64 start = vm_start(area), end = start + get_vm_area_size(area);
	int ret;

	if (area->flags & VM_HUGE_PAGES)
		ret = map_huge(area, start, end, node, gfp, prot);
	else
		ret = map_base_pages(area, start, end, node, gfp, prot);
	if (ret)
		unmap_range(start, end, true);
	return ret;
}

/* Alignment for a huge area of @size: the largest leaf it can hold. */
static u64 huge_align(u64 size)
{
	if (size >= block_size())
		return block_size();
	return size >= cont_size() ? cont_size() : PAGE_SIZE;
}

void *__vmalloc_node_range(unsigned long size, unsigned long align, unsigned long start,
			   unsigned long end, gfp_t gfp_mask, pgprot_t prot,
			   unsigned long vm_flags, int node, const void *caller)
{
	struct vm_struct *area;

	if (!size || size > end - start)
		return NULL;
	size = ALIGN(size, PAGE_SIZE);
	/* Seed 004: only PAGE_KERNEL allocations are known to cope with huge pages. */
	if (prot != PAGE_KERNEL)
		vm_flags &= ~VM_HUGE_PAGES;
	if (vm_flags & VM_HUGE_PAGES)
		align = max((u64)align, huge_align(size));
	area = __get_vm_area_caller(size, align, VM_ALLOC | vm_flags, start, end, caller);
	if (!area)
		return NULL;
	if (vmalloc_area_populate(area, node, gfp_mask, prot)) {
		free_vm_area(area);
		return NULL;
	}
	return area->addr;
}

void *vmalloc(unsigned long size)
{
	return __vmalloc_node_range(size, PAGE_SIZE, VMALLOC_START, VMALLOC_END, GFP_KERNEL,
				    PAGE_KERNEL, 0, NUMA_NO_NODE, __builtin_return_address(0));
}

void *vmalloc_huge(unsigned long size, gfp_t gfp_mask)
{
	return __vmalloc_node_range(size, PAGE_SIZE, VMALLOC_START, VMALLOC_END, gfp_mask,
				    PAGE_KERNEL, VM_HUGE_PAGES, NUMA_NO_NODE,
				    __builtin_return_address(0));
}

void vfree(const void *addr)
{
	struct vm_struct *area;

	if (!addr)
		return;
	area = find_vm_area(addr);
	if (!area || area->addr != addr || !(area->flags & (VM_ALLOC | VM_MAP)))
		panic("vfree: %p does not start a vmalloc or vmap area", addr);
	if (area->flags & VM_ALLOC)
		unmap_range(vm_start(area), vm_start(area) + get_vm_area_size(area), true);
	free_vm_area(area);
}

/* ---- vmap ---- */

/* Whether pages[i, i + n) are physically consecutive. */
static bool pages_consecutive(struct page **pages, unsigned int i, unsigned int n)
{
	for (unsigned int k = 1; k < n; k++)
		if (pages[i + k] != pages[i] + k)
			return false;
	return true;
}

/* The largest leaf (block, run, page) pages[i...] can take at @va. */
static u64 vmap_leaf_size(struct page **pages, unsigned int i, unsigned int count, u64 va,
			  bool huge)
{
	phys_addr_t pa = (phys_addr_t)page_to_pfn(pages[i]) << PAGE_SHIFT;
	u64 sizes[] = { block_size(), cont_size() };

	for (unsigned int s = 0; huge && s < ARRAY_SIZE(sizes); s++) {
		unsigned int n = sizes[s] >> PAGE_SHIFT;

		if (n > 1 && IS_ALIGNED(va | pa, sizes[s]) && count - i >= n &&
		    pages_consecutive(pages, i, n))
			return sizes[s];
	}
	return PAGE_SIZE;
}

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	u64 size = (u64)count << PAGE_SHIFT, va;
	bool huge = prot == PAGE_KERNEL;
	struct vm_struct *area;
	unsigned int i;

	if (!count)
		return NULL;
	flags = (flags | VM_MAP) & ~VM_ALLOC;
	if (huge)
		flags |= VM_HUGE_PAGES;
	area = __get_vm_area_caller(size, huge ? huge_align(size) : PAGE_SIZE, flags,
				    VMALLOC_START, VMALLOC_END, __builtin_return_address(0));
	if (!area)
		return NULL;
	va = vm_start(area);
	for (i = 0; i < count;) {
		u64 leaf = vmap_leaf_size(pages, i, count, va, huge);
		phys_addr_t pa = (phys_addr_t)page_to_pfn(pages[i]) << PAGE_SHIFT;

		if (pgtable_map(&swapper_pg, va, pa, leaf, prot, leaf_flags(leaf),
				&vmalloc_pgtable_alloc)) {
			free_vm_area(area);
			return NULL;
		}
		va += leaf;
		i += leaf >> PAGE_SHIFT;
	}
	return area->addr;
}

void vunmap(const void *addr)
{
	struct vm_struct *area;

	if (!addr)
		return;
	area = find_vm_area(addr);
	if (!area || area->addr != addr || !(area->flags & VM_MAP))
		panic("vunmap: %p does not start a vmap area", addr);
	free_vm_area(area);
}

/* ---- reading back ---- */

struct page *vmalloc_to_page(const void *addr)
{
	struct pgtable_unit u;

	if (!is_vmalloc_addr(addr) || pgtable_leaf_unit(&swapper_pg, (u64)addr, &u))
		return NULL;
	return pfn_to_page((u.pa + ((u64)addr - u.va)) >> PAGE_SHIFT);
}

void vm_area_leaves(const struct vm_struct *area, struct vm_area_leaves *l)
{
	u64 start = vm_start(area), end = start + get_vm_area_size(area);
	struct pgtable_unit u;

	*l = (struct vm_area_leaves){ 0 };
	for (u64 va = start; va < end; va = pgtable_unit_next(&u, end)) {
		if (pgtable_leaf_unit(&swapper_pg, va, &u))
			continue;
		l->mapped += u.size;
		if (u.cont) {
			l->cont_runs++;
			l->entries += arch_cont_entries(u.level);
		} else {
			l->entries++;
			if (u.level < PGTABLE_LAST_LEVEL)
				l->blocks++;
			else
				l->pages++;
		}
	}
}

unsigned long vmalloc_nr_pages(void)
{
	return nr_vmalloc_pages;
}
