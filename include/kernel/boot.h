/* SPDX-License-Identifier: GPL-2.0 */
/* What the entry code learnt before start_kernel(): filled with the MMU off. */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#define BOOT_MODE_KERNEL	0	/* -kernel Image: x0 holds the DTB */
#define BOOT_MODE_ELF		1	/* -kernel ELF: x0 = 0, DTB at RAM_BASE */
#define BOOT_MODE_BIOS		2	/* -bios: ran from flash, copied itself to RAM */

#ifndef __ASSEMBLY__
#include <lib/types.h>

struct boot_info {
	u64 dtb_pa;		/* 0 when no blob was found */
	u64 image_pa;		/* where _head runs */
	u64 entry_el;		/* 1 or 2 */
	u64 mode;		/* BOOT_MODE_* */
	u64 fixmap_pte_pa[4];	/* last-level tables of the fixmap (from the early pool) */
	u64 nr_fixmap_pte;
	u64 dtb_va;		/* the blob in the fixmap window */
};

extern struct boot_info boot_info;

/* Symbols the linker script defines. */
extern char _head[], _text[], _etext[], __start_rodata[], __end_rodata[];
extern char _data[], _edata[], __bss_start[], __bss_stop[], _end[];
extern char init_stack_guard[], init_stack[], init_stack_top[];
extern char exc_stack[], exc_stack_top[];
extern char __idmap_text_start[], __idmap_text_end[];

const char *boot_mode_name(u64 mode);
#endif

#endif
