// SPDX-License-Identifier: GPL-2.0
/*
 * The page tables through the real MMU. After every unmap the old VA is
 * read with probe_read(): under QEMU a missing TLB invalidation leaves the
 * old translation usable, so a real access is what catches it.
 */
#include <arch/tlbflush.h>
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

#define SCRATCH_VA	scratch_va()

/*
 * VA for the cases below to map by hand: one block reserved from the
 * vmalloc area once (never freed), so no vmalloc area can be there.
 */
static u64 scratch_va(void)
{
	static u64 va;
	u64 block = level_size(2);

	if (!va) {
		struct vm_struct *area = __get_vm_area_caller(block, block, VM_NO_GUARD,
							      VMALLOC_START, VMALLOC_END,
							      __builtin_return_address(0));

		BUG_ON(!area);
		va = (u64)area->addr;
	}
	return va;
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

	ST_EXPECT(pa);
	ST_EXPECT_EQ(ptdump_wx_pages(&swapper_pg, PAGE_OFFSET, ~0UL, NULL), 0);
	ST_EXPECT_EQ(pgtable_map(&swapper_pg, SCRATCH_VA, pa, PAGE_SIZE, PAGE_KERNEL_EXEC,
				 PGT_NO_BLOCKS, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(ptdump_wx_pages(&swapper_pg, PAGE_OFFSET, ~0UL, &first), 1);
	ST_EXPECT(first == SCRATCH_VA);
	ST_EXPECT_EQ(probe_read((void *)SCRATCH_VA, &v), 0);
	ST_EXPECT_EQ(pgtable_unmap(&swapper_pg, SCRATCH_VA, PAGE_SIZE, &kernel_pgtable_alloc), 0);
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
 * unmapping one page inside splits it (break-before-make), the rest stays
 * mapped, and unmapping the rest frees every table again.
 */
SELFTEST(pgtable_split_block_by_partial_unmap)
{
	u64 block = level_size(2), hole = SCRATCH_VA + block / 2;
	phys_addr_t pa = ALIGN(memblock_start_of_DRAM(), block);
	unsigned long tables = tables_now();
	struct pgtable_walk w;

	if (pa + block > memblock_end_of_DRAM()) {
		printk("# a %llu MiB block does not fit in RAM\n", (unsigned long long)(block >> 20));
		return -EOPNOTSUPP;
	}
	ST_EXPECT_EQ(pgtable_map(&swapper_pg, SCRATCH_VA, pa, block, PAGE_KERNEL,
				 PGT_NO_CONT, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(pgtable_walk(&swapper_pg, SCRATCH_VA, &w), 0);
	ST_EXPECT_EQ(w.level, 2);
	ST_EXPECT_EQ(pgtable_unmap(&swapper_pg, hole, PAGE_SIZE, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(expect_unmapped(hole, PAGE_SIZE), 0);
	ST_EXPECT_EQ(pgtable_walk(&swapper_pg, SCRATCH_VA, &w), 0);
	ST_EXPECT_EQ(w.level, 3);
	ST_EXPECT_EQ(alias_matches(SCRATCH_VA, pa, 4 * PAGE_SIZE), 0);
	ST_EXPECT_EQ(alias_matches(hole + PAGE_SIZE, pa + block / 2 + PAGE_SIZE, PAGE_SIZE), 0);
	ST_EXPECT_EQ(pgtable_unmap(&swapper_pg, SCRATCH_VA, block, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(expect_unmapped(SCRATCH_VA, 4 * PAGE_SIZE), 0);
	ST_EXPECT_EQ(expect_unmapped(SCRATCH_VA + block - PAGE_SIZE, PAGE_SIZE), 0);
	ST_EXPECT_EQ(tables_now(), tables);
	return 0;
}

/* A contiguous run is made whole and broken as a whole. */
SELFTEST(pgtable_cont_run_broken_by_partial_protect)
{
	u64 run = arch_cont_entries(3) * PAGE_SIZE, va = SCRATCH_VA;
	phys_addr_t pa = ALIGN(memblock_start_of_DRAM(), run);
	unsigned long tables = tables_now();
	struct pgtable_walk w;
	u64 v;

	ST_EXPECT_EQ(pgtable_map(&swapper_pg, va, pa, run, PAGE_KERNEL, PGT_NO_BLOCKS,
				 &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(pgtable_walk(&swapper_pg, va + run - PAGE_SIZE, &w), 0);
	ST_EXPECT(arch_pte_cont(w.pte, 3));
	ST_EXPECT_EQ(pgtable_protect(&swapper_pg, va + PAGE_SIZE, PAGE_SIZE, PAGE_KERNEL_RO,
				     &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(pgtable_walk(&swapper_pg, va, &w), 0);
	ST_EXPECT(!arch_pte_cont(w.pte, 3));
	ST_EXPECT_EQ(probe_read((void *)(va + PAGE_SIZE), &v), 0);
	ST_EXPECT_EQ(probe_write((void *)(va + PAGE_SIZE), v), -EFAULT);
	ST_EXPECT_EQ(alias_matches(va, pa, run), 0);
	ST_EXPECT_EQ(pgtable_unmap(&swapper_pg, va, run, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(expect_unmapped(va, run), 0);
	ST_EXPECT_EQ(tables_now(), tables);
	return 0;
}

SELFTEST(pgtable_map_over_mapped_is_eexist)
{
	phys_addr_t pa = memblock_start_of_DRAM();
	unsigned long tables = tables_now();

	ST_EXPECT_EQ(pgtable_map(&swapper_pg, SCRATCH_VA, pa, 2 * PAGE_SIZE, PAGE_KERNEL_RO,
				 PGT_NO_BLOCKS, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(pgtable_map(&swapper_pg, SCRATCH_VA + PAGE_SIZE, pa, 2 * PAGE_SIZE,
				 PAGE_KERNEL_RO, PGT_NO_BLOCKS, &kernel_pgtable_alloc), -EEXIST);
	/* The failed call took nothing: the page after the old range is still free. */
	ST_EXPECT_EQ(expect_unmapped(SCRATCH_VA + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	ST_EXPECT_EQ(alias_matches(SCRATCH_VA, pa, 2 * PAGE_SIZE), 0);
	ST_EXPECT_EQ(pgtable_unmap(&swapper_pg, SCRATCH_VA, 2 * PAGE_SIZE, &kernel_pgtable_alloc), 0);
	ST_EXPECT_EQ(expect_unmapped(SCRATCH_VA, 2 * PAGE_SIZE), 0);
	ST_EXPECT_EQ(tables_now(), tables);
	return 0;
}
