// SPDX-License-Identifier: GPL-2.0
/* Page-table dump and the W^X audit (include/mm/ptdump.h). */
#include <arch/pgtable.h>
#include <mm/ptdump.h>

struct ptdump_state {
	struct ptdump_range cur;	/* the range being grown; cur.entries 0: none */
	ptdump_fn fn;
	void *arg;
	u64 wx_pages, wx_first;
};

static bool extends(const struct ptdump_range *r, u64 va, int level, pte_t pte)
{
	return r->entries && r->end == va && r->level == level &&
	       r->prot == arch_pte_prot(pte, level) && r->cont == arch_pte_cont(pte, level) &&
	       r->pa + (r->end - r->start) == arch_pte_addr(pte, level);
}

static void flush(struct ptdump_state *s)
{
	if (s->cur.entries && s->fn)
		s->fn(s->arg, &s->cur);
	s->cur.entries = 0;
}

static void visit(void *arg, u64 va, int level, pte_t pte)
{
	struct ptdump_state *s = arg;
	u64 size = level_size(level);

	if (arch_pte_type(pte, level) == PTE_INVALID) {
		flush(s);
		return;
	}
	if ((arch_pte_prot(pte, level) & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC)) {
		if (!s->wx_pages)
			s->wx_first = va;
		s->wx_pages += size / PAGE_SIZE;
	}
	if (extends(&s->cur, va, level, pte)) {
		s->cur.end = va + size;
		s->cur.entries++;
		return;
	}
	flush(s);
	s->cur = (struct ptdump_range) {
		.start = va, .end = va + size, .pa = arch_pte_addr(pte, level),
		.level = level, .prot = arch_pte_prot(pte, level),
		.cont = arch_pte_cont(pte, level), .entries = 1,
	};
}

u64 ptdump_walk(struct pgtable *pt, u64 va, u64 last, ptdump_fn fn, void *arg)
{
	struct ptdump_state s = { .fn = fn, .arg = arg };

	pgtable_for_each_leaf(pt, va, last, visit, &s);
	flush(&s);
	return s.wx_pages;
}

u64 ptdump_wx_pages(struct pgtable *pt, u64 va, u64 last, u64 *first)
{
	struct ptdump_state s = { 0 };

	pgtable_for_each_leaf(pt, va, last, visit, &s);
	if (first)
		*first = s.wx_pages ? s.wx_first : 0;
	return s.wx_pages;
}
