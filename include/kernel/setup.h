/* SPDX-License-Identifier: GPL-2.0 */
/* What start_kernel() learnt, for the shell's commands. */
#ifndef KERNEL_SETUP_H
#define KERNEL_SETUP_H

#include <drivers/fdt.h>

extern struct dt_info dt;		/* the DT, as drivers/fdt.c read it */
extern u64 boot_to_prompt_us;

#endif
