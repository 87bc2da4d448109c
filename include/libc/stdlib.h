/* SPDX-License-Identifier: GPL-2.0 */
/* The one stdlib function libfdt needs; implemented in lib/parse.c. */
#ifndef LIBC_STDLIB_H
#define LIBC_STDLIB_H

unsigned long strtoul(const char *nptr, char **endptr, int base);

#endif
