// SPDX-License-Identifier: GPL-2.0
/* `vmemmap`: how the memmap is mapped, section by section. */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/printf.h>
#include <mm/deferred_init.h>
#include <mm/memory.h>
#include <mm/mmzone.h>
#include <mm/sparse.h>
#include <mm/vmemmap.h>

/* "512 GiB" style, for sizes that are whole KiB. */
static const char *human(u64 bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	bytes >>= 10;
	while (u < 3 && bytes >= 1024 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu %s", (unsigned long long)bytes, units[u]);
	return buf;
}

static const char *kind(const struct vmemmap_section_desc *d)
{
	int kinds = !!d->blocks + !!d->cont_leaves + !!d->base_leaves;

	if (kinds > 1)
		return "mixed";
	if (d->blocks)
		return "block";
	if (d->cont_leaves)
		return "cont";
	if (d->base_leaves)
		return "base";
	return "shared";	/* every leaf started in an earlier section */
}

/*
 * Where the memory is too small for a block (or run) of memmap, say how much
 * RAM one would need. (A block missing for another reason, a fault
 * injected or `vmemmap=`, is not about size.) @largest: the most memmap
 * bytes any node has.
 */
static void explain_sizes(unsigned long blocks, unsigned long conts, u64 largest)
{
	u64 per_page = PAGE_SIZE / sizeof(struct page);
	char a[24], b[24];

	if (!blocks && largest < vmemmap_block_bytes())
		printk("a block (%s of memmap) needs %s of RAM in one node\n",
		       human(vmemmap_block_bytes(), a, sizeof(a)),
		       human(vmemmap_block_bytes() * per_page, b, sizeof(b)));
	if (!blocks && !conts && largest < vmemmap_cont_bytes())
		printk("a contiguous run (%s of memmap) needs %s of RAM in one node\n",
		       human(vmemmap_cont_bytes(), a, sizeof(a)),
		       human(vmemmap_cont_bytes() * per_page, b, sizeof(b)));
}

/* Where a section's memmap lives: memblock at boot, a block's altmap, or the buddy. */
static const char *memmap_from(const struct mem_section *ms, char *buf, size_t len)
{
	if (early_section(ms))
		return "boot";
	for_each_memory_block(mem) {
		if (ms->altmap && ms->altmap == &mem->altmap) {
			snprintf(buf, len, "block %lu", mem->id);
			return buf;
		}
	}
	return "buddy";
}

static int cmd_vmemmap(int argc, char **argv)
{
	struct vmemmap_cursor cursor = { 0 };
	unsigned long blocks = 0, conts = 0, bases = 0, tables = 0, bytes = 0;
	unsigned long off_node[MAX_NUMNODES] = { 0 }, pages[MAX_NUMNODES] = { 0 };
	unsigned long cross[MAX_NUMNODES] = { 0 };
	u64 largest = 0;
	char a[24], from[24];

	if (argc != 1)
		return shell_usage(argv[0]);
	printk("mode %s, altmap_fallback %s, block %s of memmap, contiguous run %u x %lu KiB\n",
	       vmemmap_mode_names[vmemmap_mode], altmap_fallback_names[altmap_fallback],
	       human(vmemmap_block_bytes(), a, sizeof(a)), arch_cont_entries(PGTABLE_LAST_LEVEL),
	       PAGE_SIZE >> 10);
	printk("section  node  kind    tables  blocks  cont  base  memmap KiB  from\n");
	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++) {
		struct vmemmap_section_desc d;
		int nid = mem_section[nr].nid;

		if (!valid_section_nr(nr))
			continue;
		vmemmap_describe(nr, &d, &cursor);
		printk("%7lu  %4d  %-6s  %6lu  %6lu  %4lu  %4lu  %10lu  %s\n", nr, nid, kind(&d),
		       d.table_pages, d.blocks, d.cont_leaves, d.base_leaves, d.memmap_bytes >> 10,
		       memmap_from(&mem_section[nr], from, sizeof(from)));
		blocks += d.blocks;
		conts += d.cont_leaves;
		bases += d.base_leaves;
		tables += d.table_pages;
		bytes += d.memmap_bytes;
		off_node[nid] += d.off_node_pages;
		cross[nid] += d.cross_node_tables;
		pages[nid] += d.memmap_bytes / sizeof(struct page);
	}
	printk("total: memmap %lu KiB, leaf entries %lu (blocks %lu, cont %lu, base %lu), "
	       "table pages %lu\n", bytes >> 10, blocks + conts + bases, blocks, conts, bases, tables);
	printk("leaf entries saved against base pages: %lu of %lu\n",
	       bytes / PAGE_SIZE - (blocks + conts + bases), bytes / PAGE_SIZE);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if (pages[nid])
			printk("node %d: struct pages %lu, off-node %lu, tables spanning nodes %lu\n",
			       nid, pages[nid], off_node[nid], cross[nid]);
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		largest = max(largest, (u64)pages[nid] * sizeof(struct page));
	explain_sizes(blocks, conts, largest);
	printk("memmap: populated in %llu us, %lu struct pages initialised in %llu us at boot; "
	       "%lu sections (%lu free pages) wait for deferred init\n",
	       (unsigned long long)(sparse_stats.populate_ns / 1000), sparse_stats.init_pages,
	       (unsigned long long)(sparse_stats.init_ns / 1000), deferred_init_stats.sections,
	       nr_deferred_pages());
	return 0;
}
SHELL_CMD(vmemmap, cmd_vmemmap, "", "how the memmap is mapped: blocks, contiguous runs, base pages");
