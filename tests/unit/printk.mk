# kernel/printk.c (the console and the kernel log) with lib/vsprintf.c, a
# fake counter and a console that keeps what it is given (in the test).
UNIT_TESTS += printk
printk-srcs := kernel/printk.c lib/vsprintf.c lib/string.c
printk-cflags := $(lib-unit-cflags)

# The framework does not track headers; rebuild when the ones used here change.
$(B)/unit/printk: include/kernel/printk.h include/arch/timer.h include/arch/irqflags.h \
	include/lib/printf.h include/lib/kernel.h
