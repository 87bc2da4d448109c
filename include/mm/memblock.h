/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memblock: the boot-time memory map, Linux's model. `memory` holds the RAM
 * the DT describes (with its node), `reserved` what is already in use, each
 * entry named for the `memblock` command. Both lists stay sorted and merge
 * neighbours that agree on everything.
 */
#ifndef MM_MEMBLOCK_H
#define MM_MEMBLOCK_H

#include <lib/types.h>

#define MEMBLOCK_MAX_REGIONS	64

enum memblock_flags {
	MEMBLOCK_NONE = 0,
	MEMBLOCK_NOMAP = 1,	/* memory the kernel must not map (reserved-memory no-map) */
};

struct memblock_region {
	phys_addr_t base;
	u64 size;
	int nid;
	unsigned int flags;
	const char *name;	/* reserved entries: what holds it */
};

struct memblock_type {
	int cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
};

extern struct memblock memblock;

/* Return: 0, -EINVAL (empty or wrapping range), -ENOSPC (table full). */
int memblock_add_node(phys_addr_t base, u64 size, int nid);
int memblock_reserve(phys_addr_t base, u64 size, const char *name);
int memblock_mark_nomap(phys_addr_t base, u64 size);
/*
 * memblock_phys_alloc() - @size bytes aligned to @align, from the top of
 * mapped memory that nothing reserves; reserved under @name.
 * Return: the physical address, or 0 when nothing fits.
 */
phys_addr_t memblock_phys_alloc(u64 size, u64 align, const char *name);
/* Give back an allocation (or part of a reservation). */
int memblock_phys_free(phys_addr_t base, u64 size);
u64 memblock_phys_mem_size(void);
phys_addr_t memblock_start_of_DRAM(void);
phys_addr_t memblock_end_of_DRAM(void);

#define for_each_mem_region(r) \
	for (struct memblock_region *r = memblock.memory.regions; \
	     r < memblock.memory.regions + memblock.memory.cnt; r++)
#define for_each_reserved_region(r) \
	for (struct memblock_region *r = memblock.reserved.regions; \
	     r < memblock.reserved.regions + memblock.reserved.cnt; r++)

#endif
