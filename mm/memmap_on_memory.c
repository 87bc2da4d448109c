// SPDX-License-Identifier: GPL-2.0
/*
 * memmap on memory: the arithmetic of a block that carries its own memmap
 * (include/mm/memmap_on_memory.h), Linux 6.12's mm/memory_hotplug.c. With
 * 4K pages and 128 MiB blocks, the memmap is 2 MiB = 512 pages = exactly
 * one 2 MiB pageblock: the block's first pageblock holds its memmap. With
 * 64K pages and 256 MiB blocks (seed 003), 4 memmap pages leave the first
 * 2 MiB pageblock short; force mode pads with 28 pages:
 *
 *   |mmmm pppppppppppppppppppppppppppp| usable ...                      |
 *    4 memmap + 28 padding = 32 reserved (one pageblock), 4064 usable
 */
#include <lib/kernel.h>
#include <mm/memmap_on_memory.h>

enum memmap_on_memory_mode memmap_on_memory = MEMMAP_ON_MEMORY_OFF;
enum memmap_on_memory_check memmap_on_memory_check = MEMMAP_CHECK_HOTMM;
const char *const memmap_on_memory_names[3] = { "off", "on", "force" };
const char *const memmap_on_memory_check_names[2] = { "hotmm", "linux" };

void mhp_memmap_plan(const struct mhp_geometry *g, enum memmap_on_memory_check check,
		     struct mhp_memmap_plan *p)
{
	u64 page = 1ULL << g->page_shift;
	const char *core = NULL;

	*p = (struct mhp_memmap_plan){ .mode = g->mode, .check = check };
	p->block_pages = g->block_size >> g->page_shift;
	p->memmap_bytes = p->block_pages * g->struct_page_size;
	p->memmap_pages = DIV_ROUND_UP(p->memmap_bytes, page);
	p->reserved_pages = p->memmap_pages;
	if (g->mode == MEMMAP_ON_MEMORY_FORCE)
		p->reserved_pages = ALIGN(p->memmap_pages, g->pageblock_pages);
	p->padding_pages = p->reserved_pages - p->memmap_pages;
	p->usable_pages = p->reserved_pages < p->block_pages ?
			  p->block_pages - p->reserved_pages : 0;

	if (p->memmap_bytes % page)
		core = MHP_REFUSE_NOT_PAGE_ALIGNED;
	else if (p->reserved_pages % g->pageblock_pages)
		core = MHP_REFUSE_NOT_PAGEBLOCK;
	else if (p->reserved_pages >= p->block_pages)
		core = MHP_REFUSE_WHOLE_BLOCK;
	/*
	 * Linux 6.12 tests only reserved == block: a reservation larger than
	 * the block passes its core checks (and __add_pages() fails later).
	 */
	p->linux_reason = p->reserved_pages > p->block_pages && !(p->memmap_bytes % page) &&
			  !(p->reserved_pages % g->pageblock_pages) ? NULL : core;
	if (!p->linux_reason && p->memmap_bytes % g->pmd_size)
		p->linux_reason = MHP_REFUSE_ARCH_PMD;
	p->linux_allows = !p->linux_reason;
	p->reason = check == MEMMAP_CHECK_LINUX ? p->linux_reason : core;
	if (g->mode == MEMMAP_ON_MEMORY_OFF)
		p->reason = MHP_REFUSE_MODE_OFF;
	p->allows = !p->reason;
}
