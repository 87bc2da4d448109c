# mm/pgtable.c over the fake arch (DESIGN §6): fake physical memory in a
# memfd, scrambled descriptors, host mmap()s that follow the live leaves,
# and a break-before-make / contiguous-run / table-lifetime checker.
UNIT_TESTS += pgtable
pgtable-srcs := mm/pgtable.c tests/unit/fake/fake_arch.c tests/unit/fake/fake_phys.c \
	tests/unit/fake/fake_nomemmap.c \
	tests/unit/fake/stubs.c

# The framework does not track headers; rebuild when the ones used here change.
$(B)/unit/pgtable: include/mm/pgtable.h include/arch/pgtable.h include/arch/tlbflush.h \
	include/arch/irqflags.h include/mm/fixmap.h include/kernel/panic.h include/layout.h \
	include/lib/kernel.h
