/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory-model constants that arm64 Linux ties to the granule
 * (arch/arm64/include/asm/sparsemem.h, arch/arm64/Kconfig): the section size
 * and the buddy allocator's largest order. SECTION_SIZE_BITS may be set by
 * the build (make SECTION_SIZE_BITS=N).
 */
#ifndef ARCH_SPARSEMEM_H
#define ARCH_SPARSEMEM_H

#include <layout.h>

#ifndef SECTION_SIZE_BITS
#define SECTION_SIZE_BITS	(PAGE_SHIFT == 16 ? 29 : 27)	/* 512 MiB / 128 MiB */
#endif
_Static_assert(SECTION_SIZE_BITS >= 21 && SECTION_SIZE_BITS <= 36,
	       "a section holds whole 2 MiB subsections, at most 64 GiB");

/* Physical addresses hotmm's section table covers: 1 TiB. */
#define MAX_PHYSMEM_BITS	40

/* ARCH_FORCE_MAX_ORDER, inclusive as in Linux >= 6.4: 4 MiB, 32 MiB, 512 MiB blocks. */
#define ARCH_MAX_PAGE_ORDER	(PAGE_SHIFT == 12 ? 10 : PAGE_SHIFT == 14 ? 11 : 13)
/*
 * A buddy block never spans sections. A smaller SECTION_SIZE_BITS than the
 * granule's default (64K with 28: 256 MiB sections, the geometry of seed
 * 003) clamps the largest order to the section, as architectures with small
 * sections configure it.
 */
#define MAX_PAGE_ORDER		(ARCH_MAX_PAGE_ORDER + PAGE_SHIFT <= SECTION_SIZE_BITS ? \
				 ARCH_MAX_PAGE_ORDER : SECTION_SIZE_BITS - PAGE_SHIFT)

_Static_assert(MAX_PAGE_ORDER + PAGE_SHIFT <= SECTION_SIZE_BITS,
	       "a buddy block must fit in a section");

#endif
