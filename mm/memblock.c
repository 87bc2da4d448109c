// SPDX-License-Identifier: GPL-2.0
/*
 * memblock: the boot-time memory map (include/mm/memblock.h).
 *
 * Each list is a sorted array of disjoint regions. Adding a range fills only
 * the gaps the list leaves inside it, so an older entry keeps its name where
 * two overlap; neighbours equal in node, flags and name are merged.
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

static void merge_neighbours(struct memblock_type *type)
{
	int i = 0;

	while (i + 1 < type->cnt) {
		struct memblock_region *r = &type->regions[i];

		if (r->base + r->size == r[1].base && same_kind(r, r + 1)) {
			r->size += r[1].size;
			memmove(r + 1, r + 2, (type->cnt - i - 2) * sizeof(*r));
			type->cnt--;
		} else {
			i++;
		}
	}
}

/* Put @new at its sorted place; the caller made sure it overlaps nothing. */
static int insert_region(struct memblock_type *type, const struct memblock_region *new)
{
	int i = 0;

	if (type->cnt == MEMBLOCK_MAX_REGIONS)
		return -ENOSPC;
	while (i < type->cnt && type->regions[i].base < new->base)
		i++;
	memmove(&type->regions[i + 1], &type->regions[i],
		(type->cnt - i) * sizeof(*new));
	type->regions[i] = *new;
	type->cnt++;
	return 0;
}

/* Add the parts of @tmpl's range that no region of @type covers yet. */
static int add_gaps(struct memblock_type *type, const struct memblock_region *tmpl)
{
	phys_addr_t pos = tmpl->base, end = tmpl->base + tmpl->size;
	struct memblock_region gap = *tmpl;
	int i, ret;

	for (i = 0; i <= type->cnt && pos < end; i++) {
		phys_addr_t next = end, skip_to = end;

		if (i < type->cnt) {
			const struct memblock_region *r = &type->regions[i];

			if (r->base + r->size <= pos)
				continue;
			next = r->base < end ? r->base : end;
			skip_to = r->base + r->size;
		}
		if (next > pos) {
			gap.base = pos;
			gap.size = next - pos;
			ret = insert_region(type, &gap);
			if (ret)
				return ret;
			i++;	/* the gap now sits at index i */
		}
		pos = skip_to;
	}
	merge_neighbours(type);
	return 0;
}

/* Split regions of @type so that @addr is a boundary. */
static int split_at(struct memblock_type *type, phys_addr_t addr)
{
	for (int i = 0; i < type->cnt; i++) {
		struct memblock_region *r = &type->regions[i], tail;

		if (addr <= r->base || addr >= r->base + r->size)
			continue;
		if (type->cnt == MEMBLOCK_MAX_REGIONS)
			return -ENOSPC;
		tail = *r;
		tail.base = addr;
		tail.size = r->base + r->size - addr;
		r->size = addr - r->base;
		return insert_region(type, &tail);
	}
	return 0;
}

static int remove_range(struct memblock_type *type, phys_addr_t base, u64 size)
{
	int ret = split_at(type, base) ?: split_at(type, base + size);

	if (ret)
		return ret;
	for (int i = 0; i < type->cnt;) {
		struct memblock_region *r = &type->regions[i];

		if (r->base >= base && r->base + r->size <= base + size) {
			memmove(r, r + 1, (type->cnt - i - 1) * sizeof(*r));
			type->cnt--;
		} else {
			i++;
		}
	}
	return 0;
}

int memblock_add_node(phys_addr_t base, u64 size, int nid)
{
	struct memblock_region r = { .base = base, .size = size, .nid = nid };

	if (!range_ok(base, size) || nid < NUMA_NO_NODE || nid >= MAX_NUMNODES)
		return -EINVAL;
	return add_gaps(&memblock.memory, &r);
}

int memblock_reserve(phys_addr_t base, u64 size, const char *name)
{
	struct memblock_region r = { .base = base, .size = size, .nid = -1, .name = name };

	if (!range_ok(base, size))
		return -EINVAL;
	return add_gaps(&memblock.reserved, &r);
}

int memblock_mark_nomap(phys_addr_t base, u64 size)
{
	struct memblock_type *mem = &memblock.memory;
	int ret;

	if (!range_ok(base, size))
		return -EINVAL;
	ret = split_at(mem, base) ?: split_at(mem, base + size);
	if (ret)
		return ret;
	for (int i = 0; i < mem->cnt; i++) {
		struct memblock_region *r = &mem->regions[i];

		if (r->base >= base && r->base + r->size <= base + size)
			r->flags |= MEMBLOCK_NOMAP;
	}
	merge_neighbours(mem);
	return 0;
}

int memblock_phys_free(phys_addr_t base, u64 size)
{
	if (!range_ok(base, size))
		return -EINVAL;
	return remove_range(&memblock.reserved, base, size);
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

/* Top-down over regions of node @nid (any node if @nid < 0). */
static phys_addr_t alloc_nid(u64 size, u64 align, int nid, const char *name)
{
	for (int i = memblock.memory.cnt - 1; i >= 0; i--) {
		const struct memblock_region *m = &memblock.memory.regions[i];
		phys_addr_t pa;

		if ((m->flags & MEMBLOCK_NOMAP) || (nid >= 0 && memblock_region_nid(m) != nid))
			continue;
		pa = alloc_in(m, size, align);
		if (pa && !memblock_reserve(pa, size, name))
			return pa;
	}
	return 0;
}

phys_addr_t memblock_phys_alloc(u64 size, u64 align, const char *name)
{
	if (after_bootmem || should_fail(FAIL_MEMBLOCK))
		return 0;
	return alloc_nid(size, align, -1, name);
}

phys_addr_t memblock_phys_alloc_try_nid(u64 size, u64 align, int nid, const char *name)
{
	phys_addr_t pa;

	if (after_bootmem || should_fail(FAIL_MEMBLOCK))
		return 0;
	pa = alloc_nid(size, align, nid, name);
	return pa ? pa : alloc_nid(size, align, -1, name);
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
	u64 kept = 0;

	if (!limit)
		return -EINVAL;
	for (int i = 0; i < memblock.memory.cnt;) {
		struct memblock_region *r = &memblock.memory.regions[i];
		struct memblock_region cut = *r;
		int ret;

		if (kept + r->size <= limit) {
			kept += r->size;
			i++;
			continue;
		}
		cut.base = r->base + (limit - kept);
		cut.size = r->base + r->size - cut.base;
		cut.flags = 0;
		ret = add_gaps(&memblock.held, &cut) ?: remove_range(&memblock.memory, cut.base, cut.size);
		if (ret)
			return ret;
		kept = limit;
		/* remove_range() dropped or shortened this region: look at index i again. */
		if (i < memblock.memory.cnt && memblock.memory.regions[i].base < cut.base)
			i++;
	}
	return 0;
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
	return remove_range(&memblock.memory, base, size);
}

int memblock_hold(phys_addr_t base, u64 size, int nid)
{
	struct memblock_region r = { .base = base, .size = size, .nid = nid };

	if (!range_ok(base, size) || nid < NUMA_NO_NODE || nid >= MAX_NUMNODES)
		return -EINVAL;
	if (intersects(&memblock.memory, base, size) || intersects(&memblock.held, base, size))
		return -EEXIST;
	return add_gaps(&memblock.held, &r);
}

int memblock_unhold(phys_addr_t base, u64 size)
{
	if (!range_ok(base, size))
		return -EINVAL;
	return remove_range(&memblock.held, base, size);
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
		ret = add_gaps(&memblock.held, &r) ?: remove_range(&memblock.memory, r.base, r.size);
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
