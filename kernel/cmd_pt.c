// SPDX-License-Identifier: GPL-2.0
/* The kernel page tables on the console: ptdump, pt VA. */
#include <arch/pgtable.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <mm/mmu.h>
#include <mm/ptdump.h>

#define TTBR1_START	0xffff000000000000UL

static const struct {
	u64 start;
	const char *name;
} regions[] = {
	{ PAGE_OFFSET, "linear map" },
	{ KIMAGE_VADDR, "kernel image" },
	{ VMALLOC_START, "vmalloc" },
	{ VMEMMAP_START, "vmemmap" },
	{ IO_START, "I/O" },
	{ FIXADDR_START, "fixmap" },
};

/* "4K", "2M", "1G": the largest unit that divides @bytes. */
static const char *size_str(u64 bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = 0;

	bytes >>= 10;
	while (u < 3 && bytes >= 1024 && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[u]);
	return buf;
}

static void prot_str(pgprot_t prot, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s %s", prot & PROT_WRITE ? "RW" : "ro",
		 prot & PROT_EXEC ? "x " : "NX", prot & PROT_DEVICE ? "device" : "normal");
}

struct dump_state {
	unsigned int region;
};

static void print_range(void *arg, const struct ptdump_range *r)
{
	struct dump_state *s = arg;
	char sz[16], esz[16], prot[32];

	while (s->region < ARRAY_SIZE(regions) && r->start >= regions[s->region].start)
		printk("---[ %s ]---\n", regions[s->region++].name);
	prot_str(r->prot, prot, sizeof(prot));
	printk("0x%016llx-0x%016llx %7s  L%d %-5s %5lu x %-4s %s%s  pa 0x%llx\n",
	       (unsigned long long)r->start, (unsigned long long)(r->end - 1),
	       size_str(r->end - r->start, sz, sizeof(sz)), r->level,
	       r->level == PGTABLE_LAST_LEVEL ? "page" : "block", r->entries,
	       size_str(level_size(r->level), esz, sizeof(esz)), prot,
	       r->cont ? " cont" : "", (unsigned long long)r->pa);
}

static int cmd_ptdump(int argc, char **argv)
{
	struct dump_state s = { 0 };
	u64 wx, first;

	if (argc != 1)
		return shell_usage(argv[0]);
	ptdump_walk(&swapper_pg, TTBR1_START, ~0UL, print_range, &s);
	wx = ptdump_wx_pages(&swapper_pg, TTBR1_START, ~0UL, &first);
	printk("kernel table pages: %lu (boot linear map %lu, image %lu)\n",
	       kernel_pgtable_alloc.nr_tables, mmu_stats.linear_tables, mmu_stats.image_tables);
	if (wx)
		printk("W+X pages: %llu (first at 0x%016llx)\n", (unsigned long long)wx,
		       (unsigned long long)first);
	else
		printk("W+X pages: 0\n");
	return 0;
}
SHELL_CMD(ptdump, cmd_ptdump, "", "the kernel page tables as ranges, and the W+X audit");

static const char *type_name(enum pte_type t)
{
	static const char *const names[] = { "invalid", "table", "block", "page" };

	return names[t];
}

static int cmd_pt(int argc, char **argv)
{
	struct pgtable_walk w;
	u64 va;
	int ret;

	if (argc != 2)
		return shell_usage(argv[0]);
	if (shell_parse_u64(argv[1], "address", &va))
		return -EINVAL;
	if (va < TTBR1_START) {
		printk("error: 0x%llx is not a kernel (TTBR1) address; TTBR0 is off\n",
		       (unsigned long long)va);
		return -EINVAL;
	}
	ret = pgtable_walk(&swapper_pg, va, &w);
	for (int l = PGTABLE_START_LEVEL; l <= w.level; l++) {
		pte_t e = w.entries[l];

		printk("L%d table 0x%llx [%lu] = 0x%016llx  %s\n", l,
		       (unsigned long long)w.tables[l], level_index(va, l),
		       (unsigned long long)e, type_name(arch_pte_type(e, l)));
	}
	if (ret) {
		printk("0x%016llx: not mapped (level %d entry invalid)\n",
		       (unsigned long long)va, w.level);
		return 0;
	}
	{
		char sz[16], prot[32];
		u64 off = va & (level_size(w.level) - 1);

		prot_str(arch_pte_prot(w.pte, w.level), prot, sizeof(prot));
		printk("0x%016llx: L%d %s %s, pa 0x%llx, %s%s\n", (unsigned long long)va,
		       w.level, type_name(arch_pte_type(w.pte, w.level)),
		       size_str(level_size(w.level), sz, sizeof(sz)),
		       (unsigned long long)(arch_pte_addr(w.pte, w.level) + off), prot,
		       arch_pte_cont(w.pte, w.level) ? ", cont" : "");
	}
	return 0;
}
SHELL_CMD(pt, cmd_pt, "VA", "walk the kernel page tables for one address, level by level");
