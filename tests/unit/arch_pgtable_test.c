// SPDX-License-Identifier: GPL-2.0
/*
 * The real descriptor encoders (arch/aarch64/pgtable.c) on the host, against
 * descriptors written by hand from the Arm ARM (VMSAv8-64 stage 1, D8.3):
 *
 *   63:55  0 (no table attributes, no software bits)
 *   54     UXN   53 PXN   52 Contiguous   51:48 RES0 (48-bit PA)
 *   47:n   output address (n = 12/14/16 for a page, 21/30 | 25 | 29 for blocks)
 *          64K: bits 15:12 would be OA[51:48] with FEAT_LPA, RES0 here
 *   11 nG (0: kernel mappings are global)   10 AF   9:8 SH (11 inner)
 *   7:6 AP (AP[2] read-only, AP[1] EL0 access: 0)   5 NS (0)   4:2 AttrIndx
 *   1:0    11 table (levels above 3) or page (level 3), 01 block, x0 invalid
 *
 * hotmm's kernel mappings: Normal memory is AttrIndx 0, Device-nGnRE
 * AttrIndx 4 (MAIR bytes 0xff and 0x04); every leaf is UXN, AF, inner
 * shareable; PXN unless executable; AP[2] unless writable.
 *
 * Every expected value below is a literal, per granule; the round trips then
 * cover every protection at every level that can hold a leaf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arch/pgtable.h>
#include <lib/kernel.h>
#include <asm/pgtable-hwdef.h>	/* MAIR_EL1_VALUE only: the constant under test */

struct leaf_vec {
	int level;
	phys_addr_t pa;
	pgprot_t prot;
	bool cont;
	u64 desc;
};

struct table_vec {
	int level;
	phys_addr_t pa;
	u64 desc;
};

#define K	PAGE_KERNEL
#define RO	PAGE_KERNEL_RO
#define ROX	PAGE_KERNEL_ROX
#define X	PAGE_KERNEL_EXEC
#define DEV	PAGE_DEVICE

#if PAGE_SHIFT == 12
static const struct leaf_vec leaves[] = {
	{ 3, 0x40001000, K, false, 0x0060000040001703 },
	{ 3, 0x40001000, RO, false, 0x0060000040001783 },
	{ 3, 0x40001000, ROX, false, 0x0040000040001783 },
	{ 3, 0x40001000, X, false, 0x0040000040001703 },
	{ 3, 0x09000000, DEV, false, 0x0060000009000713 },
	{ 3, 0x40001000, K, true, 0x0070000040001703 },
	{ 3, 0x4000f000, K, false, 0x006000004000f703 },	/* 15:12 are OA bits on 4K */
	{ 3, 0xfffffffff000, K, false, 0x0060fffffffff703 },	/* the last page of 48 bits */
	{ 2, 0x40200000, K, false, 0x0060000040200701 },
	{ 2, 0x40200000, ROX, false, 0x0040000040200781 },
	{ 2, 0x40200000, K, true, 0x0070000040200701 },
	{ 2, 0xffffffe00000, K, false, 0x0060ffffffe00701 },
	{ 1, 0x40000000, K, false, 0x0060000040000701 },
	{ 1, 0xc0000000, DEV, false, 0x00600000c0000711 },
	{ 1, 0xffffc0000000, RO, false, 0x0060ffffc0000781 },
};
static const struct table_vec tables[] = {
	{ 0, 0x41234000, 0x0000000041234003 },
	{ 1, 0x41234000, 0x0000000041234003 },
	{ 2, 0x41234000, 0x0000000041234003 },
	{ 2, 0xfffffffff000, 0x0000fffffffff003 },
};
static const int block_levels[] = { 1, 2 };
#define CONT_L3	16
#define CONT_L2	16
#elif PAGE_SHIFT == 14
static const struct leaf_vec leaves[] = {
	{ 3, 0x40004000, K, false, 0x0060000040004703 },
	{ 3, 0x40004000, RO, false, 0x0060000040004783 },
	{ 3, 0x40004000, ROX, false, 0x0040000040004783 },
	{ 3, 0x40004000, X, false, 0x0040000040004703 },
	{ 3, 0x09000000, DEV, false, 0x0060000009000713 },
	{ 3, 0x40004000, K, true, 0x0070000040004703 },
	{ 3, 0xffffffffc000, K, false, 0x0060ffffffffc703 },
	{ 2, 0x42000000, K, false, 0x0060000042000701 },
	{ 2, 0x42000000, ROX, false, 0x0040000042000781 },
	{ 2, 0x42000000, K, true, 0x0070000042000701 },
	{ 2, 0x0a000000, DEV, false, 0x006000000a000711 },
	{ 2, 0xfffffe000000, K, false, 0x0060fffffe000701 },
};
static const struct table_vec tables[] = {
	{ 0, 0x41234000, 0x0000000041234003 },
	{ 1, 0x41234000, 0x0000000041234003 },
	{ 2, 0x41234000, 0x0000000041234003 },
	{ 2, 0xffffffffc000, 0x0000ffffffffc003 },
};
static const int block_levels[] = { 2 };
#define CONT_L3	128
#define CONT_L2	32
#else
static const struct leaf_vec leaves[] = {
	{ 3, 0x40010000, K, false, 0x0060000040010703 },
	{ 3, 0x40010000, RO, false, 0x0060000040010783 },
	{ 3, 0x40010000, ROX, false, 0x0040000040010783 },
	{ 3, 0x40010000, X, false, 0x0040000040010703 },
	{ 3, 0x09000000, DEV, false, 0x0060000009000713 },
	{ 3, 0x40010000, K, true, 0x0070000040010703 },
	{ 3, 0xffffffff0000, K, false, 0x0060ffffffff0703 },	/* the last page of 48 bits */
	{ 2, 0x60000000, K, false, 0x0060000060000701 },
	{ 2, 0x60000000, ROX, false, 0x0040000060000781 },
	{ 2, 0x60000000, K, true, 0x0070000060000701 },
	{ 2, 0xffffe0000000, K, false, 0x0060ffffe0000701 },
};
static const struct table_vec tables[] = {
	{ 1, 0x41230000, 0x0000000041230003 },
	{ 2, 0x41230000, 0x0000000041230003 },
	{ 2, 0xffffffff0000, 0x0000ffffffff0003 },
};
static const int block_levels[] = { 2 };
#define CONT_L3	32
#define CONT_L2	32
#endif

static const pgprot_t prots[] = { K, RO, ROX, X, DEV };

/** Each hand-written leaf: encoded exactly, and decoded back. */
static void test_leaf_vectors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(leaves); i++) {
		const struct leaf_vec *v = &leaves[i];
		pte_t pte = arch_pte_mkleaf(v->pa, v->level, v->prot);

		if (v->cont)
			pte = arch_pte_mkcont(pte, v->level);
		if (pte != v->desc) {
			print_message("level %d pa %#llx prot %#x cont %d: %#018llx, Arm ARM %#018llx\n",
				      v->level, (unsigned long long)v->pa, v->prot, v->cont,
				      (unsigned long long)pte, (unsigned long long)v->desc);
			fail();
		}
		assert_int_equal(arch_pte_type(v->desc, v->level),
				 v->level == PGTABLE_LAST_LEVEL ? PTE_PAGE : PTE_BLOCK);
		assert_int_equal(arch_pte_addr(v->desc, v->level), v->pa);
		assert_int_equal(arch_pte_prot(v->desc, v->level), v->prot);
		assert_int_equal(arch_pte_cont(v->desc, v->level), v->cont);
	}
}

/** Table descriptors: the next table's address and type 11, no attributes. */
static void test_table_vectors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		const struct table_vec *v = &tables[i];

		assert_int_equal(arch_pte_mktable(v->pa, v->level), v->desc);
		assert_int_equal(arch_pte_type(v->desc, v->level), PTE_TABLE);
		assert_int_equal(arch_pte_addr(v->desc, v->level), v->pa);
	}
}

/** Bits 1:0 and the level decide the type; x0 is invalid whatever else is set. */
static void test_decode_type(void **state)
{
	for (int level = PGTABLE_START_LEVEL; level <= PGTABLE_LAST_LEVEL; level++) {
		bool block = false;

		for (size_t i = 0; i < ARRAY_SIZE(block_levels); i++)
			block |= block_levels[i] == level;
		assert_int_equal(arch_pte_type(0, level), PTE_INVALID);
		assert_int_equal(arch_pte_type(0x0060000040000702, level), PTE_INVALID);
		assert_int_equal(arch_pte_type(0x0060000040000700, level), PTE_INVALID);
		assert_int_equal(arch_pte_type(0x0000000041230003, level),
				 level == PGTABLE_LAST_LEVEL ? PTE_PAGE : PTE_TABLE);
		/* 01: a block where the granule has blocks; at level 3 and elsewhere, invalid. */
		assert_int_equal(arch_pte_type(0x0060000040000701, level),
				 block ? PTE_BLOCK : PTE_INVALID);
		assert_int_equal(arch_block_allowed(level), block);
	}
}

/** Output-address bits: 47:PAGE_SHIFT only; on 64K bits 15:12 are not address bits. */
static void test_decode_address_bits(void **state)
{
	/* Every bit outside the address field set, with the address 0x0000_8000_0001_0000. */
	const u64 attrs = 0xffff000000000fffULL;

	assert_int_equal(arch_pte_addr(attrs | 0x0000800000010000ULL, 3), 0x0000800000010000ULL);
#if PAGE_SHIFT == 12
	assert_int_equal(arch_pte_addr(0x006000004001f703, 3), 0x4001f000);
	assert_int_equal(arch_pte_addr(0x0060000040003703, 3), 0x40003000);
#elif PAGE_SHIFT == 14
	assert_int_equal(arch_pte_addr(0x006000004001f703, 3), 0x4001c000);
	assert_int_equal(arch_pte_addr(0x0060000040003703, 3), 0x40000000);
#else
	/* With FEAT_LPA these four bits are OA[51:48]: never address bits 15:12. */
	assert_int_equal(arch_pte_addr(0x006000004001f703, 3), 0x40010000);
	assert_int_equal(arch_pte_addr(0x0060000040003703, 3), 0x40000000);
#endif
	/* Bits below the page never reach the descriptor (on 64K 15:12 would be OA[51:48]). */
	assert_int_equal(arch_pte_mkleaf(0x40010000 + PAGE_SIZE - 1, 3, K),
			 arch_pte_mkleaf(0x40010000, 3, K));
	assert_int_equal(arch_pte_mktable(0x40010000 + PAGE_SIZE - 1, 2), 0x0000000040010003);
	/* Physical bits above 47 never reach the descriptor. */
	assert_int_equal(arch_pte_mkleaf(0x000f000040000000ULL, 2, K),
			 arch_pte_mkleaf(0x40000000, 2, K));
}

/** MAIR_EL1: the AttrIndx hotmm writes select Normal write-back and Device-nGnRE. */
static void test_mair_matches_attrindx(void **state)
{
	u64 normal = arch_pte_mkleaf(0x40000000, 3, K), device = arch_pte_mkleaf(0x09000000, 3, DEV);
	unsigned int in = (normal >> 2) & 7, id = (device >> 2) & 7;

	assert_int_equal(in, 0);
	assert_int_equal(id, 4);
	/* 0xff: Normal, inner and outer write-back non-transient, read/write-allocate. */
	assert_int_equal((MAIR_EL1_VALUE >> (8 * in)) & 0xff, 0xff);
	/* 0x04: Device-nGnRE. */
	assert_int_equal((MAIR_EL1_VALUE >> (8 * id)) & 0xff, 0x04);
}

/*
 * Every protection at every leaf level and a few addresses (the level's
 * first aligned one above RAM, the last one in 48 bits): decode gives back
 * what was encoded; cont on and off; modify_prot to every protection keeps
 * address, type and the Contiguous bit.
 */
static void test_round_trips(void **state)
{
	unsigned int n = 0;

	for (int level = PGTABLE_START_LEVEL; level <= PGTABLE_LAST_LEVEL; level++) {
		u64 size = level_size(level);
		phys_addr_t pas[] = { 0x40000000 & ~(size - 1), ALIGN(0x40000000, size) + size,
				      (1ULL << 48) - size };

		if (level != PGTABLE_LAST_LEVEL && !arch_block_allowed(level))
			continue;
		for (size_t a = 0; a < ARRAY_SIZE(pas); a++) {
			for (size_t p = 0; p < ARRAY_SIZE(prots); p++) {
				pte_t pte = arch_pte_mkleaf(pas[a], level, prots[p]), c;
				enum pte_type t = level == PGTABLE_LAST_LEVEL ? PTE_PAGE : PTE_BLOCK;

				assert_int_equal(arch_pte_type(pte, level), t);
				assert_int_equal(arch_pte_addr(pte, level), pas[a]);
				assert_int_equal(arch_pte_prot(pte, level), prots[p]);
				assert_false(arch_pte_cont(pte, level));
				c = arch_pte_mkcont(pte, level);
				assert_true(arch_pte_cont(c, level));
				assert_int_equal(c, pte | (1ULL << 52));
				assert_int_equal(arch_pte_mknoncont(c, level), pte);
				for (size_t q = 0; q < ARRAY_SIZE(prots); q++) {
					pte_t m = arch_pte_modify_prot(c, level, prots[q]);

					assert_int_equal(m, arch_pte_mkcont(arch_pte_mkleaf(
						pas[a], level, prots[q]), level));
					assert_int_equal(arch_pte_prot(m, level), prots[q]);
					n++;
				}
			}
		}
	}
	assert_true(n >= 2 * 3 * ARRAY_SIZE(prots) * ARRAY_SIZE(prots));
}

/** Contiguous runs as the Arm ARM sizes them. */
static void test_cont_entries(void **state)
{
	assert_int_equal(arch_cont_entries(3), CONT_L3);
	assert_int_equal(arch_cont_entries(2), CONT_L2);
}

/** arch_set_pte() is one 64-bit store. */
static void test_set_pte(void **state)
{
	pte_t t[2] = { 0, 0x1234 };

	arch_set_pte(&t[0], 0x0060000040001703);
	assert_int_equal(t[0], 0x0060000040001703);
	assert_int_equal(t[1], 0x1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_vectors),
		cmocka_unit_test(test_table_vectors),
		cmocka_unit_test(test_decode_type),
		cmocka_unit_test(test_decode_address_bits),
		cmocka_unit_test(test_mair_matches_attrindx),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_cont_entries),
		cmocka_unit_test(test_set_pte),
	};

	return cmocka_run_group_tests_name("arch pgtable (" PAGE_SIZE_NAME ")", tests, NULL, NULL);
}
