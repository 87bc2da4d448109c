// SPDX-License-Identifier: GPL-2.0
/* The counter and printk for host tests (fake_clock.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fake/fake_clock.h"
#include <arch/timer.h>
#include <kernel/printk.h>

u64 fake_clock_now;
u64 fake_clock_step = 1000;
char fake_printk_last[512];
unsigned long fake_printk_lines;

void fake_clock_reset(void)
{
	fake_clock_now = 0;
	fake_clock_step = 1000;
	fake_printk_last[0] = 0;
	fake_printk_lines = 0;
}

u64 arch_counter_read(void)
{
	fake_clock_now += fake_clock_step;
	return fake_clock_now;
}

u64 arch_counter_freq(void)
{
	return 1000000000ULL;
}

int vprintk(const char *fmt, va_list ap)
{
	int len = vsnprintf(fake_printk_last, sizeof(fake_printk_last), fmt, ap);

	fake_printk_lines++;
	return len;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vprintk(fmt, ap);
	va_end(ap);
	return len;
}
