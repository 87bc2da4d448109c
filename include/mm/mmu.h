/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's address space (mm/mmu.c): the linear map, the image mapping,
 * the I/O area, and the conversions between them.
 */
#ifndef MM_MMU_H
#define MM_MMU_H

#include <mm/pgtable.h>

/* Lowest RAM address rounded down to ARM64_MEMSTART_ALIGN: PAGE_OFFSET maps it. */
extern phys_addr_t memstart_addr;
/* Kernel image VA minus its PA. */
extern u64 kimage_voffset;
/* The live kernel tables (TTBR1) once paging_init() has run. */
extern struct pgtable swapper_pg;
extern struct pgtable_alloc kernel_pgtable_alloc;

#define __va(pa)	((void *)((phys_addr_t)(pa) - memstart_addr + PAGE_OFFSET))
#define __pa(va)	((phys_addr_t)((u64)(va) - PAGE_OFFSET + memstart_addr))
#define __pa_symbol(x)	((phys_addr_t)((u64)(x) - kimage_voffset))

/*
 * page_address() - where the kernel reads @page's memory: its linear-map
 * address (Linux's, for memory that is always mapped). Host tests read the
 * same pages through a window of their own (tests/unit/fake/fake_views.h).
 */
#ifndef page_address
#define page_address(page)	__va(PFN_PHYS(page_to_pfn(page)))
#endif

/*
 * paging_init() - build the final kernel tables from memblock and switch to
 * them: linear map of all memory but no-map ranges (largest blocks that fit),
 * the image with W^X and its stack guard unmapped, the fixmap; then TTBR0 off.
 */
void paging_init(void);

/* Map device registers in the I/O area (Device-nGnRE, never executable). */
void *ioremap(phys_addr_t pa, u64 size);

/* Counters for meminfo/ptdump: tables taken for each purpose. */
struct mmu_stats {
	unsigned long linear_tables;
	unsigned long image_tables;
};
extern struct mmu_stats mmu_stats;

#endif
