/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory hotplug (mm/memory_hotplug.c), Linux's names: memory is added
 * (add_memory(): linear map, sections and their memmap, memory blocks),
 * onlined (its pages go to the buddy allocator in a zone), offlined
 * (isolated, movable allocations migrated, taken back) and removed
 * (remove_memory(): everything the add built, torn down).
 *
 * Every function here prints one line when it refuses or fails ("error:
 * ..." through pr_err(), so the kernel log has it too) and changes nothing.
 */
#ifndef MM_MEMORY_HOTPLUG_H
#define MM_MEMORY_HOTPLUG_H

#include <mm/memory.h>
#include <mm/mmzone.h>
#include <mm/pgtable.h>

/* add_memory() flags (Linux's mhp_t). */
typedef unsigned int mhp_t;
#define MHP_NONE		0u
#define MHP_MEMMAP_ON_MEMORY	(1u << 0)	/* the memmap may come from the range itself */

/* How to online (Linux's MMOP_*): movable unless asked for kernel memory. */
enum mmop { MMOP_ONLINE, MMOP_ONLINE_KERNEL, MMOP_ONLINE_MOVABLE };

/* memhp_default_state= : what add_memory() does with the new blocks. */
enum memhp_state { MEMHP_ONLINE, MEMHP_OFFLINE };
extern enum memhp_state memhp_default_state;
extern const char *const memhp_state_names[2];

/*
 * A range add_memory() added: removed only as a whole, its blocks all
 * offline. Memory blocks name it by index.
 */
#define MAX_HOTPLUG_RANGES	64

struct hotplug_range {
	bool used;
	u64 start, size;
	int nid;
	int held_nid;		/* the node memblock's held list gave it (-1: none said) */
	mhp_t flags;
};
extern struct hotplug_range hotplug_ranges[MAX_HOTPLUG_RANGES];

/*
 * add_memory() - hot-add [start, start + size) of RAM on node @nid: it must
 * be whole memory blocks, inside the physical range hotmm covers, overlap
 * no memory, and be RAM that exists but is not in use (memblock's held
 * list: what mem= or hold_node= kept back, or a DIMM its driver put there).
 * With MHP_MEMMAP_ON_MEMORY and memmap_on_memory, each block carries its own
 * memmap where the geometry allows (mhp_memmap_plan()). The new blocks are
 * onlined as memhp_default_state says.
 * Return: 0; -EINVAL (alignment, node, not held RAM), -ERANGE (beyond the
 * physical or linear range), -EEXIST (overlaps memory), -ENOSPC (no room
 * for another range or block), -ENOMEM (an allocation failed); on error
 * everything is undone.
 */
int add_memory(int nid, u64 start, u64 size, mhp_t flags);
/*
 * remove_memory() - remove a range add_memory() added, every block of it
 * offline: memmap, sections, linear map and page tables go, memblock gets
 * the range back as held RAM.
 * Return: 0, -EINVAL (not an added range), -EBUSY (a block is online).
 */
int remove_memory(u64 start, u64 size);

/*
 * memory_block_online() - hand @mem's usable pages to the buddy allocator
 * in ZONE_MOVABLE (MMOP_ONLINE, MMOP_ONLINE_MOVABLE) or ZONE_NORMAL
 * (MMOP_ONLINE_KERNEL); its memmap pages join the zone's present pages.
 * memory_block_offline() - isolate the usable pages, migrate movable
 * allocations elsewhere, take the free pages back; -EBUSY naming the first
 * pfn that cannot be emptied (the block stays online, nothing lost).
 * Return: 0, -EINVAL (wrong state, boot memory), -EBUSY, -ENOMEM.
 */
int memory_block_online(struct memory_block *mem, enum mmop type);
int memory_block_offline(struct memory_block *mem);

/* Tables hot-add took, now: hosted in added memory, or from memory that was there before. */
struct mhp_table_stats {
	unsigned long hosted;		/* in the added ranges (private spans) */
	unsigned long existing;		/* in memory that was there (shared spans, refusals) */
	unsigned long moved;		/* hosted tables moved out when a span became shared */
};
extern struct mhp_table_stats mhp_table_stats;
/* The allocator behind the hot-add's page tables (its origin marks them). */
extern struct pgtable_alloc mhp_pgtable_alloc;

/* The memmap-on-memory arithmetic for the current geometry and settings. */
void mhp_block_plan(struct mhp_memmap_plan *plan);

/*
 * move_pfn_range_to_zone() - [start_pfn, +nr_pages) joins @zone: the zone
 * and its node grow over it (a node with no memory yet comes online), its
 * struct pages are linked to the zone and each pageblock gets @migratetype.
 * The pages stay as they were otherwise (reserved or offline).
 */
void move_pfn_range_to_zone(struct zone *zone, unsigned long start_pfn,
			    unsigned long nr_pages, int migratetype);
/*
 * remove_pfn_range_from_zone() - [start_pfn, +nr_pages), offline now, leaves
 * @zone: the zone's and node's spans shrink to the pages that remain
 * (Linux's shrink_zone_span() and update_pgdat_span()); a node left with
 * nothing goes offline.
 */
void remove_pfn_range_from_zone(struct zone *zone, unsigned long start_pfn,
				unsigned long nr_pages);
/* Pages with memory in @zone and its node: +@nr_pages or -@nr_pages. */
void adjust_present_page_count(struct zone *zone, long nr_pages);

#endif
