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

#define MEMBLOCK_MAX_REGIONS	128

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
	struct memblock_type held;	/* memory `mem=` kept from the kernel, with its node */
};

extern struct memblock memblock;
/*
 * Set once memblock_free_all() has handed free memory to the buddy
 * allocator: from then on pages come from alloc_pages_node(), and memblock
 * only gives back what it reserved (x86 Linux's after_bootmem).
 */
extern bool after_bootmem;

/* A region's node for allocation: a DT without numa-node-id means node 0. */
static inline int memblock_region_nid(const struct memblock_region *r)
{
	return r->nid < 0 ? 0 : r->nid;
}

/* Return: 0, -EINVAL (empty or wrapping range, node beyond MAX_NUMNODES), -ENOSPC (table full). */
int memblock_add_node(phys_addr_t base, u64 size, int nid);
int memblock_reserve(phys_addr_t base, u64 size, const char *name);
int memblock_mark_nomap(phys_addr_t base, u64 size);
/*
 * memblock_phys_alloc() - @size bytes aligned to @align, from the top of
 * mapped memory that nothing reserves; reserved under @name.
 * Return: the physical address, or 0 when nothing fits.
 */
phys_addr_t memblock_phys_alloc(u64 size, u64 align, const char *name);
/*
 * memblock_phys_alloc_try_nid() - as memblock_phys_alloc(), from node @nid's
 * memory if it has room, else from any node (the caller can tell by
 * memblock_nid_of()).
 */
phys_addr_t memblock_phys_alloc_try_nid(u64 size, u64 align, int nid, const char *name);
/* The node (memblock_region_nid()) of the region holding @pa, or -1 if none does. */
int memblock_nid_of(phys_addr_t pa);
/* Whether @pa lies in a memory region. */
bool memblock_is_memory(phys_addr_t pa);
/*
 * memblock_mem_limit_remove_map() - keep only the first @limit bytes of
 * memory (the `mem=` argument); what is cut goes to memblock.held.
 */
int memblock_mem_limit_remove_map(u64 limit);
/* Give back an allocation (or part of a reservation). */
int memblock_phys_free(phys_addr_t base, u64 size);
/* Take [base, base + size) out of the memory list (hot-remove). */
int memblock_remove(phys_addr_t base, u64 size);
/*
 * The held list: RAM that exists but the kernel does not use, with its node.
 * memblock_hold() adds a range (a DIMM its driver found): -EEXIST when it
 * touches memory or held RAM. memblock_unhold() takes it out again.
 * memblock_held_nid() is the node of [base, base + size) when held RAM
 * covers all of it on one node; -ENOENT when not all of it is held,
 * -EINVAL when it spans nodes. memblock_hold_node() holds every memory
 * region of node @nid (the boot argument hold_node=).
 */
int memblock_hold(phys_addr_t base, u64 size, int nid);
int memblock_unhold(phys_addr_t base, u64 size);
int memblock_held_nid(phys_addr_t base, u64 size);
int memblock_hold_node(int nid);
u64 memblock_phys_mem_size(void);
phys_addr_t memblock_start_of_DRAM(void);
phys_addr_t memblock_end_of_DRAM(void);

#define for_each_mem_region(r) \
	for (struct memblock_region *r = memblock.memory.regions; \
	     r < memblock.memory.regions + memblock.memory.cnt; r++)
#define for_each_held_region(r) \
	for (struct memblock_region *r = memblock.held.regions; \
	     r < memblock.held.regions + memblock.held.cnt; r++)
#define for_each_reserved_region(r) \
	for (struct memblock_region *r = memblock.reserved.regions; \
	     r < memblock.reserved.regions + memblock.reserved.cnt; r++)

#endif
