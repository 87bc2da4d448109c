// SPDX-License-Identifier: GPL-2.0
/*
 * vmalloc through the real MMU: what a vmalloc area maps is readable and
 * writable, its guard page and every page of a freed area fault (QEMU keeps
 * stale translations until they are invalidated, so a missing TLBI would
 * show as a successful read), permission changes reach the MMU, and every
 * page and table page comes back.
 */
#include <kernel/selftest.h>
#include <lib/errno.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>
#include <mm/vmalloc.h>

struct vm_counts {
	unsigned long free_pages, vmalloc_pages, vmalloc_tables, kernel_tables, areas;
};

static struct vm_counts vm_counts(void)
{
	struct vm_counts c = {
		.free_pages = nr_free_pages(), .vmalloc_pages = vmalloc_nr_pages(),
		.vmalloc_tables = vmalloc_pgtable_alloc.nr_tables,
		.kernel_tables = kernel_pgtable_alloc.nr_tables,
	};
	struct vm_struct *vm;

	list_for_each_entry(vm, &vmap_area_list, list)
		c.areas++;
	return c;
}

static int expect_counts(const struct vm_counts *a)
{
	struct vm_counts b = vm_counts();

	ST_EXPECT_EQ(b.free_pages, a->free_pages);
	ST_EXPECT_EQ(b.vmalloc_pages, a->vmalloc_pages);
	ST_EXPECT_EQ(b.vmalloc_tables, a->vmalloc_tables);
	ST_EXPECT_EQ(b.kernel_tables, a->kernel_tables);
	ST_EXPECT_EQ(b.areas, a->areas);
	return 0;
}

/* Every page of [va, va + size) faults on read. */
static int expect_unmapped(u64 va, u64 size)
{
	u64 v;

	for (u64 off = 0; off < size; off += PAGE_SIZE)
		ST_EXPECT_EQ(probe_read((void *)(va + off), &v), -EFAULT);
	return 0;
}

/* Write a word into every page through @va, read each back. */
static int expect_rw(u64 va, u64 size)
{
	u64 v;

	for (u64 off = 0; off < size; off += PAGE_SIZE)
		ST_EXPECT_EQ(probe_write((void *)(va + off), va ^ off), 0);
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		ST_EXPECT_EQ(probe_read((void *)(va + off), &v), 0);
		ST_EXPECT(v == (va ^ off));
	}
	return 0;
}

static int leaf_at(u64 va, struct pgtable_unit *u)
{
	return pgtable_leaf_unit(&swapper_pg, va, u);
}

/* Base pages: mapped, the guard page faults; after vfree everything faults. */
SELFTEST(vmalloc_vfree_faults)
{
	struct vm_counts c0 = vm_counts();
	u64 size = 3 * PAGE_SIZE + 1, mapped = 4 * PAGE_SIZE;
	char *p = vmalloc(size);
	struct vm_struct *area = find_vm_area(p);
	struct pgtable_unit u;

	ST_EXPECT(p && area && area->addr == p);
	ST_EXPECT_EQ(get_vm_area_size(area), mapped);
	ST_EXPECT_EQ(area->nr_pages, 4);
	ST_EXPECT_EQ(expect_rw((u64)p, mapped), 0);
	ST_EXPECT_EQ(leaf_at((u64)p, &u), 0);
	ST_EXPECT_EQ(u.level, PGTABLE_LAST_LEVEL);
	ST_EXPECT(!u.cont);
	ST_EXPECT_EQ(expect_unmapped((u64)p + mapped, PAGE_SIZE), 0);
	ST_EXPECT(vmalloc_to_page(p + PAGE_SIZE) != NULL);
	vfree(p);
	ST_EXPECT_EQ(expect_unmapped((u64)p, mapped), 0);
	return expect_counts(&c0);
}

/*
 * A huge area of one block, one contiguous run and one page: the block
 * part is a block leaf when a free block exists (64K needs 512 MiB free and
 * aligned), base pages otherwise; the run and the page are always there.
 */
SELFTEST(vmalloc_huge_leaves_then_faults)
{
	u64 block = level_size(2), run = arch_cont_entries(3) * PAGE_SIZE;
	u64 size = block + run + PAGE_SIZE;
	struct vm_counts c0 = vm_counts();
	char *p = vmalloc_huge(size, GFP_KERNEL);
	struct pgtable_unit u;

	ST_EXPECT(p);
	ST_EXPECT(find_vm_area(p)->flags & VM_HUGE_PAGES);
	ST_EXPECT_EQ(leaf_at((u64)p, &u), 0);
	if (u.level == 2)
		ST_EXPECT_EQ(u.size, block);
	else
		printk("# no free %llu MiB block: the block part fell back to pages\n",
		       (unsigned long long)(block >> 20));
	ST_EXPECT_EQ(leaf_at((u64)p + block, &u), 0);
	ST_EXPECT(u.cont && u.size == run && u.va == (u64)p + block);
	ST_EXPECT_EQ(leaf_at((u64)p + block + run, &u), 0);
	ST_EXPECT(!u.cont && u.level == 3);
	ST_EXPECT_EQ(expect_rw((u64)p, size), 0);
	ST_EXPECT_EQ(expect_unmapped((u64)p + size, PAGE_SIZE), 0);
	vfree(p);
	ST_EXPECT_EQ(expect_unmapped((u64)p, size), 0);
	return expect_counts(&c0);
}

/*
 * set_memory_ro on part of a contiguous run is refused, on the whole run it
 * reaches the MMU (writes fault, reads work), set_memory_rw undoes it.
 */
SELFTEST(vmalloc_set_memory_whole_units_only)
{
	u64 run = arch_cont_entries(3) * PAGE_SIZE;
	unsigned int n = run / PAGE_SIZE;
	struct vm_counts c0 = vm_counts();
	char *p = vmalloc_huge(run + PAGE_SIZE, GFP_KERNEL);
	u64 va = (u64)p, v;

	ST_EXPECT(p);
	ST_EXPECT_EQ(set_memory_ro(va, 1), -EINVAL);
	ST_EXPECT_EQ(set_memory_ro(va + PAGE_SIZE, n), -EINVAL);
	ST_EXPECT_EQ(probe_write(p, 1), 0);
	ST_EXPECT_EQ(set_memory_ro(va, n), 0);
	ST_EXPECT_EQ(probe_write(p + run - 8, 2), -EFAULT);
	ST_EXPECT_EQ(probe_read(p, &v), 0);
	ST_EXPECT(v == 1);
	/* The page after the run is its own unit: it stays writable. */
	ST_EXPECT_EQ(probe_write(p + run, 3), 0);
	ST_EXPECT_EQ(set_memory_ro(va + run, 1), 0);
	ST_EXPECT_EQ(probe_write(p + run, 4), -EFAULT);
	/* Past the area (into the guard page): refused. */
	ST_EXPECT_EQ(set_memory_ro(va + run, 2), -EINVAL);
	ST_EXPECT_EQ(set_memory_rw(va, n + 1), 0);
	ST_EXPECT_EQ(probe_write(p + run - 8, 5), 0);
	ST_EXPECT_EQ(probe_write(p + run, 6), 0);
	vfree(p);
	ST_EXPECT_EQ(expect_unmapped(va, run + PAGE_SIZE), 0);
	return expect_counts(&c0);
}

/* vmap() of one higher-order allocation maps it as one contiguous run. */
SELFTEST(vmap_higher_order_takes_a_run)
{
	unsigned int order = __builtin_ctz(arch_cont_entries(3)), n = 1U << order;
	struct page *page = alloc_pages_node(0, order, GFP_KERNEL), *pages[128];
	struct vm_counts c0;
	struct pgtable_unit u;
	u64 *lin, v;
	char *p;

	ST_EXPECT(page && n <= ARRAY_SIZE(pages));
	c0 = vm_counts();
	for (unsigned int i = 0; i < n; i++)
		pages[i] = page + i;
	p = vmap(pages, n, VM_MAP, PAGE_KERNEL);
	ST_EXPECT(p);
	ST_EXPECT_EQ(leaf_at((u64)p, &u), 0);
	ST_EXPECT(u.cont && u.size == n * PAGE_SIZE);
	lin = __va((phys_addr_t)page_to_pfn(page) << PAGE_SHIFT);
	lin[n * PAGE_SIZE / 8 - 1] = 0x1234;
	ST_EXPECT_EQ(probe_read(p + n * PAGE_SIZE - 8, &v), 0);
	ST_EXPECT(v == 0x1234);
	ST_EXPECT(vmalloc_to_page(p + PAGE_SIZE) == page + 1);
	/* Not vmalloc memory: set_memory refuses it. */
	ST_EXPECT_EQ(set_memory_ro((u64)p, n), -EINVAL);
	vunmap(p);
	ST_EXPECT_EQ(expect_unmapped((u64)p, n * PAGE_SIZE), 0);
	ST_EXPECT_EQ(expect_counts(&c0), 0);
	free_pages(page, order);
	return 0;
}
