/* SPDX-License-Identifier: GPL-2.0 */
/* Bit arrays of unsigned long words, Linux's names. */
#ifndef LIB_BITMAP_H
#define LIB_BITMAP_H

#include <lib/kernel.h>

#define BITS_PER_LONG		64
#define BITS_TO_LONGS(n)	DIV_ROUND_UP(n, BITS_PER_LONG)

static inline bool test_bit(unsigned long nr, const unsigned long *map)
{
	return (map[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG)) & 1;
}

static inline void set_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline void clear_bit(unsigned long nr, unsigned long *map)
{
	map[nr / BITS_PER_LONG] &= ~(1UL << (nr % BITS_PER_LONG));
}

/* Set bits [0, nbits). */
static inline void bitmap_fill(unsigned long *map, unsigned long nbits)
{
	for (unsigned long i = 0; i < nbits; i++)
		set_bit(i, map);
}

static inline unsigned long bitmap_weight(const unsigned long *map, unsigned long nbits)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < nbits; i++)
		n += test_bit(i, map);
	return n;
}

#endif
