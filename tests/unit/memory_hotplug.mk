# Memory hotplug's rollback on the host (issue 9): the real mm/ from
# paging_init() on -- memory_hotplug.c, memory_block.c, memmap_on_memory.c,
# sparse.c, vmemmap.c, pgtable.c, mmu.c, page_alloc.c, page_isolation.c,
# mm_init.c, deferred_init.c, migrate.c, memblock.c, fault_inject.c -- over the fake arch
# (break-before-make checker, host mappings of live leaves) and fake
# physical memory reaching 1 TiB (a sparse memfd). Faked, because it cannot
# run on the host: the CPU (fake_arch.c), the fixmap and physical memory
# (fake_phys.c, which also records the tables mm/'s own allocators hand
# out), and what paging_init() needs of the rest of the kernel
# (fake_kernel.c: printk, the counter, an image of no size). No allocation
# is faked: every one reaches should_fail() where the kernel's does.
# fake_views.h makes mm/ read the memmap and page contents through the host
# windows of the vmemmap and the linear map.
UNIT_TESTS += memory_hotplug
memory_hotplug-srcs := mm/memory_hotplug.c mm/memory_block.c mm/memmap_on_memory.c \
	mm/sparse.c mm/vmemmap.c mm/pgtable.c mm/mmu.c mm/page_alloc.c mm/page_isolation.c \
	mm/mm_init.c mm/deferred_init.c mm/migrate.c mm/memblock.c mm/fault_inject.c \
	tests/unit/fake/fake_arch.c tests/unit/fake/fake_phys.c tests/unit/fake/fake_kernel.c \
	tests/unit/fake/stubs.c
# paging_init() maps the image between linker symbols; fake_kernel.c makes
# them one address, but _end is the host linker's own, so init_stack (the
# start of the last part) goes above everything, an absolute address that
# -no-pie keeps as it is: no part of the image is mapped.
memory_hotplug-cflags := -include tests/unit/fake/fake_views.h \
	-DFAKE_PHYS_SIZE='((1UL << 40) - FAKE_PHYS_BASE)' \
	-no-pie -Wl,--defsym=init_stack=0xfffffffffffff000

# The framework does not track headers; rebuild when the ones used here change.
$(B)/unit/memory_hotplug: include/mm/memory_hotplug.h include/mm/memory.h \
	include/mm/memmap_on_memory.h include/mm/sparse.h include/mm/vmemmap.h \
	include/mm/pgtable.h include/mm/mmu.h include/mm/page_alloc.h include/mm/mmzone.h \
	include/mm/mm_types.h include/mm/memblock.h include/mm/fault_inject.h \
	include/mm/migrate.h include/mm/deferred_init.h include/mm/fixmap.h include/mm/pfn.h include/mm/numa.h \
	mm/internal.h include/arch/pgtable.h include/arch/sparsemem.h include/arch/tlbflush.h \
	include/arch/irqflags.h include/arch/mmu.h include/kernel/panic.h \
	include/kernel/printk.h include/layout.h include/lib/kernel.h include/lib/list.h \
	include/lib/bitmap.h
