// SPDX-License-Identifier: GPL-2.0
/*
 * Fake physical memory, its table allocator and the fixmap (fake_phys.h).
 *
 * Table pages are handed out round-robin, so a freed page is not reused at
 * once; a page is filled with garbage when it is handed out (mm/ must clear
 * it) and when it comes back (a stale reader decodes garbage and fails).
 * The same holds for data pages a hooked allocator of mm/ hands out.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake/fake_arch.h"
#include "fake/fake_phys.h"
#include <mm/fixmap.h>

int fake_phys_fd = -1;
u8 *fake_phys_host;
phys_addr_t fake_fixmap_pa[16];

static struct fake_table pool[FAKE_POOL_PAGES];
static unsigned long pool_cursor;

/*
 * Records of data pages that are (or were) tables, by address with open
 * addressing. A record stays when its page is freed (state FT_FREE), so a
 * stale reference to it is still caught; fake_phys_reset() forgets them.
 */
#define DATA_TABLE_SLOTS	(1UL << 12)

static struct data_table {
	phys_addr_t pa;			/* 0: empty slot */
	struct fake_table t;
} data_tables[DATA_TABLE_SLOTS];
static unsigned long nr_data_tables;

static unsigned long data_table_hash(phys_addr_t pa)
{
	return ((pa >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) >> 52 & (DATA_TABLE_SLOTS - 1);
}

/* The record of data page @pa; with @create a new one (state FT_FREE) if it has none. */
static struct fake_table *data_table(phys_addr_t pa, bool create)
{
	unsigned long i = data_table_hash(pa);

	while (data_tables[i].pa) {
		if (data_tables[i].pa == pa)
			return &data_tables[i].t;
		i = (i + 1) & (DATA_TABLE_SLOTS - 1);
	}
	if (!create)
		return NULL;
	if (nr_data_tables == DATA_TABLE_SLOTS - 1)
		fake_fail("fake_phys: more than %lu data pages have been tables", DATA_TABLE_SLOTS - 1);
	nr_data_tables++;
	data_tables[i].pa = pa;
	data_tables[i].t = (struct fake_table){ .state = FT_FREE, .unlink_rec = -1 };
	return &data_tables[i].t;
}

void fake_phys_init(void)
{
	void *p;

	if (fake_phys_fd >= 0)
		return;
	fake_phys_fd = memfd_create("fake_phys", 0);
	if (fake_phys_fd < 0 || ftruncate(fake_phys_fd, FAKE_PHYS_SIZE))
		fail_msg("fake_phys: memfd of %lu bytes", FAKE_PHYS_SIZE);
	p = mmap(NULL, FAKE_PHYS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		 fake_phys_fd, 0);
	if (p == MAP_FAILED)
		fail_msg("fake_phys: linear host mapping");
	fake_phys_host = p;
}

void fake_phys_release_data(void)
{
	u64 off = FAKE_DATA_BASE - FAKE_PHYS_BASE;

	if (fallocate(fake_phys_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
		      FAKE_PHYS_SIZE - off))
		fail_msg("fake_phys: punching the data pages out");
}

void fake_phys_reset(void)
{
	memset(pool, 0, sizeof(pool));
	memset(data_tables, 0, sizeof(data_tables));
	nr_data_tables = 0;
	memset(fake_fixmap_pa, 0, sizeof(fake_fixmap_pa));
	/*
	 * pool_cursor goes on: after a failed test, mm/pgtable.c may still
	 * record origins of its pages, so the next tests take other pages.
	 */
	/* The pool's old content is garbage to whoever reads it next. */
	if (fallocate(fake_phys_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		      FAKE_PHYS_SIZE))
		fail_msg("fake_phys: punching everything out");
}

void *fake_phys_ptr(phys_addr_t pa)
{
	if (pa < FAKE_PHYS_BASE || pa >= FAKE_PHYS_END)
		fake_fail("physical address %#lx is outside fake memory", pa);
	return fake_phys_host + (pa - FAKE_PHYS_BASE);
}

phys_addr_t fake_phys_of(const void *p)
{
	const u8 *b = p;

	if (b < fake_phys_host || b >= fake_phys_host + FAKE_PHYS_SIZE)
		return 0;
	return FAKE_PHYS_BASE + (b - fake_phys_host);
}

bool fake_phys_is_data(phys_addr_t pa, u64 size)
{
	return pa >= FAKE_DATA_BASE && pa < FAKE_PHYS_END && size <= FAKE_PHYS_END - pa;
}

struct fake_table *fake_table_info(phys_addr_t pa)
{
	u64 i = (pa - FAKE_PHYS_BASE) >> PAGE_SHIFT;

	if (pa < FAKE_PHYS_BASE)
		return NULL;
	if (i < FAKE_POOL_PAGES)
		return &pool[i];
	return nr_data_tables ? data_table(ALIGN_DOWN(pa, PAGE_SIZE), false) : NULL;
}

struct fake_table *fake_table_next(unsigned long *i, phys_addr_t *pa)
{
	for (; *i < FAKE_POOL_PAGES + DATA_TABLE_SLOTS; (*i)++) {
		unsigned long n = *i;

		if (n < FAKE_POOL_PAGES) {
			(*i)++;
			*pa = FAKE_PHYS_BASE + (n << PAGE_SHIFT);
			return &pool[n];
		}
		n -= FAKE_POOL_PAGES;
		if (!nr_data_tables)
			break;
		if (data_tables[n].pa) {
			(*i)++;
			*pa = data_tables[n].pa;
			return &data_tables[n].t;
		}
	}
	return NULL;
}

unsigned long fake_pool_used(void)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < FAKE_POOL_PAGES; i++)
		n += pool[i].state != FT_FREE;
	return n;
}

unsigned long fake_data_tables_used(void)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < DATA_TABLE_SLOTS; i++)
		n += data_tables[i].pa && data_tables[i].t.state != FT_FREE;
	return n;
}

/*
 * Garbage in a table page that is not in use: 0xa5 bytes, in which no four
 * bits in a row are clear, so no level decodes an entry of it as a
 * descriptor (fake_arch keeps bits 56..59 clear).
 */
static void poison(phys_addr_t pa)
{
	memset(fake_phys_ptr(pa), 0xa5, PAGE_SIZE);
}

static phys_addr_t pool_take(void)
{
	for (unsigned long n = 0; n < FAKE_POOL_PAGES; n++) {
		unsigned long i = pool_cursor++ % FAKE_POOL_PAGES;

		if (pool[i].state == FT_FREE)
			return FAKE_PHYS_BASE + (i << PAGE_SHIFT);
	}
	return 0;
}

phys_addr_t fake_phys_pool_take(void)
{
	return pool_take();
}

void fake_phys_table_claim(struct fake_alloc *fa, phys_addr_t pa, int level, u64 va)
{
	struct fake_table *t = fake_table_info(pa);

	if (!t && IS_ALIGNED(pa, PAGE_SIZE) && fake_phys_is_data(pa, PAGE_SIZE))
		t = data_table(pa, true);

	if (!t || !IS_ALIGNED(pa, PAGE_SIZE) || t->state != FT_FREE)
		fake_fail("%s: table %#lx is not a free page of the pool or data", fa->a.name, pa);
	if (level <= PGTABLE_START_LEVEL || level > PGTABLE_LAST_LEVEL)
		fake_fail("alloc: a table of level %d (only roots are level %d)", level,
			  PGTABLE_START_LEVEL);
	poison(pa);
	*t = (struct fake_table){ .state = FT_TABLE, .level = level, .alloc_va = va,
				  .owner = fa, .unlink_rec = -1 };
	fa->live++;
}

static phys_addr_t fake_alloc_page(struct pgtable_alloc *a, int level, u64 va)
{
	struct fake_alloc *fa = container_of(a, struct fake_alloc, a);
	phys_addr_t pa;

	fa->calls++;
	if (level <= PGTABLE_START_LEVEL || level > PGTABLE_LAST_LEVEL)
		fake_fail("alloc: a table of level %d (only roots are level %d)", level,
			  PGTABLE_START_LEVEL);
	if (fa->fail_every && fa->calls % fa->fail_every == 0) {
		fa->failed++;
		return 0;
	}
	pa = pool_take();
	if (!pa)
		fake_fail("alloc: the pool of %lu table pages is exhausted", FAKE_POOL_PAGES);
	fake_phys_table_claim(fa, pa, level, va);
	return pa;
}

void fake_phys_table_release(struct fake_alloc *fa, phys_addr_t pa, int level)
{
	struct fake_table *t = fake_table_info(pa);
	const u64 *p;

	if (!t || !IS_ALIGNED(pa, PAGE_SIZE))
		fake_fail("free of %#lx: not a table page of the pool", pa);
	if (t->state != FT_TABLE)
		fake_fail("free of %#lx: %s", pa,
			  t->state == FT_FREE ? "double free (or never allocated)" :
			  t->state == FT_ROOT ? "a root" : "a table no allocator gave (installed)");
	if (t->owner != fa)
		fake_fail("free of %#lx to allocator %s: it came from %s", pa, fa->a.name,
			  t->owner->a.name);
	if (t->level != level)
		fake_fail("free of %#lx as level %d: allocated as level %d", pa, level, t->level);
	fake_arch_check_free(pa, level);
	p = fake_phys_ptr(pa);
	for (unsigned long i = 0; i < PTRS_PER_TABLE; i++)
		if (p[i])
			fake_fail("free of %#lx: entry %lu is still %#lx", pa, i, p[i]);
	poison(pa);
	t->state = FT_FREE;
	fa->live--;
	fa->frees++;
}

static void fake_free_page(struct pgtable_alloc *a, phys_addr_t pa, int level)
{
	fake_phys_table_release(container_of(a, struct fake_alloc, a), pa, level);
}

void fake_alloc_init(struct fake_alloc *fa, const char *name)
{
	*fa = (struct fake_alloc){ .a = { .alloc = fake_alloc_page, .free = fake_free_page,
					  .name = name } };
}

/* mm/'s table allocators run through fake_phys_hook_tables(), with what they replaced. */
static struct table_hook {
	struct pgtable_alloc *a;
	struct fake_alloc *fa;
	phys_addr_t (*alloc)(struct pgtable_alloc *a, int level, u64 va);
	void (*free)(struct pgtable_alloc *a, phys_addr_t table, int level);
} table_hooks[8];

static struct table_hook *table_hook_of(struct pgtable_alloc *a)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(table_hooks); i++)
		if (table_hooks[i].a == a)
			return &table_hooks[i];
	fake_fail("table allocator %s is not hooked", a->name);
}

static phys_addr_t hooked_alloc(struct pgtable_alloc *a, int level, u64 va)
{
	struct table_hook *h = table_hook_of(a);
	phys_addr_t pa;

	h->fa->calls++;
	pa = h->alloc(a, level, va);
	if (!pa) {
		h->fa->failed++;
		return 0;
	}
	fake_phys_table_claim(h->fa, pa, level, va);
	return pa;
}

static void hooked_free(struct pgtable_alloc *a, phys_addr_t pa, int level)
{
	struct table_hook *h = table_hook_of(a);

	fake_phys_table_release(h->fa, pa, level);
	h->free(a, pa, level);
}

void fake_phys_hook_tables(struct fake_alloc *fa, struct pgtable_alloc *a)
{
	unsigned int i = 0;

	if (a->alloc == hooked_alloc)
		fake_fail("table allocator %s is hooked twice", a->name);
	while (i < ARRAY_SIZE(table_hooks) && table_hooks[i].a)
		i++;
	if (i == ARRAY_SIZE(table_hooks))
		fake_fail("too many hooked table allocators");
	*fa = (struct fake_alloc){ .a = { .name = a->name } };
	table_hooks[i] = (struct table_hook){ a, fa, a->alloc, a->free };
	a->alloc = hooked_alloc;
	a->free = hooked_free;
}

phys_addr_t fake_phys_root_alloc(int level)
{
	phys_addr_t pa = pool_take();

	if (!pa)
		fake_fail("root: the pool is exhausted");
	memset(fake_phys_ptr(pa), 0, PAGE_SIZE);
	*fake_table_info(pa) = (struct fake_table){ .state = FT_ROOT, .level = level,
						    .unlink_rec = -1 };
	return pa;
}

phys_addr_t fake_phys_foreign_alloc(int level, u64 va)
{
	phys_addr_t pa = pool_take();

	if (!pa)
		fake_fail("foreign table: the pool is exhausted");
	memset(fake_phys_ptr(pa), 0, PAGE_SIZE);
	*fake_table_info(pa) = (struct fake_table){ .state = FT_FOREIGN, .level = level,
						    .alloc_va = va, .unlink_rec = -1 };
	return pa;
}

void fake_phys_root_free(phys_addr_t root)
{
	struct fake_table *t = fake_table_info(root);

	if (!t || t->state != FT_ROOT)
		fake_fail("root free of %#lx: not a root", root);
	t->state = FT_FREE;
	t->live = false;
}

/*
 * The fixmap, as mm/pgtable.c uses it: the slot of a level shows a table
 * page of that level. The pointer is the page's linear host address; the
 * slot's current page is remembered for the fake arch's stale-slot check.
 */
/* The scratch slot: a table to copy from, or paging_init()'s new root (fake_phys.h). */
static void *fixmap_scratch(phys_addr_t pa)
{
	struct fake_table *t = fake_table_info(pa);

	if (!t && IS_ALIGNED(pa, PAGE_SIZE) && fake_phys_is_data(pa, PAGE_SIZE)) {
		t = data_table(pa, true);
		*t = (struct fake_table){ .state = FT_ROOT, .level = PGTABLE_START_LEVEL,
					  .unlink_rec = -1 };
		fake_arch_set_root(pa);
	}
	if (!t || !IS_ALIGNED(pa, PAGE_SIZE) || t->state == FT_FREE)
		fake_fail("fixmap_set(scratch): %#lx is neither a table nor a new root", pa);
	fake_fixmap_pa[FIX_SCRATCH] = pa;
	return fake_phys_ptr(pa);
}

void *fixmap_set(unsigned int slot, phys_addr_t pa, pgprot_t prot)
{
	struct fake_table *t = fake_table_info(pa);
	int level = (int)slot - FIX_PTE_L0;

	if (slot == FIX_SCRATCH && prot == PAGE_KERNEL)
		return fixmap_scratch(pa);
	if (slot < FIX_PTE_L0 || slot >= FIX_PTE_L0 + FIX_PTE_NR)
		fake_fail("fixmap_set: slot %u is not a table slot", slot);
	if (!t || !IS_ALIGNED(pa, PAGE_SIZE) || t->state == FT_FREE)
		fake_fail("fixmap_set(slot %u): %#lx is not an allocated table page "
			  "(use after free?)", slot, pa);
	if (t->level != level)
		fake_fail("fixmap_set: the level-%d table %#lx through the slot of level %d",
			  t->level, pa, level);
	if (prot != PAGE_KERNEL)
		fake_fail("fixmap_set: table %#lx mapped with prot %#x", pa, prot);
	fake_fixmap_pa[slot] = pa;
	return fake_phys_ptr(pa);
}

void fixmap_clear(unsigned int slot)
{
}
