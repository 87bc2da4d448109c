// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc on the console: vmallocinfo (Linux's /proc/vmallocinfo, with how
 * each area is mapped), vmalloc SIZE [huge], vmalloc check ADDR, vmalloc
 * fail N, vfree ADDR, set_memory ro|rw|nx|x ADDR NPAGES.
 *
 * An area the vmalloc command made is filled with a pattern derived from
 * its address; `vmalloc check` and `vfree` read it back through the
 * area's own mapping, so a wrong leaf (a block or run mapping the wrong
 * pages) shows as a broken pattern.
 */
#include <arch/timer.h>
#include <kernel/kallsyms.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <mm/fault_inject.h>
#include <mm/vmalloc.h>
#include <string.h>

#define NR_CONSOLE_AREAS	64

/* Areas the vmalloc command made: only those may be checked and freed here. */
static void *console_areas[NR_CONSOLE_AREAS];

static void **console_slot(const void *addr)
{
	for (int i = 0; i < NR_CONSOLE_AREAS; i++)
		if (console_areas[i] == addr)
			return &console_areas[i];
	return NULL;
}

static u64 area_seed(const void *addr)
{
	u64 x = (u64)addr ^ 0x5eed5eed5eed5eedULL;

	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 29);
}

/* Word @i of the pattern: differs per area and per word, one multiply. */
static inline u64 pattern(u64 seed, unsigned long i)
{
	return seed ^ (i * 0xbf58476d1ce4e5b9ULL);
}

static void fill_pattern(struct vm_struct *area)
{
	u64 *w = area->addr, seed = area_seed(area->addr);
	unsigned long n = get_vm_area_size(area) / sizeof(u64);

	for (unsigned long i = 0; i < n; i++)
		w[i] = pattern(seed, i);
}

/* Return: 0, or -EIO after one error line naming the first bad word. */
static int check_pattern(struct vm_struct *area)
{
	const u64 *w = area->addr;
	u64 seed = area_seed(area->addr);
	unsigned long n = get_vm_area_size(area) / sizeof(u64), bad = 0, first = 0;

	for (unsigned long i = 0; i < n; i++)
		if (w[i] != pattern(seed, i) && !bad++)
			first = i;
	if (!bad)
		return 0;
	printk("error: 0x%016llx: pattern broken at +%#lx: expected %#llx, found %#llx "
	       "(%lu of %lu words differ)\n", (unsigned long long)area->addr, first * sizeof(u64),
	       (unsigned long long)pattern(seed, first), (unsigned long long)w[first], bad, n);
	return -EIO;
}

static void print_leaves(const struct vm_struct *area)
{
	struct vm_area_leaves l;

	vm_area_leaves(area, &l);
	printk("blocks=%lu cont=%lu base=%lu entries=%lu", l.blocks, l.cont_runs, l.pages,
	       l.entries);
}

/* ---- vmallocinfo ---- */

static int cmd_vmallocinfo(int argc, char **argv)
{
	unsigned long n = 0;
	struct vm_struct *vm;
	char caller[64];

	if (argc != 1)
		return shell_usage(argv[0]);
	list_for_each_entry(vm, &vmap_area_list, list) {
		kallsyms_format((u64)vm->caller, caller, sizeof(caller));
		printk("0x%016llx-0x%016llx %10lu %s pages=%u%s%s%s ",
		       (unsigned long long)vm->addr, (unsigned long long)vm->addr + vm->size,
		       vm->size, caller, vm->nr_pages, vm->flags & VM_ALLOC ? " vmalloc" : "",
		       vm->flags & VM_MAP ? " vmap" : "", vm->flags & VM_HUGE_PAGES ? " huge" : "");
		print_leaves(vm);
		printk("\n");
		n++;
	}
	printk("total: %lu areas, %lu pages (%lu kB), table pages %lu\n", n, vmalloc_nr_pages(),
	       vmalloc_nr_pages() << (PAGE_SHIFT - 10), vmalloc_pgtable_alloc.nr_tables);
	return 0;
}
SHELL_CMD(vmallocinfo, cmd_vmallocinfo, "",
	  "every vmalloc area: range (guard page included), size, caller, pages, leaves");

/* ---- vmalloc, vfree ---- */

static int parse_addr(const char *s, struct vm_struct **area)
{
	u64 a;

	if (shell_parse_u64(s, "address", &a))
		return -EINVAL;
	*area = find_vm_area((void *)a);
	if (!*area || (*area)->addr != (void *)a || !console_slot((void *)a)) {
		printk("error: 0x%llx does not start an area the vmalloc command made "
		       "(vmallocinfo lists the areas)\n", (unsigned long long)a);
		return -ENOENT;
	}
	return 0;
}

static int vmalloc_fail(int argc, char **argv)
{
	u64 n;

	if (argc == 2) {
		printk("vmalloc_block: every %lu (0: off), %lu calls, %lu failed\n",
		       fail_site_get_every(FAIL_VMALLOC_BLOCK), fail_site_calls(FAIL_VMALLOC_BLOCK),
		       fail_site_failures(FAIL_VMALLOC_BLOCK));
		return 0;
	}
	if (argc != 3)
		return shell_usage(argv[0]);
	if (shell_parse_u64(argv[2], "count", &n))
		return -EINVAL;
	fail_site_every(FAIL_VMALLOC_BLOCK, n);
	printk("vmalloc_block: every %llu block allocation(s) fail%s\n", (unsigned long long)n,
	       n ? "" : " (off)");
	return 0;
}

static int vmalloc_check(int argc, char **argv)
{
	struct vm_struct *area;
	int ret;

	if (argc != 3)
		return shell_usage(argv[0]);
	ret = parse_addr(argv[2], &area);
	if (ret)
		return ret;
	ret = check_pattern(area);
	if (!ret)
		printk("0x%016llx: pattern intact (%lu bytes)\n", (unsigned long long)area->addr, get_vm_area_size(area));
	return ret;
}

static int cmd_vmalloc(int argc, char **argv)
{
	bool huge = argc == 3 && !strcmp(argv[2], "huge");
	struct vm_struct *area;
	void **slot, *p;
	u64 size, t0, us;

	if (argc >= 2 && !strcmp(argv[1], "fail"))
		return vmalloc_fail(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return vmalloc_check(argc, argv);
	if (argc < 2 || argc > 3 || (argc == 3 && !huge))
		return shell_usage(argv[0]);
	if (shell_parse_u64(argv[1], "size", &size))
		return -EINVAL;
	if (!size) {
		printk("error: size must not be 0\n");
		return -EINVAL;
	}
	slot = console_slot(NULL);
	if (!slot) {
		printk("error: all %d console areas in use (vfree one)\n", NR_CONSOLE_AREAS);
		return -ENOSPC;
	}
	t0 = arch_counter_read();
	p = huge ? vmalloc_huge(size, GFP_KERNEL) : vmalloc(size);
	us = (arch_counter_read() - t0) * 1000000 / arch_counter_freq();
	if (!p) {
		printk("error: vmalloc%s of %llu bytes failed\n", huge ? "_huge" : "",
		       (unsigned long long)size);
		return -ENOMEM;
	}
	*slot = p;
	area = find_vm_area(p);
	fill_pattern(area);
	printk("0x%016llx: %lu bytes, pages=%u, ", (unsigned long long)p, get_vm_area_size(area), area->nr_pages);
	print_leaves(area);
	printk(", %llu us\n", (unsigned long long)us);
	return 0;
}
SHELL_CMD(vmalloc, cmd_vmalloc, "SIZE [huge] | check ADDR | fail [N]",
	  "vmalloc SIZE bytes (huge: block mappings first) filled with a pattern; "
	  "check it; make every Nth block allocation fail");

static int cmd_vfree(int argc, char **argv)
{
	struct vm_struct *area;
	void *addr;
	int ret;

	if (argc != 2)
		return shell_usage(argv[0]);
	ret = parse_addr(argv[1], &area);
	if (ret)
		return ret;
	addr = area->addr;
	ret = check_pattern(area);
	vfree(addr);
	*console_slot(addr) = NULL;
	printk("0x%016llx: freed%s\n", (unsigned long long)addr, ret ? " (pattern broken)" : ", pattern intact");
	return ret;
}
SHELL_CMD(vfree, cmd_vfree, "ADDR", "check the pattern and free an area the vmalloc command made");

/* ---- set_memory ---- */

static int cmd_set_memory(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(unsigned long addr, int numpages);
	} ops[] = {
		{ "ro", set_memory_ro }, { "rw", set_memory_rw },
		{ "nx", set_memory_nx }, { "x", set_memory_x },
	};
	u64 addr, n;
	int ret;

	if (argc != 4)
		return shell_usage(argv[0]);
	if (shell_parse_u64(argv[2], "address", &addr) || shell_parse_u64(argv[3], "pages", &n))
		return -EINVAL;
	if (n > 0x7fffffff) {
		printk("error: %llu pages is too many\n", (unsigned long long)n);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
		if (strcmp(argv[1], ops[i].name))
			continue;
		ret = ops[i].fn(addr, n);
		if (ret == -EINVAL)
			printk("error: set_memory_%s: -EINVAL (not inside one vmalloc area, "
			       "or part of a block or contiguous mapping)\n", ops[i].name);
		else if (ret)
			printk("error: set_memory_%s: %d\n", ops[i].name, ret);
		else
			printk("set_memory_%s 0x%llx, %llu pages: done\n", ops[i].name,
			       (unsigned long long)addr, (unsigned long long)n);
		return ret;
	}
	return shell_usage(argv[0]);
}
SHELL_CMD(set_memory, cmd_set_memory, "ro|rw|nx|x ADDR NPAGES",
	  "change the permissions of vmalloc memory (whole block and contiguous mappings only)");
