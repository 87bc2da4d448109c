// SPDX-License-Identifier: GPL-2.0
/*
 * Memory hotplug under injected failures, on the real MMU: every allocation
 * an add makes (memmap, page tables, in each memmap-on-memory mode) fails in
 * turn, and each failed add must leave every counter exactly as it was; an
 * offline whose migration cannot allocate leaves the block online and the
 * allocation where it was. Needs RAM held back for hotplug (boot with mem=).
 */
#include <kernel/selftest.h>
#include <lib/errno.h>
#include <mm/fault_inject.h>
#include <mm/memblock.h>
#include <mm/memory.h>
#include <mm/memory_hotplug.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <mm/vmalloc.h>
#include <mm/vmemmap.h>
#include <string.h>

/* Every counter a hot-add touches. */
struct hotplug_state {
	unsigned long free, managed;
	unsigned long tables[4];
	struct mhp_table_stats mhp;
	u64 memory, held;
	int memory_cnt, held_cnt;
	unsigned long blocks, ranges, present_sections, memmap_sections, origins_pending;
	unsigned long spans[MAX_NUMNODES][MAX_NR_ZONES][3];
	bool online[MAX_NUMNODES];
};

static void take_state(struct hotplug_state *s)
{
	memset(s, 0, sizeof(*s));
	s->free = nr_free_pages();
	s->managed = totalram_pages();
	s->tables[0] = kernel_pgtable_alloc.nr_tables;
	s->tables[1] = vmemmap_pgtable_alloc.nr_tables;
	s->tables[2] = vmalloc_pgtable_alloc.nr_tables;
	s->tables[3] = mhp_pgtable_alloc.nr_tables;
	s->mhp = mhp_table_stats;
	s->memory = memblock_phys_mem_size();
	s->memory_cnt = memblock.memory.cnt;
	s->held_cnt = memblock.held.cnt;
	for_each_held_region(r)
		s->held += r->size;
	for_each_memory_block(mem)
		s->blocks++;
	for (int i = 0; i < MAX_HOTPLUG_RANGES; i++)
		s->ranges += hotplug_ranges[i].used;
	s->present_sections = nr_present_sections();
	s->memmap_sections = nr_populated_sections();
	s->origins_pending = pgtable_origins_pending();
	for (int nid = 0; nid < MAX_NUMNODES; nid++) {
		s->online[nid] = NODE_DATA(nid)->online;
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];

			s->spans[nid][z][0] = zone->zone_start_pfn;
			s->spans[nid][z][1] = zone->spanned_pages;
			s->spans[nid][z][2] = zone->present_pages;
		}
	}
}

static unsigned long injected(void)
{
	unsigned long n = 0;

	for (int site = 0; site < NR_FAIL_SITES; site++)
		n += fail_site_failures(site);
	return n;
}

/* The first block of held RAM: its base, or 0 if nothing is held. */
static u64 held_block(void)
{
	for_each_held_region(r) {
		u64 base = ALIGN(r->base, memory_block_size);

		if (base + memory_block_size <= r->base + r->size)
			return base;
	}
	return 0;
}

static int offline_and_remove(u64 base)
{
	for (u64 pa = base; pa < base + memory_block_size; pa += memory_block_size)
		ST_EXPECT_EQ(memory_block_offline(find_memory_block_by_pfn(PFN_DOWN(pa))), 0);
	ST_EXPECT_EQ(remove_memory(base, memory_block_size), 0);
	return 0;
}

/* Every allocation of an add fails in turn, in each mode; each failure changes nothing. */
static int sweep(u64 base, enum memmap_on_memory_mode mode, unsigned long *tried)
{
	struct hotplug_state before, after;
	enum memmap_on_memory_mode saved = memmap_on_memory;
	int ret = 0;

	memmap_on_memory = mode;
	take_state(&before);
	for (unsigned long n = 1;; n++) {
		unsigned long failures = injected();

		fail_nth_set(n);
		ret = add_memory(NUMA_NO_NODE, base, memory_block_size, MHP_MEMMAP_ON_MEMORY);
		fail_nth_set(0);
		if (!ret) {
			ret = offline_and_remove(base);
			take_state(&after);
			if (ret || memcmp(&before, &after, sizeof(before))) {
				printk("# mode %d, fail_nth=%lu: add went through; state differs after removal\n",
				       mode, n);
				ret = -EINVAL;
				break;
			}
			if (injected() == failures)
				break;		/* nothing failed: every allocation was tried */
			continue;	/* the failure fell where there is a fallback */
		}
		(*tried)++;
		take_state(&after);
		if (injected() != failures + 1 || memcmp(&before, &after, sizeof(before))) {
			printk("# mode %d, fail_nth=%lu: add returned %d and left the state changed\n",
			       mode, n, ret);
			ret = -EINVAL;
			break;
		}
		ret = 0;
	}
	memmap_on_memory = saved;
	return ret;
}

SELFTEST(hotplug_fail_nth_rolls_back)
{
	enum memhp_state state = memhp_default_state;
	u64 base = held_block();
	unsigned long tried = 0;
	int ret = 0;

	if (!base) {
		printk("# no RAM held back for hotplug (boot with mem=)\n");
		return -EOPNOTSUPP;
	}
	memhp_default_state = MEMHP_ONLINE;
	for (int mode = MEMMAP_ON_MEMORY_OFF; mode <= MEMMAP_ON_MEMORY_FORCE && !ret; mode++)
		ret = sweep(base, mode, &tried);
	memhp_default_state = state;
	printk("# %lu failed adds, each rolled back\n", tried);
	ST_EXPECT_EQ(ret, 0);
	ST_EXPECT(tried >= 2);
	return 0;
}

/* The owner of a test page has nothing to update when it moves. */
static int follow(struct page *dst, struct page *src, unsigned int order)
{
	return 0;
}

static const struct movable_operations follow_mops = { .migrate_page = follow };

/* Migration that cannot allocate: the offline fails, the block and the allocation stay. */
SELFTEST(hotplug_offline_without_memory_to_migrate_to)
{
	enum memhp_state state = memhp_default_state;
	struct hotplug_state before, after;
	u64 base = held_block();
	struct memory_block *mem;
	struct page *page;
	int ret;

	if (!base) {
		printk("# no RAM held back for hotplug (boot with mem=)\n");
		return -EOPNOTSUPP;
	}
	take_state(&before);
	memhp_default_state = MEMHP_ONLINE;
	ret = add_memory(NUMA_NO_NODE, base, memory_block_size, MHP_MEMMAP_ON_MEMORY);
	memhp_default_state = state;
	ST_EXPECT_EQ(ret, 0);
	mem = find_memory_block_by_pfn(PFN_DOWN(base));
	/* Movable allocations come from ZONE_MOVABLE first: the new block. */
	page = alloc_pages_node(0, 0, __GFP_MOVABLE | __GFP_THISNODE);
	ST_EXPECT(page && PFN_PHYS(page_to_pfn(page)) >= base &&
		  PFN_PHYS(page_to_pfn(page)) < base + memory_block_size);
	__SetPageMovable(page, &follow_mops);
	fail_site_every(FAIL_PAGE_ALLOC, 1);
	ret = memory_block_offline(mem);
	fail_site_every(FAIL_PAGE_ALLOC, 0);
	ST_EXPECT_EQ(ret, -ENOMEM);
	ST_EXPECT_EQ(mem->state, MEM_ONLINE);
	ST_EXPECT(page->_refcount == 1 && !PageBuddy(page) && PageMovable(page));
	free_pages(page, 0);
	ST_EXPECT_EQ(offline_and_remove(base), 0);
	take_state(&after);
	ST_EXPECT(!memcmp(&before, &after, sizeof(before)));
	return 0;
}
