// SPDX-License-Identifier: GPL-2.0
/*
 * lib/vsprintf.c against the host's vsnprintf: every flag set, width,
 * precision and length modifier on every integer conversion with the edge
 * values of each type, strings and characters, truncation at every buffer
 * size; plus hotmm's own choices (%p, "(null)", unknown conversions) and
 * the scnprintf return convention.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lib/kernel.h>
#include <lib/printf.h>
#include <limits.h>
#include <string.h>

#define OUTSZ	256
#define CANARY	0x7e

static int mismatches;

/* Format into a fresh buffer with both ours and the host's; count misses. */
static void compare_v(size_t size, const char *fmt, va_list ap)
{
	char ours[OUTSZ], host[OUTSZ];
	va_list aq;
	int n, h;

	memset(ours, CANARY, sizeof(ours));
	memset(host, CANARY, sizeof(host));
	va_copy(aq, ap);
	n = vsnprintf(size ? ours : NULL, size, fmt, ap);
	h = host_vsnprintf(size ? host : NULL, size, fmt, aq);
	va_end(aq);
	if (n == h && !memcmp(ours, host, sizeof(ours)))
		return;
	if (mismatches++ < 20)
		print_error("\"%s\" size %zu: ours %d \"%.*s\", host %d \"%.*s\"\n",
			    fmt, size, n, (int)min(size, sizeof(ours)), ours,
			    h, (int)min(size, sizeof(host)), host);
}

static void compare(size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	compare_v(size, fmt, ap);
	va_end(ap);
}

/* Pass @v to @fmt as the type its length @len and signedness call for. */
static void compare_int(const char *fmt, const char *len, bool sgn,
			unsigned long long v)
{
	if (!strcmp(len, "l"))
		sgn ? compare(OUTSZ, fmt, (long)v)
		    : compare(OUTSZ, fmt, (unsigned long)v);
	else if (!strcmp(len, "ll"))
		sgn ? compare(OUTSZ, fmt, (long long)v) : compare(OUTSZ, fmt, v);
	else if (!strcmp(len, "z") || !strcmp(len, "t"))
		sgn ? compare(OUTSZ, fmt, (ptrdiff_t)v)
		    : compare(OUTSZ, fmt, (size_t)v);
	else if (!strcmp(len, "j"))
		sgn ? compare(OUTSZ, fmt, (intmax_t)v)
		    : compare(OUTSZ, fmt, (uintmax_t)v);
	else	/* "", "h", "hh": promoted to int */
		sgn ? compare(OUTSZ, fmt, (int)v)
		    : compare(OUTSZ, fmt, (unsigned int)v);
}

static const unsigned long long int_values[] = {
	0, 1, -1ULL, 7, -7ULL, 42, 127, -128ULL, 255, 256, 300, -300ULL,
	32767, -32768ULL, 65535, 65536, INT_MAX, (unsigned long long)INT_MIN,
	UINT_MAX, 0x123456789abcdefULL, LLONG_MAX,
	(unsigned long long)LLONG_MIN, ULLONG_MAX,
};

/* Every length, width and precision with these flags and conversion. */
static void compare_int_specs(const char *flags, char conv)
{
	static const char *const lens[] = {
		"hh", "h", "", "l", "ll", "z", "t", "j",
	};
	static const char *const widths[] = { "", "1", "6", "24" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".4", ".22" };
	bool sgn = conv == 'd' || conv == 'i';
	char fmt[32];

	for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
				snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flags,
					 widths[w], precs[p], lens[l], conv);
				for (size_t v = 0; v < ARRAY_SIZE(int_values); v++)
					compare_int(fmt, lens[l], sgn, int_values[v]);
			}
}

static void integers_match_host_for_all_flags_widths_precisions_lengths(void **state)
{
	static const char flagset[] = "-0+ #";

	mismatches = 0;
	for (const char *conv = "diuoxX"; *conv; conv++)
		for (unsigned int set = 0; set < BIT(5); set++) {
			char flags[8], *p = flags;

			for (int b = 0; b < 5; b++)
				if (set & BIT(b))
					*p++ = flagset[b];
			*p = '\0';
			compare_int_specs(flags, *conv);
		}
	assert_int_equal(mismatches, 0);
}

static void strings_and_chars_match_host_for_widths_and_precisions(void **state)
{
	static const char *const strs[] = { "", "a", "hello", "hello, wide world!" };
	static const char *const specs[] = {
		"%s", "%-s", "%1s", "%8s", "%-8s", "%.0s", "%.s", "%.3s", "%.30s",
		"%8.3s", "%-8.3s|", "%2.8s", "%-20.10s|",
	};
	static const char *const cspecs[] = { "%c", "%1c", "%5c", "%-5c|" };
	static const int chars[] = { 'x', ' ', '~', 0x80, 0xff, 0x141 };

	mismatches = 0;
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++)
		for (size_t s = 0; s < ARRAY_SIZE(strs); s++)
			compare(OUTSZ, specs[i], strs[s]);
	for (size_t i = 0; i < ARRAY_SIZE(cspecs); i++)
		for (size_t c = 0; c < ARRAY_SIZE(chars); c++)
			compare(OUTSZ, cspecs[i], chars[c]);
	assert_int_equal(mismatches, 0);
}

static void star_width_and_precision_match_host(void **state)
{
	static const int stars[] = { -30, -5, -1, 0, 1, 3, 12 };

	mismatches = 0;
	for (size_t i = 0; i < ARRAY_SIZE(stars); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(stars); j++) {
			compare(OUTSZ, "[%*.*d]", stars[i], stars[j], -42);
			compare(OUTSZ, "[%0*.*x]", stars[i], stars[j], 0xbeef);
			compare(OUTSZ, "[%-*.*s]", stars[i], stars[j], "abcdef");
		}
		compare(OUTSZ, "[%*d]", stars[i], 7);
		compare(OUTSZ, "[%0*d]", stars[i], -7);
		compare(OUTSZ, "[%.*u]", stars[i], 0);
		compare(OUTSZ, "[%*c]", stars[i], 'q');
	}
	assert_int_equal(mismatches, 0);
}

/* The cases the header calls out, pinned to their exact text as well. */
static void edge_values_print_exactly(void **state)
{
	/* Formats GCC rightly warns about ('0' is ignored), so not literals. */
	const char *zero_and_prec = "%06.3d", *zero_and_left = "%-05d|";
	char buf[OUTSZ];

#define EXPECT(want, ...) do {						\
		assert_int_equal(snprintf(buf, sizeof(buf), __VA_ARGS__),	\
				 strlen(want));					\
		assert_string_equal(buf, want);					\
		compare(OUTSZ, __VA_ARGS__);					\
	} while (0)

	mismatches = 0;
	EXPECT("-2147483648", "%d", INT_MIN);
	EXPECT("2147483647", "%i", INT_MAX);
	EXPECT("-9223372036854775808", "%lld", LLONG_MIN);
	EXPECT("18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT("ffffffffffffffff", "%llx", ULLONG_MAX);
	EXPECT("1777777777777777777777", "%llo", ULLONG_MAX);
	EXPECT("-9223372036854775808", "%jd", (intmax_t)LLONG_MIN);
	EXPECT("18446744073709551615", "%zu", SIZE_MAX);
	EXPECT("-1", "%td", (ptrdiff_t)-1);
	EXPECT("-1 255 65535", "%hhd %hhu %hu", 255, 255, 65535);
	EXPECT("[]", "[%.0d]", 0);
	EXPECT("[   ]", "[%3.0u]", 0);
	EXPECT("[0]", "[%#.0o]", 0);
	EXPECT("0", "%#x", 0);
	EXPECT("0x1f", "%#x", 31);
	EXPECT("0X1F", "%#X", 31);
	EXPECT("0", "%#o", 0);
	EXPECT("010", "%#o", 8);
	EXPECT("00010", "%#.5o", 8);
	EXPECT("0x0000ff", "%#08x", 255);
	EXPECT("-0042", "%05d", -42);
	EXPECT("  -042", zero_and_prec, -42);
	EXPECT("+42 | 42", "%+d |% d", 42, 42);
	EXPECT("42   |", zero_and_left, 42);
	EXPECT("ab      |", "%-8s|", "ab");
	EXPECT("abc", "%.3s", "abcdef");
	EXPECT("   42", "%*d", 5, 42);
	EXPECT("42   |", "%*d|", -5, 42);
	EXPECT("x", "%c", 'x');
	EXPECT("100%", "%d%%", 100);
	EXPECT("", "%s", "");
	assert_int_equal(mismatches, 0);
#undef EXPECT
}

static const char *volatile null_string;	/* hidden from the compiler */

static void null_string_prints_as_null_in_parentheses(void **state)
{
	char buf[32];

	assert_int_equal(snprintf(buf, sizeof(buf), "%s", null_string), 6);
	assert_string_equal(buf, "(null)");
	snprintf(buf, sizeof(buf), "[%8s|%-7s|%.3s]", null_string, null_string,
		 null_string);
	assert_string_equal(buf, "[  (null)|(null) |(nu]");
}

static void pointer_prints_0x_and_16_hex_digits(void **state)
{
	char buf[64];

	assert_int_equal(snprintf(buf, sizeof(buf), "%p", NULL), 18);
	assert_string_equal(buf, "0x0000000000000000");
	snprintf(buf, sizeof(buf), "%p", (void *)0xffff000012345678UL);
	assert_string_equal(buf, "0xffff000012345678");
	snprintf(buf, sizeof(buf), "%p", (void *)0xabcUL);
	assert_string_equal(buf, "0x0000000000000abc");
	snprintf(buf, sizeof(buf), "[%20p]", (void *)1);
	assert_string_equal(buf, "[  0x0000000000000001]");
	snprintf(buf, sizeof(buf), "[%-20p]", (void *)1);
	assert_string_equal(buf, "[0x0000000000000001  ]");
}

/* Every buffer size from 0 to past the end: same text and return as C. */
static void truncation_matches_host_at_every_size(void **state)
{
	mismatches = 0;
	for (size_t size = 0; size < 40; size++) {
		compare(size, "%d", 123456);
		compare(size, "abc%sdef", "0123456789");
		compare(size, "[%-10s|%5d|%#x]", "xy", -3, 0xabc);
		compare(size, "%llu %lld", ULLONG_MAX, LLONG_MIN);
		compare(size, "no conversions at all");
		compare(size, "");
	}
	assert_int_equal(mismatches, 0);
}

static void vsnprintf_never_writes_past_size(void **state)
{
	char buf[16];

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(snprintf(buf, 5, "%d", 123456), 6);
	assert_string_equal(buf, "1234");
	assert_int_equal(buf[5], CANARY);
	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(snprintf(buf, 1, "abc"), 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], CANARY);
	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(snprintf(buf, 0, "abc"), 3);
	assert_int_equal(buf[0], CANARY);
	assert_int_equal(snprintf(NULL, 0, "%s-%d", "abc", 42), 6);
}

static int call_vscnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void scnprintf_returns_bytes_actually_written(void **state)
{
	char buf[16];

	assert_int_equal(scnprintf(buf, sizeof(buf), "%d", 1234), 4);
	assert_string_equal(buf, "1234");
	assert_int_equal(scnprintf(buf, 5, "%s", "abcdefgh"), 4);
	assert_string_equal(buf, "abcd");
	assert_int_equal(scnprintf(buf, 1, "%s", "abc"), 0);
	assert_string_equal(buf, "");
	assert_int_equal(scnprintf(NULL, 0, "%s", "abc"), 0);
	assert_int_equal(scnprintf(buf, 4, "abc"), 3);	/* exact fit */
	assert_int_equal(call_vscnprintf(buf, 3, "%x", 0xabcdef), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(call_vscnprintf(buf, sizeof(buf), "%x", 0xabcdef), 6);
}

static void unknown_or_cut_off_directive_is_copied_verbatim(void **state)
{
	/* Not literals, so the compiler's format check lets them through. */
	const char *unknown = "a%yb", *flagged = "<%-5y>", *trailing = "abc%";
	const char *cut = "x%08.3l";
	char buf[32];

	assert_int_equal(snprintf(buf, sizeof(buf), unknown, 0), 4);
	assert_string_equal(buf, "a%yb");
	snprintf(buf, sizeof(buf), flagged, 0);
	assert_string_equal(buf, "<%-5y>");
	assert_int_equal(snprintf(buf, sizeof(buf), trailing, 0), 4);
	assert_string_equal(buf, "abc%");
	snprintf(buf, sizeof(buf), cut, 0);
	assert_string_equal(buf, "x%08.3l");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integers_match_host_for_all_flags_widths_precisions_lengths),
		cmocka_unit_test(strings_and_chars_match_host_for_widths_and_precisions),
		cmocka_unit_test(star_width_and_precision_match_host),
		cmocka_unit_test(edge_values_print_exactly),
		cmocka_unit_test(null_string_prints_as_null_in_parentheses),
		cmocka_unit_test(pointer_prints_0x_and_16_hex_digits),
		cmocka_unit_test(truncation_matches_host_at_every_size),
		cmocka_unit_test(vsnprintf_never_writes_past_size),
		cmocka_unit_test(scnprintf_returns_bytes_actually_written),
		cmocka_unit_test(unknown_or_cut_off_directive_is_copied_verbatim),
	};

	return cmocka_run_group_tests_name("lib/vsprintf", tests, NULL, NULL);
}
