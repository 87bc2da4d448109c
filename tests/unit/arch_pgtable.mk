# arch/aarch64/pgtable.c, the kernel's own descriptor encoders, on the host
# against descriptors written by hand from the Arm ARM.
UNIT_TESTS += arch_pgtable
arch_pgtable-srcs := arch/aarch64/pgtable.c
arch_pgtable-cflags := -Iarch/aarch64/include

# The framework does not track headers; rebuild when the ones used here change.
$(B)/unit/arch_pgtable: include/arch/pgtable.h arch/aarch64/include/asm/pgtable-hwdef.h \
	include/layout.h include/lib/kernel.h
