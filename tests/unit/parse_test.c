// SPDX-License-Identifier: GPL-2.0
/*
 * lib/parse.c and include/libc/ctype.h: strtoul against the host's,
 * the exact contracts of kstrtoull/kstrtoll/parse_size (boundaries,
 * suffixes, malformed input), and how next_arg splits a command line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lib/errno.h>
#include <lib/kernel.h>
#include <lib/parse.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The host C library's classes (tests/unit/fake/lib_host_ctype.c). */
int host_isdigit(int c);
int host_isxdigit(int c);
int host_isspace(int c);
int host_isalpha(int c);
int host_isalnum(int c);
int host_isprint(int c);
int host_isupper(int c);
int host_islower(int c);
int host_toupper(int c);
int host_tolower(int c);

static void ctype_matches_host_c_locale_for_every_byte_and_eof(void **state)
{
	for (int c = -1; c < 256; c++) {
		assert_int_equal(!!isdigit(c), !!host_isdigit(c));
		assert_int_equal(!!isxdigit(c), !!host_isxdigit(c));
		assert_int_equal(!!isspace(c), !!host_isspace(c));
		assert_int_equal(!!isalpha(c), !!host_isalpha(c));
		assert_int_equal(!!isalnum(c), !!host_isalnum(c));
		assert_int_equal(!!isprint(c), !!host_isprint(c));
		assert_int_equal(!!isupper(c), !!host_isupper(c));
		assert_int_equal(!!islower(c), !!host_islower(c));
		assert_int_equal(toupper(c), host_toupper(c));
		assert_int_equal(tolower(c), host_tolower(c));
	}
}

static void ctype_puts_out_of_range_values_in_no_class(void **state)
{
	static const int odd[] = { INT_MIN, -200, -128, 256, '0' + 256, INT_MAX };

	for (size_t i = 0; i < ARRAY_SIZE(odd); i++) {
		int c = odd[i];

		assert_false(isdigit(c) || isxdigit(c) || isspace(c) || isalpha(c) ||
			     isalnum(c) || isprint(c) || isupper(c) || islower(c));
		assert_int_equal(toupper(c), c);
		assert_int_equal(tolower(c), c);
	}
}

static void strtoul_matches_host_value_and_endptr(void **state)
{
	static const char *const strs[] = {
		"0", "7", "123", "  42xyz", "\t\n\v\f\r 9", "+7", "-1", "-0", "+-1",
		"- 5", "", "   ", "+", "-", "0x1F", "0X1f", "0x", "0X", "0xg", "0x 5",
		"-0x10", "010", "08", "0b101", "1010", "777", "ff", "FF", "zZ", "z",
		"18446744073709551615", "18446744073709551616",
		"99999999999999999999999999", "-18446744073709551615",
		"-18446744073709551616", "0xffffffffffffffff", "0x10000000000000000",
		"01777777777777777777777", "02000000000000000000000", "12 34",
		"000000000000000000000000000000000000000042", "9\n",
	};
	static const int bases[] = { 0, 2, 8, 10, 16, 36 };

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		for (size_t j = 0; j < ARRAY_SIZE(bases); j++) {
			char *end = NULL, *hend = NULL;
			unsigned long v = strtoul(strs[i], &end, bases[j]);
			unsigned long h = host_strtoul(strs[i], &hend, bases[j]);

			if (v != h || end != hend)
				fail_msg("strtoul(\"%s\", %d): %lu end +%td, host %lu end +%td",
					 strs[i], bases[j], v, end - strs[i], h, hend - strs[i]);
		}
}

static void strtoul_accepts_null_endptr_and_rejects_bad_base(void **state)
{
	const char *s = "  123";
	char *end;

	assert_int_equal(strtoul("0x10", NULL, 0), 16);
	assert_int_equal(strtoul(s, &end, 1), 0);
	assert_ptr_equal(end, s);
	assert_int_equal(strtoul(s, &end, 37), 0);
	assert_ptr_equal(end, s);
}

struct ull_case {
	const char *s;
	unsigned int base;
	int err;
	unsigned long long val;
};

static void kstrtoull_parses_whole_strings_in_each_base(void **state)
{
	static const struct ull_case cases[] = {
		{ "0", 0, 0, 0 },
		{ "0", 10, 0, 0 },
		{ "42", 10, 0, 42 },
		{ "42", 0, 0, 42 },
		{ "42", 8, 0, 042 },
		{ "42", 16, 0, 0x42 },
		{ "052", 0, 0, 052 },
		{ "0x2a", 0, 0, 42 },
		{ "0X2A", 0, 0, 42 },
		{ "0x2a", 16, 0, 42 },
		{ "2a", 16, 0, 42 },
		{ "DeadBeef", 16, 0, 0xdeadbeef },
		{ "42\n", 10, 0, 42 },
		{ "18446744073709551615", 10, 0, ULLONG_MAX },
		{ "0xffffffffffffffff", 0, 0, ULLONG_MAX },
		{ "1777777777777777777777", 8, 0, ULLONG_MAX },
		{ "000000000000000000000000000000012", 10, 0, 12 },
		{ "18446744073709551616", 10, -ERANGE, 0 },
		{ "99999999999999999999", 10, -ERANGE, 0 },
		{ "0x10000000000000000", 0, -ERANGE, 0 },
		{ "2000000000000000000000", 8, -ERANGE, 0 },
		{ "", 10, -EINVAL, 0 },
		{ "", 0, -EINVAL, 0 },
		{ "\n", 10, -EINVAL, 0 },
		{ "42\n\n", 10, -EINVAL, 0 },
		{ " 42", 10, -EINVAL, 0 },
		{ "42 ", 10, -EINVAL, 0 },
		{ "+42", 10, -EINVAL, 0 },
		{ "-42", 10, -EINVAL, 0 },
		{ "12x", 10, -EINVAL, 0 },
		{ "0x", 0, -EINVAL, 0 },
		{ "0x", 16, -EINVAL, 0 },
		{ "0xg", 16, -EINVAL, 0 },
		{ "0x2a", 10, -EINVAL, 0 },
		{ "08", 0, -EINVAL, 0 },
		{ "8", 8, -EINVAL, 0 },
		{ "2a", 10, -EINVAL, 0 },
		{ "99999999999999999999x", 10, -EINVAL, 0 },
		{ "101", 2, -EINVAL, 0 },
		{ "42", 36, -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct ull_case *c = &cases[i];
		unsigned long long v = 0x5a5a;
		int err = kstrtoull(c->s, c->base, &v);

		if (err != c->err || v != (c->err ? 0x5a5a : c->val))
			fail_msg("kstrtoull(\"%s\", %u) = %d, %llu; want %d, %llu",
				 c->s, c->base, err, v, c->err, c->val);
	}
}

struct ll_case {
	const char *s;
	unsigned int base;
	int err;
	long long val;
};

static void kstrtoll_covers_llong_range_and_one_minus(void **state)
{
	static const struct ll_case cases[] = {
		{ "0", 10, 0, 0 },
		{ "-0", 10, 0, 0 },
		{ "17", 10, 0, 17 },
		{ "-17", 10, 0, -17 },
		{ "-0x10", 0, 0, -16 },
		{ "-010", 0, 0, -8 },
		{ "-5\n", 10, 0, -5 },
		{ "9223372036854775807", 10, 0, LLONG_MAX },
		{ "-9223372036854775808", 10, 0, LLONG_MIN },
		{ "-0x8000000000000000", 0, 0, LLONG_MIN },
		{ "9223372036854775808", 10, -ERANGE, 0 },
		{ "-9223372036854775809", 10, -ERANGE, 0 },
		{ "18446744073709551615", 10, -ERANGE, 0 },
		{ "-18446744073709551616", 10, -ERANGE, 0 },
		{ "", 10, -EINVAL, 0 },
		{ "-", 10, -EINVAL, 0 },
		{ "--1", 10, -EINVAL, 0 },
		{ "+1", 10, -EINVAL, 0 },
		{ "- 1", 10, -EINVAL, 0 },
		{ " -1", 10, -EINVAL, 0 },
		{ "-1x", 10, -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct ll_case *c = &cases[i];
		long long v = 0x5a5a;
		int err = kstrtoll(c->s, c->base, &v);

		if (err != c->err || v != (c->err ? 0x5a5a : c->val))
			fail_msg("kstrtoll(\"%s\", %u) = %d, %lld; want %d, %lld",
				 c->s, c->base, err, v, c->err, c->val);
	}
}

struct size_case {
	const char *s;
	int err;
	u64 val;
};

static void parse_size_applies_binary_suffixes_and_detects_overflow(void **state)
{
	static const struct size_case cases[] = {
		{ "0", 0, 0 },
		{ "4096", 0, 4096 },
		{ "0x80000000", 0, 0x80000000 },
		{ "010", 0, 8 },
		{ "1k", 0, 1ULL << 10 },
		{ "1K", 0, 1ULL << 10 },
		{ "512m", 0, 512ULL << 20 },
		{ "512M", 0, 512ULL << 20 },
		{ "2g", 0, 2ULL << 30 },
		{ "2G", 0, 2ULL << 30 },
		{ "3t", 0, 3ULL << 40 },
		{ "3T", 0, 3ULL << 40 },
		{ "0x10M", 0, 16ULL << 20 },
		{ "0K", 0, 0 },
		{ "64M\n", 0, 64ULL << 20 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "16777215T", 0, 16777215ULL << 40 },
		{ "17179869183G", 0, 17179869183ULL << 30 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "17179869184G", -ERANGE, 0 },
		{ "16777216T", -ERANGE, 0 },
		{ "18014398509481984K", -ERANGE, 0 },
		{ "99999999999999999999999K", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "K", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "0xM", -EINVAL, 0 },
		{ "12x", -EINVAL, 0 },
		{ "12KB", -EINVAL, 0 },
		{ "12KK", -EINVAL, 0 },
		{ "12E", -EINVAL, 0 },
		{ "12P", -EINVAL, 0 },
		{ " 12", -EINVAL, 0 },
		{ "12 ", -EINVAL, 0 },
		{ "12 M", -EINVAL, 0 },
		{ "-12", -EINVAL, 0 },
		{ "+12", -EINVAL, 0 },
		{ "1.5G", -EINVAL, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct size_case *c = &cases[i];
		u64 v = 0x5a5a;
		int err = parse_size(c->s, &v);

		if (err != c->err || v != (c->err ? 0x5a5a : c->val))
			fail_msg("parse_size(\"%s\") = %d, %llu; want %d, %llu",
				 c->s, err, (unsigned long long)v, c->err,
				 (unsigned long long)c->val);
	}
}

static void skip_spaces_skips_only_spaces_and_tabs(void **state)
{
	static const char s[] = " \t \tx y", nl[] = "\nx", none[] = "x", empty[] = "";

	assert_ptr_equal(skip_spaces(s), s + 4);
	assert_ptr_equal(skip_spaces(nl), nl);
	assert_ptr_equal(skip_spaces(none), none);
	assert_ptr_equal(skip_spaces(empty), empty);
}

/*
 * Split all of @line as a caller would (skip leading blanks, then call
 * next_arg() while anything is left); "|" stands for "no value" in @want.
 */
static void expect_args(const char *line, const char *const *want, size_t n)
{
	char buf[128], *rest, *param, *val;
	size_t i;

	strlcpy(buf, line, sizeof(buf));
	rest = skip_spaces(buf);
	for (i = 0; *rest; i++) {
		assert_true(i < n);
		rest = next_arg(rest, &param, &val);
		assert_string_equal(param, want[2 * i]);
		if (!strcmp(want[2 * i + 1], "|"))
			assert_null(val);
		else
			assert_string_equal(val, want[2 * i + 1]);
	}
	assert_int_equal(i, n);
}

static void next_arg_splits_params_values_and_quotes(void **state)
{
	static const char *const w1[] = {
		"a", "|", "b", "c", "d", "x y", "e", "",
	};
	static const char *const w2[] = {
		"k", "a=b", "a=b", "c", "q", "  spaced\t", "n", "|",
	};
	static const char *const w3[] = {
		"tab", "1", "x", "unterminated quote", "pre x y", "|",
	};
	static const char *const w4[] = { "", "v", "only", "|" };

	expect_args("a b=c  d=\"x y\" e=", w1, 4);
	expect_args("  k=a=b \"a=b\"=c\tq=\"  spaced\t\"  n  ", w2, 4);
	expect_args("tab=1\tx=\"unterminated quote", w3, 2);
	expect_args("pre\" x \"y", w3 + 4, 1);
	expect_args("=v only", w4, 2);
	expect_args("", NULL, 0);
	expect_args(" \t ", NULL, 0);
}

static void next_arg_gives_empty_param_on_blank_line(void **state)
{
	char line[] = " \t ", *param, *val, *rest;

	rest = next_arg(line, &param, &val);
	assert_string_equal(param, "");
	assert_null(val);
	assert_string_equal(rest, "");
}

static void next_arg_returns_rest_past_spaces_and_empty_at_end(void **state)
{
	char line[] = "a=1   b", *param, *val, *rest;

	rest = next_arg(line, &param, &val);
	assert_ptr_equal(rest, line + 6);
	assert_string_equal(param, "a");
	assert_string_equal(val, "1");
	rest = next_arg(rest, &param, &val);
	assert_string_equal(param, "b");
	assert_null(val);
	assert_ptr_equal(rest, line + 7);
	assert_string_equal(rest, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctype_matches_host_c_locale_for_every_byte_and_eof),
		cmocka_unit_test(ctype_puts_out_of_range_values_in_no_class),
		cmocka_unit_test(strtoul_matches_host_value_and_endptr),
		cmocka_unit_test(strtoul_accepts_null_endptr_and_rejects_bad_base),
		cmocka_unit_test(kstrtoull_parses_whole_strings_in_each_base),
		cmocka_unit_test(kstrtoll_covers_llong_range_and_one_minus),
		cmocka_unit_test(parse_size_applies_binary_suffixes_and_detects_overflow),
		cmocka_unit_test(skip_spaces_skips_only_spaces_and_tabs),
		cmocka_unit_test(next_arg_splits_params_values_and_quotes),
		cmocka_unit_test(next_arg_gives_empty_param_on_blank_line),
		cmocka_unit_test(next_arg_returns_rest_past_spaces_and_empty_at_end),
	};

	return cmocka_run_group_tests_name("lib/parse", tests, NULL, NULL);
}
