// SPDX-License-Identifier: GPL-2.0
/*
 * `bench memset SIZE`: the in-guest time to write SIZE bytes of free RAM,
 * the physical limit to set against memmap initialisation (make bench).
 * The pages are taken from the buddy allocator, written through the linear
 * map, timed with the generic counter, and given back.
 */
#include <arch/timer.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>
#include <string.h>

#define BENCH_MAX_CHUNKS	256

static int cmd_bench(int argc, char **argv)
{
	struct page *chunks[BENCH_MAX_CHUNKS];
	unsigned int n = 0, order = MAX_PAGE_ORDER;
	u64 size, done = 0, t0, ticks;

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
SHELL_CMD(bench, cmd_bench, "memset SIZE", "time writing SIZE bytes of free RAM (for make bench)");
