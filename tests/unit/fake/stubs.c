// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel services the code under test calls, for host tests: a fatal
 * path (panic, BUG_ON) fails the running test instead of halting
 * (coreboot's tests/stubs/die.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include <kernel/panic.h>

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail_msg("panic: %s", msg);
	abort();
}

void halt(void)
{
	fail_msg("halt");
	abort();
}
