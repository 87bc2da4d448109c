// SPDX-License-Identifier: GPL-2.0
/*
 * memblock: the boot-time memory map (include/mm/memblock.h).
 *
 * Each list is a sorted array of disjoint regions. Adding a range fills only
 * the gaps the list leaves inside it, so an older entry keeps its name where
 * two overlap; neighbours equal in node, flags and name are merged. A change
 * that would need more than MEMBLOCK_MAX_REGIONS regions fails with -ENOSPC
 * and leaves the list as it was.
 */
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/fault_inject.h>
#include <mm/memblock.h>
#include <mm/numa.h>
#include <string.h>

struct memblock memblock;
bool after_bootmem;

static bool range_ok(phys_addr_t base, u64 size)
{
	return size && base + size > base;
}

static bool same_kind(const struct memblock_region *a, const struct memblock_region *b)
{
	return a->nid == b->nid && a->flags == b->flags && a->name == b->name;
}

static phys_addr_t region_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

/*
 * Every change is built here from the old list, in address order, merging
 * as it goes, and copied back only if the result fits. So an operation that
 * returns -ENOSPC changes nothing, and one whose merged result fits works
 * even on a full list. The count never goes down while a list is built, so
 * once it passes the limit the rest is only counted.
 */
static struct {
	int cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS + 1];
} next;

/* Append [start, stop) with @kind's node, flags and name (nothing if empty). */
static void emit(struct memblock_region kind, phys_addr_t start, phys_addr_t stop)
{
	struct memblock_region *last;

	if (start >= stop)
		return;
	if (next.cnt > MEMBLOCK_MAX_REGIONS) {
		next.cnt++;
		return;
	}
	last = next.cnt ? &next.regions[next.cnt - 1] : NULL;
	if (last && region_end(last) == start && same_kind(last, &kind)) {
		last->size += stop - start;
		return;
	}
	kind.base = start;
	kind.size = stop - start;
	next.regions[next.cnt++] = kind;
}

/* Make @next the content of @type, if it fits. */
static int commit(struct memblock_type *type)
{
	if (next.cnt > MEMBLOCK_MAX_REGIONS)
		return -ENOSPC;
	memcpy(type->regions, next.regions, next.cnt * sizeof(next.regions[0]));
	type->cnt = next.cnt;
	return 0;
}

/*
 * Add the parts at or above @from of the @n sorted, disjoint ranges @add[]
 * that no region of @type covers yet, each with its range's node and name
 * and no flags: an older region keeps its node and name where they overlap.
 */
static int add_gaps(struct memblock_type *type, const struct memblock_region *add, int n,
		    phys_addr_t from)
{
	phys_addr_t covered = 0;
	int i = 0;

	next.cnt = 0;
	for (int k = 0; k < n; k++) {
		struct memblock_region kind = add[k];
		phys_addr_t pos = max(max(kind.base, from), covered), end = region_end(&kind);

		kind.flags = 0;
		for (; i < type->cnt && type->regions[i].base < end; i++) {
			const struct memblock_region *r = &type->regions[i];

			emit(kind, pos, r->base);
			emit(*r, r->base, region_end(r));
			covered = region_end(r);
			pos = max(pos, covered);
		}
		emit(kind, pos, end);
	}
	for (; i < type->cnt; i++)
		emit(type->regions[i], type->regions[i].base, region_end(&type->regions[i]));
	return commit(type);
}

/* Take [base, end) out of @type; what remains keeps its node, flags and name. */
static int remove_range(struct memblock_type *type, phys_addr_t base, phys_addr_t end)
{
	next.cnt = 0;
	for (int i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		emit(*r, r->base, min(region_end(r), base));
		emit(*r, max(r->base, end), region_end(r));
	}
	return commit(type);
}

int memblock_add_node(phys_addr_t base, u64 size, int nid)
{
	struct memblock_region r = { .base = base, .size = size, .nid = nid };

	if (!range_ok(base, size) || nid < NUMA_NO_NODE || nid >= MAX_NUMNODES)
		return -EINVAL;
	return add_gaps(&memblock.memory, &r, 1, 0);
}

int memblock_reserve(phys_addr_t base, u64 size, const char *name)
{
	struct memblock_region r = { .base = base, .size = size, .nid = -1, .name = name };

	if (!range_ok(base, size))
		return -EINVAL;
	return add_gaps(&memblock.reserved, &r, 1, 0);
}

int memblock_mark_nomap(phys_addr_t base, u64 size)
{
	struct memblock_type *mem = &memblock.memory;
	phys_addr_t end = base + size;

	if (!range_ok(base, size))
		return -EINVAL;
	next.cnt = 0;
	for (int i = 0; i < mem->cnt; i++) {
		const struct memblock_region *r = &mem->regions[i];
		struct memblock_region nomap = *r;

		nomap.flags |= MEMBLOCK_NOMAP;
		emit(*r, r->base, min(region_end(r), base));
		emit(nomap, max(r->base, base), min(region_end(r), end));
		emit(*r, max(r->base, end), region_end(r));
	}
	return commit(mem);
}

int memblock_phys_free(phys_addr_t base, u64 size)
{
	if (!range_ok(base, size))
		return -EINVAL;
	return remove_range(&memblock.reserved, base, base + size);
}

/* The highest @align-aligned start of @size bytes in [lo, hi), or 0. */
static phys_addr_t fit_top(phys_addr_t lo, phys_addr_t hi, u64 size, u64 align)
{
	phys_addr_t start;

	if (lo >= hi || hi - lo < size)
		return 0;
	start = ALIGN_DOWN(hi - size, align);
	return start >= lo ? start : 0;
}

/* The highest fit inside memory region @m that no reservation touches. */
static phys_addr_t alloc_in(const struct memblock_region *m, u64 size, u64 align)
{
	phys_addr_t hi = m->base + m->size;

	for (int i = memblock.reserved.cnt - 1; i >= 0; i--) {
		const struct memblock_region *r = &memblock.reserved.regions[i];
		phys_addr_t rend = r->base + r->size, start;

		if (r->base >= hi)
			continue;
		if (rend <= m->base)
			break;
		start = fit_top(max(rend, m->base), hi, size, align);
		if (start)
			return start;
		hi = r->base;
		if (hi <= m->base)
			return 0;
	}
	return fit_top(m->base, hi, size, align);
}

/* The highest fit over regions of node @nid (any node if @nid < 0), or 0. */
static phys_addr_t find_top(u64 size, u64 align, int nid)
{
	for (int i = memblock.memory.cnt - 1; i >= 0; i--) {
		const struct memblock_region *m = &memblock.memory.regions[i];
		phys_addr_t pa;

		if ((m->flags & MEMBLOCK_NOMAP) || (nid >= 0 && memblock_region_nid(m) != nid))
			continue;
		pa = alloc_in(m, size, align);
		if (pa)
			return pa;
	}
	return 0;
}

/* Reserve the fit at @pa (0: none) under @name; 0 if the list has no room. */
static phys_addr_t reserve_fit(phys_addr_t pa, u64 size, const char *name)
{
	return pa && !memblock_reserve(pa, size, name) ? pa : 0;
}

phys_addr_t memblock_phys_alloc(u64 size, u64 align, const char *name)
{
	if (after_bootmem || should_fail(FAIL_MEMBLOCK))
		return 0;
	return reserve_fit(find_top(size, align, -1), size, name);
}

phys_addr_t memblock_phys_alloc_try_nid(u64 size, u64 align, int nid, const char *name)
{
	phys_addr_t pa;

	if (after_bootmem || should_fail(FAIL_MEMBLOCK))
		return 0;
	pa = find_top(size, align, nid);
	return reserve_fit(pa ? pa : find_top(size, align, -1), size, name);
}

int memblock_nid_of(phys_addr_t pa)
{
	for_each_mem_region(r)
		if (pa >= r->base && pa - r->base < r->size)
			return memblock_region_nid(r);
	return -1;
}

bool memblock_is_memory(phys_addr_t pa)
{
	for_each_mem_region(r)
		if (pa >= r->base && pa - r->base < r->size)
			return true;
	return false;
}

int memblock_mem_limit_remove_map(u64 limit)
{
	struct memblock_type *mem = &memblock.memory;
	phys_addr_t cut;
	int i, ret;

	if (!limit)
		return -EINVAL;
	/* Regions below the cut are kept whole; the cut falls in region i. */
	for (i = 0; i < mem->cnt && mem->regions[i].size <= limit; i++)
		limit -= mem->regions[i].size;
	if (i == mem->cnt)
		return 0;
	cut = mem->regions[i].base + limit;
	ret = add_gaps(&memblock.held, &mem->regions[i], mem->cnt - i, cut);
	/* Taking the tail off cannot need more regions: no -ENOSPC after held changed. */
	return ret ?: remove_range(mem, cut, memblock_end_of_DRAM());
}

/* Whether any region of @type intersects [base, base + size). */
static bool intersects(const struct memblock_type *type, phys_addr_t base, u64 size)
{
	for (int i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		if (r->base < base + size && base < r->base + r->size)
			return true;
	}
	return false;
}

int memblock_remove(phys_addr_t base, u64 size)
{
	if (!range_ok(base, size))
		return -EINVAL;
	return remove_range(&memblock.memory, base, base + size);
}

int memblock_hold(phys_addr_t base, u64 size, int nid)
{
	struct memblock_region r = { .base = base, .size = size, .nid = nid };

	if (!range_ok(base, size) || nid < NUMA_NO_NODE || nid >= MAX_NUMNODES)
		return -EINVAL;
	if (intersects(&memblock.memory, base, size) || intersects(&memblock.held, base, size))
		return -EEXIST;
	return add_gaps(&memblock.held, &r, 1, 0);
}

int memblock_unhold(phys_addr_t base, u64 size)
{
	if (!range_ok(base, size))
		return -EINVAL;
	return remove_range(&memblock.held, base, base + size);
}

int memblock_held_nid(phys_addr_t base, u64 size)
{
	phys_addr_t pos = base;
	int nid = NUMA_NO_NODE - 1;

	if (!range_ok(base, size))
		return -EINVAL;
	for_each_held_region(r) {
		if (r->base + r->size <= pos)
			continue;
		if (r->base > pos)
			return -ENOENT;		/* a gap */
		if (nid != NUMA_NO_NODE - 1 && memblock_region_nid(r) != nid)
			return -EINVAL;
		nid = memblock_region_nid(r);
		pos = r->base + r->size;
		if (pos >= base + size)
			return nid;
	}
	return -ENOENT;
}

int memblock_hold_node(int nid)
{
	for (int i = 0; i < memblock.memory.cnt;) {
		struct memblock_region r = memblock.memory.regions[i];
		int ret;

		if (memblock_region_nid(&r) != nid) {
			i++;
			continue;
		}
		r.flags = 0;
		ret = add_gaps(&memblock.held, &r, 1, 0) ?:
		      remove_range(&memblock.memory, r.base, r.base + r.size);
		if (ret)
			return ret;
	}
	return 0;
}

u64 memblock_phys_mem_size(void)
{
	u64 total = 0;

	for_each_mem_region(r)
		total += r->size;
	return total;
}

phys_addr_t memblock_start_of_DRAM(void)
{
	return memblock.memory.cnt ? memblock.memory.regions[0].base : 0;
}

phys_addr_t memblock_end_of_DRAM(void)
{
	const struct memblock_region *r;

	if (!memblock.memory.cnt)
		return 0;
	r = &memblock.memory.regions[memblock.memory.cnt - 1];
	return r->base + r->size;
}
