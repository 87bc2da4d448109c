/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory blocks (mm/memory_block.c), Linux's include/linux/memory.h and
 * /sys/devices/system/memory: memory is onlined and offlined a block
 * (memory_block_size, a power of two, at least one section) at a time. Boot
 * memory has blocks too; it is online and, as on arm64, never goes offline.
 */
#ifndef MM_MEMORY_H
#define MM_MEMORY_H

#include <mm/memmap_on_memory.h>
#include <mm/mmzone.h>
#include <mm/vmemmap.h>

/* Linux's block states; going-offline while offline_pages() runs. */
enum memory_block_state { MEM_ONLINE, MEM_GOING_OFFLINE, MEM_OFFLINE };

#define MAX_MEMORY_BLOCKS	1024
/* Page-table pages a block can host (its padding first, then its last pages). */
#define MEMORY_BLOCK_MAX_TABLES	8

struct memory_block {
	bool used;			/* this slot holds a block */
	unsigned long id;		/* start pfn / pages per block, Linux's block id */
	enum memory_block_state state;
	int nid;
	struct zone *zone;		/* while online (or going offline) */
	bool boot;			/* boot memory */
	int range;			/* the hot-add range it belongs to (-1: boot) */
	/*
	 * memmap on memory: the first nr_vmemmap_pages pages (altmap.free:
	 * memmap, then padding) hold the block's memmap; plan says what Linux
	 * and hotmm worked out for this geometry, why it was refused if it was.
	 */
	bool has_altmap;
	struct vmem_altmap altmap;
	unsigned long nr_vmemmap_pages;
	struct mhp_memmap_plan plan;
	/* Page-table pages of the hot-add hosted in the block (the private-span rule). */
	unsigned long table_pfn[MEMORY_BLOCK_MAX_TABLES];
	unsigned int nr_tables;
	unsigned long padding_used;	/* padding pages given to tables */
	unsigned long tail_used;	/* pages taken from the block's end for tables */
};

extern struct memory_block memory_blocks[MAX_MEMORY_BLOCKS];

#define for_each_memory_block(mem) \
	for (struct memory_block *mem = memory_blocks; \
	     mem < memory_blocks + MAX_MEMORY_BLOCKS; mem++) if (mem->used)

static inline unsigned long memory_block_pages(void)
{
	return memory_block_size >> PAGE_SHIFT;
}

static inline unsigned long memory_block_start_pfn(const struct memory_block *mem)
{
	return mem->id * memory_block_pages();
}

/* The block with @id, or the one holding @pfn; NULL if there is none. */
struct memory_block *find_memory_block(unsigned long id);
struct memory_block *find_memory_block_by_pfn(unsigned long pfn);
/* A free slot for block @id, or NULL (-ENOSPC for the caller: MAX_MEMORY_BLOCKS). */
struct memory_block *memory_block_alloc(unsigned long id);
void memory_block_release(struct memory_block *mem);
/* Blocks for the boot memory, online, in ZONE_NORMAL (Linux's memory_dev_init()). */
void memory_dev_init(void);
/* "online", "going-offline", "offline". */
const char *memory_block_state_name(enum memory_block_state state);

/* The pages the buddy allocator may have of a hot-added block: after the memmap, minus tables. */
static inline unsigned long memory_block_usable_start(const struct memory_block *mem)
{
	return memory_block_start_pfn(mem) + mem->nr_vmemmap_pages;
}

static inline unsigned long memory_block_usable_end(const struct memory_block *mem)
{
	return memory_block_start_pfn(mem) + memory_block_pages() - mem->tail_used;
}

#endif
