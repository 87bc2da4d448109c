// SPDX-License-Identifier: GPL-2.0
/* Fake memblock, buddy and kernel globals for mm/vmemmap.c (fake_vmemmap_ram.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake/fake_arch.h"
#include "fake/fake_vmemmap_ram.h"
#include <mm/fault_inject.h>

struct mem_section mem_section[NR_MEM_SECTIONS];
struct page *vmemmap;
phys_addr_t memstart_addr;
struct pgtable swapper_pg;
bool after_bootmem;

struct fake_ram_stats fake_ram;
struct fake_alloc fake_vmemmap_tables;

#define NR_PFNS		(FAKE_PHYS_SIZE >> PAGE_SHIFT)
#define BASE_PFN	(FAKE_PHYS_BASE >> PAGE_SHIFT)

/* One per page of fake physical memory; the head's record holds the allocation. */
struct ram_rec {
	u32 head;		/* index of the allocation's first page */
	u32 pages;		/* at the head: its size */
	u8 kind;		/* enum fake_ram_kind */
	u8 table;
	s8 nid;
};

static struct ram_rec *recs;
static struct page *host_memmap;	/* struct pages of [FAKE_PHYS_BASE, FAKE_PHYS_END) */
static phys_addr_t cursor[FAKE_RAM_NODES];
static bool table_mode;

void fake_ram_section_present(unsigned long nr, int nid)
{
	assert_true(nr < NR_MEM_SECTIONS);
	mem_section[nr].flags |= SECTION_MARKED_PRESENT;
	mem_section[nr].nid = nid;
}

phys_addr_t fake_ram_node_base(int nid)
{
	u64 half = ALIGN_DOWN((FAKE_PHYS_END - FAKE_DATA_BASE) / 2, SZ_1G);

	return nid ? FAKE_DATA_BASE + half : FAKE_DATA_BASE;
}

phys_addr_t fake_ram_node_end(int nid)
{
	return nid ? FAKE_PHYS_END : fake_ram_node_base(1);
}

void fake_ram_host_view(void)
{
	vmemmap = (struct page *)((uintptr_t)host_memmap - BASE_PFN * sizeof(struct page));
}

void fake_ram_va_view(void)
{
	vmemmap = (struct page *)(uintptr_t)(VMEMMAP_START -
					     (memstart_addr >> PAGE_SHIFT) * sizeof(struct page));
}

static bool host_view(void)
{
	return (uintptr_t)vmemmap == (uintptr_t)host_memmap - BASE_PFN * sizeof(struct page);
}

void fake_ram_init(void)
{
	if (recs)
		return;
	recs = calloc(NR_PFNS, sizeof(*recs));
	host_memmap = mmap(NULL, NR_PFNS * sizeof(struct page), PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_non_null(recs);
	assert_true(host_memmap != MAP_FAILED);
	fake_alloc_init(&fake_vmemmap_tables, "vmemmap");
}

void fake_ram_reset(void)
{
	memset(recs, 0, NR_PFNS * sizeof(*recs));
	assert_int_equal(madvise(host_memmap, NR_PFNS * sizeof(struct page), MADV_DONTNEED), 0);
	memset(&fake_ram, 0, sizeof(fake_ram));
	memset(mem_section, 0, sizeof(mem_section));
	for (int nid = 0; nid < FAKE_RAM_NODES; nid++)
		cursor[nid] = fake_ram_node_base(nid);
	fake_alloc_init(&fake_vmemmap_tables, "vmemmap");
	table_mode = false;
	after_bootmem = false;
	memstart_addr = ALIGN_DOWN(FAKE_PHYS_BASE, arch_memstart_align());
	fake_ram_host_view();
}

static struct ram_rec *rec_of(phys_addr_t pa)
{
	if (pa < FAKE_PHYS_BASE || pa >= FAKE_PHYS_END)
		fake_fail("%#lx is outside fake physical memory", pa);
	return &recs[(pa >> PAGE_SHIFT) - BASE_PFN];
}

static struct page *host_page(phys_addr_t pa)
{
	return &host_memmap[(pa >> PAGE_SHIFT) - BASE_PFN];
}

/* A data range of @size aligned to @align from node @nid's cursor, or 0. */
static phys_addr_t take_data(u64 size, u64 align, int nid)
{
	phys_addr_t pa = ALIGN(cursor[nid], align);

	if (pa + size > fake_ram_node_end(nid))
		return 0;
	cursor[nid] = pa + size;
	return pa;
}

static void record(phys_addr_t pa, u64 size, enum fake_ram_kind kind, int nid, bool table)
{
	u32 head = (pa >> PAGE_SHIFT) - BASE_PFN, pages = size >> PAGE_SHIFT;

	for (u32 i = 0; i < pages; i++) {
		if (recs[head + i].kind != FR_NONE)
			fake_fail("fake ram: %#lx handed out twice", pa + ((u64)i << PAGE_SHIFT));
		recs[head + i] = (struct ram_rec){ .head = head, .kind = kind, .nid = nid,
						   .table = table };
	}
	recs[head].pages = pages;
}

static void forget(phys_addr_t pa, u64 pages)
{
	memset(rec_of(pa), 0, pages * sizeof(struct ram_rec));
}

/* The page(s) for one allocation: a pool page for a table, else data. */
static phys_addr_t take(u64 size, u64 align, int nid, bool fallback)
{
	phys_addr_t pa;

	if (table_mode) {
		if (size != PAGE_SIZE)
			fake_fail("fake ram: a table allocation of %#lx bytes", size);
		pa = fake_phys_pool_take();
		if (!pa)
			fake_fail("fake ram: the table pool is exhausted");
		return pa;
	}
	if (nid < 0 || nid >= FAKE_RAM_NODES)
		nid = 0;
	pa = take_data(size, align, nid);
	for (int n = 0; !pa && fallback && n < FAKE_RAM_NODES; n++)
		pa = take_data(size, align, n);
	return pa;
}

static void account(enum fake_ram_kind kind, u64 pages, bool table, long sign)
{
	if (kind == FR_MEMBLOCK) {
		fake_ram.memblock_live += sign;
		fake_ram.memblock_pages += sign * pages;
	} else {
		fake_ram.buddy_live += sign;
		fake_ram.buddy_pages += sign * pages;
	}
	if (table)
		fake_ram.table_pages += sign * pages;
	else
		fake_ram.data_pages += sign * pages;
}

/* ---- memblock ---- */

phys_addr_t memblock_phys_alloc_try_nid(u64 size, u64 align, int nid, const char *name)
{
	phys_addr_t pa;

	if (after_bootmem || should_fail(FAIL_MEMBLOCK))
		return 0;
	if (strcmp(name, table_mode ? "pgtable" : "memmap"))
		fake_fail("memblock: a %s allocation named \"%s\"", table_mode ? "table" : "memmap",
			  name);
	if (!size || !IS_ALIGNED(size, PAGE_SIZE) || align != size)
		fake_fail("memblock: %#lx bytes aligned to %#lx for the vmemmap", size, align);
	pa = take(size, align, nid, true);
	if (!pa)
		return 0;
	record(pa, size, FR_MEMBLOCK, nid, table_mode);
	for (u64 off = 0; off < size; off += PAGE_SIZE)
		SetPageReserved(host_page(pa + off));
	account(FR_MEMBLOCK, size >> PAGE_SHIFT, table_mode, 1);
	fake_ram.memblock_allocs++;
	return pa;
}

int memblock_phys_free(phys_addr_t base, u64 size)
{
	struct ram_rec *r = rec_of(base);

	if (r->kind != FR_MEMBLOCK || r->head != (base >> PAGE_SHIFT) - BASE_PFN ||
	    (u64)r->pages << PAGE_SHIFT != size)
		fake_fail("memblock_phys_free(%#lx, %#lx): not a memblock allocation of that size "
			  "(kind %d, %u pages)", base, size, r->kind, r->pages);
	if (!!r->table != table_mode)
		fake_fail("memblock_phys_free(%#lx): a %s page freed as a %s", base,
			  r->table ? "table" : "memmap", table_mode ? "table" : "memmap page");
	account(FR_MEMBLOCK, r->pages, r->table, -1);
	for (u64 off = 0; off < size; off += PAGE_SIZE)
		ClearPageReserved(host_page(base + off));
	forget(base, r->pages);
	fake_ram.memblock_frees++;
	return 0;
}

int memblock_nid_of(phys_addr_t pa)
{
	if (pa < FAKE_PHYS_BASE || pa >= FAKE_PHYS_END)
		return -1;
	return pa >= fake_ram_node_base(1) ? 1 : 0;
}

/* ---- the buddy allocator ---- */

struct page *alloc_pages_node(int nid, unsigned int order, gfp_t gfp)
{
	u64 size = PAGE_SIZE << order;
	phys_addr_t pa;

	if (!after_bootmem)
		fake_fail("alloc_pages_node() before the buddy allocator runs");
	if (!host_view())
		fake_fail("alloc_pages_node() in the VA view of the memmap");
	if (order > MAX_PAGE_ORDER || should_fail(FAIL_PAGE_ALLOC))
		return NULL;
	pa = take(size, size, nid, !(gfp & __GFP_THISNODE));
	if (!pa)
		return NULL;
	record(pa, size, FR_BUDDY, nid, table_mode);
	for (u64 off = 0; off < size; off += PAGE_SIZE)
		if (PageReserved(host_page(pa + off)))
			fake_fail("fake buddy: %#lx is PG_reserved", pa + off);
	account(FR_BUDDY, 1UL << order, table_mode, 1);
	fake_ram.buddy_allocs++;
	fake_ram.movable_allocs += !!(gfp & __GFP_MOVABLE);
	return pfn_to_page(pa >> PAGE_SHIFT);
}

void free_pages(struct page *page, unsigned int order)
{
	phys_addr_t pa;
	struct ram_rec *r;

	if (!host_view())
		fake_fail("free_pages() in the VA view of the memmap");
	pa = (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT;
	r = rec_of(pa);
	if (r->kind != FR_BUDDY || r->head != (pa >> PAGE_SHIFT) - BASE_PFN ||
	    r->pages != 1U << order)
		fake_fail("free_pages(%#lx, order %u): not a buddy allocation of that order "
			  "(kind %d, %u pages)", pa, order, r->kind, r->pages);
	if (!!r->table != table_mode)
		fake_fail("free_pages(%#lx): a %s page freed as a %s", pa,
			  r->table ? "table" : "memmap", table_mode ? "table" : "memmap page");
	account(FR_BUDDY, r->pages, r->table, -1);
	forget(pa, r->pages);
	fake_ram.buddy_frees++;
}

/*
 * mm/page_alloc.c's kernel_pages_alloc()/kernel_pages_free(), over the fake
 * memblock and buddy above: memblock until the handover, the buddy after;
 * a memblock page freed after the handover is counted as handed to the
 * buddy (free_reserved_page()).
 */
phys_addr_t kernel_pages_alloc(u64 size, int nid, const char *name)
{
	struct page *page;
	unsigned int order = 0;

	if (!after_bootmem)
		return memblock_phys_alloc_try_nid(size, size, nid, name);
	while ((PAGE_SIZE << order) < size)
		order++;
	page = alloc_pages_node(nid, order, GFP_KERNEL);
	return page ? (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT : 0;
}

void kernel_pages_free(phys_addr_t pa, u64 size)
{
	unsigned int order = 0;

	if (rec_of(pa)->kind == FR_MEMBLOCK) {
		memblock_phys_free(pa, size);
		if (after_bootmem)
			fake_ram.reserved_to_buddy += size >> PAGE_SHIFT;
		return;
	}
	while ((PAGE_SIZE << order) < size)
		order++;
	free_pages(pfn_to_page(pa >> PAGE_SHIFT), order);
}

/* ---- the rest ---- */

phys_addr_t fake_ram_carve(u64 size, u64 align, u64 offset, int nid)
{
	phys_addr_t pa = take_data(size + offset, align, nid);

	if (!pa)
		fake_fail("fake ram: no %#lx bytes left on node %d to carve", size + offset, nid);
	pa += offset;
	record(pa, size, FR_CARVED, nid, false);
	fake_ram.carved_pages += size >> PAGE_SHIFT;
	return pa;
}

enum fake_ram_kind fake_ram_owner(phys_addr_t pa, phys_addr_t *start, u64 *size,
				  int *nid, bool *table)
{
	const struct ram_rec *r, *h;

	if (pa < FAKE_PHYS_BASE || pa >= FAKE_PHYS_END)
		return FR_NONE;
	r = rec_of(pa);
	if (r->kind == FR_NONE)
		return FR_NONE;
	h = &recs[r->head];
	*start = (phys_addr_t)(r->head + BASE_PFN) << PAGE_SHIFT;
	*size = (u64)h->pages << PAGE_SHIFT;
	*nid = h->nid;
	*table = h->table;
	return h->kind;
}

static phys_addr_t (*vm_alloc)(struct pgtable_alloc *a, int level, u64 va);
static void (*vm_free)(struct pgtable_alloc *a, phys_addr_t table, int level);

static phys_addr_t hooked_alloc(struct pgtable_alloc *a, int level, u64 va)
{
	phys_addr_t pa;
	struct ram_rec *r;

	fake_vmemmap_tables.calls++;
	table_mode = true;
	pa = vm_alloc(a, level, va);
	table_mode = false;
	if (!pa) {
		fake_vmemmap_tables.failed++;
		return 0;
	}
	r = rec_of(pa);
	if (r->kind == FR_NONE || !r->table)
		fake_fail("the vmemmap's table allocator returned %#lx, which no allocator gave "
			  "it as a table page", pa);
	fake_phys_table_claim(&fake_vmemmap_tables, pa, level, va);
	return pa;
}

static void hooked_free(struct pgtable_alloc *a, phys_addr_t table, int level)
{
	fake_phys_table_release(&fake_vmemmap_tables, table, level);
	table_mode = true;
	vm_free(a, table, level);
	table_mode = false;
}

void fake_ram_hook_tables(struct pgtable_alloc *a)
{
	if (a->alloc == hooked_alloc)
		return;
	vm_alloc = a->alloc;
	vm_free = a->free;
	a->alloc = hooked_alloc;
	a->free = hooked_free;
}
