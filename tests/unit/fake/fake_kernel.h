/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rest of the kernel, for host tests that run mm/ whole from
 * paging_init() on (fake_kernel.c): printk into a buffer, the counter, the
 * CPU's physical address size, the switch to the new tables (the fake arch
 * follows them from the first write), no fixmap tables to link, an image of
 * no size, and the views of fake_views.h.
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#include <lib/types.h>

/* The last line mm/ printed (level and newline stripped), and whether to echo every line. */
extern char fake_printk_last[256];
extern bool fake_printk_echo;

#endif
