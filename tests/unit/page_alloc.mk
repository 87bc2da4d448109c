# mm/page_alloc.c, mm/mm_init.c and mm/deferred_init.c with the real memblock
# and fault injection, over a fake sparse layer (fake/fake_sparse.c): a
# poisoned host memmap that faults outside valid (sub)sections, initialised by
# the real memmap_init(), __va() into a sparse host mapping when a test asks
# for data; a counter that moves on at every read (fake/fake_clock.c).
# mm_init_test (the template writer) links the same harness.
PAGE_ALLOC_HARNESS := mm/page_alloc.c mm/page_isolation.c mm/mm_init.c mm/deferred_init.c \
	mm/memblock.c mm/fault_inject.c \
	tests/unit/fake/fake_sparse.c tests/unit/fake/fake_clock.c tests/unit/fake/stubs.c
UNIT_TESTS += page_alloc mm_init
page_alloc-srcs := $(PAGE_ALLOC_HARNESS)
mm_init-srcs := $(PAGE_ALLOC_HARNESS)

# The framework does not track headers; rebuild when the ones used here change.
$(B)/unit/page_alloc $(B)/unit/mm_init: include/mm/page_alloc.h include/mm/deferred_init.h \
	include/mm/mmzone.h include/mm/mm_types.h include/mm/sparse.h include/mm/memblock.h include/mm/fault_inject.h include/mm/mmu.h \
	include/mm/memory_hotplug.h include/mm/pfn.h include/mm/numa.h mm/internal.h \
	include/arch/sparsemem.h include/arch/pgtable.h include/lib/list.h include/lib/bitmap.h \
	include/layout.h include/lib/kernel.h tests/unit/fake/fake_sparse.h tests/unit/fake/fake_clock.h
