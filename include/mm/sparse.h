/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPARSEMEM_VMEMMAP (mm/sparse.c): physical memory in sections, the memmap
 * of every present section at vmemmap[pfn]. A section is present (memory
 * exists), has a memmap (its struct pages are mapped) and may be online, as
 * in Linux; 2 MiB subsections record which parts of a section hold memory.
 * A boot ("early") section has a memmap for all of its pages, holes
 * included, but its subsection bits mark only the memory; hot-add works in
 * subsections and maps only their memmap.
 */
#ifndef MM_SPARSE_H
#define MM_SPARSE_H

#include <arch/sparsemem.h>
#include <lib/bitmap.h>
#include <mm/mm_types.h>

struct pgtable_alloc;

#define PFN_SECTION_SHIFT	(SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION	(1UL << PFN_SECTION_SHIFT)
#define PAGE_SECTION_MASK	(~(PAGES_PER_SECTION - 1))
#define NR_MEM_SECTIONS		(1UL << (MAX_PHYSMEM_BITS - SECTION_SIZE_BITS))

#define SUBSECTION_SHIFT	21	/* Linux's fixed 2 MiB, whatever the granule */
#define PFN_SUBSECTION_SHIFT	(SUBSECTION_SHIFT - PAGE_SHIFT)
#define PAGES_PER_SUBSECTION	(1UL << PFN_SUBSECTION_SHIFT)
#define SUBSECTIONS_PER_SECTION	(1UL << (SECTION_SIZE_BITS - SUBSECTION_SHIFT))

/* Section states (Linux's section_mem_map flags). */
#define SECTION_MARKED_PRESENT	(1UL << 0)
#define SECTION_HAS_MEM_MAP	(1UL << 1)
#define SECTION_IS_ONLINE	(1UL << 2)
#define SECTION_IS_EARLY	(1UL << 3)	/* boot memory: whole section */
/*
 * hotmm's: boot memory whose struct pages wait for deferred init
 * (mm/deferred_init.c); only its reserved pages are initialised. Linux
 * keeps one pgdat->first_deferred_pfn instead and initialises in pfn order;
 * a flag per section lets `pfn N` initialise just the section it needs.
 */
#define SECTION_DEFERRED	(1UL << 4)

struct vmem_altmap;

struct mem_section {
	unsigned long flags;
	int nid;
	unsigned long subsection_map[(SUBSECTIONS_PER_SECTION + 63) / 64];
	/*
	 * Where the memmap of the section's hot-added subsections came from:
	 * the altmap of the memory block that holds it, or NULL (the page
	 * allocator; boot memmap is memblock's). Teardown reads it here, so it
	 * never depends on a caller passing the right altmap.
	 */
	struct vmem_altmap *altmap;
};

extern struct mem_section mem_section[NR_MEM_SECTIONS];
/* struct page of pfn p is vmemmap[p]: vmemmap = VMEMMAP_START - memstart pfn. */
extern struct page *vmemmap;

/*
 * Where the memmap is read: at VMEMMAP_START, where the vmemmap maps it.
 * Host tests, which cannot dereference kernel addresses, define this to the
 * host window that shows the same pages (tests/unit/fake/fake_views.h).
 */
#ifndef vmemmap_view
#define vmemmap_view()		((struct page *)VMEMMAP_START)
#endif

static inline unsigned long pfn_to_section_nr(unsigned long pfn)
{
	return pfn >> PFN_SECTION_SHIFT;
}

static inline unsigned long section_nr_to_pfn(unsigned long nr)
{
	return nr << PFN_SECTION_SHIFT;
}

static inline struct mem_section *__pfn_to_section(unsigned long pfn)
{
	unsigned long nr = pfn_to_section_nr(pfn);

	return nr < NR_MEM_SECTIONS ? &mem_section[nr] : NULL;
}

static inline unsigned long subsection_index(unsigned long pfn)
{
	return (pfn & ~PAGE_SECTION_MASK) >> PFN_SUBSECTION_SHIFT;
}

#define pfn_to_page(pfn)	(vmemmap + (pfn))
#define page_to_pfn(page)	((unsigned long)((page) - vmemmap))

/*
 * memmap_va() - the kernel VA of @pfn's struct page: what the vmemmap's
 * page tables map there. In the kernel it is pfn_to_page() as a number;
 * page-table code takes this one, so a host test can read the memmap
 * elsewhere (vmemmap_view()) while the tables it builds are the kernel's.
 */
static inline unsigned long memmap_va(unsigned long pfn)
{
	return (unsigned long)pfn_to_page(pfn) - (unsigned long)vmemmap_view() + VMEMMAP_START;
}

static inline bool present_section_nr(unsigned long nr)
{
	return nr < NR_MEM_SECTIONS && (mem_section[nr].flags & SECTION_MARKED_PRESENT);
}

static inline bool valid_section_nr(unsigned long nr)
{
	return nr < NR_MEM_SECTIONS && (mem_section[nr].flags & SECTION_HAS_MEM_MAP);
}

static inline bool online_section_nr(unsigned long nr)
{
	return nr < NR_MEM_SECTIONS && (mem_section[nr].flags & SECTION_IS_ONLINE);
}

static inline bool early_section(const struct mem_section *ms)
{
	return ms->flags & SECTION_IS_EARLY;
}

/* Whether section @nr's struct pages still wait for deferred init (some of them may be done). */
static inline bool section_deferred(unsigned long nr)
{
	return nr < NR_MEM_SECTIONS && (mem_section[nr].flags & SECTION_DEFERRED);
}

/* Whether @pfn's subsection holds memory (for boot sections: memory, not a hole). */
static inline bool pfn_section_valid(const struct mem_section *ms, unsigned long pfn)
{
	return test_bit(subsection_index(pfn), ms->subsection_map);
}

/*
 * Whether @pfn has a struct page: an early section's memmap covers all of
 * it (as in Linux, holes have struct pages), others by subsection.
 */
static inline bool pfn_valid(unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(pfn);

	if (!ms || !(ms->flags & SECTION_HAS_MEM_MAP))
		return false;
	return early_section(ms) || pfn_section_valid(ms, pfn);
}

/*
 * pfn_to_online_page() - the struct page of @pfn if it is memory of an
 * online section, else NULL (Linux's: holes of an early section are not
 * memory, so they give NULL too).
 */
static inline struct page *pfn_to_online_page(unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(pfn);

	if (!ms || !(ms->flags & SECTION_IS_ONLINE) || !(ms->flags & SECTION_HAS_MEM_MAP))
		return NULL;
	return pfn_section_valid(ms, pfn) ? pfn_to_page(pfn) : NULL;
}

/*
 * sparse_init() - mark the sections memblock's memory touches present and
 * online (node from the region, subsection bits where memory is) and
 * populate their memmap, node by node, in whole sections; every struct page
 * starts PG_reserved (holes stay so).
 */
void sparse_init(void);

/*
 * sparse_add_section() - [start_pfn, +nr_pages), whole subsections of one
 * section, gets a memmap on node @nid (from @altmap when given; nothing is
 * mapped for a hole of a boot section, whose memmap exists; its tables from
 * @tables, or the vmemmap's own allocator when NULL) and its struct pages
 * are initialised PG_reserved | PG_offline, on @nid, ZONE_NORMAL.
 * Return: 0; -EEXIST (a subsection holds memory already); -EINVAL (not
 * whole subsections of one section, another node or altmap than the
 * section's, or a pageblock whose first pfn would have no struct page);
 * -ENOMEM (the memmap could not be mapped; nothing changed).
 */
int sparse_add_section(int nid, unsigned long start_pfn, unsigned long nr_pages,
		       struct vmem_altmap *altmap, struct pgtable_alloc *tables);
/*
 * sparse_remove_section() - the reverse: the subsections lose their memory,
 * and the vmemmap pages no remaining subsection uses are unmapped and given
 * back where they came from (the section's altmap, or the allocator).
 * Return: 0, -EINVAL (a subsection of the range holds no memory), -EBUSY
 * (the range holds the first pfn of a pageblock whose other pfns stay: the
 * pageblock's flags live there).
 */
int sparse_remove_section(unsigned long start_pfn, unsigned long nr_pages);
/* Whether a pfn of [start_pfn, end_pfn) still has a struct page (its vmemmap is in use). */
static inline bool memmap_in_use(unsigned long start_pfn, unsigned long end_pfn)
{
	for (unsigned long pfn = start_pfn & ~(PAGES_PER_SUBSECTION - 1); pfn < end_pfn;
	     pfn += PAGES_PER_SUBSECTION)
		if (pfn_valid(pfn))
			return true;
	return false;
}

/* What building the boot memmap took (for `vmemmap` and `make bench`). */
struct sparse_stats {
	u64 populate_ns;	/* vmemmap_populate() of every boot section */
	u64 init_ns;		/* initialising the struct pages at boot */
	unsigned long init_pages;	/* struct pages of the sections initialised at boot */
};
extern struct sparse_stats sparse_stats;

/* Statistics for meminfo and vmemmap. */
static inline unsigned long nr_present_sections(void)
{
	unsigned long n = 0;

	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++)
		n += present_section_nr(nr);
	return n;
}

static inline unsigned long nr_populated_sections(void)
{
	unsigned long n = 0;

	for (unsigned long nr = 0; nr < NR_MEM_SECTIONS; nr++)
		n += valid_section_nr(nr);
	return n;
}

#endif
