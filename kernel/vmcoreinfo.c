// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers a debugger needs that C keeps in macros, which debug info does not
 * describe. Linux hands them to crash tools as vmcoreinfo; here they are one
 * struct that scripts/gdb/hotmm.py reads by field name. A field whose macro
 * is renamed or removed breaks the build here, not the GDB helpers later.
 * Nothing in the kernel reads it.
 */
#include <layout.h>
#include <arch/pgtable.h>
#include <arch/sparsemem.h>
#include <mm/memblock.h>
#include <mm/mm_types.h>
#include <mm/mmzone.h>
#include <mm/sparse.h>

struct vmcoreinfo {
	unsigned long page_shift;
	unsigned long va_bits;
	/* The VA map (include/layout.h). */
	unsigned long page_offset, kimage_vaddr, vmalloc_start, vmemmap_start, vmemmap_end;
	unsigned long io_start;
	unsigned long fixaddr_start;
	/* Sections and the page allocator (include/mm/sparse.h, mmzone.h). */
	unsigned long section_size_bits, subsection_shift, max_physmem_bits, max_page_order;
	unsigned long section_marked_present, section_has_mem_map, section_is_online;
	unsigned long section_is_early, section_deferred;
	/* struct page flags: node and zone fields (include/mm/mm_types.h). */
	unsigned long page_nid_shift, page_nid_mask, page_zone_shift, page_zone_mask;
	unsigned long memblock_nomap;
	/* The pageblock byte (include/mm/mmzone.h). */
	unsigned long pb_isolate, pb_mt_mask;
	/* Never read: they make the compiler describe these enums to GDB. */
	enum pageflags pageflags;
	enum migratetype migratetype;
	enum zone_type zone_type;
};

const struct vmcoreinfo vmcoreinfo __attribute__((used)) = {
	.page_shift = PAGE_SHIFT,
	.va_bits = VA_BITS,
	.page_offset = PAGE_OFFSET,
	.kimage_vaddr = KIMAGE_VADDR,
	.vmalloc_start = VMALLOC_START,
	.vmemmap_start = VMEMMAP_START,
	.vmemmap_end = VMEMMAP_END,
	.io_start = IO_START,
	.fixaddr_start = FIXADDR_START,
	.section_size_bits = SECTION_SIZE_BITS,
	.subsection_shift = SUBSECTION_SHIFT,
	.max_physmem_bits = MAX_PHYSMEM_BITS,
	.max_page_order = MAX_PAGE_ORDER,
	.section_marked_present = SECTION_MARKED_PRESENT,
	.section_has_mem_map = SECTION_HAS_MEM_MAP,
	.section_is_online = SECTION_IS_ONLINE,
	.section_is_early = SECTION_IS_EARLY,
	.section_deferred = SECTION_DEFERRED,
	.page_nid_shift = PAGE_NID_SHIFT,
	.page_nid_mask = PAGE_NID_MASK,
	.page_zone_shift = PAGE_ZONE_SHIFT,
	.page_zone_mask = PAGE_ZONE_MASK,
	.memblock_nomap = MEMBLOCK_NOMAP,
	.pb_isolate = PB_ISOLATE,
	.pb_mt_mask = PB_MT_MASK,
	.pageflags = NR_PAGEFLAGS,
	.migratetype = MIGRATE_TYPES,
	.zone_type = MAX_NR_ZONES,
};
