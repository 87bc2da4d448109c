/* SPDX-License-Identifier: GPL-2.0 */
/* Fatal errors (kernel/panic.c) and the kernel's own invariants. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <lib/kernel.h>

void __noreturn panic(const char *fmt, ...) __printf(1, 2);
/* Stop this CPU for good: interrupts masked, wfi forever. */
void __noreturn halt(void);

#define BUG_ON(cond) do { \
	if (unlikely(cond)) \
		panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
} while (0)

#endif
