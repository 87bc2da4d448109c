// SPDX-License-Identifier: GPL-2.0
/*
 * For host tests with no memmap (mm/pgtable.c alone): the sparse globals
 * exist and say that no pfn has a struct page, so table origins stay in
 * mm/pgtable.c's own table.
 */
#include <mm/sparse.h>

struct mem_section mem_section[NR_MEM_SECTIONS];
struct page *vmemmap;
