// SPDX-License-Identifier: GPL-2.0
/*
 * lib/string.c against the host C library: every alignment and length
 * 0..64 for the bulk functions, both directions of overlap for memmove,
 * signs of comparisons on bytes above 0x7f, and strlcpy's truncation.
 * (The functions here are hotmm's; host_* are the C library's.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lib/kernel.h>
#include <string.h>

#define MAXLEN	64
#define MAXOFF	16			/* offsets 0..15 cover every alignment */
#define BUFSZ	(2 * MAXOFF + MAXLEN + 16)

/* A recognisable byte for position @i, distinct from its neighbours. */
static unsigned char pattern(size_t i, unsigned int seed)
{
	return (unsigned char)(i * 7 + seed * 13 + 1);
}

static void fill(unsigned char *buf, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(i, seed);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void memcpy_copies_every_alignment_and_length(void **state)
{
	unsigned char src[BUFSZ], dst[BUFSZ], want[BUFSZ];

	fill(src, BUFSZ, 1);
	for (size_t so = 0; so < MAXOFF; so++)
		for (size_t d = 0; d < MAXOFF; d++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill(dst, BUFSZ, 2);
				fill(want, BUFSZ, 2);
				host_memmove(want + d, src + so, n);
				assert_ptr_equal(memcpy(dst + d, src + so, n), dst + d);
				assert_memory_equal(dst, want, BUFSZ);
			}
}

static void memset_fills_every_alignment_and_length(void **state)
{
	static const int values[] = { 0, 0xa5, 0xff, 0x1ff, -1 };
	unsigned char buf[BUFSZ], want[BUFSZ];

	for (size_t v = 0; v < ARRAY_SIZE(values); v++)
		for (size_t off = 0; off < MAXOFF; off++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill(buf, BUFSZ, 3);
				fill(want, BUFSZ, 3);
				for (size_t i = 0; i < n; i++)
					want[off + i] = (unsigned char)values[v];
				assert_ptr_equal(memset(buf + off, values[v], n), buf + off);
				assert_memory_equal(buf, want, BUFSZ);
			}
}

/* Every source and destination offset in one buffer: both overlap ways. */
static void memmove_handles_overlap_in_both_directions(void **state)
{
	unsigned char buf[BUFSZ], want[BUFSZ];

	for (size_t s = 0; s < 2 * MAXOFF; s++)
		for (size_t d = 0; d < 2 * MAXOFF; d++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill(buf, BUFSZ, 4);
				fill(want, BUFSZ, 4);
				host_memmove(want + d, want + s, n);
				assert_ptr_equal(memmove(buf + d, buf + s, n), buf + d);
				assert_memory_equal(buf, want, BUFSZ);
			}
}

static void memmove_copies_disjoint_buffers(void **state)
{
	unsigned char src[BUFSZ], dst[BUFSZ], want[BUFSZ];

	fill(src, BUFSZ, 5);
	for (size_t so = 0; so < MAXOFF; so++)
		for (size_t d = 0; d < MAXOFF; d++)
			for (size_t n = 0; n <= MAXLEN; n++) {
				fill(dst, BUFSZ, 6);
				fill(want, BUFSZ, 6);
				host_memmove(want + d, src + so, n);
				memmove(dst + d, src + so, n);
				assert_memory_equal(dst, want, BUFSZ);
			}
}

static void memcmp_orders_bytes_as_unsigned(void **state)
{
	unsigned char a[MAXLEN], b[MAXLEN];

	assert_int_equal(memcmp("abc", "xyz", 0), 0);
	assert_int_equal(memcmp("abc", "abc", 3), 0);
	assert_true(memcmp("\x80", "\x01", 1) > 0);
	assert_true(memcmp("\x01", "\xff", 1) < 0);
	assert_int_equal(memcmp("abX", "abY", 2), 0);
	for (size_t n = 1; n <= MAXLEN; n++)
		for (size_t at = 0; at < n; at++) {
			fill(a, MAXLEN, 7);
			fill(b, MAXLEN, 7);
			b[at] ^= 0x80;
			assert_int_equal(sign(memcmp(a, b, n)), sign(host_memcmp(a, b, n)));
			assert_int_equal(sign(memcmp(b, a, n)), sign(host_memcmp(b, a, n)));
			assert_int_equal(memcmp(a, b, at), 0);
		}
}

static void memchr_finds_first_byte_within_n_only(void **state)
{
	static const char s[] = "ab\xe9" "cab\0z";

	assert_ptr_equal(memchr(s, 'a', 7), s);
	assert_ptr_equal(memchr(s, 'b', 7), s + 1);
	assert_ptr_equal(memchr(s, 0xe9, 7), s + 2);
	assert_ptr_equal(memchr(s, 0x1e9, 7), s + 2);	/* only the low byte */
	assert_ptr_equal(memchr(s, '\0', 8), s + 6);
	assert_ptr_equal(memchr(s, 'z', 8), s + 7);	/* past the NUL */
	assert_null(memchr(s, 'z', 7));
	assert_null(memchr(s, 'a', 0));
	assert_null(memchr(s, 'q', sizeof(s)));
	for (int c = 0; c < 256; c++)
		assert_ptr_equal(memchr(s, c, sizeof(s)), host_memchr(s, c, sizeof(s)));
}

static void strlen_and_strnlen_count_at_every_alignment(void **state)
{
	char buf[MAXOFF + MAXLEN + 1];

	for (size_t off = 0; off < MAXOFF; off++)
		for (size_t n = 0; n <= MAXLEN; n++) {
			memset(buf, 'x', sizeof(buf));
			buf[off + n] = '\0';
			assert_int_equal(strlen(buf + off), n);
			assert_int_equal(strnlen(buf + off, MAXLEN + 1), n);
			assert_int_equal(strnlen(buf + off, n / 2), n / 2);
			assert_int_equal(strnlen(buf + off, 0), 0);
		}
}

/* strnlen must stop at maxlen even when no NUL follows (ASan would see). */
static void strnlen_reads_no_further_than_maxlen(void **state)
{
	char *p = malloc(4);

	assert_non_null(p);
	memcpy(p, "abcd", 4);
	assert_int_equal(strnlen(p, 4), 4);
	assert_int_equal(strnlen(p, 3), 3);
	free(p);
}

static void strchr_and_strrchr_match_host_including_nul(void **state)
{
	static const char s[] = "hello, w\xe9rld \xe9!";

	assert_ptr_equal(strchr(s, '\0'), s + strlen(s));
	assert_ptr_equal(strrchr(s, '\0'), s + strlen(s));
	assert_ptr_equal(strchr(s, 'l'), s + 2);
	assert_ptr_equal(strrchr(s, 'l'), s + 10);
	assert_null(strchr(s, 'q'));
	assert_null(strrchr(s, 'q'));
	assert_null(strchr("", 'a'));
	for (int c = -128; c < 256; c++) {
		assert_ptr_equal(strchr(s, c), host_strchr(s, c));
		assert_ptr_equal(strrchr(s, c), host_strrchr(s, c));
	}
}

static void strcmp_and_strncmp_order_as_unsigned_and_stop(void **state)
{
	static const char *const strs[] = {
		"", "a", "ab", "abc", "abd", "abc\x80", "abc\x7f", "\xff", "b", "A",
	};

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		for (size_t j = 0; j < ARRAY_SIZE(strs); j++) {
			const char *a = strs[i], *b = strs[j];

			assert_int_equal(sign(strcmp(a, b)), sign(host_strcmp(a, b)));
			for (size_t n = 0; n < 6; n++)
				assert_int_equal(sign(strncmp(a, b, n)),
						 sign(host_strncmp(a, b, n)));
		}
	assert_true(strcmp("\x80", "\x7f") > 0);
	assert_int_equal(strncmp("abcX", "abcY", 3), 0);
	assert_int_equal(strncmp("a", "b", 0), 0);
	assert_int_equal(strncmp("ab", "ab", 100), 0);
}

static void strlcpy_truncates_terminates_and_returns_source_length(void **state)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(strlcpy(buf, "hello", 0), 5);
	assert_int_equal(buf[0], 'Z');			/* size 0: untouched */
	assert_int_equal(strlcpy(buf, "hello", 1), 5);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'Z');
	assert_int_equal(strlcpy(buf, "hello", 3), 5);
	assert_string_equal(buf, "he");
	assert_int_equal(buf[3], 'Z');
	assert_int_equal(strlcpy(buf, "hello", 6), 5);	/* exact fit */
	assert_string_equal(buf, "hello");
	assert_int_equal(buf[6], 'Z');
	assert_int_equal(strlcpy(buf, "hi", sizeof(buf)), 2);
	assert_string_equal(buf, "hi");
	assert_int_equal(strlcpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(strlcpy(buf, "0123456789", sizeof(buf)), 10);
	assert_string_equal(buf, "0123456");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memcpy_copies_every_alignment_and_length),
		cmocka_unit_test(memset_fills_every_alignment_and_length),
		cmocka_unit_test(memmove_handles_overlap_in_both_directions),
		cmocka_unit_test(memmove_copies_disjoint_buffers),
		cmocka_unit_test(memcmp_orders_bytes_as_unsigned),
		cmocka_unit_test(memchr_finds_first_byte_within_n_only),
		cmocka_unit_test(strlen_and_strnlen_count_at_every_alignment),
		cmocka_unit_test(strnlen_reads_no_further_than_maxlen),
		cmocka_unit_test(strchr_and_strrchr_match_host_including_nul),
		cmocka_unit_test(strcmp_and_strncmp_order_as_unsigned_and_stop),
		cmocka_unit_test(strlcpy_truncates_terminates_and_returns_source_length),
	};

	return cmocka_run_group_tests_name("lib/string", tests, NULL, NULL);
}
