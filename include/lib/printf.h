/* SPDX-License-Identifier: GPL-2.0 */
/* Formatted output into buffers (lib/vsprintf.c), Linux's semantics. */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <lib/kernel.h>

/*
 * vsnprintf() - format into @buf, at most @size bytes including the NUL.
 * Return: the length the full output would have had (as C99).
 * Supported: flags "-0+ #", width and precision (also "*"), length
 * modifiers hh h l ll z t j, conversions d i u x X o c s p %.
 * "%p" prints 0x followed by 16 hex digits.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
/* As vsnprintf()/snprintf(), but return what was written (without the NUL). */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int scnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
