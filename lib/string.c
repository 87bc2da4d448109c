// SPDX-License-Identifier: GPL-2.0
/*
 * The C string and memory functions the kernel, the compiler (for struct
 * copies and clears) and libfdt call.
 *
 * Only naturally aligned word accesses are ever made: the bulk loops of
 * memset/memcpy/memmove run word-at-a-time once both pointers are word
 * aligned, everything else goes byte by byte. So these are safe on Device
 * memory and with the MMU off, where unaligned accesses fault.
 */
#include <lib/kernel.h>
#include <string.h>

/*
 * GCC may recognise a byte loop as "a memset" or "a memcpy" and replace it
 * with a call to that very function, which here would recurse forever.
 * This turns that transformation off for each function below.
 */
#define __no_libcall	__attribute__((optimize("no-tree-loop-distribute-patterns")))

/* A machine word that may alias any object (the bulk of memcpy/memset). */
typedef unsigned long __attribute__((may_alias)) word_t;
#define WSIZE		sizeof(word_t)

static inline bool word_aligned(const void *p)
{
	return IS_ALIGNED((uintptr_t)p, WSIZE);
}

/* True when @a and @b can both become word aligned at the same time. */
static inline bool co_aligned(const void *a, const void *b)
{
	return IS_ALIGNED((uintptr_t)a ^ (uintptr_t)b, WSIZE);
}

__no_libcall
void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	unsigned char b = (unsigned char)c;
	word_t w = b * (~0UL / 0xff);	/* b in every byte of the word */

	for (; n && !word_aligned(p); n--)
		*p++ = b;
	for (; n >= WSIZE; n -= WSIZE, p += WSIZE)
		*(word_t *)p = w;
	for (; n; n--)
		*p++ = b;
	return s;
}

/* Copy low to high: correct for any overlap where @d is below @s. */
__no_libcall
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (co_aligned(d, s)) {
		for (; n && !word_aligned(d); n--)
			*d++ = *s++;
		for (; n >= WSIZE; n -= WSIZE, d += WSIZE, s += WSIZE)
			*(word_t *)d = *(const word_t *)s;
	}
	for (; n; n--)
		*d++ = *s++;
}

/* Copy high to low: correct for any overlap where @d is above @s. */
__no_libcall
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (co_aligned(d, s)) {
		for (; n && !word_aligned(d); n--)
			*--d = *--s;
		for (; n >= WSIZE; n -= WSIZE) {
			d -= WSIZE;
			s -= WSIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	for (; n; n--)
		*--d = *--s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	/*
	 * Only a destination that starts inside the source, above it,
	 * needs the backward copy. The unsigned difference is >= n both
	 * when dst is below src (it wraps) and when the areas are apart.
	 */
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

__no_libcall
void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

/* Sign of the first differing byte, bytes compared as unsigned char. */
__no_libcall
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

__no_libcall
size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

/* Reads at most @maxlen bytes: @s need not be terminated within them. */
__no_libcall
size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n])
		n++;
	return n;
}

/* The terminating NUL counts as part of the string: strchr(s, 0) finds it. */
__no_libcall
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

__no_libcall
char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

__no_libcall
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
		if (!*p)
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

/*
 * strlcpy() - copy @src into @dst of @size bytes, truncating if needed and
 * always terminating when @size > 0. Returns strlen(@src), so the copy was
 * truncated exactly when the result is >= @size.
 */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = min(len, size - 1);

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}
