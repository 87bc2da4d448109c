/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot arguments from /chosen/bootargs (kernel/params.c). Each known
 * argument is validated; a bad value or an unknown name gets one warning and
 * the default stays.
 */
#ifndef KERNEL_PARAMS_H
#define KERNEL_PARAMS_H

#include <lib/types.h>

extern u64 mem_limit;				/* mem=, 0: no limit */
extern unsigned long hold_nodes;		/* hold_node=: a bit per node */

/* Parse @cmdline (not modified); print what was set, warn about the rest. */
void parse_boot_params(const char *cmdline);
/* One line per known argument: name, value, and whether the command line set it. */
void print_boot_params(void);

#endif
