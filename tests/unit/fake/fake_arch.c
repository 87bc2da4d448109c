// SPDX-License-Identifier: GPL-2.0
/*
 * The fake arch (fake_arch.h): scrambled descriptors, a log of every
 * descriptor write, TLBI and barrier, the break-before-make and
 * contiguous-run checker, and host mappings that follow the live leaves.
 *
 * The TLB is modelled by records: whenever a live translation goes away
 * (a leaf or table entry is invalidated, or a leaf's permissions change),
 * a record says which VAs a TLB may still translate the old way. Its state
 * advances WRITTEN -DSB-> VISIBLE -TLBI-> TLBI -DSB ISH-> DONE. A new valid
 * entry overlapping a record that is not DONE breaks break-before-make; a
 * record not DONE at the end of an operation is a missing invalidation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake/fake_arch.h"
#include "fake/fake_phys.h"
#include <layout.h>

/* ---- the descriptor encoding ---- */

/*
 * Canonical form, before the per-level rotation: the level (+1) and a magic
 * sit in bits no valid descriptor uses, so a descriptor decoded at another
 * level, or garbage, is caught where it is read.
 */
#define D_VALID		BIT_ULL(0)
#define D_TYPE		BIT_ULL(1)	/* table above the last level; set for pages */
#define D_PROT_SHIFT	2
#define D_PROT		GENMASK_ULL(5, 2)
#define D_CONT		BIT_ULL(6)
#define D_ADDR		GENMASK_ULL(47, 12)
#define D_LEVEL_SHIFT	52
#define D_LEVEL		GENMASK_ULL(55, 52)
#define D_MAGIC_MASK	GENMASK_ULL(63, 60)
#define D_MAGIC		(0xbULL << 60)
#define D_KNOWN		(D_VALID | D_TYPE | D_PROT | D_CONT | D_ADDR | D_LEVEL | D_MAGIC_MASK)
#define PROT_ALL	(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_DEVICE)

/* The kernel half of the address space that the root table maps. */
#define TTBR1_BASE	(~0ULL << VA_BITS)

static unsigned int level_rot(int level)
{
	return 5 + 11 * level;
}

static inline void check_level(int level, const char *fn)
{
	if (level < PGTABLE_START_LEVEL || level > PGTABLE_LAST_LEVEL)
		fake_fail("%s: there is no level %d", fn, level);
}

static pte_t encode(u64 d, int level)
{
	unsigned int r = level_rot(level);

	d |= D_MAGIC | (u64)(level + 1) << D_LEVEL_SHIFT;
	return d << r | d >> (64 - r);
}

/* @pte at @level in canonical form: 0 for 0, else a checked valid descriptor. */
static inline u64 decode(pte_t pte, int level, const char *fn)
{
	unsigned int r = level_rot(level);
	u64 d;

	check_level(level, fn);
	if (!pte)
		return 0;
	d = pte >> r | pte << (64 - r);
	if ((d & ~D_KNOWN) || (d & D_MAGIC_MASK) != D_MAGIC || !(d & D_VALID))
		fake_fail("%s: %#lx is not a descriptor of level %d (garbage, a freed "
			  "table, or an entry of another level)", fn, pte, level);
	if (((d & D_LEVEL) >> D_LEVEL_SHIFT) != (u64)level + 1)
		fake_fail("%s: a level-%d descriptor read as level %d", fn,
			  (int)((d & D_LEVEL) >> D_LEVEL_SHIFT) - 1, level);
	if (level == PGTABLE_LAST_LEVEL && !(d & D_TYPE))
		fake_fail("%s: %#lx: a block at the last level", fn, pte);
	return d;
}

static bool d_table(u64 d, int level)
{
	return d && level < PGTABLE_LAST_LEVEL && (d & D_TYPE);
}

static bool d_leaf(u64 d, int level)
{
	return d && !d_table(d, level);
}

static u64 d_leaf_checked(pte_t pte, int level, const char *fn)
{
	u64 d = decode(pte, level, fn);

	if (!d_leaf(d, level))
		fake_fail("%s: %#lx at level %d is not a leaf", fn, pte, level);
	return d;
}

static pgprot_t d_prot(u64 d)
{
	return (d & D_PROT) >> D_PROT_SHIFT;
}

static u64 d_addr(u64 d)
{
	return d & D_ADDR;
}

pte_t arch_pte_mkleaf(phys_addr_t pa, int level, pgprot_t prot)
{
	check_level(level, __func__);
	if (level != PGTABLE_LAST_LEVEL && !arch_block_allowed(level))
		fake_fail("arch_pte_mkleaf: no blocks at level %d on this granule", level);
	if (!IS_ALIGNED(pa, level_size(level)) || pa >> PHYS_ADDR_BITS)
		fake_fail("arch_pte_mkleaf: %#lx is no output address for level %d", pa, level);
	if (prot & ~PROT_ALL)
		fake_fail("arch_pte_mkleaf: prot %#x", prot);
	return encode(D_VALID | (level == PGTABLE_LAST_LEVEL ? D_TYPE : 0) |
		      (u64)prot << D_PROT_SHIFT | pa, level);
}

pte_t arch_pte_mktable(phys_addr_t table, int level)
{
	check_level(level, __func__);
	if (level == PGTABLE_LAST_LEVEL)
		fake_fail("arch_pte_mktable: no tables below level %d", level);
	if (!IS_ALIGNED(table, PAGE_SIZE) || !table || table >> PHYS_ADDR_BITS)
		fake_fail("arch_pte_mktable: %#lx is no table address", table);
	return encode(D_VALID | D_TYPE | table, level);
}

enum pte_type arch_pte_type(pte_t pte, int level)
{
	u64 d = decode(pte, level, __func__);

	if (!d)
		return PTE_INVALID;
	if (level == PGTABLE_LAST_LEVEL)
		return PTE_PAGE;
	return d & D_TYPE ? PTE_TABLE : PTE_BLOCK;
}

phys_addr_t arch_pte_addr(pte_t pte, int level)
{
	u64 d = decode(pte, level, __func__);

	if (!d)
		fake_fail("arch_pte_addr: the entry is invalid");
	return d_addr(d);
}

pgprot_t arch_pte_prot(pte_t pte, int level)
{
	return d_prot(d_leaf_checked(pte, level, __func__));
}

bool arch_pte_cont(pte_t pte, int level)
{
	u64 d = decode(pte, level, __func__);

	if (d_table(d, level))
		fake_fail("arch_pte_cont: %#lx at level %d is a table", pte, level);
	return d & D_CONT;
}

pte_t arch_pte_mkcont(pte_t pte, int level)
{
	u64 d = d_leaf_checked(pte, level, __func__);

	if (!arch_cont_entries(level))
		fake_fail("arch_pte_mkcont: no contiguous runs at level %d", level);
	if (!IS_ALIGNED(d_addr(d), level_size(level)))
		fake_fail("arch_pte_mkcont: misaligned output address");
	return encode(d | D_CONT, level);
}

pte_t arch_pte_modify_prot(pte_t pte, int level, pgprot_t prot)
{
	u64 d = d_leaf_checked(pte, level, __func__);

	if (prot & ~PROT_ALL)
		fake_fail("arch_pte_modify_prot: prot %#x", prot);
	return encode((d & ~D_PROT) | (u64)prot << D_PROT_SHIFT, level);
}

pte_t arch_pte_mknoncont(pte_t pte, int level)
{
	return encode(d_leaf_checked(pte, level, __func__) & ~D_CONT, level);
}

/* ---- the log ---- */

enum ev_type { EV_OP, EV_SET, EV_TLBI_LEAF, EV_TLBI_VA, EV_TLBI_ALL, EV_DSB_ISHST,
	       EV_DSB_ISH, EV_ISB, EV_FREE };

struct event {
	unsigned long seq;
	enum ev_type type;
	int level;
	u64 a, b, c, d;
	const char *what;
};

#define LOG_SIZE	256
#define LOG_SHOWN	48
static struct event log_ring[LOG_SIZE];
static unsigned long seq;

struct fake_stats fake_stats;
jmp_buf *fake_catch;
char fake_fail_msg[512];

static void log_event(enum ev_type type, int level, u64 a, u64 b, u64 c, u64 d)
{
	seq++;
	log_ring[seq % LOG_SIZE] = (struct event){ .seq = seq, .type = type, .level = level,
						   .a = a, .b = b, .c = c, .d = d };
}

void fake_log_dump(void)
{
	unsigned long first = seq > LOG_SHOWN ? seq - LOG_SHOWN + 1 : 1;

	print_message("  last %lu events (newest last):\n", seq - first + 1);
	for (unsigned long s = first; s <= seq; s++) {
		const struct event *e = &log_ring[s % LOG_SIZE];

		if (e->seq != s)
			continue;
		switch (e->type) {
		case EV_OP:
			print_message("  %6lu  -- %s\n", s, e->what);
			break;
		case EV_SET:
			print_message("  %6lu  set  table %#lx [%lu] L%d  %#018lx -> %#018lx\n",
				      s, e->a, e->b, e->level, e->c, e->d);
			break;
		case EV_TLBI_LEAF:
			print_message("  %6lu  TLBI VALE1IS %#lx\n", s, e->a);
			break;
		case EV_TLBI_VA:
			print_message("  %6lu  TLBI VAE1IS  %#lx\n", s, e->a);
			break;
		case EV_TLBI_ALL:
			print_message("  %6lu  TLBI VMALLE1IS\n", s);
			break;
		case EV_DSB_ISHST:
			print_message("  %6lu  DSB ISHST\n", s);
			break;
		case EV_DSB_ISH:
			print_message("  %6lu  DSB ISH\n", s);
			break;
		case EV_ISB:
			print_message("  %6lu  ISB\n", s);
			break;
		case EV_FREE:
			print_message("  %6lu  free table %#lx L%d\n", s, e->a, e->level);
			break;
		}
	}
}

static void host_discard(void);

void fake_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_fail_msg, sizeof(fake_fail_msg), fmt, ap);
	va_end(ap);
	host_discard();
	if (fake_catch) {
		jmp_buf *env = fake_catch;

		fake_catch = NULL;
		longjmp(*env, 1);
	}
	print_error("fake arch: %s\n", fake_fail_msg);
	fake_log_dump();
	fail();
	abort();
}

/* ---- host mappings of the live leaves ---- */

static struct fake_window *windows;
static unsigned int nr_windows;

static u8 *window_host(u64 va, u64 size)
{
	static unsigned int last;

	for (unsigned int n = 0; n < nr_windows; n++) {
		unsigned int i = (last + n) % nr_windows;
		u64 off = va - windows[i].va;

		if (off < windows[i].size && size <= windows[i].size - off) {
			last = i;
			return windows[i].host + off;
		}
	}
	return NULL;
}

/* One pending host change, grown while the next one continues it. */
static struct {
	enum { H_NONE, H_MAP, H_UNMAP } kind;
	u64 va, size;
	phys_addr_t pa;
	int prot;
} pend;

static int host_prot(pgprot_t prot)
{
	return prot & PROT_WRITE ? PROT_READ | PROT_WRITE : PROT_READ;
}

static void host_flush(void)
{
	u8 *h;
	void *p;

	if (pend.kind == H_NONE)
		return;
	h = window_host(pend.va, pend.size);
	if (pend.kind == H_MAP)
		p = mmap(h, pend.size, pend.prot, MAP_SHARED | MAP_FIXED, fake_phys_fd,
			 pend.pa - FAKE_PHYS_BASE);
	else
		p = mmap(h, pend.size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			 MAP_NORESERVE, -1, 0);
	fake_stats.host_maps++;
	pend.kind = H_NONE;
	if (p != h)
		fake_fail("host mmap of [%#lx, +%#lx) failed", pend.va, pend.size);
}

static void host_discard(void)
{
	pend.kind = H_NONE;
}

static void host_queue(int kind, u64 va, u64 size, phys_addr_t pa, int prot)
{
	u8 *h = window_host(va, size);

	if (!h)
		fake_fail("a leaf for [%#lx, %#lx] lies outside the test's VA windows",
			  va, va + size - 1);
	if (kind == H_MAP && !fake_phys_is_data(pa, size))
		fake_fail("a leaf for %#lx maps [%#lx, +%#lx), not data memory", va, pa, size);
	if ((int)pend.kind == kind && va == pend.va + pend.size &&
	    h == window_host(pend.va, pend.size) + pend.size &&
	    (kind == H_UNMAP || (pa == pend.pa + pend.size && prot == pend.prot))) {
		pend.size += size;
		return;
	}
	host_flush();
	pend.kind = kind;
	pend.va = va;
	pend.size = size;
	pend.pa = pa;
	pend.prot = prot;
}

static void host_protect(u64 va, u64 size, pgprot_t prot)
{
	u8 *h = window_host(va, size);

	host_flush();
	if (!h || mprotect(h, size, host_prot(prot)))
		fake_fail("host mprotect of [%#lx, +%#lx) failed", va, size);
	fake_stats.host_maps++;
}

void fake_arch_init(struct fake_window *w, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		void *p = mmap(NULL, w[i].size, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			fail_msg("fake_arch: reserving %#lx bytes for window %s", w[i].size,
				 w[i].name);
		w[i].host = p;
	}
	windows = w;
	nr_windows = n;
}

void *fake_host_ptr(u64 va)
{
	host_flush();
	return window_host(va, 1);
}

/* ---- the TLB model ---- */

enum rec_kind { REC_LEAF, REC_TABLE, REC_PERM };
enum rec_state { R_WRITTEN, R_VISIBLE, R_TLBI, R_DONE };

static const char *const rec_kind_name[] = { "leaf", "table", "old-permission" };
static const char *const rec_state_name[] = {
	"not yet made visible by a DSB", "not invalidated by a TLBI",
	"invalidated, but no DSB ISH waited for the TLBI", "done",
};

struct rec {
	u64 lo, hi;		/* no new valid entry may overlap these VAs until DONE */
	u64 ilo, ihi;		/* a TLBI for a VA in here reaches it */
	phys_addr_t child;	/* REC_TABLE: the table that was unlinked */
	int level;
	enum rec_kind kind;
	enum rec_state state;
	bool leaf_tlbi_only;	/* reached by VALE1IS only */
	bool replaced;		/* its entry was written valid again since */
	long next[2];		/* hash chains: by entry, by run */
};

struct vec {
	long *v;
	unsigned long n, cap;
};

static void vec_push(struct vec *v, long x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 256;
		v->v = realloc(v->v, v->cap * sizeof(*v->v));
		if (!v->v)
			abort();
	}
	v->v[v->n++] = x;
}

static struct rec *recs;
static unsigned long nr_recs, cap_recs;
static struct vec written, tlbied, level_recs[4];

#define HASH_BITS	14
static long hash_head[2][1 << HASH_BITS];
static unsigned long hash_gen[2][1 << HASH_BITS];
static unsigned long op_gen = 1;

static unsigned long hash(u64 key, int level)
{
	return ((key >> 12) ^ (u64)level << 40) * 0x9e3779b97f4a7c15ULL >> (64 - HASH_BITS);
}

static long *hash_slot(int h, u64 key, int level)
{
	unsigned long b = hash(key, level);

	if (hash_gen[h][b] != op_gen) {
		hash_gen[h][b] = op_gen;
		hash_head[h][b] = -1;
	}
	return &hash_head[h][b];
}

static u64 cont_span(int level)
{
	return arch_cont_entries(level) * level_size(level);
}

static long add_record(enum rec_kind kind, int level, u64 va, bool cont, phys_addr_t child)
{
	u64 size = level_size(level);
	struct rec *r;
	long *head;

	if (nr_recs == cap_recs) {
		cap_recs = cap_recs ? cap_recs * 2 : 1024;
		recs = realloc(recs, cap_recs * sizeof(*recs));
		if (!recs)
			abort();
	}
	r = &recs[nr_recs];
	*r = (struct rec){ .ilo = va, .ihi = va + size - 1, .lo = va, .hi = va + size - 1,
			   .child = child, .level = level, .kind = kind, .state = R_WRITTEN,
			   .next = { -1, -1 } };
	head = hash_slot(0, va, level);
	r->next[0] = *head;
	*head = nr_recs;
	if (cont) {
		/* The TLB may hold the run as one entry: it blocks the whole run. */
		r->lo = ALIGN_DOWN(va, cont_span(level));
		r->hi = r->lo + cont_span(level) - 1;
		head = hash_slot(1, r->lo, level);
		r->next[1] = *head;
		*head = nr_recs;
	}
	vec_push(&written, nr_recs);
	vec_push(&level_recs[level], nr_recs);
	return nr_recs++;
}

static void fail_record(const struct rec *r, const char *why)
{
	fake_fail("%s: the %s translation at level %d for [%#lx, %#lx] is %s", why,
		  rec_kind_name[r->kind], r->level, r->ilo, r->ihi, rec_state_name[r->state]);
}

/*
 * A new valid entry of @level for [first, last] (a table if @table) may be
 * written. A record whose entry it rewrites is replaced by it: the next
 * change of that entry is judged by its own record.
 */
static void check_record(struct rec *r, int level, u64 first, u64 last, bool table)
{
	char why[160];

	if (r->lo > last || r->hi < first || r->replaced)
		return;
	if (r->state != R_DONE) {
		snprintf(why, sizeof(why), "break-before-make: new level-%d %s for [%#lx, %#lx] "
			 "written", level, table ? "table entry" : "leaf", first, last);
		fail_record(r, why);
	}
	if (table && r->level == level && r->leaf_tlbi_only)
		fake_fail("break-before-make: level-%d table entry for [%#lx, %#lx] replaces a "
			  "%s invalidated by VALE1IS only (a table is involved: VAE1IS)", level,
			  first, last, rec_kind_name[r->kind]);
	if (r->ilo >= first && r->ihi <= last)
		r->replaced = true;
}

static void check_chain(int h, u64 key, int l, int level, u64 first, u64 last, bool table)
{
	for (long i = *hash_slot(h, key, l); i >= 0; i = recs[i].next[h])
		if (recs[i].level == l)
			check_record(&recs[i], level, first, last, table);
}

static void check_new_valid(int level, u64 first, u64 last, bool table)
{
	if (!nr_recs)
		return;		/* nothing was invalidated in this operation */
	for (int l = PGTABLE_START_LEVEL; l <= PGTABLE_LAST_LEVEL; l++) {
		if (l < level) {
			check_chain(0, ALIGN_DOWN(first, level_size(l)), l, level, first, last, table);
		} else if (l == level) {
			for (u64 v = first; ; v += level_size(l)) {
				check_chain(0, v, l, level, first, last, table);
				if (v + level_size(l) - 1 == last)
					break;
			}
		} else {
			for (unsigned long j = 0; j < level_recs[l].n; j++)
				check_record(&recs[level_recs[l].v[j]], level, first, last, table);
			continue;
		}
		if (arch_cont_entries(l))
			check_chain(1, ALIGN_DOWN(first, cont_span(l)), l, level, first, last, table);
	}
}

static void check_ttbr1(u64 va, const char *what)
{
	if (va < TTBR1_BASE)
		fake_fail("%s %#lx: not a kernel (TTBR1) address", what, va);
}

static void tlbi_hit(struct rec *r, bool all_levels, u64 va)
{
	if (r->kind == REC_TABLE && !all_levels)
		return;		/* VALE1IS leaves walk caches alone */
	if (r->state == R_WRITTEN)
		fake_fail("TLBI for %#lx before a DSB made the invalidation of the level-%d %s "
			  "for [%#lx, %#lx] visible", va, r->level, rec_kind_name[r->kind],
			  r->ilo, r->ihi);
	if (r->state == R_VISIBLE || (r->state == R_DONE && r->leaf_tlbi_only && all_levels)) {
		r->state = R_TLBI;
		r->leaf_tlbi_only = !all_levels;
		vec_push(&tlbied, r - recs);
	} else if (r->state == R_TLBI) {
		r->leaf_tlbi_only &= !all_levels;
	}
}

static void tlbi(u64 va, bool all_levels)
{
	check_ttbr1(va, all_levels ? "TLBI VAE1IS" : "TLBI VALE1IS");
	for (int l = PGTABLE_START_LEVEL; l <= PGTABLE_LAST_LEVEL; l++) {
		u64 key = ALIGN_DOWN(va, level_size(l));

		for (long i = *hash_slot(0, key, l); i >= 0; i = recs[i].next[0])
			if (recs[i].level == l && recs[i].ilo == key)
				tlbi_hit(&recs[i], all_levels, va);
	}
}

static unsigned long last_write, last_tlbi, last_dsb, last_dsb_ish, last_isb, op_start;
static const char *op_name = "(no operation)";

void arch_tlbi_leaf(u64 va)
{
	log_event(EV_TLBI_LEAF, 0, va, 0, 0, 0);
	fake_stats.tlbi_leaf++;
	last_tlbi = seq;
	tlbi(va, false);
}

void arch_tlbi_va(u64 va)
{
	log_event(EV_TLBI_VA, 0, va, 0, 0, 0);
	fake_stats.tlbi_va++;
	last_tlbi = seq;
	tlbi(va, true);
}

void arch_tlbi_all(void)
{
	log_event(EV_TLBI_ALL, 0, 0, 0, 0, 0);
	fake_stats.tlbi_all++;
	last_tlbi = seq;
	for (unsigned long i = 0; i < nr_recs; i++)
		tlbi_hit(&recs[i], true, recs[i].ilo);
}

static void dsb(bool full)
{
	for (unsigned long j = 0; j < written.n; j++)
		if (recs[written.v[j]].state == R_WRITTEN)
			recs[written.v[j]].state = R_VISIBLE;
	written.n = 0;
	last_dsb = seq;
	if (!full)
		return;
	for (unsigned long j = 0; j < tlbied.n; j++)
		if (recs[tlbied.v[j]].state == R_TLBI)
			recs[tlbied.v[j]].state = R_DONE;
	tlbied.n = 0;
	last_dsb_ish = seq;
}

void arch_dsb_ishst(void)
{
	log_event(EV_DSB_ISHST, 0, 0, 0, 0, 0);
	fake_stats.dsb_ishst++;
	dsb(false);
}

void arch_dsb_ish(void)
{
	log_event(EV_DSB_ISH, 0, 0, 0, 0, 0);
	fake_stats.dsb_ish++;
	dsb(true);
}

void arch_isb(void)
{
	log_event(EV_ISB, 0, 0, 0, 0, 0);
	fake_stats.isb++;
	last_isb = seq;
	/*
	 * From here on the CPU uses the new tables, and mm/ may read what it
	 * just mapped (a memmap it initialises): map it in the host now. Host
	 * unmappings wait to be merged with the next ones (a teardown unmaps
	 * leaf after leaf, each costing the host a TLB flush); they are done by
	 * the end of the operation, or before anything else is mapped.
	 */
	if (pend.kind == H_MAP)
		host_flush();
}

/* ---- contiguous runs ---- */

struct run_ref {
	phys_addr_t table;
	int level;
	unsigned long first;
};

static struct run_ref *dirty_runs;
static unsigned long nr_dirty, cap_dirty;

/*
 * The run of @table's entry @idx: valid entries agree (Contiguous bit,
 * attributes, output addresses in step and the run aligned); with @whole,
 * a run with any Contiguous entry has all of them.
 */
static void check_run(phys_addr_t table, int level, unsigned long idx, bool whole)
{
	unsigned int n = arch_cont_entries(level), cont = 0, plain = 0;
	unsigned long g = idx - idx % n;
	const pte_t *e = (const pte_t *)fake_phys_ptr(table) + g;
	u64 size = level_size(level), base = 0, attrs = 0;
	const struct fake_table *t = fake_table_info(table);
	u64 va = t->base + g * size;

	for (unsigned int i = 0; i < n; i++) {
		u64 d = decode(e[i], level, "run check");

		if (!d)
			continue;
		if (!(d & D_CONT)) {
			plain++;
			continue;
		}
		if (!cont++) {
			base = d_addr(d) - i * size;
			attrs = d & ~D_ADDR;
			if (!IS_ALIGNED(base, cont_span(level)))
				fake_fail("contiguous run at level %d for %#lx: output %#lx is not "
					  "aligned to the run", level, va, base);
		} else if ((d & ~D_ADDR) != attrs || d_addr(d) != base + i * size) {
			fake_fail("contiguous run at level %d for %#lx: entry %u (%#lx) differs "
				  "from the rest (attributes or address)", level, va, i, e[i]);
		}
	}
	if (cont && plain)
		fake_fail("contiguous run at level %d for %#lx: %u entries with the Contiguous "
			  "bit next to %u without", level, va, cont, plain);
	if (whole && cont && cont != n)
		fake_fail("contiguous run at level %d for %#lx: %u of %u entries at the end of %s",
			  level, va, cont, n, op_name);
}

static void mark_run_dirty(phys_addr_t table, int level, unsigned long idx)
{
	unsigned long g = idx - idx % arch_cont_entries(level);

	if (nr_dirty && dirty_runs[nr_dirty - 1].table == table &&
	    dirty_runs[nr_dirty - 1].first == g)
		return;
	if (nr_dirty == cap_dirty) {
		cap_dirty = cap_dirty ? cap_dirty * 2 : 256;
		dirty_runs = realloc(dirty_runs, cap_dirty * sizeof(*dirty_runs));
		if (!dirty_runs)
			abort();
	}
	dirty_runs[nr_dirty++] = (struct run_ref){ table, level, g };
}

/* ---- the live tree ---- */

static void make_live(int level, u64 va, u64 d);

/* @table was just linked at @va: what it maps becomes live. */
static void link_table(phys_addr_t table, int level, u64 va)
{
	struct fake_table *t = fake_table_info(table);
	const pte_t *e = fake_phys_ptr(table);
	unsigned int n = arch_cont_entries(level);

	if (!t || (t->state != FT_TABLE && t->state != FT_FOREIGN))
		fake_fail("a level-%d table entry for %#lx points to %#lx, which is not an "
			  "allocated table", level - 1, va, table);
	if (t->level != level)
		fake_fail("table %#lx, allocated for level %d, linked as level %d", table,
			  t->level, level);
	if (t->live)
		fake_fail("table %#lx is linked twice", table);
	if (ALIGN_DOWN(t->alloc_va, level_size(level - 1)) != va)
		fake_fail("table %#lx was allocated for va %#lx, but linked for %#lx", table,
			  t->alloc_va, va);
	t->live = true;
	t->base = va;
	t->cont_entries = 0;
	for (unsigned long i = 0; i < level_entries(level); i++) {
		u64 d = decode(e[i], level, "linking a table");

		t->cont_entries += !!(d & D_CONT);
		if (d)
			make_live(level, va + i * level_size(level), d);
		if (n && i % n == 0)
			check_run(table, level, i, true);
	}
}

/* The valid entry @d of @level for @va became reachable. */
static void make_live(int level, u64 va, u64 d)
{
	u64 size = level_size(level);

	if (d & D_CONT)
		check_new_valid(level, ALIGN_DOWN(va, cont_span(level)),
				ALIGN_DOWN(va, cont_span(level)) + cont_span(level) - 1, false);
	else
		check_new_valid(level, va, va + size - 1, d_table(d, level));
	if (d_table(d, level))
		link_table(d_addr(d), level + 1, va);
	else
		host_queue(H_MAP, va, size, d_addr(d), host_prot(d_prot(d)));
}

/* The valid entry @d of @level for @va stopped being reachable. */
static void kill_live(int level, u64 va, u64 d)
{
	struct fake_table *t;
	const pte_t *e;
	long r;

	if (!d_table(d, level)) {
		host_queue(H_UNMAP, va, level_size(level), 0, 0);
		add_record(REC_LEAF, level, va, d & D_CONT, 0);
		return;
	}
	t = fake_table_info(d_addr(d));
	e = fake_phys_ptr(d_addr(d));
	t->live = false;
	for (unsigned long i = 0; i < level_entries(level + 1); i++) {
		u64 c = decode(e[i], level + 1, "unlinking a table");

		if (c)
			kill_live(level + 1, va + i * level_size(level + 1), c);
	}
	r = add_record(REC_TABLE, level, va, false, d_addr(d));
	t->unlink_op = op_gen;
	t->unlink_rec = r;
}

void arch_set_pte(pte_t *ptep, pte_t pte)
{
	phys_addr_t pa = fake_phys_of(ptep), table = ALIGN_DOWN(pa, PAGE_SIZE);
	struct fake_table *t = pa ? fake_table_info(pa) : NULL;
	unsigned long idx = (pa - table) / sizeof(pte_t);
	u64 dold, dnew, va;
	pte_t old;
	int level;

	if (!t || t->state == FT_FREE || !IS_ALIGNED(pa, sizeof(pte_t)))
		fake_fail("arch_set_pte(%p): not an entry of an allocated table page", ptep);
	level = t->level;
	if (idx >= level_entries(level))
		fake_fail("arch_set_pte: entry %lu of a level-%d table, which has %lu", idx,
			  level, level_entries(level));
	if (fake_fixmap_pa[FIX_PTE_L0 + level] != table)
		fake_fail("arch_set_pte: table %#lx written through a stale pointer: the level-%d "
			  "fixmap slot shows %#lx now", table, level, fake_fixmap_pa[FIX_PTE_L0 + level]);
	old = *ptep;
	log_event(EV_SET, level, table, idx, old, pte);
	fake_stats.writes++;
	last_write = seq;
	dold = decode(old, level, "arch_set_pte (old entry)");
	dnew = decode(pte, level, "arch_set_pte");
	va = t->base + idx * level_size(level);
	if (t->live && old != pte) {
		if (dold && dnew) {
			/* Only permissions may change in place: not the memory type. */
			if (!d_leaf(dold, level) ||
			    (dold ^ dnew) & ~(D_PROT & ~((u64)PROT_DEVICE << D_PROT_SHIFT)))
				fake_fail("break-before-make: live level-%d entry for %#lx changed "
					  "from %#lx to %#lx without being invalidated first",
					  level, va, old, pte);
			host_protect(va, level_size(level), d_prot(dnew));
			add_record(REC_PERM, level, va, dold & D_CONT, 0);
		} else if (dold) {
			kill_live(level, va, dold);
		} else {
			make_live(level, va, dnew);
		}
	}
	*ptep = pte;
	t->cont_entries += !!(dnew & D_CONT) - !!(dold & D_CONT);
	if (t->live && arch_cont_entries(level)) {
		/* a run can only be wrong where the table has Contiguous entries */
		if (dnew && t->cont_entries)
			check_run(table, level, idx, false);
		if ((dold | dnew) & D_CONT)
			mark_run_dirty(table, level, idx);
	}
}

void fake_arch_check_free(phys_addr_t table, int level)
{
	struct fake_table *t = fake_table_info(table);

	log_event(EV_FREE, level, table, 0, 0, 0);
	if (t->live)
		fake_fail("table %#lx (level %d) freed while an entry still links it", table,
			  level);
	if (t->unlink_op == op_gen && t->unlink_rec >= 0 &&
	    recs[t->unlink_rec].state != R_DONE)
		fake_fail("table %#lx (level %d) freed after its unlinking, but the walk caches "
			  "may still hold it: %s", table, level,
			  rec_state_name[recs[t->unlink_rec].state]);
}

void fake_arch_set_root(phys_addr_t root)
{
	struct fake_table *t = fake_table_info(root);

	t->live = true;
	t->base = TTBR1_BASE;
}

/* ---- operations ---- */

static void forget_records(void)
{
	nr_recs = 0;
	written.n = 0;
	tlbied.n = 0;
	for (int l = 0; l < 4; l++)
		level_recs[l].n = 0;
	nr_dirty = 0;
	op_gen++;
}

void fake_arch_reset(void)
{
	host_discard();
	for (unsigned int i = 0; i < nr_windows; i++)
		if (mmap(windows[i].host, windows[i].size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED | MAP_NORESERVE, -1, 0) != windows[i].host)
			fail_msg("fake_arch: resetting window %s", windows[i].name);
	forget_records();
	fake_catch = NULL;
	op_name = "(no operation)";
}

void fake_op_begin(const char *what)
{
	host_flush();
	forget_records();
	op_name = what;
	op_start = seq;
	seq++;
	log_ring[seq % LOG_SIZE] = (struct event){ .seq = seq, .type = EV_OP, .what = what };
	fake_stats.ops++;
}

void fake_op_end(void)
{
	struct fake_table *t;
	phys_addr_t pa;

	host_flush();
	for (unsigned long i = 0; i < nr_recs; i++)
		if (recs[i].state != R_DONE)
			fail_record(&recs[i], op_name);
	if (last_write > op_start && last_dsb < last_write)
		fake_fail("%s: no DSB after the last descriptor write", op_name);
	if (last_tlbi > op_start && last_dsb_ish < last_tlbi)
		fake_fail("%s: no DSB ISH after the last TLBI", op_name);
	if ((last_write > op_start || last_tlbi > op_start) && last_isb < last_dsb)
		fake_fail("%s: no ISB after the last DSB", op_name);
	for (unsigned long i = 0; i < nr_dirty; i++) {
		struct fake_table *t = fake_table_info(dirty_runs[i].table);

		if (t->state != FT_FREE && t->live && t->level == dirty_runs[i].level)
			check_run(dirty_runs[i].table, t->level, dirty_runs[i].first, true);
	}
	for (unsigned long i = 0; (t = fake_table_next(&i, &pa));)
		if (t->state == FT_TABLE && !t->live)
			fake_fail("%s: table %#lx (level %d, from %s) is allocated but not linked",
				  op_name, pa, t->level, t->owner->a.name);
	forget_records();
	op_name = "(no operation)";
}

static unsigned long check_table(phys_addr_t table, int level, u64 va)
{
	const pte_t *e = fake_phys_ptr(table);
	unsigned int n = arch_cont_entries(level);
	unsigned long tables = 1;

	for (unsigned long i = 0; i < level_entries(level); i++) {
		u64 d = decode(e[i], level, "tree check");
		u64 v = va + i * level_size(level);

		if (n && i % n == 0)
			check_run(table, level, i, true);
		if (d_table(d, level)) {
			struct fake_table *c = fake_table_info(d_addr(d));

			if (!c || (c->state != FT_TABLE && c->state != FT_FOREIGN) || !c->live ||
			    c->level != level + 1 ||
			    c->base != v)
				fake_fail("tree check: level-%d entry for %#lx links %#lx, which is "
					  "not a live table of level %d for it", level, v, d_addr(d),
					  level + 1);
			tables += check_table(d_addr(d), level + 1, v);
		} else if (d && !window_host(v, level_size(level))) {
			fake_fail("tree check: leaf for %#lx outside the windows", v);
		}
	}
	return tables;
}

void fake_check_tree(void)
{
	unsigned long live = 0, root = 0;
	const struct fake_table *t;
	phys_addr_t pa;

	for (unsigned long i = 0; (t = fake_table_next(&i, &pa));) {
		if (t->state == FT_ROOT && t->live)
			root = pa;
		live += t->state != FT_FREE && t->live;
	}
	if (!root)
		fake_fail("tree check: no live root");
	if (check_table(root, PGTABLE_START_LEVEL, TTBR1_BASE) != live)
		fake_fail("tree check: %lu tables are marked live, the tree has another count",
			  live);
}

/* ---- probes ---- */

static sigjmp_buf probe_env;

static void probe_handler(int sig)
{
	siglongjmp(probe_env, 1);
}

__attribute__((no_sanitize_address, noinline))
static int probe(volatile u64 *p, u64 *val, bool write)
{
	struct sigaction sa = { .sa_handler = probe_handler }, old_segv, old_bus;
	volatile int ret = 0;

	host_flush();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(probe_env, 1))
		ret = -EFAULT;
	else if (write)
		*p = *val;
	else
		*val = *p;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return ret;
}

int fake_probe_read(const void *p, u64 *val)
{
	return probe((volatile u64 *)p, val, false);
}

int fake_probe_write(void *p, u64 val)
{
	return probe(p, &val, true);
}
