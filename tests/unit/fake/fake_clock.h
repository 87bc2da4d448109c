/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic counter and printk for host tests (fake_clock.c): the counter
 * runs at 1 GHz and moves on by fake_clock_step ticks at every read, so a
 * loop bounded by time ends after a known number of reads; printk keeps the
 * last line it was given in fake_printk_last (and prints nothing).
 */
#ifndef FAKE_CLOCK_H
#define FAKE_CLOCK_H

#include <lib/types.h>

extern u64 fake_clock_now;	/* ticks (ns) */
extern u64 fake_clock_step;	/* added at every read; 0 stops the clock */
extern char fake_printk_last[512];
extern unsigned long fake_printk_lines;

void fake_clock_reset(void);

#endif
