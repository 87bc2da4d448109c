# mm/vmalloc.c and mm/pageattr.c with the real mm/pgtable.c, mm/ptdump.c and
# fault injection, over the fake arch (break-before-make checker, host
# mappings of live leaves) and fake/fake_vmemmap_ram.c (a recording buddy
# allocator and the kernel globals).
UNIT_TESTS += vmalloc
vmalloc-srcs := mm/vmalloc.c mm/pageattr.c mm/pgtable.c mm/ptdump.c mm/fault_inject.c \
	tests/unit/fake/fake_vmemmap_ram.c tests/unit/fake/fake_arch.c tests/unit/fake/fake_phys.c \
	tests/unit/fake/stubs.c

# The framework does not track headers; rebuild when the ones used here change.
$(B)/unit/vmalloc: include/mm/vmalloc.h include/mm/pgtable.h include/mm/ptdump.h \
	include/mm/sparse.h include/mm/page_alloc.h include/mm/fault_inject.h include/mm/mmu.h \
	include/mm/mm_types.h include/mm/mmzone.h include/arch/pgtable.h include/arch/sparsemem.h \
	include/arch/tlbflush.h include/arch/irqflags.h include/mm/fixmap.h include/kernel/panic.h \
	include/layout.h include/lib/kernel.h include/lib/list.h
