/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's virtual address map (TTBR1, 48-bit VA), as one table.
 *
 *   0xffff000000000000  PAGE_OFFSET     linear map of [memstart, memstart + 2^47)
 *   0xffff800000000000  (unused: Linux's modules area)
 *   0xffff800080000000  KIMAGE_VADDR    the kernel image, its own mapping;
 *                                       linked at KIMAGE_VADDR + TEXT_OFFSET
 *   0xffff800100000000  VMALLOC_START   vmalloc area (mm/vmalloc.c), to VMALLOC_END
 *   VMEMMAP_START       ..VMEMMAP_END   struct page array, Linux 6.12 place:
 *                                       size (2^47 >> PAGE_SHIFT) * 64
 *   0xffffffffc0000000  IO_START        device registers (ioremap), 512 MiB
 *   0xfffffffffe000000  FIXADDR_START   fixmap: fixed slots (below), 4 MiB
 *   0xfffffffffe400000  FIXADDR_TOP
 *
 * Physical side: QEMU virt RAM starts at 0x40000000; the image runs at
 * PHYS_LOAD (where QEMU puts an Image whose text_offset is 0, and where the
 * firmware boot copies itself); under -bios the DTB sits at RAM_BASE.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#ifndef CONFIG_PAGE_SHIFT
#error "CONFIG_PAGE_SHIFT must be defined by the build"
#endif

#include <lib/const.h>

#define PAGE_SHIFT	CONFIG_PAGE_SHIFT
#define PAGE_SIZE	(_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define VA_BITS		48
#if CONFIG_PAGE_SHIFT == 12
#define PAGE_SIZE_NAME	"4K"
#elif CONFIG_PAGE_SHIFT == 14
#define PAGE_SIZE_NAME	"16K"
#else
#define PAGE_SIZE_NAME	"64K"
#endif

#ifndef LAYOUT_HOST_OVERRIDE	/* host tests place these in their own space */
#define PAGE_OFFSET	_AC(0xffff000000000000, UL)
#define KIMAGE_VADDR	_AC(0xffff800080000000, UL)
#define VMALLOC_START	_AC(0xffff800100000000, UL)
#define VMEMMAP_END	_AC(0xffffffffc0000000, UL)
#define VMEMMAP_SIZE	((_AC(1, UL) << (VA_BITS - 1)) >> (PAGE_SHIFT - 6))
#define VMEMMAP_START	(VMEMMAP_END - VMEMMAP_SIZE)
#define VMALLOC_END	(VMEMMAP_START - _AC(0x40000000, UL))
#define IO_START	_AC(0xffffffffc0000000, UL)
#define IO_SIZE		_AC(0x20000000, UL)
#define FIXADDR_START	_AC(0xfffffffffe000000, UL)
#define FIXADDR_SIZE	_AC(0x400000, UL)
#define FIXADDR_TOP	(FIXADDR_START + FIXADDR_SIZE)
#endif

#define TEXT_OFFSET	_AC(0x200000, UL)
#define KIMAGE_TEXT	(KIMAGE_VADDR + TEXT_OFFSET)

/* QEMU virt platform facts (../shared/notes/qemu-virt-platform.md §1). */
#define RAM_BASE	_AC(0x40000000, UL)
#define PHYS_LOAD	(RAM_BASE + TEXT_OFFSET)
#define BIOS_DTB_SIZE	_AC(0x100000, UL)	/* the 1 MiB blob QEMU puts at RAM_BASE */
#define EARLYCON_PHYS	_AC(0x09000000, UL)	/* virt's PL011, until stdout-path */
#define MAX_FDT_SIZE	_AC(0x200000, UL)

/* Kernel stack (SP_EL0) and exception stack (SP_EL1) sizes. */
#define STACK_SIZE	(PAGE_SIZE > 0x8000 ? PAGE_SIZE : _AC(0x8000, UL))
#define EXC_STACK_SIZE	(PAGE_SIZE > 0x4000 ? PAGE_SIZE : _AC(0x4000, UL))

/*
 * Fixmap slots, counted from FIXADDR_START in pages. The DTB window is
 * MAX_FDT_SIZE plus one page, so a blob at any page offset fits.
 */
#define FIX_EARLYCON	0
#define FIX_PTE_L0	1	/* one slot per translation level, for writing tables */
#define FIX_PTE_NR	4
#define FIX_SCRATCH	(FIX_PTE_L0 + FIX_PTE_NR)
#define FIX_FDT		(FIX_SCRATCH + 1)
#define FIX_FDT_PAGES	((MAX_FDT_SIZE >> PAGE_SHIFT) + 1)
#define FIX_NR_SLOTS	(FIX_FDT + FIX_FDT_PAGES)
#define fix_to_virt(slot)	(FIXADDR_START + ((unsigned long)(slot) << PAGE_SHIFT))

#endif
