// SPDX-License-Identifier: GPL-2.0
/*
 * Formatted output into a buffer: the C99 subset lib/printf.h lists, with
 * C99's results for it (the host tests compare against the C library), and
 * "%p" always as 0x plus 16 hex digits. No floating point.
 */
#include <lib/kernel.h>
#include <lib/printf.h>
#include <ctype.h>
#include <limits.h>
#include <string.h>

/* Output so far: the bytes that fit are stored, all of them are counted. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_rep(struct out *o, char c, long n)
{
	for (; n > 0; n--)
		put(o, c);
}

static void put_str(struct out *o, const char *s, size_t n)
{
	for (; n; n--)
		put(o, *s++);
}

#define F_LEFT	BIT(0)	/* '-': pad on the right */
#define F_ZERO	BIT(1)	/* '0': pad numbers with zeros after sign/prefix */
#define F_PLUS	BIT(2)	/* '+': "+" before non-negative signed numbers */
#define F_SPACE	BIT(3)	/* ' ': " " there instead, unless '+' */
#define F_ALT	BIT(4)	/* '#': 0x/0X before non-zero hex, leading 0 in octal */

/* One conversion: '%' flags width .precision length conversion. */
struct spec {
	unsigned long flags;
	int width;	/* 0 when none */
	int prec;	/* -1 when none */
	char len;	/* 0, 'H' (hh), 'h', 'l', 'q' (ll), 'z', 't' or 'j' */
	char conv;
};

/* A decimal field width or precision, saturating at INT_MAX. */
static int read_int(const char **fmt)
{
	const char *p = *fmt;
	int n = 0;

	for (; isdigit(*p); p++) {
		int d = *p - '0';

		n = n > (INT_MAX - d) / 10 ? INT_MAX : n * 10 + d;
	}
	*fmt = p;
	return n;
}

static unsigned long flag_bit(char c)
{
	switch (c) {
	case '-':
		return F_LEFT;
	case '0':
		return F_ZERO;
	case '+':
		return F_PLUS;
	case ' ':
		return F_SPACE;
	case '#':
		return F_ALT;
	}
	return 0;
}

/* A '*' width: a negative one means '-' and its magnitude. */
static void star_width(struct spec *sp, int w)
{
	if (w < 0) {
		sp->flags |= F_LEFT;
		w = w == INT_MIN ? INT_MAX : -w;
	}
	sp->width = w;
}

/* Length modifier at @p: stores it in @sp, returns what follows it. */
static const char *read_length(const char *p, struct spec *sp)
{
	sp->len = 0;
	if ((p[0] == 'h' || p[0] == 'l') && p[1] == p[0]) {
		sp->len = p[0] == 'h' ? 'H' : 'q';
		return p + 2;
	}
	if (*p && strchr("hlztj", *p))
		sp->len = *p++;
	return p;
}

/*
 * Parse the directive after a '%' at @p into @sp, taking '*' arguments
 * from @ap. Returns the character after the conversion (or at the NUL if
 * the format ends inside the directive, with sp->conv == 0).
 */
static const char *read_spec(const char *p, struct spec *sp, va_list *ap)
{
	unsigned long bit;

	sp->flags = 0;
	while ((bit = flag_bit(*p))) {
		sp->flags |= bit;
		p++;
	}
	sp->width = 0;
	if (*p == '*') {
		star_width(sp, va_arg(*ap, int));
		p++;
	} else {
		sp->width = read_int(&p);
	}
	sp->prec = -1;
	if (*p == '.') {
		p++;
		if (*p == '*') {
			sp->prec = max(va_arg(*ap, int), -1);
			p++;
		} else {
			sp->prec = read_int(&p);
		}
	}
	p = read_length(p, sp);
	sp->conv = *p;
	return *p ? p + 1 : p;
}

/* The next argument, of the type @len gives, converted to unsigned. */
static unsigned long long arg_unsigned(char len, va_list *ap)
{
	switch (len) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned int);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned int);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'q':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	case 't':
		return (size_t)va_arg(*ap, ptrdiff_t);
	case 'j':
		return va_arg(*ap, uintmax_t);
	}
	return va_arg(*ap, unsigned int);
}

/* The next argument, of the signed type @len gives. */
static long long arg_signed(char len, va_list *ap)
{
	switch (len) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'q':
		return va_arg(*ap, long long);
	case 'z':	/* the signed type of size_t's width */
	case 't':
		return va_arg(*ap, ptrdiff_t);
	case 'j':
		return va_arg(*ap, intmax_t);
	}
	return va_arg(*ap, int);
}

/* Pad with spaces to the field width, before or after @n bytes of body. */
static void pad_before(struct out *o, const struct spec *sp, long n)
{
	if (!(sp->flags & F_LEFT))
		put_rep(o, ' ', sp->width - n);
}

static void pad_after(struct out *o, const struct spec *sp, long n)
{
	if (sp->flags & F_LEFT)
		put_rep(o, ' ', sp->width - n);
}

/* The digits of @v in @base, least significant first; none for 0. */
static int to_digits(char *d, unsigned long long v, unsigned int base,
		     bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	for (; v; v /= base)
		d[n++] = set[v % base];
	return n;
}

static unsigned int conv_base(char conv)
{
	if (conv == 'o')
		return 8;
	if (conv == 'x' || conv == 'X' || conv == 'p')
		return 16;
	return 10;
}

/*
 * Print @v (its magnitude; @sign is '-', '+', ' ' or 0) for conversions
 * d i u o x X, and p (which sp->prec and the prefix are set up for).
 * Per C99: the precision is the minimum digit count (so 0 with precision
 * 0 prints no digit), and '0' pads only when there is no precision.
 */
static void put_number(struct out *o, const struct spec *sp,
		       unsigned long long v, char sign)
{
	unsigned int base = conv_base(sp->conv);
	char digits[24];
	int n = to_digits(digits, v, base, sp->conv == 'X');
	int prec = sp->prec < 0 ? 1 : sp->prec;
	const char *prefix = "";
	long zeros, body;

	if (sp->conv == 'p' || ((sp->flags & F_ALT) && base == 16 && v))
		prefix = sp->conv == 'X' ? "0X" : "0x";
	zeros = max(prec - n, 0);
	/* '#' octal: a leading 0, unless the precision already gave one. */
	if ((sp->flags & F_ALT) && base == 8 && !zeros)
		zeros = 1;
	body = !!sign + strlen(prefix) + zeros + n;
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 &&
	    sp->width > body) {
		zeros += sp->width - body;
		body = sp->width;
	}
	pad_before(o, sp, body);
	if (sign)
		put(o, sign);
	put_str(o, prefix, strlen(prefix));
	put_rep(o, '0', zeros);
	while (n)
		put(o, digits[--n]);
	pad_after(o, sp, body);
}

static void put_signed(struct out *o, const struct spec *sp, va_list *ap)
{
	long long v = arg_signed(sp->len, ap);
	unsigned long long mag = v;
	char sign = 0;

	if (v < 0) {
		/* In unsigned arithmetic: -LLONG_MIN does not fit in long long. */
		mag = 0 - mag;
		sign = '-';
	} else if (sp->flags & F_PLUS) {
		sign = '+';
	} else if (sp->flags & F_SPACE) {
		sign = ' ';
	}
	put_number(o, sp, mag, sign);
}

static void put_pointer(struct out *o, const struct spec *sp, va_list *ap)
{
	struct spec ps = *sp;

	ps.prec = 2 * sizeof(void *);
	put_number(o, &ps, (uintptr_t)va_arg(*ap, void *), 0);
}

/* A string, cut to the precision; it is not read beyond that. */
static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = strnlen(s, sp->prec < 0 ? SIZE_MAX : (size_t)sp->prec);
	pad_before(o, sp, n);
	put_str(o, s, n);
	pad_after(o, sp, n);
}

static void put_char(struct out *o, const struct spec *sp, char c)
{
	pad_before(o, sp, 1);
	put(o, c);
	pad_after(o, sp, 1);
}

/* Carry out one directive; one it does not know is copied as it stands. */
static void convert(struct out *o, const struct spec *sp, va_list *ap,
		    const char *start, const char *end)
{
	switch (sp->conv) {
	case 'd':
	case 'i':
		put_signed(o, sp, ap);
		break;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		put_number(o, sp, arg_unsigned(sp->len, ap), 0);
		break;
	case 'p':
		put_pointer(o, sp, ap);
		break;
	case 's':
		put_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		put_char(o, sp, va_arg(*ap, int));
		break;
	case '%':
		put(o, '%');
		break;
	default:
		put_str(o, start, end - start);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	struct spec sp;
	va_list args;	/* a copy, so helpers can take its address portably */

	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;

		if (*fmt++ != '%') {
			put(&o, *start);
			continue;
		}
		fmt = read_spec(fmt, &sp, &args);
		convert(&o, &sp, &args, start, fmt);
	}
	va_end(args);
	if (size)
		buf[min(o.len, size - 1)] = '\0';
	return min(o.len, (size_t)INT_MAX);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (!size)
		return 0;
	return min((size_t)n, size - 1);
}

int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
