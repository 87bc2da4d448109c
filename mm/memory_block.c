// SPDX-License-Identifier: GPL-2.0
/*
 * Memory blocks (include/mm/memory.h), Linux's drivers/base/memory.c without
 * the device model: a fixed table of blocks, one per memory_block_size of
 * memory, found by id (start pfn / pages per block) or by pfn.
 */
#include <lib/kernel.h>
#include <mm/memblock.h>
#include <mm/memory.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <string.h>

struct memory_block memory_blocks[MAX_MEMORY_BLOCKS];

const char *memory_block_state_name(enum memory_block_state state)
{
	static const char *const names[] = {
		[MEM_ONLINE] = "online",
		[MEM_GOING_OFFLINE] = "going-offline",
		[MEM_OFFLINE] = "offline",
	};

	return names[state];
}

struct memory_block *find_memory_block(unsigned long id)
{
	for_each_memory_block(mem)
		if (mem->id == id)
			return mem;
	return NULL;
}

struct memory_block *find_memory_block_by_pfn(unsigned long pfn)
{
	return find_memory_block(pfn / memory_block_pages());
}

struct memory_block *memory_block_alloc(unsigned long id)
{
	for (struct memory_block *mem = memory_blocks; mem < memory_blocks + MAX_MEMORY_BLOCKS;
	     mem++) {
		if (mem->used)
			continue;
		memset(mem, 0, sizeof(*mem));
		mem->used = true;
		mem->id = id;
		mem->range = -1;
		return mem;
	}
	return NULL;
}

void memory_block_release(struct memory_block *mem)
{
	memset(mem, 0, sizeof(*mem));
}

/*
 * One online block per block-sized piece of boot memory, in ZONE_NORMAL of
 * the node of its first memory (a block may hold a hole, or the end of RAM).
 */
void memory_dev_init(void)
{
	unsigned long per = memory_block_pages(), prev = ~0UL;

	for_each_mem_region(r) {
		unsigned long first = PFN_DOWN(r->base) / per;
		unsigned long last = PFN_DOWN(r->base + r->size - 1) / per;

		for (unsigned long id = first; id <= last; id++) {
			struct memory_block *mem;

			if (id == prev)
				continue;
			prev = id;
			mem = memory_block_alloc(id);
			if (!mem)
				return;		/* more boot memory than blocks: the rest is not listed */
			mem->boot = true;
			mem->state = MEM_ONLINE;
			mem->nid = memblock_region_nid(r);
			mem->zone = &NODE_DATA(mem->nid)->node_zones[ZONE_NORMAL];
		}
	}
}
