/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ASCII character classes for a freestanding kernel: no locale, no table.
 * Like C's, each takes an int holding an unsigned char value (or EOF);
 * any other value, negative ones included, is simply in no class.
 */
#ifndef LIBC_CTYPE_H
#define LIBC_CTYPE_H

/* True when @c lies in [@lo, @hi]; the unsigned compare rejects c < lo. */
static inline int __ctype_in(int c, int lo, int hi)
{
	return (unsigned int)c - (unsigned int)lo <= (unsigned int)(hi - lo);
}

static inline int isdigit(int c)
{
	return __ctype_in(c, '0', '9');
}

static inline int isupper(int c)
{
	return __ctype_in(c, 'A', 'Z');
}

static inline int islower(int c)
{
	return __ctype_in(c, 'a', 'z');
}

static inline int isalpha(int c)
{
	return isupper(c) || islower(c);
}

static inline int isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

static inline int isxdigit(int c)
{
	return isdigit(c) || __ctype_in(c, 'a', 'f') || __ctype_in(c, 'A', 'F');
}

/* Space, \t, \n, \v, \f and \r, as in the C locale. */
static inline int isspace(int c)
{
	return c == ' ' || __ctype_in(c, '\t', '\r');
}

/* Printable: space through '~'. */
static inline int isprint(int c)
{
	return __ctype_in(c, ' ', '~');
}

static inline int toupper(int c)
{
	return islower(c) ? c - 'a' + 'A' : c;
}

static inline int tolower(int c)
{
	return isupper(c) ? c - 'A' + 'a' : c;
}

#endif
