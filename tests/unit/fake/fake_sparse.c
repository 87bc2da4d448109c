// SPDX-License-Identifier: GPL-2.0
/* The fake sparse layer (fake_sparse.h): sections and memmap in host memory. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake/fake_sparse.h"
#include <lib/bitmap.h>
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/mmzone.h>

#include "../../mm/internal.h"

struct mem_section mem_section[NR_MEM_SECTIONS];
struct page *vmemmap;
phys_addr_t memstart_addr;

bool fake_sparse_subsections;
bool fake_sparse_back_data;
unsigned long fake_sparse_start_pfn, fake_sparse_end_pfn;

static u8 *memmap_host;		/* struct pages of [start_pfn, end_pfn) */
static size_t memmap_bytes;
static u8 *data_host;		/* the physical span, when backed */
static size_t data_bytes;

/* Make the struct pages of pfns [start, end) accessible (whole host pages). */
static void memmap_open(unsigned long start, unsigned long end)
{
	size_t host_page = sysconf(_SC_PAGESIZE);
	size_t lo = (start - fake_sparse_start_pfn) * sizeof(struct page);
	size_t hi = (end - fake_sparse_start_pfn) * sizeof(struct page);

	lo &= ~(host_page - 1);
	hi = (hi + host_page - 1) & ~(host_page - 1);
	assert_int_equal(mprotect(memmap_host + lo, hi - lo, PROT_READ | PROT_WRITE), 0);
	memset(memmap_host + lo, FAKE_SPARSE_POISON, hi - lo);
}

static void mark_present(const struct memblock_region *r)
{
	unsigned long first = r->base >> PAGE_SHIFT;
	unsigned long last = (r->base + r->size - 1) >> PAGE_SHIFT;

	for (unsigned long pfn = first; pfn <= last; pfn++) {
		struct mem_section *ms = __pfn_to_section(pfn);

		assert_non_null(ms);
		if (!(ms->flags & SECTION_MARKED_PRESENT)) {
			ms->flags = SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP | SECTION_IS_ONLINE;
			if (!fake_sparse_subsections)
				ms->flags |= SECTION_IS_EARLY;
			ms->nid = r->nid < 0 ? 0 : r->nid;
		}
		set_bit(subsection_index(pfn), ms->subsection_map);
	}
}

/* The section-aligned pfn span of memblock.memory. */
static void find_span(void)
{
	phys_addr_t lo = memblock_start_of_DRAM(), hi = memblock_end_of_DRAM();

	assert_true(memblock.memory.cnt > 0);
	fake_sparse_start_pfn = (lo >> PAGE_SHIFT) & PAGE_SECTION_MASK;
	fake_sparse_end_pfn = (((hi - 1) >> PAGE_SHIFT) | ~PAGE_SECTION_MASK) + 1;
}

static void map_memmap(void)
{
	memmap_bytes = (fake_sparse_end_pfn - fake_sparse_start_pfn) * sizeof(struct page);
	memmap_host = mmap(NULL, memmap_bytes, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(memmap_host != MAP_FAILED);
	/* Integer arithmetic: vmemmap itself points below the reservation. */
	vmemmap = (struct page *)((uintptr_t)memmap_host -
				  fake_sparse_start_pfn * sizeof(struct page));
}

/* __va(pa) = pa - memstart_addr + PAGE_OFFSET lands at data_host + (pa - span start). */
static void map_data(void)
{
	phys_addr_t base = (phys_addr_t)fake_sparse_start_pfn << PAGE_SHIFT;

	if (!fake_sparse_back_data) {
		memstart_addr = base;	/* __va() gives PAGE_OFFSET + ...: never mapped here */
		return;
	}
	data_bytes = (fake_sparse_end_pfn - fake_sparse_start_pfn) << PAGE_SHIFT;
	data_host = mmap(NULL, data_bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(data_host != MAP_FAILED);
	memstart_addr = base + PAGE_OFFSET - (u64)(uintptr_t)data_host;
}

void sparse_init(void)
{
	find_span();
	map_memmap();
	for_each_mem_region(r)
		mark_present(r);
	for (unsigned long nr = pfn_to_section_nr(fake_sparse_start_pfn);
	     nr < pfn_to_section_nr(fake_sparse_end_pfn); nr++) {
		struct mem_section *ms = &mem_section[nr];
		unsigned long pfn = section_nr_to_pfn(nr);

		if (!(ms->flags & SECTION_HAS_MEM_MAP))
			continue;
		for (unsigned long i = 0; i < PAGES_PER_SECTION; i += PAGES_PER_SUBSECTION)
			if (pfn_valid(pfn + i))
				memmap_open(pfn + i, pfn + i + PAGES_PER_SUBSECTION);
	}
	/* The real initialiser, as mm/sparse.c calls it. */
	memmap_init();
	map_data();
}

void fake_sparse_reset(void)
{
	memset(mem_section, 0, sizeof(mem_section));
	if (memmap_host)
		munmap(memmap_host, memmap_bytes);
	if (data_host)
		munmap(data_host, data_bytes);
	memmap_host = data_host = NULL;
	vmemmap = NULL;
	memstart_addr = 0;
	fake_sparse_start_pfn = fake_sparse_end_pfn = 0;
	memset(&memblock, 0, sizeof(memblock));
}
