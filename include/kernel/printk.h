/* SPDX-License-Identifier: GPL-2.0 */
/*
 * printk (kernel/printk.c): text to the console ("\n" goes out as "\r\n")
 * and, for kernel messages, into the kernel log that `dmesg` prints.
 *
 * A message may start with a level, as in Linux (KERN_INFO "..."; the
 * pr_*() macros add it). What is logged: every printk() outside a shell
 * command, and every message with a level wherever it comes from. A shell
 * command's own plain printk() output (its table, its usage error) is
 * console output only, as a Linux program's stdout is not in Linux's log.
 * An exception report or a panic is always logged (oops_in_progress).
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include <lib/kernel.h>

#define KERN_SOH	"\001"		/* start of header: a level digit follows */
#define KERN_SOH_ASCII	'\001'
#define KERN_ERR	KERN_SOH "3"
#define KERN_WARNING	KERN_SOH "4"
#define KERN_NOTICE	KERN_SOH "5"
#define KERN_INFO	KERN_SOH "6"
#define KERN_DEBUG	KERN_SOH "7"

#define LOGLEVEL_DEFAULT	4	/* a plain printk(), as Linux's default */

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);
/* Console only (the shell's prompt and echo), never logged. */
void console_puts(const char *s);

#define pr_err(fmt, ...)	printk(KERN_ERR "error: " fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk(KERN_WARNING "warning: " fmt, ##__VA_ARGS__)
#define pr_notice(fmt, ...)	printk(KERN_NOTICE fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(KERN_INFO fmt, ##__VA_ARGS__)

/* Where console output goes: the early PL011 first, the DT's UART later. */
struct console {
	const char *name;
	void (*write)(const char *s, size_t len);
};
void register_console(const struct console *con);

/* Set by the shell while it runs a command line: plain printk() is not logged. */
extern bool printk_console_only;
/* Set by the exception report and panic(): everything is logged from then on. */
extern bool oops_in_progress;

/* ---- the kernel log ---- */

#define LOG_LINE_MAX		512		/* text of one record; longer lines are split */
#define LOG_BUF_LEN_MIN		(1U << 10)
#define LOG_BUF_LEN_MAX		(64U << 10)
#define LOG_BUF_LEN_DEFAULT	(16U << 10)

/* One record, as log_next() copies it out. */
struct log_line {
	u64 seq;		/* 0 for the first message since boot */
	u64 ts_nsec;		/* generic counter time when the line began */
	unsigned int level;
	unsigned int len;
	char text[LOG_LINE_MAX + 1];	/* NUL-terminated, no newline */
};

/*
 * log_buf_set_len() - resize the log (boot argument `log_buf_len=`),
 * keeping the newest records that fit.
 * Return: 0, or -EINVAL unless @len is a power of two from LOG_BUF_LEN_MIN
 * to LOG_BUF_LEN_MAX.
 */
int log_buf_set_len(unsigned int len);
unsigned int log_buf_get_len(void);
/*
 * Reading the log, oldest first: log_iter_init() starts at the oldest
 * record held that `dmesg -c` did not clear; log_next() copies the next
 * record into @line and moves on. An iterator that fell behind the ring
 * skips what was overwritten; it does not survive log_buf_set_len().
 * Return (log_next): false when there is no record left.
 */
struct log_iter {
	u64 seq, pos;
};
void log_iter_init(struct log_iter *it);
bool log_next(struct log_iter *it, struct log_line *line);
/* Messages the ring overwrote that no `dmesg -c` had cleared. */
u64 log_dropped(void);
/* `dmesg -c`: from now on readers start after the newest record. */
void log_clear(void);

#endif
