/* SPDX-License-Identifier: GPL-2.0 */
/* Console output (kernel/printk.c). "\n" goes out as "\r\n". */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include <lib/kernel.h>

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);
void console_puts(const char *s);

/* Where console output goes: the early PL011 first, the DT's UART later. */
struct console {
	const char *name;
	void (*write)(const char *s, size_t len);
};
void register_console(const struct console *con);

#define pr_err(fmt, ...)	printk("error: " fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	printk("warning: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	printk(fmt, ##__VA_ARGS__)

#endif
