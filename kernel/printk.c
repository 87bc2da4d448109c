// SPDX-License-Identifier: GPL-2.0
/*
 * printk: format, then hand the text to the current console. There is one
 * CPU and mm never runs in interrupt context, so interrupts are masked only
 * around the write, to keep an interrupt's output from splitting a line.
 */
#include <arch/irqflags.h>
#include <kernel/printk.h>
#include <lib/printf.h>
#include <string.h>

static const struct console *console;

void register_console(const struct console *con)
{
	console = con;
}

/* Write @s, turning each "\n" into "\r\n" as a serial terminal wants. */
static void console_emit(const char *s, size_t len)
{
	size_t start = 0;

	if (!console)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		console->write(s + start, i - start);
		console->write("\r\n", 2);
		start = i + 1;
	}
	console->write(s + start, len - start);
}

void console_puts(const char *s)
{
	unsigned long flags = arch_local_irq_save();

	console_emit(s, strlen(s));
	arch_local_irq_restore(flags);
}

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int len = vscnprintf(buf, sizeof(buf), fmt, ap);
	unsigned long flags = arch_local_irq_save();

	console_emit(buf, len);
	arch_local_irq_restore(flags);
	return len;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vprintk(fmt, ap);
	va_end(ap);
	return len;
}
