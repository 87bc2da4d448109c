// SPDX-License-Identifier: GPL-2.0
/*
 * printk: format, write to the current console, and keep kernel messages
 * in the kernel log (include/kernel/printk.h says which are logged).
 *
 * The log is a ring of records in log_buf, Linux's pre-5.10 design with
 * its names: each record is a struct printk_log header followed by its
 * text, one line per record, stamped with the generic counter. Records
 * are written at byte position log_next_pos and the oldest starts at
 * log_first_pos; positions only grow, and byte p lives at
 * log_buf[p & (log_buf_len - 1)], so a record may wrap around the end.
 * When a new record does not fit, the oldest ones are dropped: log_first_seq
 * moves on, and whatever was not cleared by `dmesg -c` (clear_seq) counts
 * as dropped. scripts/gdb/hotmm.py reads these variables by name.
 *
 * There is one CPU and mm never runs in interrupt context; interrupts are
 * masked while the console and the ring are written, so an interrupt's
 * output cannot split a line or a record.
 */
#include <arch/irqflags.h>
#include <arch/timer.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <string.h>

/* The header of one record; the text follows it in the ring. */
struct printk_log {
	u64 ts_nsec;		/* when the line began */
	u16 text_len;		/* bytes of text after the header */
	u8 level;		/* 0..7, LOGLEVEL_DEFAULT for a plain printk() */
	u8 pad[5];
};

static char log_buf[LOG_BUF_LEN_MAX] __aligned(8);
static unsigned int log_buf_len = LOG_BUF_LEN_DEFAULT;	/* a power of two */
static u64 log_first_seq, log_next_seq;	/* oldest record held, next to write */
static u64 log_first_pos, log_next_pos;	/* their byte positions */
static u64 clear_seq;			/* readers start here (dmesg -c) */

/* The logged line being built by printk()s that have not ended it yet. */
static struct {
	char text[LOG_LINE_MAX];
	unsigned int len;
	unsigned int level;
	u64 ts_nsec;
} cont;

static const struct console *console;
bool printk_console_only;
bool oops_in_progress;

void register_console(const struct console *con)
{
	console = con;
}

/* Nanoseconds since the counter started (reset, under QEMU). */
static u64 log_clock(void)
{
	u64 cnt = arch_counter_read(), freq = arch_counter_freq();

	return cnt / freq * 1000000000ULL + cnt % freq * 1000000000ULL / freq;
}

/* ---- the ring ---- */

static void ring_write(u64 pos, const void *src, size_t len)
{
	const char *s = src;

	for (size_t i = 0; i < len; i++)
		log_buf[(pos + i) & (log_buf_len - 1)] = s[i];
}

static void ring_read(u64 pos, void *dst, size_t len)
{
	char *d = dst;

	for (size_t i = 0; i < len; i++)
		d[i] = log_buf[(pos + i) & (log_buf_len - 1)];
}

/* The record after the one at @pos. */
static u64 log_next_pos_of(u64 pos)
{
	struct printk_log hdr;

	ring_read(pos, &hdr, sizeof(hdr));
	return pos + sizeof(hdr) + hdr.text_len;
}

static void log_drop_oldest(void)
{
	log_first_pos = log_next_pos_of(log_first_pos);
	log_first_seq++;
}

/* Append one record, dropping the oldest ones until it fits. */
static void log_store(unsigned int level, u64 ts_nsec, const char *text, unsigned int len)
{
	struct printk_log hdr = { .ts_nsec = ts_nsec, .text_len = len, .level = level };
	u64 size = sizeof(hdr) + len;

	while (log_next_pos - log_first_pos + size > log_buf_len)
		log_drop_oldest();
	ring_write(log_next_pos, &hdr, sizeof(hdr));
	ring_write(log_next_pos + sizeof(hdr), text, len);
	log_next_pos += size;
	log_next_seq++;
}

static void cont_flush(void)
{
	if (!cont.len)
		return;
	log_store(cont.level, cont.ts_nsec, cont.text, cont.len);
	cont.len = 0;
}

/* Add @s to the log: each "\n" ends a record, a full line is split. */
static void log_text(unsigned int level, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!cont.len) {
			cont.level = level;
			cont.ts_nsec = log_clock();
		}
		if (s[i] == '\n') {
			log_store(cont.level, cont.ts_nsec, cont.text, cont.len);
			cont.len = 0;
			continue;
		}
		cont.text[cont.len++] = s[i];
		if (cont.len == LOG_LINE_MAX)
			cont_flush();
	}
}

/* Reverse log_buf[a, b): the three reversals below rotate in place. */
static void reverse(unsigned int a, unsigned int b)
{
	while (a + 1 < b) {
		char t = log_buf[a];

		log_buf[a++] = log_buf[--b];
		log_buf[b] = t;
	}
}

int log_buf_set_len(unsigned int len)
{
	unsigned long flags;
	unsigned int shift;

	if (len < LOG_BUF_LEN_MIN || len > LOG_BUF_LEN_MAX || (len & (len - 1)))
		return -EINVAL;
	flags = arch_local_irq_save();
	while (log_next_pos - log_first_pos > len)
		log_drop_oldest();
	/* Rotate the old ring so the oldest record starts at 0, unwrapped. */
	shift = log_first_pos & (log_buf_len - 1);
	reverse(0, shift);
	reverse(shift, log_buf_len);
	reverse(0, log_buf_len);
	log_next_pos -= log_first_pos;
	log_first_pos = 0;
	log_buf_len = len;
	arch_local_irq_restore(flags);
	return 0;
}

unsigned int log_buf_get_len(void)
{
	return log_buf_len;
}

/* ---- readers ---- */

void log_iter_init(struct log_iter *it)
{
	unsigned long flags = arch_local_irq_save();

	it->seq = log_first_seq;
	it->pos = log_first_pos;
	for (; it->seq < clear_seq && it->seq < log_next_seq; it->seq++)
		it->pos = log_next_pos_of(it->pos);
	arch_local_irq_restore(flags);
}

bool log_next(struct log_iter *it, struct log_line *line)
{
	unsigned long flags = arch_local_irq_save();
	struct printk_log hdr;
	bool found = it->seq < log_next_seq;

	if (it->seq < log_first_seq) {		/* overwritten since the last call */
		it->seq = log_first_seq;
		it->pos = log_first_pos;
	}
	if (found) {
		ring_read(it->pos, &hdr, sizeof(hdr));
		line->seq = it->seq;
		line->ts_nsec = hdr.ts_nsec;
		line->level = hdr.level;
		line->len = hdr.text_len;
		ring_read(it->pos + sizeof(hdr), line->text, hdr.text_len);
		line->text[hdr.text_len] = 0;
		it->pos += sizeof(hdr) + hdr.text_len;
		it->seq++;
	}
	arch_local_irq_restore(flags);
	return found;
}

u64 log_dropped(void)
{
	return log_first_seq > clear_seq ? log_first_seq - clear_seq : 0;
}

void log_clear(void)
{
	unsigned long flags = arch_local_irq_save();

	clear_seq = log_next_seq;
	arch_local_irq_restore(flags);
}

/* ---- printk ---- */

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
	char buf[LOG_LINE_MAX];
	int len = vscnprintf(buf, sizeof(buf), fmt, ap);
	const char *text = buf;
	unsigned int level = LOGLEVEL_DEFAULT;
	bool has_level = false;
	unsigned long flags;

	if (len >= 2 && buf[0] == KERN_SOH_ASCII && buf[1] >= '0' && buf[1] <= '7') {
		level = buf[1] - '0';
		has_level = true;
		text += 2;
		len -= 2;
	}
	flags = arch_local_irq_save();
	console_emit(text, len);
	if (has_level || !printk_console_only || oops_in_progress) {
		if (has_level)
			cont_flush();	/* a message with a level starts a line */
		log_text(level, text, len);
	}
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
