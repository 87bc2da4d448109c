// SPDX-License-Identifier: GPL-2.0
/* What the DT says and what memblock made of it: dt, memblock. */
#include <kernel/boot.h>
#include <kernel/printk.h>
#include <kernel/setup.h>
#include <kernel/shell.h>
#include <mm/memblock.h>

static void print_range(const char *indent, u64 base, u64 size)
{
	printk("%s[0x%010llx-0x%010llx] %8llu KiB", indent, (unsigned long long)base,
	       (unsigned long long)(base + size - 1), (unsigned long long)(size >> 10));
}

static int cmd_dt(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	printk("model: %s\ncompatible: %s\ntotalsize: %u bytes at 0x%llx\n", dt.model,
	       dt.compatible, dt.totalsize, (unsigned long long)boot_info.dtb_pa);
	printk("memory: %d bank(s)\n", dt.nr_mem);
	for (int i = 0; i < dt.nr_mem; i++) {
		print_range("  ", dt.mem[i].base, dt.mem[i].size);
		printk("  node %d\n", dt.mem[i].nid);
	}
	printk("reserved: %d entr%s\n", dt.nr_rsv, dt.nr_rsv == 1 ? "y" : "ies");
	for (int i = 0; i < dt.nr_rsv; i++) {
		print_range("  ", dt.rsv[i].base, dt.rsv[i].size);
		printk("  %s%s%s\n", dt.rsv[i].kind == DT_RSV_MEMRESERVE ? "memreserve" : "reserved-memory ",
		       dt.rsv[i].kind == DT_RSV_MEMRESERVE ? "" : dt.rsv[i].name,
		       dt.rsv[i].nomap ? " no-map" : "");
	}
	printk("stdout-path: %s -> uart 0x%llx, INTID %u\n", dt.stdout_path,
	       (unsigned long long)dt.uart_base, dt.uart_irq.intid);
	printk("gic: v%d dist 0x%llx\n", dt.gic_version, (unsigned long long)dt.gicd_base);
	printk("rng-seed: %d bytes\n", dt.rng_seed_len);
	return 0;
}
SHELL_CMD(dt, cmd_dt, "", "memory banks, reservations and devices from the DT");

static void print_type(const char *name, const struct memblock_type *type)
{
	u64 total = 0;

	for (int i = 0; i < type->cnt; i++)
		total += type->regions[i].size;
	printk("%s: %d region(s), %llu KiB\n", name, type->cnt,
	       (unsigned long long)(total >> 10));
	for (int i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		print_range("  ", r->base, r->size);
		if (r->name)
			printk("  %s\n", r->name);
		else
			printk("  node %d%s\n", r->nid, r->flags & MEMBLOCK_NOMAP ? " nomap" : "");
	}
}

static int cmd_memblock(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	print_type("memory", &memblock.memory);
	print_type("reserved", &memblock.reserved);
	if (memblock.held.cnt)
		print_type("held back for hotplug", &memblock.held);
	return 0;
}
SHELL_CMD(memblock, cmd_memblock, "", "memblock's memory and reserved lists");
