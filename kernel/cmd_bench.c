// SPDX-License-Identifier: GPL-2.0
/*
 * `bench memset SIZE`: the in-guest time to write SIZE bytes of free RAM,
 * the physical limit to set against memmap initialisation (make bench).
 * The pages are taken from the buddy allocator, written through the linear
 * map, timed with the generic counter, and given back.
 *
 * `bench vmalloc SIZE huge|base`: vmalloc_huge() or vmalloc() of SIZE
 * bytes, timed, with the leaf entries and page-table pages it took, then
 * vfree(), timed.
 *
 * `bench hotplug BASE SIZE`: add_memory() of held RAM and the onlining of
 * every block, timed; then offlining and remove_memory(), timed; with the
 * pages of memory that was there before the add consumed (free pages before
 * + pages onlined - free pages after), and the memmap and padding pages.
 */
#include <arch/timer.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <mm/memory.h>
#include <mm/memory_hotplug.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>
#include <mm/vmalloc.h>
#include <mm/vmemmap.h>
#include <string.h>

#define BENCH_MAX_CHUNKS	256

static u64 us_since(u64 t0)
{
	return (arch_counter_read() - t0) * 1000000 / arch_counter_freq();
}

static unsigned long table_pages(void)
{
	return kernel_pgtable_alloc.nr_tables + vmemmap_pgtable_alloc.nr_tables +
	       vmalloc_pgtable_alloc.nr_tables;
}

static int bench_vmalloc(u64 size, bool huge)
{
	unsigned long tables = table_pages();
	struct vm_area_leaves l;
	u64 t0 = arch_counter_read(), alloc_us;
	void *p = huge ? vmalloc_huge(size, GFP_KERNEL) : vmalloc(size);

	alloc_us = us_since(t0);
	if (!p) {
		printk("error: vmalloc%s of %llu bytes failed\n", huge ? "_huge" : "",
		       (unsigned long long)size);
		return -ENOMEM;
	}
	vm_area_leaves(find_vm_area(p), &l);
	tables = table_pages() - tables;
	t0 = arch_counter_read();
	vfree(p);
	printk("vmalloc %llu %s: alloc %llu us, vfree %llu us, leaf entries %lu "
	       "(blocks %lu, cont runs %lu, pages %lu), table pages %lu\n",
	       (unsigned long long)size, huge ? "huge" : "base", (unsigned long long)alloc_us,
	       (unsigned long long)us_since(t0), l.entries, l.blocks, l.cont_runs, l.pages, tables);
	return 0;
}

static int bench_hotplug(u64 base, u64 size)
{
	unsigned long free0 = nr_free_pages(), managed0 = totalram_pages(), memmap = 0, padding = 0;
	unsigned long consumed, blocks = 0;
	enum memhp_state state = memhp_default_state;
	u64 t0, add_us, remove_us;
	int ret;

	memhp_default_state = MEMHP_ONLINE;
	t0 = arch_counter_read();
	ret = add_memory(NUMA_NO_NODE, base, size, MHP_MEMMAP_ON_MEMORY);
	add_us = us_since(t0);
	memhp_default_state = state;
	if (ret)
		return ret;
	consumed = free0 + (totalram_pages() - managed0) - nr_free_pages();
	for (u64 pa = base; pa < base + size; pa += memory_block_size) {
		struct memory_block *mem = find_memory_block_by_pfn(pa >> PAGE_SHIFT);

		blocks++;
		if (mem->has_altmap) {
			memmap += mem->altmap.alloc;
			padding += mem->plan.padding_pages;
		}
		if (mem->state != MEM_ONLINE) {
			printk("error: block %lu did not come online\n", mem->id);
			return -EBUSY;
		}
	}
	t0 = arch_counter_read();
	for (u64 pa = base + size; pa > base; pa -= memory_block_size) {
		ret = memory_block_offline(find_memory_block_by_pfn((pa - 1) >> PAGE_SHIFT));
		if (ret)
			return ret;
	}
	ret = remove_memory(base, size);
	remove_us = us_since(t0);
	if (ret)
		return ret;
	printk("hotplug %llu: add+online %llu us, offline+remove %llu us, existing memory "
	       "consumed %lu pages (%lu bytes), blocks %lu, memmap pages %lu, padding pages %lu\n",
	       (unsigned long long)size, (unsigned long long)add_us,
	       (unsigned long long)remove_us, consumed, consumed << PAGE_SHIFT, blocks, memmap,
	       padding);
	return 0;
}

static int cmd_bench(int argc, char **argv)
{
	struct page *chunks[BENCH_MAX_CHUNKS];
	unsigned int n = 0, order = MAX_PAGE_ORDER;
	u64 size, done = 0, t0, ticks;

	if (argc == 4 && !strcmp(argv[1], "hotplug")) {
		u64 base;

		if (shell_parse_u64(argv[2], "base", &base) || shell_parse_u64(argv[3], "size", &size))
			return -EINVAL;
		return bench_hotplug(base, size);
	}
	if (argc == 4 && !strcmp(argv[1], "vmalloc") &&
	    (!strcmp(argv[3], "huge") || !strcmp(argv[3], "base"))) {
		if (shell_parse_u64(argv[2], "size", &size))
			return -EINVAL;
		return bench_vmalloc(size, !strcmp(argv[3], "huge"));
	}
	if (argc != 3 || strcmp(argv[1], "memset"))
		return shell_usage(argv[0]);
	if (shell_parse_u64(argv[2], "size", &size))
		return -EINVAL;
	while (order && (PAGE_SIZE << (order - 1)) >= size)
		order--;
	while (done < size && n < BENCH_MAX_CHUNKS) {
		chunks[n] = alloc_pages_node(0, order, GFP_KERNEL);
		if (!chunks[n]) {
			if (!order--)
				break;
			continue;
		}
		done += PAGE_SIZE << order;
		chunks[n++]->index = order;
	}
	if (done < size) {
		printk("error: could only take %llu of %llu bytes\n", (unsigned long long)done,
		       (unsigned long long)size);
	} else {
		u64 left = size;

		t0 = arch_counter_read();
		for (unsigned int i = 0; i < n && left; i++) {
			u64 len = min(left, (u64)PAGE_SIZE << chunks[i]->index);

			memset(__va((phys_addr_t)page_to_pfn(chunks[i]) << PAGE_SHIFT), 0x5a, len);
			left -= len;
		}
		ticks = arch_counter_read() - t0;
		printk("memset %llu bytes: %llu us\n", (unsigned long long)size,
		       (unsigned long long)(ticks * 1000000 / arch_counter_freq()));
	}
	while (n--)
		free_pages(chunks[n], chunks[n]->index);
	return done < size ? -ENOMEM : 0;
}
SHELL_CMD(bench, cmd_bench, "memset SIZE | vmalloc SIZE huge|base | hotplug BASE SIZE",
	  "time writing SIZE bytes of free RAM, a vmalloc and vfree, or a hot-add and its "
	  "removal (for make bench)");
