// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of mm/memmap_on_memory.c: every vector of
 * tests/data/memmap-vectors.json (Linux 6.12's numbers for memmap on
 * memory, worked out from its mm/memory_hotplug.c), in every granule's
 * build, since page size and struct page size are inputs (the 72-byte
 * vectors included); then the cases the vectors leave out.
 *
 * mkdata.sh turns the JSON into one line per vector:
 *   id page_size block_size struct_page pageblock_size mode block_pages
 *   memmap_bytes memmap_pages reserved padding usable pmd_size core_ok
 *   linux_allows refusal_reason effective_reserved effective_usable
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <mm/memmap_on_memory.h>

struct vector {
	int id;
	unsigned long page_size, block_size, struct_page, pageblock_size;
	char mode[16];
	unsigned long block_pages, memmap_bytes, memmap_pages, reserved, padding, usable;
	unsigned long pmd_size;
	int core_ok, linux_allows;
	char reason[96];
	unsigned long eff_reserved, eff_usable;
};

static unsigned int shift_of(unsigned long size)
{
	return __builtin_ctzl(size);
}

static void plan_for(const struct vector *v, enum memmap_on_memory_check check,
		     struct mhp_memmap_plan *p)
{
	struct mhp_geometry g = {
		.page_shift = shift_of(v->page_size),
		.block_size = v->block_size,
		.struct_page_size = v->struct_page,
		.pageblock_pages = v->pageblock_size / v->page_size,
		.pmd_size = v->pmd_size,
		.mode = strcmp(v->mode, "force") ? MEMMAP_ON_MEMORY_ON : MEMMAP_ON_MEMORY_FORCE,
	};

	mhp_memmap_plan(&g, check, p);
}

static const char *reason(const char *r)
{
	return r ? r : "none";
}

/** Every vector: the numbers and Linux's verdict and reason, exactly; hotmm's verdict from the core checks. */
static void test_every_vector(void **state)
{
	const char *dir = getenv("HOTMM_UNIT_DATA");
	char path[512], line[512];
	unsigned int n = 0;
	FILE *f;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/memmap-vectors.txt", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		struct mhp_memmap_plan lp, hp;
		struct vector v;

		assert_int_equal(sscanf(line, "%d %lu %lu %lu %lu %15s %lu %lu %lu %lu %lu %lu %lu %d %d "
					"%95s %lu %lu", &v.id, &v.page_size, &v.block_size,
					&v.struct_page, &v.pageblock_size, v.mode, &v.block_pages,
					&v.memmap_bytes, &v.memmap_pages, &v.reserved, &v.padding,
					&v.usable, &v.pmd_size, &v.core_ok, &v.linux_allows, v.reason,
					&v.eff_reserved, &v.eff_usable), 18);
		plan_for(&v, MEMMAP_CHECK_LINUX, &lp);
		plan_for(&v, MEMMAP_CHECK_HOTMM, &hp);
		print_message("vector %2d: %6lu %5lu MiB %2lu B pb %6lu KiB %-7s -> memmap %4lu "
			      "reserved %4lu padding %4lu usable %6lu linux %s (%s) hotmm %s\n", v.id,
			      v.page_size, v.block_size >> 20, v.struct_page, v.pageblock_size >> 10,
			      v.mode, lp.memmap_pages, lp.reserved_pages, lp.padding_pages,
			      lp.usable_pages, lp.linux_allows ? "yes" : "no", reason(lp.linux_reason),
			      hp.allows ? "yes" : "no");
		assert_int_equal(lp.block_pages, v.block_pages);
		assert_int_equal(lp.memmap_bytes, v.memmap_bytes);
		assert_int_equal(lp.memmap_pages, v.memmap_pages);
		assert_int_equal(lp.reserved_pages, v.reserved);
		assert_int_equal(lp.padding_pages, v.padding);
		assert_int_equal(lp.usable_pages, v.usable);
		assert_int_equal(lp.linux_allows, v.linux_allows);
		assert_string_equal(reason(lp.linux_reason), v.reason);
		/* What Linux ends up with: its fallback reserves nothing. */
		assert_int_equal(lp.linux_allows ? lp.reserved_pages : 0, v.eff_reserved);
		assert_int_equal(lp.linux_allows ? lp.usable_pages : lp.block_pages, v.eff_usable);
		/* With Linux's arch check hotmm says what Linux says ... */
		assert_int_equal(lp.allows, v.linux_allows);
		/* ... without it, the core checks decide (the arch check's refusals are allowed). */
		assert_int_equal(hp.allows, v.core_ok);
		assert_memory_equal(&hp.memmap_pages, &lp.memmap_pages,
				    offsetof(struct mhp_memmap_plan, linux_allows) -
				    offsetof(struct mhp_memmap_plan, memmap_pages));
		n++;
	}
	fclose(f);
	assert_int_equal(n, 20);
}

/** memmap_on_memory=off refuses with its own reason; Linux's numbers are still worked out. */
static void test_mode_off(void **state)
{
	struct mhp_geometry g = { .page_shift = 12, .block_size = 128UL << 20,
				  .struct_page_size = 64, .pageblock_pages = 512,
				  .pmd_size = 2UL << 20, .mode = MEMMAP_ON_MEMORY_OFF };
	struct mhp_memmap_plan p;

	mhp_memmap_plan(&g, MEMMAP_CHECK_HOTMM, &p);
	assert_false(p.allows);
	assert_string_equal(p.reason, MHP_REFUSE_MODE_OFF);
	assert_int_equal(p.memmap_pages, 512);
	assert_int_equal(p.reserved_pages, 512);
	assert_true(p.linux_allows);
}

/*
 * A force-mode reservation larger than the block (a pageblock bigger than
 * the block, which only hotmm's boot arguments can set up): hotmm refuses;
 * Linux's core check (reserved == block only) lets it through to its arch
 * check, and __add_pages() would fail later.
 */
static void test_reservation_beyond_the_block(void **state)
{
	struct mhp_geometry g = { .page_shift = 16, .block_size = 256UL << 20,
				  .struct_page_size = 64, .pageblock_pages = 8192,
				  .pmd_size = 256UL << 10, .mode = MEMMAP_ON_MEMORY_FORCE };
	struct mhp_memmap_plan p;

	mhp_memmap_plan(&g, MEMMAP_CHECK_HOTMM, &p);
	assert_int_equal(p.block_pages, 4096);
	assert_int_equal(p.reserved_pages, 8192);
	assert_int_equal(p.usable_pages, 0);
	assert_false(p.allows);
	assert_string_equal(p.reason, MHP_REFUSE_WHOLE_BLOCK);
	assert_null(p.linux_reason);		/* 256 KiB of memmap is one PMD here */
	assert_true(p.linux_allows);
	/* exactly the block: both refuse */
	g.pageblock_pages = 4096;
	mhp_memmap_plan(&g, MEMMAP_CHECK_HOTMM, &p);
	assert_int_equal(p.reserved_pages, 4096);
	assert_string_equal(p.reason, MHP_REFUSE_WHOLE_BLOCK);
	assert_string_equal(p.linux_reason, MHP_REFUSE_WHOLE_BLOCK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_vector),
		cmocka_unit_test(test_mode_off),
		cmocka_unit_test(test_reservation_beyond_the_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
