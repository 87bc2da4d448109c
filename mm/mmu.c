// SPDX-License-Identifier: GPL-2.0
/*
 * The final kernel page tables (DESIGN §4), built once memblock knows the
 * memory, then swapped in for the early ones from the identity map.
 */
#include <arch/mmu.h>
#include <kernel/boot.h>
#include <kernel/panic.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/fault_inject.h>
#include <mm/fixmap.h>
#include <mm/memblock.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>

phys_addr_t memstart_addr;
u64 kimage_voffset;
struct pgtable swapper_pg;
struct mmu_stats mmu_stats;

/*
 * The kernel's own tables (linear map, image, I/O): from memblock at boot,
 * from the buddy allocator once memblock has handed over, and back there.
 */
static phys_addr_t kernel_pgt_alloc(struct pgtable_alloc *a, int level, u64 va)
{
	if (should_fail(FAIL_PGTABLE))
		return 0;
	return kernel_pages_alloc(PAGE_SIZE, NUMA_NO_NODE, "pgtable");
}

static void kernel_pgt_free(struct pgtable_alloc *a, phys_addr_t table, int level)
{
	kernel_pages_free(table, PAGE_SIZE);
}

struct pgtable_alloc kernel_pgtable_alloc = {
	.alloc = kernel_pgt_alloc,
	.free = kernel_pgt_free,
	.name = "kernel",
};

static void map_or_panic(u64 va, phys_addr_t pa, u64 size, pgprot_t prot,
			 unsigned int flags, const char *what)
{
	int ret = pgtable_map(&swapper_pg, va, pa, size, prot, flags,
			      &kernel_pgtable_alloc);

	if (ret)
		panic("paging_init: mapping %s [%#llx, +%#llx) failed: %d",
		      what, (unsigned long long)pa, (unsigned long long)size, ret);
}

/* Every memory region except no-map ones, at PAGE_OFFSET + (pa - memstart). */
static void map_linear(void)
{
	unsigned long before = kernel_pgtable_alloc.nr_tables;

	for_each_mem_region(r) {
		if (r->flags & MEMBLOCK_NOMAP)
			continue;
		map_or_panic((u64)__va(r->base), r->base, r->size, PAGE_KERNEL, 0,
			     "linear map");
	}
	mmu_stats.linear_tables = kernel_pgtable_alloc.nr_tables - before;
}

static void map_image_part(char *start, char *end, pgprot_t prot, const char *what)
{
	if (end > start)
		map_or_panic((u64)start, __pa_symbol(start), end - start, prot,
			     PGT_NO_BLOCKS, what);
}

/* W^X: text RX, rodata R, data and bss RW+NX, the stack guard page unmapped. */
static void map_image(void)
{
	unsigned long before = kernel_pgtable_alloc.nr_tables;

	map_image_part(_text, _etext, PAGE_KERNEL_ROX, "text");
	map_image_part(__start_rodata, __end_rodata, PAGE_KERNEL_RO, "rodata");
	map_image_part(_data, init_stack_guard, PAGE_KERNEL, "data");
	map_image_part(init_stack, _end, PAGE_KERNEL, "stack");
	mmu_stats.image_tables = kernel_pgtable_alloc.nr_tables - before;
}

static void map_fixmap(void)
{
	u64 span = level_size(PGTABLE_LAST_LEVEL - 1);

	for (unsigned int i = 0; i < fixmap_nr_tables(); i++) {
		u64 va = ALIGN_DOWN(FIXADDR_START, span) + i * span;
		int ret = pgtable_install_table(&swapper_pg, va, PGTABLE_LAST_LEVEL,
						fixmap_table_phys(i), &kernel_pgtable_alloc);

		if (ret)
			panic("paging_init: fixmap table %u: %d", i, ret);
	}
}

void paging_init(void)
{
	memstart_addr = ALIGN_DOWN(memblock_start_of_DRAM(), arch_memstart_align());
	swapper_pg.root = memblock_phys_alloc(PAGE_SIZE, PAGE_SIZE, "pgtable");
	if (!swapper_pg.root)
		panic("paging_init: no memory for the kernel's root table");
	{
		pte_t *t = fixmap_set(FIX_SCRATCH, swapper_pg.root, PAGE_KERNEL);

		for (unsigned long i = 0; i < PTRS_PER_TABLE; i++)
			t[i] = 0;
		fixmap_clear(FIX_SCRATCH);
	}
	kernel_pgtable_alloc.nr_tables++;
	map_linear();
	map_image();
	map_fixmap();
	arch_switch_kernel_tables(swapper_pg.root);
}

void *ioremap(phys_addr_t pa, u64 size)
{
	static u64 next = IO_START;
	u64 offset = pa & (PAGE_SIZE - 1);
	u64 len = ALIGN(offset + size, PAGE_SIZE);
	u64 va = next;

	if (len > IO_START + IO_SIZE - next)
		return NULL;
	if (pgtable_map(&swapper_pg, va, pa - offset, len, PAGE_DEVICE,
			PGT_NO_BLOCKS, &kernel_pgtable_alloc))
		return NULL;
	next += len + PAGE_SIZE;	/* a guard page between mappings */
	return (void *)(va + offset);
}
