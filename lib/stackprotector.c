// SPDX-License-Identifier: GPL-2.0
/*
 * The stack protector's guard and failure hook. Debian's libfdt.a is built
 * with -fstack-protector-strong; the kernel itself is not. The guard is set
 * once, from /chosen/rng-seed when the DT has one, before the first libfdt
 * call, and never changed (a change would fail every frame live at the time).
 */
#include <kernel/panic.h>
#include <lib/stackprotector.h>

unsigned long __stack_chk_guard = 0x5eed0fba11ad5a1eUL;

void __stack_chk_fail(void)
{
	panic("stack protector: a libfdt stack frame was corrupted");
}

void stack_protector_init(unsigned long seed)
{
	/* Keep a zero byte so that string overflows cannot forge it. */
	__stack_chk_guard = (seed ^ 0x5eed0fba11ad5a1eUL) & ~0xffUL;
}
