// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel page tables, one implementation for every granule and level
 * (include/mm/pgtable.h). Sizes come from include/arch/pgtable.h only;
 * descriptors are made, read and written by the arch_pte_*() functions.
 *
 * A table page is reached through the fixmap slot of its level while it is
 * read or written, so a walk holds one slot per level: going down never
 * disturbs the table of the level above.
 *
 * Changes to live entries:
 *   invalid -> valid                 write, DSB ISHST (the walker sees it)
 *   valid -> invalid                 write 0, DSB ISHST, TLBI, DSB ISH
 *   permissions only                 write, DSB ISHST, TLBI, DSB ISH
 *   any other valid -> valid         break-before-make (bbm_replace()):
 *     block <-> table, cont run <-> single entries, with IRQs masked
 * and an ISB when the operation ends.
 */
#include <arch/irqflags.h>
#include <arch/tlbflush.h>
#include <lib/errno.h>
#include <kernel/panic.h>
#include <lib/kernel.h>
#include <mm/fixmap.h>
#include <mm/pfn.h>
#include <mm/pgtable.h>
#include <mm/sparse.h>

/*
 * Where each table page came from, so teardown gives it back there. Once a
 * table page has an initialised struct page, the record lives there
 * (PG_pgtable, owner = the allocator): that costs nothing and has no limit.
 * Before that (the boot tables, built before the memmap; tables carved from
 * a hot-added range, whose memmap is built after them) it sits in a small
 * open-addressing table keyed by physical address, until
 * pgtable_origins_settle() moves it into the struct page.
 */
#define ORIGIN_SLOTS	4096

struct table_origin {
	phys_addr_t pa;			/* 0: free slot */
	struct pgtable_alloc *alloc;
};

static struct table_origin origins[ORIGIN_SLOTS];
static unsigned long nr_origins;
/* Set by pgtable_origins_settle(): struct pages may hold records from now on. */
static bool origins_in_memmap;

static unsigned long origin_hash(phys_addr_t pa)
{
	return ((pa >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) >> 52 & (ORIGIN_SLOTS - 1);
}

static long origin_find(phys_addr_t pa)
{
	for (unsigned long i = origin_hash(pa), n = 0; n < ORIGIN_SLOTS;
	     i = (i + 1) & (ORIGIN_SLOTS - 1), n++) {
		if (origins[i].pa == pa)
			return i;
		if (!origins[i].pa)
			return -1;
	}
	return -1;
}

/* The struct page that can hold @pa's record, or NULL. */
static struct page *origin_page(phys_addr_t pa)
{
	unsigned long pfn = pa >> PAGE_SHIFT;

	return origins_in_memmap && pfn_valid(pfn) ? pfn_to_page(pfn) : NULL;
}

static int origin_add(phys_addr_t pa, struct pgtable_alloc *alloc)
{
	struct page *page = origin_page(pa);
	unsigned long i = origin_hash(pa);

	if (page) {
		SetPagePgtable(page);
		page->owner = (unsigned long)alloc;
		return 0;
	}
	if (nr_origins == ORIGIN_SLOTS - 1)
		return -ENOSPC;
	while (origins[i].pa)
		i = (i + 1) & (ORIGIN_SLOTS - 1);
	origins[i].pa = pa;
	origins[i].alloc = alloc;
	nr_origins++;
	return 0;
}

/* Empty slot @hole: move later members of its cluster into it where they may go. */
static void origin_close_hole(unsigned long hole)
{
	for (unsigned long i = (hole + 1) & (ORIGIN_SLOTS - 1); origins[i].pa;
	     i = (i + 1) & (ORIGIN_SLOTS - 1)) {
		unsigned long home = origin_hash(origins[i].pa);

		if (((i - home) & (ORIGIN_SLOTS - 1)) >= ((i - hole) & (ORIGIN_SLOTS - 1))) {
			origins[hole] = origins[i];
			origins[i].pa = 0;
			hole = i;
		}
	}
}

static void origin_remove_slot(long slot)
{
	origins[slot].pa = 0;
	nr_origins--;
	origin_close_hole(slot);
}

/* Remove @pa's record and return its allocator. */
static struct pgtable_alloc *origin_take(phys_addr_t pa)
{
	long slot = origin_find(pa);
	struct pgtable_alloc *alloc;
	struct page *page;

	if (slot >= 0) {
		alloc = origins[slot].alloc;
		origin_remove_slot(slot);
		return alloc;
	}
	page = origin_page(pa);
	BUG_ON(!page || !PagePgtable(page));
	alloc = (struct pgtable_alloc *)page->owner;
	ClearPagePgtable(page);
	page->owner = 0;
	return alloc;
}

struct pgtable_alloc *pgtable_origin(phys_addr_t table)
{
	long slot = origin_find(table);
	struct page *page;

	if (slot >= 0)
		return origins[slot].alloc;
	page = origin_page(table);
	return page && PagePgtable(page) ? (struct pgtable_alloc *)page->owner : NULL;
}

void pgtable_origins_settle(void)
{
	origins_in_memmap = true;
	for (unsigned long i = 0; i < ORIGIN_SLOTS;) {
		struct page *page = origins[i].pa ? origin_page(origins[i].pa) : NULL;

		if (!page) {
			i++;
			continue;
		}
		SetPagePgtable(page);
		page->owner = (unsigned long)origins[i].alloc;
		/* The hole may pull a later entry into slot i: look at it again. */
		origin_remove_slot(i);
	}
}

int pgtable_origins_unsettle(unsigned long start_pfn, unsigned long end_pfn)
{
	for (unsigned long pfn = start_pfn; pfn < end_pfn; pfn++) {
		struct page *page;
		unsigned long i;

		if (!pfn_valid(pfn)) {
			pfn = ALIGN(pfn + 1, PAGES_PER_SUBSECTION) - 1;
			continue;
		}
		page = pfn_to_page(pfn);
		if (!PagePgtable(page))
			continue;
		if (nr_origins == ORIGIN_SLOTS - 1)
			return -ENOSPC;
		for (i = origin_hash(PFN_PHYS(pfn)); origins[i].pa; i = (i + 1) & (ORIGIN_SLOTS - 1))
			;
		origins[i].pa = PFN_PHYS(pfn);
		origins[i].alloc = (struct pgtable_alloc *)page->owner;
		nr_origins++;
		ClearPagePgtable(page);
		page->owner = 0;
	}
	return 0;
}

unsigned long pgtable_origins_pending(void)
{
	return nr_origins;
}

/* The table page at @pa, mapped at the fixmap slot of @level. */
static pte_t *table_va(phys_addr_t pa, int level)
{
	return fixmap_set(FIX_PTE_L0 + level, pa, PAGE_KERNEL);
}

static pte_t *entry_ptr(phys_addr_t table, int level, u64 va)
{
	return &table_va(table, level)[level_index(va, level)];
}

/* Last address the entry of @level that maps @va covers. */
static u64 entry_last(u64 va, int level)
{
	return va | (level_size(level) - 1);
}

/* Bytes a contiguous run at @level spans, or 0 where there are none. */
static u64 cont_span(int level)
{
	return arch_cont_entries(level) * level_size(level);
}

enum map_action map_action(u64 va, u64 last, phys_addr_t pa, int level,
			   unsigned int flags, enum pte_type existing, bool run_free)
{
	u64 size = level_size(level), span = cont_span(level);
	bool leaf_ok;

	if (existing == PTE_TABLE)
		return MAP_DESCEND;
	if (existing != PTE_INVALID)
		return MAP_EXISTS;
	leaf_ok = level == PGTABLE_LAST_LEVEL ||
		  (!(flags & PGT_NO_BLOCKS) && arch_block_allowed(level) &&
		   IS_ALIGNED(va | pa, size) && last - va >= size - 1);
	if (!leaf_ok)
		return MAP_NEW_TABLE;
	if (span && !(flags & PGT_NO_CONT) && run_free &&
	    IS_ALIGNED(va | pa, span) && last - va >= span - 1)
		return MAP_CONT;
	return MAP_LEAF;
}

static phys_addr_t new_table(struct pgtable_alloc *alloc, int level, u64 va)
{
	phys_addr_t pa = alloc->alloc(alloc, level, va);
	pte_t *t;

	if (!pa)
		return 0;
	if (origin_add(pa, alloc)) {
		alloc->free(alloc, pa, level);
		return 0;
	}
	t = table_va(pa, level);
	for (unsigned long i = 0; i < level_entries(level); i++)
		t[i] = 0;
	alloc->nr_tables++;
	return pa;
}

static void free_table(phys_addr_t pa, int level)
{
	struct pgtable_alloc *alloc = origin_take(pa);

	alloc->nr_tables--;
	alloc->free(alloc, pa, level);
}

static bool table_empty(phys_addr_t table, int level)
{
	const pte_t *t = table_va(table, level);

	for (unsigned long i = 0; i < level_entries(level); i++)
		if (arch_pte_type(t[i], level) != PTE_INVALID)
			return false;
	return true;
}

/* Whether the @n entries from @ptep are all invalid. */
static bool run_is_free(const pte_t *ptep, int level, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (arch_pte_type(ptep[i], level) != PTE_INVALID)
			return false;
	return true;
}

/*
 * Break-before-make: replace the @n live entries from @ptep (mapping from
 * @va) by @new[]: invalidate all, then write all. IRQs stay masked, so no
 * handler of ours runs while the range is unmapped.
 */
static void bbm_replace(pte_t *ptep, const pte_t *new, unsigned int n, u64 va, int level)
{
	unsigned long flags = arch_local_irq_save();
	bool was_table = arch_pte_type(ptep[0], level) == PTE_TABLE;
	bool to_table = arch_pte_type(new[0], level) == PTE_TABLE;

	for (unsigned int i = 0; i < n; i++)
		arch_set_pte(&ptep[i], 0);
	arch_dsb_ishst();
	for (unsigned int i = 0; i < n; i++) {
		u64 a = va + i * level_size(level);

		/* Table <-> block changes also drop cached walks: not leaf-only. */
		if (was_table || to_table)
			arch_tlbi_va(a);
		else
			arch_tlbi_leaf(a);
	}
	arch_dsb_ish();
	for (unsigned int i = 0; i < n; i++)
		arch_set_pte(&ptep[i], new[i]);
	arch_dsb_ishst();
	arch_isb();
	arch_local_irq_restore(flags);
}

/* Index of the first entry of the contiguous run holding @va at @level. */
static u64 run_start(u64 va, int level)
{
	return ALIGN_DOWN(va, cont_span(level));
}

/* Rewrite the run holding @va as independent entries (same mappings). */
static void break_cont_run(phys_addr_t table, int level, u64 va)
{
	unsigned int n = arch_cont_entries(level);
	u64 start = run_start(va, level);
	pte_t *ptep = entry_ptr(table, level, start);
	pte_t new[128];

	BUG_ON(n > ARRAY_SIZE(new));
	for (unsigned int i = 0; i < n; i++)
		new[i] = arch_pte_mknoncont(ptep[i], level);
	bbm_replace(ptep, new, n, start, level);
}

/*
 * Replace the block at @ptep by a table of next-level leaves that map the
 * same range with the same protection, built before the switch.
 * Return: 0 or -ENOMEM (nothing changed).
 */
static int split_block(pte_t *ptep, int level, u64 va, struct pgtable_alloc *alloc)
{
	pte_t block = *ptep;
	phys_addr_t pa = arch_pte_addr(block, level);
	pgprot_t prot = arch_pte_prot(block, level);
	phys_addr_t child;
	pte_t *t, table;

	child = new_table(alloc, level + 1, va);
	if (!child)
		return -ENOMEM;
	t = table_va(child, level + 1);
	for (unsigned long i = 0; i < level_entries(level + 1); i++)
		t[i] = arch_pte_mkleaf(pa + i * level_size(level + 1), level + 1, prot);
	table = arch_pte_mktable(child, level);
	bbm_replace(ptep, &table, 1, va, level);
	return 0;
}

enum walk_op { WALK_MAP, WALK_UNMAP, WALK_PROTECT };

struct walk_ctx {
	enum walk_op op;
	u64 first, last;		/* the request, inclusive */
	pgprot_t prot;
	unsigned int flags;
	struct pgtable_alloc *alloc;
	u64 done;			/* map: first VA not mapped yet */
};

static int map_level(phys_addr_t table, int level, u64 va, u64 last, phys_addr_t pa,
		     struct walk_ctx *c);

/* Allocate a table for the entry at @va, publish it empty, fill it. */
static int map_new_table(phys_addr_t table, int level, u64 va, u64 last,
			 phys_addr_t pa, struct walk_ctx *c)
{
	phys_addr_t child = new_table(c->alloc, level + 1, va);
	int ret;

	if (!child)
		return -ENOMEM;
	/* An empty table maps nothing: publishing it first needs no ordering. */
	arch_set_pte(entry_ptr(table, level, va), arch_pte_mktable(child, level));
	arch_dsb_ishst();
	ret = map_level(child, level + 1, va, last, pa, c);
	if (ret && table_empty(child, level + 1)) {
		arch_set_pte(entry_ptr(table, level, va), 0);
		arch_dsb_ishst();
		arch_tlbi_va(va);
		arch_dsb_ish();
		free_table(child, level + 1);
	}
	return ret;
}

static void write_cont_run(pte_t *ptep, int level, phys_addr_t pa, pgprot_t prot)
{
	for (unsigned int i = 0; i < arch_cont_entries(level); i++) {
		pte_t pte = arch_pte_mkleaf(pa + i * level_size(level), level, prot);

		arch_set_pte(&ptep[i], arch_pte_mkcont(pte, level));
	}
	arch_dsb_ishst();
}

static int map_level(phys_addr_t table, int level, u64 va, u64 last, phys_addr_t pa,
		     struct walk_ctx *c)
{
	for (;;) {
		pte_t *ptep = entry_ptr(table, level, va);
		unsigned int n = arch_cont_entries(level);
		bool run_free = n && level_index(va, level) % n == 0 &&
				run_is_free(ptep, level, n);
		u64 chunk_last = min(entry_last(va, level), last);
		int ret = 0;

		switch (map_action(va, last, pa, level, c->flags,
				   arch_pte_type(*ptep, level), run_free)) {
		case MAP_CONT:
			write_cont_run(ptep, level, pa, c->prot);
			chunk_last = va + cont_span(level) - 1;
			break;
		case MAP_LEAF:
			arch_set_pte(ptep, arch_pte_mkleaf(pa, level, c->prot));
			arch_dsb_ishst();
			break;
		case MAP_NEW_TABLE:
			ret = map_new_table(table, level, va, chunk_last, pa, c);
			break;
		case MAP_DESCEND:
			ret = map_level(arch_pte_addr(*ptep, level), level + 1, va,
					chunk_last, pa, c);
			break;
		case MAP_EXISTS:
			ret = -EEXIST;
			break;
		}
		if (ret)
			return ret;
		c->done = chunk_last + 1;
		if (chunk_last == last)
			return 0;
		pa += chunk_last - va + 1;
		va = chunk_last + 1;
	}
}

static bool range_ok(u64 va, u64 size)
{
	return size && IS_ALIGNED(va | size, PAGE_SIZE) &&
	       (va + size == 0 || va + size > va);
}

int pgtable_map(struct pgtable *pt, u64 va, phys_addr_t pa, u64 size,
		pgprot_t prot, unsigned int flags, struct pgtable_alloc *alloc)
{
	struct walk_ctx c = { .op = WALK_MAP, .first = va, .last = va + size - 1,
			      .prot = prot, .flags = flags, .alloc = alloc, .done = va };
	int ret;

	if (!range_ok(va, size) || !IS_ALIGNED(pa, PAGE_SIZE))
		return -EINVAL;
	ret = map_level(pt->root, PGTABLE_START_LEVEL, va, va + size - 1, pa, &c);
	/* Undo the part that was mapped: whole leaves of ours, no split needed. */
	if (ret && c.done != va)
		BUG_ON(pgtable_unmap(pt, va, c.done - va, alloc));
	arch_isb();
	return ret;
}

/*
 * The range walk that unmap and protect share. In the prepare pass every
 * block and contiguous run that the range covers only in part is split
 * (each split leaves an equivalent mapping, so a failure changes nothing);
 * the commit pass then finds whole leaves and whole runs only, and cannot
 * fail.
 */
static int prepare_level(phys_addr_t table, int level, u64 va, u64 last, struct walk_ctx *c);

static int prepare_entry(phys_addr_t table, int level, u64 va, u64 chunk_last,
			 struct walk_ctx *c)
{
	pte_t *ptep = entry_ptr(table, level, va);
	enum pte_type type = arch_pte_type(*ptep, level);
	u64 entry_va = va & ~(level_size(level) - 1);

	if (type == PTE_INVALID)
		return c->op == WALK_PROTECT ? -EFAULT : 0;
	if (type == PTE_TABLE)
		return prepare_level(arch_pte_addr(*ptep, level), level + 1, va, chunk_last, c);
	/*
	 * A live entry may change its permissions in place, never its memory
	 * type (Linux's pgattr_change_is_safe()): Normal <-> Device would need
	 * break-before-make of a mapping someone may be using. Refused before
	 * anything is split.
	 */
	if (c->op == WALK_PROTECT && ((arch_pte_prot(*ptep, level) ^ c->prot) & PROT_DEVICE))
		return -EINVAL;
	if (arch_pte_cont(*ptep, level)) {
		u64 start = run_start(va, level);

		if (start < c->first || start + cont_span(level) - 1 > c->last)
			break_cont_run(table, level, va);
	}
	if (va == entry_va && chunk_last == entry_last(va, level))
		return 0;
	ptep = entry_ptr(table, level, va);
	if (split_block(ptep, level, entry_va, c->alloc))
		return -ENOMEM;
	return prepare_level(arch_pte_addr(*ptep, level), level + 1, va, chunk_last, c);
}

static int prepare_level(phys_addr_t table, int level, u64 va, u64 last, struct walk_ctx *c)
{
	for (;;) {
		u64 chunk_last = min(entry_last(va, level), last);
		int ret = prepare_entry(table, level, va, chunk_last, c);

		if (ret)
			return ret;
		if (chunk_last == last)
			return 0;
		va = chunk_last + 1;
	}
}

static void commit_level(phys_addr_t table, int level, u64 va, u64 last, struct walk_ctx *c);

/*
 * Clear or re-protect the @n entries from @ptep (one leaf, or a whole
 * contiguous run, which changes as a unit). Permission changes of a single
 * entry need no break-before-make; a run does, so its entries never differ.
 */
static void commit_leaves(pte_t *ptep, unsigned int n, int level, u64 va, struct walk_ctx *c)
{
	pte_t new[128];

	if (c->op == WALK_PROTECT && n > 1) {
		BUG_ON(n > ARRAY_SIZE(new));
		for (unsigned int i = 0; i < n; i++)
			new[i] = arch_pte_modify_prot(ptep[i], level, c->prot);
		bbm_replace(ptep, new, n, va, level);
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		arch_set_pte(&ptep[i], c->op == WALK_UNMAP ? 0 :
			     arch_pte_modify_prot(ptep[i], level, c->prot));
	arch_dsb_ishst();
	for (unsigned int i = 0; i < n; i++)
		arch_tlbi_leaf(va + i * level_size(level));
	arch_dsb_ish();
}

static void commit_table(phys_addr_t table, int level, u64 va, u64 chunk_last,
			 struct walk_ctx *c)
{
	phys_addr_t child = arch_pte_addr(*entry_ptr(table, level, va), level);

	commit_level(child, level + 1, va, chunk_last, c);
	if (c->op != WALK_UNMAP || !table_empty(child, level + 1))
		return;
	/* A table no allocator gave (pgtable_install_table(): the fixmap's) stays. */
	if (!pgtable_origin(child))
		return;
	/* An empty table goes back where it came from, after the walk caches forget it. */
	arch_set_pte(entry_ptr(table, level, va), 0);
	arch_dsb_ishst();
	arch_tlbi_va(va);
	arch_dsb_ish();
	free_table(child, level + 1);
}

static void commit_level(phys_addr_t table, int level, u64 va, u64 last, struct walk_ctx *c)
{
	for (;;) {
		u64 chunk_last = min(entry_last(va, level), last);
		pte_t *ptep = entry_ptr(table, level, va);
		enum pte_type type = arch_pte_type(*ptep, level);

		if (type == PTE_TABLE) {
			commit_table(table, level, va, chunk_last, c);
		} else if (type != PTE_INVALID && arch_pte_cont(*ptep, level)) {
			/* prepare left only whole runs in the range: do the run at once */
			commit_leaves(ptep, arch_cont_entries(level), level, va, c);
			chunk_last = va + cont_span(level) - 1;
		} else if (type != PTE_INVALID) {
			commit_leaves(ptep, 1, level, va, c);
		}
		if (chunk_last == last)
			return;
		va = chunk_last + 1;
	}
}

static int walk_range(struct pgtable *pt, u64 va, u64 size, pgprot_t prot,
		      enum walk_op op, struct pgtable_alloc *alloc)
{
	struct walk_ctx c = { .op = op, .first = va, .last = va + size - 1,
			      .prot = prot, .alloc = alloc };
	int ret;

	if (!range_ok(va, size))
		return -EINVAL;
	ret = prepare_level(pt->root, PGTABLE_START_LEVEL, va, c.last, &c);
	if (!ret)
		commit_level(pt->root, PGTABLE_START_LEVEL, va, c.last, &c);
	arch_isb();
	return ret;
}

int pgtable_unmap(struct pgtable *pt, u64 va, u64 size, struct pgtable_alloc *alloc)
{
	return walk_range(pt, va, size, 0, WALK_UNMAP, alloc);
}

int pgtable_protect(struct pgtable *pt, u64 va, u64 size, pgprot_t prot,
		    struct pgtable_alloc *alloc)
{
	return walk_range(pt, va, size, prot, WALK_PROTECT, alloc);
}

int pgtable_install_table(struct pgtable *pt, u64 va, int level,
			  phys_addr_t table, struct pgtable_alloc *alloc)
{
	phys_addr_t cur = pt->root;
	pte_t *ptep;

	for (int l = PGTABLE_START_LEVEL; l < level - 1; l++) {
		ptep = entry_ptr(cur, l, va);
		if (arch_pte_type(*ptep, l) == PTE_INVALID) {
			phys_addr_t child = new_table(alloc, l + 1, va);

			if (!child) {
				/* The tables made above are empty: the unmap frees them. */
				pgtable_unmap(pt, ALIGN_DOWN(va, PAGE_SIZE), PAGE_SIZE, alloc);
				return -ENOMEM;
			}
			arch_set_pte(entry_ptr(cur, l, va), arch_pte_mktable(child, l));
			arch_dsb_ishst();
		} else if (arch_pte_type(*ptep, l) != PTE_TABLE) {
			return -EEXIST;
		}
		cur = arch_pte_addr(*entry_ptr(cur, l, va), l);
	}
	ptep = entry_ptr(cur, level - 1, va);
	if (arch_pte_type(*ptep, level - 1) != PTE_INVALID)
		return -EEXIST;
	arch_set_pte(ptep, arch_pte_mktable(table, level - 1));
	arch_dsb_ishst();
	arch_isb();
	return 0;
}

int pgtable_walk(struct pgtable *pt, u64 va, struct pgtable_walk *w)
{
	phys_addr_t table = pt->root;

	for (int level = PGTABLE_START_LEVEL; level <= PGTABLE_LAST_LEVEL; level++) {
		pte_t pte = *entry_ptr(table, level, va);

		w->level = level;
		w->pte = pte;
		w->tables[level] = table;
		w->entries[level] = pte;
		if (arch_pte_type(pte, level) != PTE_TABLE)
			return arch_pte_type(pte, level) == PTE_INVALID ? -EFAULT : 0;
		table = arch_pte_addr(pte, level);
	}
	return -EFAULT;
}

int pgtable_leaf_unit(struct pgtable *pt, u64 va, struct pgtable_unit *u)
{
	struct pgtable_walk w;
	int ret = pgtable_walk(pt, va, &w);

	u->level = w.level;
	u->pte = w.pte;
	u->size = level_size(w.level);
	u->va = ALIGN_DOWN(va, u->size);
	u->cont = !ret && arch_pte_cont(w.pte, w.level);
	if (ret)
		return ret;
	u->pa = arch_pte_addr(w.pte, w.level);
	if (u->cont) {
		u64 start = run_start(va, w.level);

		u->pa -= u->va - start;
		u->va = start;
		u->size = cont_span(w.level);
		u->pte = *entry_ptr(w.tables[w.level], w.level, start);
	}
	return 0;
}

/* Visit every leaf (and each gap) in [va, last], in VA order. */
static void leaves_level(phys_addr_t table, int level, u64 va, u64 last,
			 pgtable_leaf_fn fn, void *arg)
{
	for (;;) {
		u64 chunk_last = min(entry_last(va, level), last);
		pte_t pte = *entry_ptr(table, level, va);

		if (arch_pte_type(pte, level) == PTE_TABLE)
			leaves_level(arch_pte_addr(pte, level), level + 1, va, chunk_last, fn, arg);
		else
			fn(arg, va & ~(level_size(level) - 1), level, pte);
		if (chunk_last == last)
			return;
		va = chunk_last + 1;
	}
}

void pgtable_for_each_leaf(struct pgtable *pt, u64 va, u64 last, pgtable_leaf_fn fn, void *arg)
{
	leaves_level(pt->root, PGTABLE_START_LEVEL, va, last, fn, arg);
}

int pgtable_move_table(struct pgtable *pt, u64 va, int level, struct pgtable_alloc *alloc)
{
	phys_addr_t table = pt->root, old, new;
	pte_t *ptep, *src, desc;

	if (level <= PGTABLE_START_LEVEL || level > PGTABLE_LAST_LEVEL)
		return -EINVAL;
	for (int l = PGTABLE_START_LEVEL; l < level - 1; l++) {
		pte_t pte = *entry_ptr(table, l, va);

		if (arch_pte_type(pte, l) != PTE_TABLE)
			return -ENOENT;
		table = arch_pte_addr(pte, l);
	}
	ptep = entry_ptr(table, level - 1, va);
	if (arch_pte_type(*ptep, level - 1) != PTE_TABLE)
		return -ENOENT;
	old = arch_pte_addr(*ptep, level - 1);
	new = new_table(alloc, level, va);
	if (!new)
		return -ENOMEM;
	/* Copy through the scratch slot while the level's slot shows the new table. */
	src = fixmap_set(FIX_SCRATCH, old, PAGE_KERNEL);
	for (unsigned long i = 0; i < level_entries(level); i++)
		arch_set_pte(&table_va(new, level)[i], src[i]);
	fixmap_clear(FIX_SCRATCH);
	arch_dsb_ishst();
	/* The same mappings through another table: break-before-make of the table entry. */
	desc = arch_pte_mktable(new, level - 1);
	bbm_replace(entry_ptr(table, level - 1, va), &desc, 1,
		    ALIGN_DOWN(va, level_size(level - 1)), level - 1);
	/* Unlinked now: empty it, so nothing points anywhere from a free page. */
	for (unsigned long i = 0; i < level_entries(level); i++)
		arch_set_pte(&table_va(old, level)[i], 0);
	free_table(old, level);
	return 0;
}

static void tables_level(phys_addr_t table, int level, u64 va, u64 last,
			 pgtable_table_fn fn, void *arg)
{
	for (;;) {
		u64 chunk_last = min(entry_last(va, level), last);
		pte_t pte = *entry_ptr(table, level, va);

		if (arch_pte_type(pte, level) == PTE_TABLE) {
			phys_addr_t child = arch_pte_addr(pte, level);

			fn(arg, va & ~(level_size(level) - 1), level + 1, child);
			if (level + 1 < PGTABLE_LAST_LEVEL)
				tables_level(child, level + 1, va, chunk_last, fn, arg);
		}
		if (chunk_last == last)
			return;
		va = chunk_last + 1;
	}
}

void pgtable_for_each_table(struct pgtable *pt, u64 va, u64 last, pgtable_table_fn fn, void *arg)
{
	tables_level(pt->root, PGTABLE_START_LEVEL, va, last, fn, arg);
}
