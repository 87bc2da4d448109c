// SPDX-License-Identifier: GPL-2.0
/*
 * Memory hotplug on the console: `mem add|online|offline|remove`, the block
 * table (`memblocks`, Linux's /sys/devices/system/memory) and one block's
 * memmap-on-memory numbers (`altmap ID`, in the words of
 * memmap-vectors.json, then the live altmap and what each reserved page
 * holds). The mm code prints the outcome; bad arguments get one error line.
 */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <mm/memory.h>
#include <mm/memory_hotplug.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <string.h>

static int parse_block(const char *s, struct memory_block **out)
{
	u64 id;

	if (shell_parse_u64(s, "block", &id))
		return -EINVAL;
	*out = find_memory_block(id);
	if (!*out) {
		printk("error: no memory block %llu (memblocks lists them)\n",
		       (unsigned long long)id);
		return -ENOENT;
	}
	return 0;
}

static int mem_add(int argc, char **argv)
{
	u64 base, size, node = NUMA_NO_NODE;

	if (argc < 4 || argc > 5)
		return shell_usage("mem");
	if (shell_parse_u64(argv[2], "base", &base) || shell_parse_u64(argv[3], "size", &size))
		return -EINVAL;
	if (argc == 5 && shell_parse_u64(argv[4], "node", &node))
		return -EINVAL;
	if (argc == 5 && node >= MAX_NUMNODES) {
		printk("error: node %llu is beyond MAX_NUMNODES (%d)\n", (unsigned long long)node,
		       MAX_NUMNODES);
		return -EINVAL;
	}
	return add_memory((int)node, base, size, MHP_MEMMAP_ON_MEMORY);
}

static int mem_remove(int argc, char **argv)
{
	u64 base, size;

	if (argc != 4)
		return shell_usage("mem");
	if (shell_parse_u64(argv[2], "base", &base) || shell_parse_u64(argv[3], "size", &size))
		return -EINVAL;
	return remove_memory(base, size);
}

/* Each hot-added block in @state, lowest first (or highest first when offlining). */
static int each_block(enum memory_block_state state, bool reverse,
		      int (*fn)(struct memory_block *mem, enum mmop type), enum mmop type)
{
	int ret = 0, n = 0;

	for (int i = 0; i < MAX_MEMORY_BLOCKS; i++) {
		struct memory_block *best = NULL;

		for_each_memory_block(mem) {
			if (mem->boot || mem->state != state || (best && (mem->id < best->id) == reverse))
				continue;
			best = mem;
		}
		if (!best)
			break;
		n++;
		ret = fn(best, type);
		if (ret)
			return ret;
	}
	if (!n)
		printk("no hot-added block is %s\n", memory_block_state_name(state));
	return ret;
}

static int online_one(struct memory_block *mem, enum mmop type)
{
	return memory_block_online(mem, type);
}

static int offline_one(struct memory_block *mem, enum mmop type)
{
	return memory_block_offline(mem);
}

static int mem_online(int argc, char **argv)
{
	enum mmop type = MMOP_ONLINE;
	struct memory_block *mem;
	int ret;

	if (argc < 3 || argc > 4)
		return shell_usage("mem");
	if (argc == 4) {
		if (!strcmp(argv[3], "movable")) {
			type = MMOP_ONLINE_MOVABLE;
		} else if (!strcmp(argv[3], "kernel")) {
			type = MMOP_ONLINE_KERNEL;
		} else {
			printk("error: online as 'movable' or 'kernel', not '%s'\n", argv[3]);
			return -EINVAL;
		}
	}
	if (!strcmp(argv[2], "all"))
		return each_block(MEM_OFFLINE, false, online_one, type);
	ret = parse_block(argv[2], &mem);
	return ret ? ret : memory_block_online(mem, type);
}

static int mem_offline(int argc, char **argv)
{
	struct memory_block *mem;
	int ret;

	if (argc != 3)
		return shell_usage("mem");
	if (!strcmp(argv[2], "all"))
		return each_block(MEM_ONLINE, true, offline_one, MMOP_ONLINE);
	ret = parse_block(argv[2], &mem);
	return ret ? ret : memory_block_offline(mem);
}

static int cmd_mem(int argc, char **argv)
{
	if (argc < 2)
		return shell_usage(argv[0]);
	if (!strcmp(argv[1], "add"))
		return mem_add(argc, argv);
	if (!strcmp(argv[1], "remove"))
		return mem_remove(argc, argv);
	if (!strcmp(argv[1], "online"))
		return mem_online(argc, argv);
	if (!strcmp(argv[1], "offline"))
		return mem_offline(argc, argv);
	printk("error: mem %s: no such subcommand (add, online, offline, remove)\n", argv[1]);
	return -EINVAL;
}
SHELL_CMD(mem, cmd_mem, "add BASE SIZE [NODE] | online ID|all [movable|kernel] | offline ID|all | "
	  "remove BASE SIZE", "hot-add, online, offline and remove memory");

static const char *removable(const struct memory_block *mem)
{
	if (mem->boot)
		return "no (boot)";
	return mem->state == MEM_OFFLINE ? "yes" : "offline first";
}

static int cmd_memblocks(int argc, char **argv)
{
	unsigned long n = 0;

	if (argc != 1)
		return shell_usage(argv[0]);
	printk("block size %llu MiB; memmap_on_memory %s\n",
	       (unsigned long long)(memory_block_size >> 20),
	       memmap_on_memory_names[memmap_on_memory]);
	printk("block  start               end                 state          zone     node  "
	       "memmap  padding  tables  removable\n");
	for (unsigned long id = 0; n < MAX_MEMORY_BLOCKS; id++) {
		struct memory_block *mem = NULL;
		unsigned long start;
		bool more = false;

		for_each_memory_block(m) {
			if (m->id == id)
				mem = m;
			more |= m->id > id;
		}
		if (!mem) {
			if (!more)
				break;
			continue;
		}
		n++;
		start = memory_block_start_pfn(mem);
		printk("%5lu  0x%016llx  0x%016llx  %-13s  %-7s  %4d  %6lu  %7lu  %6u  %s\n",
		       mem->id, (unsigned long long)PFN_PHYS(start),
		       (unsigned long long)PFN_PHYS(start + memory_block_pages()) - 1,
		       memory_block_state_name(mem->state), mem->zone ? mem->zone->name : "-",
		       mem->nid, mem->has_altmap ? mem->plan.memmap_pages : 0,
		       mem->has_altmap ? mem->plan.padding_pages : 0, mem->nr_tables,
		       removable(mem));
	}
	printk("%lu block(s)\n", n);
	return 0;
}
SHELL_CMD(memblocks, cmd_memblocks, "",
	  "the memory blocks: range, state, zone, node, memmap and padding pages, removable");

static const char *bool_word(bool b)
{
	return b ? "true" : "false";
}

/* What the reserved page @pfn of @mem holds. */
static const char *reserved_page_use(const struct memory_block *mem, unsigned long pfn)
{
	for (unsigned int i = 0; i < mem->nr_tables; i++)
		if (mem->table_pfn[i] == pfn)
			return "page table";
	if (pfn_valid(pfn) && PageVmemmap(pfn_to_page(pfn)))
		return "memmap";
	return "padding";
}

static int cmd_altmap(int argc, char **argv)
{
	const struct mhp_memmap_plan *p;
	struct memory_block *mem;
	unsigned long base, i;
	int ret;

	if (argc != 2)
		return shell_usage(argv[0]);
	ret = parse_block(argv[1], &mem);
	if (ret)
		return ret;
	if (mem->boot) {
		printk("error: block %lu is boot memory: its memmap came from memblock\n", mem->id);
		return -EINVAL;
	}
	p = &mem->plan;
	printk("page_size: %lu\n", PAGE_SIZE);
	printk("memory_block_size: %llu\n", (unsigned long long)memory_block_size);
	printk("pageblock_size: %lu\n", pageblock_nr_pages << PAGE_SHIFT);
	/* memmap-vectors.json says "default" for Linux's memmap_on_memory=Y */
	printk("mode: %s\n", p->mode == MEMMAP_ON_MEMORY_FORCE ? "force" :
	       p->mode == MEMMAP_ON_MEMORY_ON ? "default" : "off");
	printk("memmap_pages: %lu\n", p->memmap_pages);
	printk("reserved_pages: %lu\n", p->reserved_pages);
	printk("padding_pages: %lu\n", p->padding_pages);
	printk("usable_pages: %lu\n", p->usable_pages);
	printk("linux_allows: %s\n", bool_word(p->linux_allows));
	printk("refusal_reason: %s\n", p->linux_reason ? p->linux_reason : "none");
	printk("hotmm_allows: %s\n", bool_word(p->allows));
	printk("hotmm_refusal_reason: %s\n", p->reason ? p->reason : "none");
	printk("memmap_on_memory_check: %s\n", memmap_on_memory_check_names[p->check]);
	if (!mem->has_altmap) {
		printk("altmap: none: the memmap came from existing memory\n");
		return 0;
	}
	printk("base_pfn: %#lx\n", mem->altmap.base_pfn);
	printk("end_pfn: %#lx\n", mem->altmap.end_pfn);
	printk("reserve: %lu\n", mem->altmap.reserve);
	printk("free: %lu\n", mem->altmap.free);
	printk("align: %lu\n", mem->altmap.align);
	printk("alloc: %lu\n", mem->altmap.alloc);
	printk("table_pages: %u (%lu in padding, %lu at the block's end)\n", mem->nr_tables,
	       mem->padding_used, mem->tail_used);
	/* Linux 6.12 marks all of free PageVmemmapSelfHosted at online; seed 002 only the memmap. */
	printk("self_hosted_pages (linux): %lu\n", mem->altmap.free);
	base = mem->altmap.base_pfn;
	for (i = 0; i < mem->altmap.free;) {
		const char *use = reserved_page_use(mem, base + i);
		unsigned long j = i + 1;

		while (j < mem->altmap.free && !strcmp(reserved_page_use(mem, base + j), use))
			j++;
		printk("pfn %#lx-%#lx: %s (%lu)\n", base + i, base + j - 1, use, j - i);
		i = j;
	}
	for (i = 0; i < mem->tail_used; i++) {
		unsigned long pfn = memory_block_usable_end(mem) + i;

		printk("pfn %#lx: %s (the block's end)\n", pfn,
		       strcmp(reserved_page_use(mem, pfn), "page table") ? "padding (a table moved out)" :
		       "page table");
	}
	return 0;
}
SHELL_CMD(altmap, cmd_altmap, "ID",
	  "a hot-added block's memmap-on-memory numbers, its altmap, and what each reserved page holds");
