/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 Linux Image header (Documentation/arch/arm64/booting.rst), so
 * QEMU's -kernel and any arm64 loader take hotmm.bin as a kernel. Data, not
 * code: its image_size is a link-time constant.
 */
#include <layout.h>

#if PAGE_SHIFT == 12
#define HEAD_PAGE_FLAG	1
#elif PAGE_SHIFT == 14
#define HEAD_PAGE_FLAG	2
#else
#define HEAD_PAGE_FLAG	3
#endif

	.section ".head.header", "ax"
	.globl	_head
_head:
	b	primary_entry			/* code0 */
	.long	0				/* code1 */
	.quad	0				/* text_offset: 2 MiB into RAM */
	.quad	_kernel_size_le			/* image_size, .bss included */
	/* flags: little-endian, page size, placement anywhere */
	.quad	(HEAD_PAGE_FLAG << 1) | (1 << 3)
	.quad	0, 0, 0				/* res2..res4 */
	.ascii	"ARM\x64"			/* magic */
	.long	0				/* res5: no PE header */
