/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The serial console shell (kernel/shell.c). Each cmd_*.c registers its
 * commands with SHELL_CMD(); the linker collects them sorted by name.
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include <lib/kernel.h>

#define SHELL_MAX_ARGS	16

struct shell_cmd {
	const char *name;
	/* Return 0, or a negative errno after printing a one-line "error: ..." */
	int (*fn)(int argc, char **argv);
	const char *usage;	/* arguments, e.g. "MS" */
	const char *help;	/* one line */
};

#define SHELL_CMD(_name, _fn, _usage, _help)					\
	static const struct shell_cmd __shell_cmd_##_name			\
	__attribute__((used, section(".shell_cmd." #_name), aligned(8))) = {	\
		.name = #_name, .fn = _fn, .usage = _usage, .help = _help,	\
	}

void __noreturn shell_run(void);
/* Print "error: usage: NAME USAGE" for @cmd_name and return -EINVAL. */
int shell_usage(const char *cmd_name);
/* Parse a number (K/M/G suffixes allowed); print a one-line error if bad. */
int shell_parse_u64(const char *s, const char *what, u64 *v);

#endif
