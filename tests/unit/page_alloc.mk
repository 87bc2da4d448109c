# mm/page_alloc.c with the real memblock and fault injection, over a fake
# sparse layer (fake/fake_sparse.c): a host memmap that faults outside
# valid (sub)sections, initialised by the real memmap_init_range(), __va() into a sparse
# host mapping when a test asks for data.
UNIT_TESTS += page_alloc
page_alloc-srcs := mm/page_alloc.c mm/page_isolation.c mm/mm_init.c \
	mm/memblock.c mm/fault_inject.c \
	tests/unit/fake/fake_sparse.c tests/unit/fake/stubs.c

# The framework does not track headers; rebuild when the ones used here change.
$(B)/unit/page_alloc: include/mm/page_alloc.h include/mm/mmzone.h include/mm/mm_types.h \
	include/mm/sparse.h include/mm/memblock.h include/mm/fault_inject.h include/mm/mmu.h \
	include/mm/memory_hotplug.h include/mm/pfn.h include/mm/numa.h mm/internal.h \
	include/arch/sparsemem.h include/arch/pgtable.h include/lib/list.h include/lib/bitmap.h \
	include/layout.h include/lib/kernel.h
