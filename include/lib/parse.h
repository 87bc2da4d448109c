/* SPDX-License-Identifier: GPL-2.0 */
/* Number and argument parsing (lib/parse.c) for the shell and bootargs. */
#ifndef LIB_PARSE_H
#define LIB_PARSE_H

#include <lib/types.h>

/*
 * kstrtoull() - parse a whole string as an unsigned number.
 * @base: 0 detects "0x" (hex), "0" (octal) or decimal; else 8, 10 or 16
 *        ("0x" is allowed with 16). One trailing '\n' is accepted.
 * Return: 0, -EINVAL (empty, sign, stray character), -ERANGE (overflow).
 */
int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
/* As kstrtoull(), with an optional leading '-' and the range of long long. */
int kstrtoll(const char *s, unsigned int base, long long *res);

/*
 * parse_size() - a size or address with an optional K, M, G, T suffix
 * (either case, powers of 1024), as in "512M", "0x80000000", "2g".
 * Return: 0, -EINVAL (malformed), -ERANGE (does not fit in 64 bits).
 */
int parse_size(const char *s, u64 *res);

/*
 * next_arg() - split the next "param[=value]" off a command line, in place.
 * Double quotes group spaces ("a=\"x y\""), and are removed.
 * Sets *param and *val (NULL when there is no '='). Returns the rest of
 * the line (leading spaces skipped), "" at the end.
 */
char *next_arg(char *args, char **param, char **val);

/* skip_spaces() - the first character of @s that is not a space or tab. */
char *skip_spaces(const char *s);

#endif
