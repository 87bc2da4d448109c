// SPDX-License-Identifier: GPL-2.0
/*
 * The page tables through the real MMU. After every unmap the old VA is
 * read with probe_read(), which must fault. That checks the tables, not the
 * TLB maintenance: QEMU's TCG flushes its software TLB more widely than the
 * architecture requires, so a missing invalidation rarely leaves a usable
 * stale entry. The invalidations themselves are counted instead, through the
 * arch layer's log (asm/tlbi_log.h): each case asserts how many of each kind
 * hit each VA of its scratch range (VALE1IS for a leaf, VAE1IS where a table
 * or block changed, never VMALLE1IS).
 */
#include <arch/tlbflush.h>
#include <asm/tlbi_log.h>
#include <kernel/boot.h>
#include <kernel/panic.h>
#include <kernel/selftest.h>
#include <layout.h>
#include <lib/errno.h>
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>
#include <mm/ptdump.h>
#include <mm/vmalloc.h>

#define SCRATCH_SPAN	0x40000000UL	/* the cases map inside this, so the log watches it */
#define SCRATCH_VA	scratch_va()

/*
 * VA for the cases below to map by hand: [VMALLOC_START + 1 GiB, + 1 GiB),
 * reserved from the vmalloc area once (never freed), so no vmalloc area is
 * ever there and the table counts below hold.
 */
static u64 scratch_va(void)
{
	static u64 va;

	if (!va) {
		u64 start = VMALLOC_START + SCRATCH_SPAN;
		struct vm_struct *area = __get_vm_area_caller(SCRATCH_SPAN, SCRATCH_SPAN,
							      VM_NO_GUARD, start,
							      start + SCRATCH_SPAN,
							      __builtin_return_address(0));

		BUG_ON(!area || (u64)area->addr != start);
		va = start;
	}
	return va;
}

/*
 * Tables a first mapping at SCRATCH_VA adds (the rest of its walk is shared
 * with the kernel image): 4K a level-2 and a level-3 table (its 1 GiB
 * level-1 entry is its own), 16K and 64K one level-3 table (a 64 GiB / 4 TiB
 * level-1 entry holds the image too; the 32 MiB / 512 MiB level-2 one not).
 */
#define SCRATCH_PAGE_TABLES	(PAGE_SHIFT == 12 ? 2 : 1)

static void tlbi_watch(void)
{
	tlbi_log_start(SCRATCH_VA, SCRATCH_VA + SCRATCH_SPAN - 1);
}

/* The log holds @leaf VALE1IS and @table VAE1IS for @va. */
static int expect_tlbi(u64 va, unsigned int leaf, unsigned int table)
{
	ST_EXPECT_EQ(tlbi_log_count(TLBI_VALE1IS, va), leaf);
	ST_EXPECT_EQ(tlbi_log_count(TLBI_VAE1IS, va), table);
	return 0;
}

/* In all, @leaf VALE1IS and @table VAE1IS in the window, and no VMALLE1IS. */
static int expect_tlbi_totals(unsigned long leaf, unsigned long table)
{
	ST_EXPECT_EQ(tlbi_log_total(TLBI_VALE1IS), leaf);
	ST_EXPECT_EQ(tlbi_log_total(TLBI_VAE1IS), table);
	ST_EXPECT_EQ(tlbi_log_total(TLBI_VMALLE1IS), 0);
	return 0;
}

/* A RET instruction in .data: it returns 0 if .data were executable. */
static u32 data_ret_insn = 0xd65f03c0;

static unsigned long tables_now(void)
{
	return kernel_pgtable_alloc.nr_tables;
}

static int expect_unmapped(u64 va, u64 size)
{
	u64 v;

	for (u64 off = 0; off < size; off += PAGE_SIZE)
		ST_EXPECT_EQ(probe_read((void *)(va + off), &v), -EFAULT);
	return 0;
}

SELFTEST(pgtable_wx_scratch_page_audited)
{
	struct page *page = alloc_pages_node(0, 0, GFP_KERNEL);
	phys_addr_t pa = page ? (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT : 0;
	unsigned long tables = tables_now();
	u64 first = 0, v;
	int ret;

	ST_EXPECT(pa);
	ST_EXPECT_EQ(ptdump_wx_pages(&swapper_pg, PAGE_OFFSET, ~0UL, NULL), 0);
	ST_EXPECT_EQ(pgtable_map(&swapper_pg, SCRATCH_VA, pa, PAGE_SIZE, PAGE_KERNEL_EXEC,
				 PGT_NO_BLOCKS, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(tables_now() - tables, SCRATCH_PAGE_TABLES);
	ST_EXPECT_EQ(ptdump_wx_pages(&swapper_pg, PAGE_OFFSET, ~0UL, &first), 1);
	ST_EXPECT(first == SCRATCH_VA);
	ST_EXPECT_EQ(probe_read((void *)SCRATCH_VA, &v), 0);
	/* Unmap: the leaf invalidated, then each table freed with its walk. */
	tlbi_watch();
	ret = pgtable_unmap(&swapper_pg, SCRATCH_VA, PAGE_SIZE, &kernel_pgtable_alloc);
	tlbi_log_stop();
	ST_EXPECT_EQ(ret, 0);
	ST_EXPECT_EQ(expect_tlbi(SCRATCH_VA, 1, SCRATCH_PAGE_TABLES), 0);
	ST_EXPECT_EQ(expect_tlbi_totals(1, SCRATCH_PAGE_TABLES), 0);
	ST_EXPECT_EQ(ptdump_wx_pages(&swapper_pg, PAGE_OFFSET, ~0UL, NULL), 0);
	ST_EXPECT_EQ(expect_unmapped(SCRATCH_VA, PAGE_SIZE), 0);
	ST_EXPECT_EQ(tables_now(), tables);
	free_pages(page, 0);
	return 0;
}

SELFTEST(pgtable_jump_into_data_faults)
{
	ST_EXPECT_EQ(probe_exec(&data_ret_insn), -EFAULT);
	return 0;
}

SELFTEST(pgtable_jump_into_text_runs)
{
	/* The control case: probe_exec() of real code returns normally. */
	ST_EXPECT_EQ(probe_exec((const void *)arch_isb), 0);
	return 0;
}

/* Map the first RAM as a second alias at SCRATCH_VA: reads must match. */
static int alias_matches(u64 va, phys_addr_t pa, u64 size)
{
	u64 a, b;

	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		ST_EXPECT_EQ(probe_read((void *)(va + off), &a), 0);
		b = *(volatile u64 *)__va(pa + off);
		ST_EXPECT(a == b);
	}
	return 0;
}

/*
 * The largest leaf above pages this granule has, as an alias of RAM:
 * unmapping one page inside splits it (break-before-make, VAE1IS: a block
 * became a table), the page goes (VALE1IS), the rest stays mapped, and
 * unmapping the rest frees every table again.
 */
SELFTEST(pgtable_split_block_by_partial_unmap)
{
	u64 block = level_size(2), hole = SCRATCH_VA + block / 2;
	u64 last = SCRATCH_VA + block - PAGE_SIZE;
	phys_addr_t pa = ALIGN(memblock_start_of_DRAM(), block);
	unsigned long tables = tables_now(), added;
	struct pgtable_walk w;
	int ret;

	if (pa + block > memblock_end_of_DRAM()) {
		printk("# a %llu MiB block does not fit in RAM\n", (unsigned long long)(block >> 20));
		return -EOPNOTSUPP;
	}
	ST_EXPECT_EQ(pgtable_map(&swapper_pg, SCRATCH_VA, pa, block, PAGE_KERNEL,
				 PGT_NO_CONT, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(pgtable_walk(&swapper_pg, SCRATCH_VA, &w), 0);
	ST_EXPECT_EQ(w.level, 2);
	tlbi_watch();
	ret = pgtable_unmap(&swapper_pg, hole, PAGE_SIZE, &kernel_pgtable_alloc);
	tlbi_log_stop();
	ST_EXPECT_EQ(ret, 0);
	ST_EXPECT_EQ(expect_tlbi(SCRATCH_VA, 0, 1), 0);
	ST_EXPECT_EQ(expect_tlbi(hole, 1, 0), 0);
	ST_EXPECT_EQ(expect_tlbi_totals(1, 1), 0);
	ST_EXPECT_EQ(expect_unmapped(hole, PAGE_SIZE), 0);
	ST_EXPECT_EQ(pgtable_walk(&swapper_pg, SCRATCH_VA, &w), 0);
	ST_EXPECT_EQ(w.level, 3);
	ST_EXPECT_EQ(alias_matches(SCRATCH_VA, pa, 4 * PAGE_SIZE), 0);
	ST_EXPECT_EQ(alias_matches(hole + PAGE_SIZE, pa + block / 2 + PAGE_SIZE, PAGE_SIZE), 0);
	/* The rest: every other page once, then the tables (the split's and the map's). */
	added = tables_now() - tables;
	tlbi_watch();
	ret = pgtable_unmap(&swapper_pg, SCRATCH_VA, block, &kernel_pgtable_alloc);
	tlbi_log_stop();
	ST_EXPECT_EQ(ret, 0);
	ST_EXPECT_EQ(added, SCRATCH_PAGE_TABLES);
	/* Too many leaves for the log to keep their VAs: totals, and the tables' VAs. */
	ST_EXPECT_EQ(expect_tlbi_totals(level_entries(3) - 1, added), 0);
	ST_EXPECT_EQ(tlbi_log_count(TLBI_VAE1IS, SCRATCH_VA), added);
	ST_EXPECT_EQ(expect_unmapped(SCRATCH_VA, 4 * PAGE_SIZE), 0);
	ST_EXPECT_EQ(expect_unmapped(last, PAGE_SIZE), 0);
	ST_EXPECT_EQ(tables_now(), tables);
	return 0;
}

/*
 * A contiguous run is made whole and broken as a whole: protecting one page
 * breaks the run (every entry invalidated once, leaf-only: no table
 * changed), then re-protects that page (once more).
 */
SELFTEST(pgtable_cont_run_broken_by_partial_protect)
{
	unsigned int n = arch_cont_entries(3);
	u64 run = n * PAGE_SIZE, va = SCRATCH_VA;
	phys_addr_t pa = ALIGN(memblock_start_of_DRAM(), run);
	unsigned long tables = tables_now();
	struct pgtable_walk w;
	u64 v;
	int ret;

	ST_EXPECT_EQ(pgtable_map(&swapper_pg, va, pa, run, PAGE_KERNEL, PGT_NO_BLOCKS,
				 &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(pgtable_walk(&swapper_pg, va + run - PAGE_SIZE, &w), 0);
	ST_EXPECT(arch_pte_cont(w.pte, 3));
	tlbi_watch();
	ret = pgtable_protect(&swapper_pg, va + PAGE_SIZE, PAGE_SIZE, PAGE_KERNEL_RO,
			      &kernel_pgtable_alloc);
	tlbi_log_stop();
	ST_EXPECT_EQ(ret, 0);
	for (unsigned int i = 0; i < n; i++)
		ST_EXPECT_EQ(expect_tlbi(va + i * PAGE_SIZE, i == 1 ? 2 : 1, 0), 0);
	ST_EXPECT_EQ(expect_tlbi_totals(n + 1, 0), 0);
	ST_EXPECT_EQ(pgtable_walk(&swapper_pg, va, &w), 0);
	ST_EXPECT(!arch_pte_cont(w.pte, 3));
	ST_EXPECT_EQ(probe_read((void *)(va + PAGE_SIZE), &v), 0);
	ST_EXPECT_EQ(probe_write((void *)(va + PAGE_SIZE), v), -EFAULT);
	ST_EXPECT_EQ(alias_matches(va, pa, run), 0);
	tlbi_watch();
	ret = pgtable_unmap(&swapper_pg, va, run, &kernel_pgtable_alloc);
	tlbi_log_stop();
	ST_EXPECT_EQ(ret, 0);
	for (unsigned int i = 0; i < n; i++)
		ST_EXPECT_EQ(expect_tlbi(va + i * PAGE_SIZE, 1, i ? 0 : SCRATCH_PAGE_TABLES), 0);
	ST_EXPECT_EQ(expect_tlbi_totals(n, SCRATCH_PAGE_TABLES), 0);
	ST_EXPECT_EQ(expect_unmapped(va, run), 0);
	ST_EXPECT_EQ(tables_now(), tables);
	return 0;
}

SELFTEST(pgtable_map_over_mapped_is_eexist)
{
	phys_addr_t pa = memblock_start_of_DRAM();
	unsigned long tables = tables_now();
	int ret;

	ST_EXPECT_EQ(pgtable_map(&swapper_pg, SCRATCH_VA, pa, 2 * PAGE_SIZE, PAGE_KERNEL_RO,
				 PGT_NO_BLOCKS, &kernel_pgtable_alloc), 0);
	tlbi_watch();
	ret = pgtable_map(&swapper_pg, SCRATCH_VA + PAGE_SIZE, pa, 2 * PAGE_SIZE,
			  PAGE_KERNEL_RO, PGT_NO_BLOCKS, &kernel_pgtable_alloc);
	tlbi_log_stop();
	ST_EXPECT_EQ(ret, -EEXIST);
	/* Nothing was written, so nothing was invalidated. */
	ST_EXPECT_EQ(expect_tlbi_totals(0, 0), 0);
	/* The failed call took nothing: the page after the old range is still free. */
	ST_EXPECT_EQ(expect_unmapped(SCRATCH_VA + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	ST_EXPECT_EQ(alias_matches(SCRATCH_VA, pa, 2 * PAGE_SIZE), 0);
	ST_EXPECT_EQ(pgtable_unmap(&swapper_pg, SCRATCH_VA, 2 * PAGE_SIZE, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(expect_unmapped(SCRATCH_VA, 2 * PAGE_SIZE), 0);
	ST_EXPECT_EQ(tables_now(), tables);
	return 0;
}
