/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How much of a hot-added memory block its own memmap takes, and whether it
 * may live there (mm/memmap_on_memory.c): Linux's
 * memory_block_memmap_on_memory_pages() and mhp_supports_memmap_on_memory(),
 * as a pure function of the geometry, so that any geometry (the test
 * vectors' 72-byte struct page included) can be worked out.
 */
#ifndef MM_MEMMAP_ON_MEMORY_H
#define MM_MEMMAP_ON_MEMORY_H

#include <lib/types.h>

/* memmap_on_memory= : Linux's memory_hotplug.memmap_on_memory (N / Y / force). */
enum memmap_on_memory_mode { MEMMAP_ON_MEMORY_OFF, MEMMAP_ON_MEMORY_ON, MEMMAP_ON_MEMORY_FORCE };

/*
 * memmap_on_memory_check= : hotmm maps a memmap that is not a multiple of
 * the block-mapping size with contiguous runs or base pages (HOTMM); LINUX
 * applies arm64 Linux's arch check (memmap a multiple of PMD_SIZE), which
 * refuses every 16K and 64K geometry.
 */
enum memmap_on_memory_check { MEMMAP_CHECK_HOTMM, MEMMAP_CHECK_LINUX };

extern enum memmap_on_memory_mode memmap_on_memory;
extern enum memmap_on_memory_check memmap_on_memory_check;
extern const char *const memmap_on_memory_names[3];
extern const char *const memmap_on_memory_check_names[2];

struct mhp_geometry {
	unsigned int page_shift;
	u64 block_size;			/* memory_block_size_bytes() */
	unsigned long struct_page_size;
	unsigned long pageblock_pages;	/* pageblock_nr_pages */
	u64 pmd_size;			/* the level-2 block, for arm64's arch check */
	enum memmap_on_memory_mode mode;
};

/* The reasons, in the words of memmap-vectors.json (NULL: allowed). */
#define MHP_REFUSE_MODE_OFF		"memmap_on_memory_off"
#define MHP_REFUSE_NOT_PAGE_ALIGNED	"memmap_size_not_page_aligned"
#define MHP_REFUSE_NOT_PAGEBLOCK	"memmap_pages_not_pageblock_aligned"
#define MHP_REFUSE_WHOLE_BLOCK		"memmap_reservation_covers_the_block"
#define MHP_REFUSE_ARCH_PMD		"arm64_generic_arch_check_memmap_not_PMD_aligned"

struct mhp_memmap_plan {
	enum memmap_on_memory_mode mode;	/* the inputs that decided */
	enum memmap_on_memory_check check;
	unsigned long block_pages;
	unsigned long memmap_bytes;	/* block_pages * struct page */
	unsigned long memmap_pages;	/* PFN_UP(memmap_bytes) */
	unsigned long reserved_pages;	/* memmap_pages, aligned to pageblocks in force mode */
	unsigned long padding_pages;	/* reserved - memmap */
	unsigned long usable_pages;	/* block - reserved */
	bool linux_allows;		/* Linux 6.12 on arm64 */
	const char *linux_reason;	/* its first refusal, or NULL */
	bool allows;			/* hotmm, with memmap_on_memory_check */
	const char *reason;		/* hotmm's refusal, or NULL */
};

/*
 * mhp_memmap_plan() - the numbers above for @g, and both verdicts. Linux
 * refuses (in this order): a memmap that is not a whole number of pages; a
 * reservation that is not whole pageblocks (so default mode needs the
 * memmap to fill whole pageblocks, force mode pads it); a reservation equal
 * to the block (hotmm: at least the block); and on arm64 a memmap that is
 * not a multiple of PMD_SIZE. hotmm applies the last check only with
 * MEMMAP_CHECK_LINUX.
 */
void mhp_memmap_plan(const struct mhp_geometry *g, enum memmap_on_memory_check check,
		     struct mhp_memmap_plan *p);

#endif
