/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake sparse layer for host tests of mm/page_alloc.c: it implements
 * include/mm/sparse.h over host memory, so the real allocator runs on a
 * memmap that punishes stray accesses.
 *
 * sparse_init() reads memblock like mm/sparse.c: every section a memory
 * region touches is present and online, on the first region's node, and its
 * struct pages are initialised by the real memmap_init() (mm/mm_init.c), as
 * mm/sparse.c calls it: reserved pages and holes PG_reserved with one
 * reference, free memory free, pageblocks MIGRATE_MOVABLE; with
 * deferred_init_mode on, the sections after each node's first wait for
 * deferred init. The memmap is one host reservation with vmemmap = its base
 * - the first pfn, PROT_NONE except the struct pages of valid (sub)sections,
 * so touching the struct page of a pfn pfn_valid() denies faults under
 * ASan; those are filled with FAKE_SPARSE_POISON first (Linux's
 * page_init_poison()), so a struct page nobody initialised reads as garbage
 * with PG_buddy set, and a test can tell it was never written.
 *
 *   fake_sparse_subsections = false   boot memory: whole sections valid,
 *                                     their hole pages reserved
 *   fake_sparse_subsections = true    as hot-added memory: only the 2 MiB
 *                                     subsections that hold memory are valid
 *
 * Physical memory itself is not backed unless fake_sparse_back_data is set:
 * then a sparse host mapping (MAP_NORESERVE) stands for the physical span
 * and memstart_addr is chosen so that mm/mmu.h's __va() lands in it.
 * Otherwise __va() points at kernel addresses the host never maps, so an
 * allocator that touched page contents would crash.
 */
#ifndef FAKE_SPARSE_H
#define FAKE_SPARSE_H

#include <mm/sparse.h>

#define FAKE_SPARSE_POISON	0xaa

extern bool fake_sparse_subsections;
extern bool fake_sparse_back_data;

/* The pfns the fake memmap spans, section aligned (valid after sparse_init()). */
extern unsigned long fake_sparse_start_pfn, fake_sparse_end_pfn;

/* Undo sparse_init() and empty memblock, for the next test's boot. */
void fake_sparse_reset(void);

#endif
