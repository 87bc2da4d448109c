/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What mm/vmemmap.c gets from the rest of the kernel, for its host tests:
 * the globals (mem_section, vmemmap, memstart_addr, swapper_pg,
 * after_bootmem), memblock's allocation calls and a fake buddy allocator
 * (alloc_pages_node()/free_pages()), all over the fake physical memory of
 * fake_phys.h, and recording every allocation.
 *
 *   FAKE_PHYS_BASE      table pool (fake_phys.h): every page-table page
 *   FAKE_DATA_BASE      data, node 0 (bump-allocated, naturally aligned)
 *   fake_ram_node_end(0) data, node 1
 *   FAKE_PHYS_END
 *
 * A page the vmemmap asks for goes to the table pool while the vmemmap's
 * table allocator runs (fake_ram_hook_tables() wraps it: the wrapper also
 * tells fake_phys which level and VA the table is for), and to the data
 * area otherwise, so every leaf the vmemmap maps is data the fake arch can
 * show, and every table is a pool page it can check.
 *
 * Two views of the memmap. mm/vmemmap.c builds the struct page array at
 * VMEMMAP_START (kernel VAs, shown by fake_arch in a window), and also reads
 * the struct page of pages it frees (PageReserved: memblock or buddy?).
 * The host cannot dereference kernel VAs, so `vmemmap` normally points at a
 * host memmap of the fake physical memory (fake_ram_host_view()), where the
 * fake allocators keep PG_reserved right; vmemmap_describe(), which only
 * uses pfn_to_page() as a VA to walk, runs with the kernel's value
 * (fake_ram_va_view(): VMEMMAP_START - memstart pfn). The fake buddy
 * refuses to run in the VA view.
 */
#ifndef FAKE_VMEMMAP_RAM_H
#define FAKE_VMEMMAP_RAM_H

#include "fake/fake_phys.h"
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>

#define FAKE_RAM_NODES	2

enum fake_ram_kind { FR_NONE, FR_MEMBLOCK, FR_BUDDY, FR_CARVED };

/* Live allocations now, and calls so far (tests take differences). */
struct fake_ram_stats {
	unsigned long memblock_live, buddy_live;	/* allocations */
	unsigned long memblock_pages, buddy_pages;	/* pages in them */
	unsigned long table_pages;			/* of those, pool pages */
	unsigned long data_pages;			/* of those, data pages */
	unsigned long memblock_allocs, buddy_allocs;	/* successful calls */
	unsigned long memblock_frees, buddy_frees;
	unsigned long carved_pages;			/* fake_ram_carve() */
	unsigned long reserved_to_buddy;		/* memblock pages freed after the handover */
	unsigned long movable_allocs;			/* buddy calls with __GFP_MOVABLE */
};
extern struct fake_ram_stats fake_ram;

/* Who owns the vmemmap's table pages in fake_phys's pool. */
extern struct fake_alloc fake_vmemmap_tables;

/* Once per process, after fake_phys_init(). */
void fake_ram_init(void);
/*
 * Per test, after fake_phys_reset(): every record forgotten, allocation
 * cursors back, host memmap cleared, no section present, after_bootmem
 * false, the host view; memstart_addr = FAKE_PHYS_BASE rounded down to
 * arch_memstart_align().
 */
void fake_ram_reset(void);
/* Wrap @a's alloc/free (once): see above. */
void fake_ram_hook_tables(struct pgtable_alloc *a);

void fake_ram_host_view(void);
void fake_ram_va_view(void);

phys_addr_t fake_ram_node_base(int nid);
phys_addr_t fake_ram_node_end(int nid);

/*
 * Take [pa, pa + size) of node @nid's data for the test's own use (an
 * altmap's range): @align-aligned, then @offset bytes on.
 */
phys_addr_t fake_ram_carve(u64 size, u64 align, u64 offset, int nid);

/*
 * The allocation holding @pa: its kind, start and size (0 and FR_NONE if
 * none), the node it was asked for and whether it is a table page.
 */
enum fake_ram_kind fake_ram_owner(phys_addr_t pa, phys_addr_t *start, u64 *size,
				  int *nid, bool *table);

/* Mark section @nr present on @nid (what vmemmap.c reads of mem_section). */
void fake_ram_section_present(unsigned long nr, int nid);

#endif
