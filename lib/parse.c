// SPDX-License-Identifier: GPL-2.0
/*
 * Number and command-line parsing: strtoul() for libfdt, and the stricter
 * kstrto*() and parse_size() for bootargs and the shell, which accept a
 * string only when all of it is a number.
 */
#include <lib/errno.h>
#include <lib/kernel.h>
#include <lib/parse.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>

/* The value of digit @c in bases up to 36, or 36 when it is no digit. */
static unsigned int digit_value(char c)
{
	if (isdigit(c))
		return c - '0';
	if (isalpha(c))
		return tolower(c) - 'a' + 10;
	return 36;
}

/*
 * Settle the base as C's strtoul does: base 0 means hex after "0x", octal
 * after a bare "0" (that 0 stays to be read as a digit), else decimal; and
 * "0x" may precede a hex number. "0x" only counts as a prefix when a hex
 * digit follows, so "0x" and "0xg" read as the number 0 followed by 'x'.
 * Returns the first character after any prefix.
 */
static const char *radix_prefix(const char *s, unsigned int *base)
{
	bool hex = s[0] == '0' && tolower(s[1]) == 'x' && isxdigit(s[2]);

	if ((*base == 0 || *base == 16) && hex) {
		*base = 16;
		return s + 2;
	}
	if (*base == 0)
		*base = s[0] == '0' ? 8 : 10;
	return s;
}

/*
 * Read the digits of @base (2..36) at @s into *@res. Returns the first
 * character that is not such a digit; that is @s itself when there was
 * none. On overflow *@res is U64_MAX and *@overflow is set, but all the
 * digits are still consumed.
 */
static const char *scan_digits(const char *s, unsigned int base, u64 *res,
			       bool *overflow)
{
	u64 val = 0;
	unsigned int d;

	*overflow = false;
	for (; (d = digit_value(*s)) < base; s++) {
		if (val > (UINT64_MAX - d) / base)
			*overflow = true;
		val = val * base + d;
	}
	*res = *overflow ? UINT64_MAX : val;
	return s;
}

/*
 * strtoul() - as C's: leading white space, an optional sign, the base as
 * radix_prefix() says, and *@endptr set past the last digit (to @nptr when
 * there was no number). A '-' negates the value in unsigned arithmetic.
 * Overflow gives ULONG_MAX (no errno here). An invalid base gives 0.
 */
unsigned long strtoul(const char *nptr, char **endptr, int base)
{
	const char *s = nptr, *end;
	unsigned int b = base;
	bool neg = false, overflow;
	u64 val = 0;

	while (isspace(*s))
		s++;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	end = nptr;
	if (base == 0 || (base >= 2 && base <= 36)) {
		s = radix_prefix(s, &b);
		end = scan_digits(s, b, &val, &overflow);
		if (end == s)
			end = nptr;
		else if (overflow || val > ULONG_MAX)
			val = ULONG_MAX;
		else if (neg)
			val = -val;
	}
	if (endptr)
		*endptr = (char *)end;
	return val;
}

/*
 * Read an unsigned number in @base (0, 8, 10 or 16) at @s, with an optional
 * prefix as radix_prefix() allows. Returns the first character after it,
 * or NULL when @base is not allowed or there is no digit.
 */
static const char *scan_u64(const char *s, unsigned int base, u64 *res,
			    bool *overflow)
{
	const char *digits;

	if (base != 0 && base != 8 && base != 10 && base != 16)
		return NULL;
	digits = radix_prefix(s, &base);
	s = scan_digits(digits, base, res, overflow);
	return s == digits ? NULL : s;
}

/* True at the end of the string, allowing one '\n' before it. */
static bool at_end(const char *s)
{
	return s[0] == '\0' || (s[0] == '\n' && s[1] == '\0');
}

/* A malformed string is -EINVAL even when its digits also overflowed. */
int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	bool overflow;
	u64 val;

	s = scan_u64(s, base, &val, &overflow);
	if (!s || !at_end(s))
		return -EINVAL;
	if (overflow)
		return -ERANGE;
	*res = val;
	return 0;
}

int kstrtoll(const char *s, unsigned int base, long long *res)
{
	unsigned long long val;
	bool neg = *s == '-';
	int err;

	err = kstrtoull(s + neg, base, &val);
	if (err)
		return err;
	/* -LLONG_MIN is LLONG_MAX + 1: one more fits on the negative side. */
	if (val > (unsigned long long)LLONG_MAX + neg)
		return -ERANGE;
	*res = neg ? (long long)(0 - val) : (long long)val;
	return 0;
}

/* The shift a K/M/G/T suffix (either case) stands for, or 0 for none. */
static unsigned int suffix_shift(char c)
{
	switch (tolower(c)) {
	case 'k':
		return 10;
	case 'm':
		return 20;
	case 'g':
		return 30;
	case 't':
		return 40;
	}
	return 0;
}

/*
 * The number takes base 0 (so "0x" is hex and a leading 0 octal); one
 * suffix, then one '\n', may follow. *@res is only written on success.
 */
int parse_size(const char *s, u64 *res)
{
	unsigned int shift;
	bool overflow;
	u64 val;

	s = scan_u64(s, 0, &val, &overflow);
	if (!s)
		return -EINVAL;
	shift = suffix_shift(*s);
	if (shift)
		s++;
	if (!at_end(s))
		return -EINVAL;
	if (overflow || val > UINT64_MAX >> shift)
		return -ERANGE;
	*res = val << shift;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

char *skip_spaces(const char *s)
{
	while (is_blank(*s))
		s++;
	return (char *)s;
}

/*
 * The argument runs to the first blank outside double quotes. It is
 * rewritten in place with every quote removed (so the text only moves
 * left), and split at its first '=' outside quotes. An unterminated quote
 * runs to the end of the line. At the end of the line *@param is "".
 */
char *next_arg(char *args, char **param, char **val)
{
	char *r = skip_spaces(args), *w = r;
	bool quoted = false;

	*param = r;
	*val = NULL;
	for (; *r && (quoted || !is_blank(*r)); r++) {
		if (*r == '"') {
			quoted = !quoted;
		} else if (*r == '=' && !quoted && !*val) {
			*w++ = '\0';
			*val = w;
		} else {
			*w++ = *r;
		}
	}
	if (*r)
		r++;
	*w = '\0';
	return skip_spaces(r);
}
