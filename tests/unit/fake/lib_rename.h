/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Forced into every host build of lib/string.c, lib/parse.c and
 * lib/vsprintf.c and their tests (see tests/unit/lib.mk).
 *
 * Those files define C library names (memcpy, strtoul, snprintf...). On
 * the host they are renamed to hotmm_*, so the test binary keeps the host
 * C library intact and can compare against it through the host_* wrappers
 * below. The host headers are read first, under the real names; their
 * include guards keep later includes from redeclaring the renamed ones.
 */
#ifndef TESTS_UNIT_FAKE_LIB_RENAME_H
#define TESTS_UNIT_FAKE_LIB_RENAME_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host C library's functions, under names the renames leave alone. */
static inline void *host_memchr(const void *s, int c, size_t n)
{
	return memchr(s, c, n);
}

static inline int host_memcmp(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n);
}

static inline void *host_memmove(void *d, const void *s, size_t n)
{
	return memmove(d, s, n);
}

static inline char *host_strchr(const char *s, int c)
{
	return strchr(s, c);
}

static inline char *host_strrchr(const char *s, int c)
{
	return strrchr(s, c);
}

static inline int host_strcmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

static inline int host_strncmp(const char *a, const char *b, size_t n)
{
	return strncmp(a, b, n);
}

static inline unsigned long host_strtoul(const char *s, char **end, int base)
{
	return strtoul(s, end, base);
}

static inline int host_vsnprintf(char *buf, size_t size, const char *fmt,
				 va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

#define memchr		hotmm_memchr
#define memcmp		hotmm_memcmp
#define memcpy		hotmm_memcpy
#define memmove		hotmm_memmove
#define memset		hotmm_memset
#define strchr		hotmm_strchr
#define strrchr		hotmm_strrchr
#define strlen		hotmm_strlen
#define strnlen		hotmm_strnlen
#define strcmp		hotmm_strcmp
#define strncmp		hotmm_strncmp
#define strlcpy		hotmm_strlcpy
#define strtoul		hotmm_strtoul
#define vsnprintf	hotmm_vsnprintf
#define snprintf	hotmm_snprintf
#define vscnprintf	hotmm_vscnprintf
#define scnprintf	hotmm_scnprintf

/*
 * The host's <string.h> and <stdlib.h> have been read: declare the renamed
 * functions from hotmm's own headers (the printf ones come with
 * <lib/printf.h>), which checks them against the definitions too.
 */
#include "../../../include/libc/string.h"
#include "../../../include/libc/stdlib.h"

#endif
