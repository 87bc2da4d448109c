/* SPDX-License-Identifier: GPL-2.0 */
/* Text symbols linked into the image (scripts/kallsyms.py, two-pass link). */
#ifndef KERNEL_KALLSYMS_H
#define KERNEL_KALLSYMS_H

#include <lib/types.h>

/* The function containing @addr, with @addr's offset into it; NULL if none. */
const char *kallsyms_lookup(u64 addr, u64 *offset);
/* Address of the text symbol @name, or 0. */
u64 kallsyms_lookup_name(const char *name);
/* "name+0x1c" (or the bare address) into @buf. */
const char *kallsyms_format(u64 addr, char *buf, size_t size);

#endif
