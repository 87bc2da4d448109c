// SPDX-License-Identifier: GPL-2.0
/*
 * kernel/printk.c on the host: what is logged and what only reaches the
 * console, lines built from pieces, the ring wrapping with the dropped
 * count, `dmesg -c`, and log_buf_set_len() keeping the newest records
 * across a resize. The generic counter is a variable the tests advance.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arch/timer.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <string.h>

/* ---- fakes: the counter (1 MHz) and a console that keeps what it got ---- */

static u64 counter;

u64 arch_counter_read(void)
{
	return counter;
}

u64 arch_counter_freq(void)
{
	return 1000000;
}

static char console_out[1 << 16];
static size_t console_len;

static void console_write(const char *s, size_t len)
{
	assert_true(console_len + len < sizeof(console_out));
	memcpy(console_out + console_len, s, len);
	console_len += len;
	console_out[console_len] = 0;
}

static const struct console test_console = { .name = "test", .write = console_write };

/* ---- helpers ---- */

/* Every record a reader would get now, as "text" strings; returns the count. */
static int read_all(struct log_line *lines, int max)
{
	struct log_iter it;
	int n = 0;

	log_iter_init(&it);
	while (n < max && log_next(&it, &lines[n]))
		n++;
	return n;
}

static int setup(void **state)
{
	register_console(&test_console);
	assert_int_equal(log_buf_set_len(LOG_BUF_LEN_DEFAULT), 0);
	log_clear();
	printk_console_only = false;
	oops_in_progress = false;
	console_len = 0;
	console_out[0] = 0;
	counter = 0;
	return 0;
}

/* Record header size: what one record costs beyond its text. */
#define HDR	16

/** Each line is one record with its level and the counter time it began at. */
static void test_lines_are_records(void **state)
{
	struct log_line l[4];

	counter = 1500000;			/* 1.5 s */
	pr_info("one %d\n", 1);
	counter = 2000001;
	printk("two\nthree\n");
	assert_int_equal(read_all(l, 4), 3);
	assert_string_equal(l[0].text, "one 1");
	assert_int_equal(l[0].level, 6);
	assert_int_equal(l[0].ts_nsec, 1500000000ULL);
	assert_string_equal(l[1].text, "two");
	assert_int_equal(l[1].level, LOGLEVEL_DEFAULT);
	assert_int_equal(l[1].ts_nsec, 2000001000ULL);
	assert_string_equal(l[2].text, "three");
	assert_int_equal(l[2].seq, l[1].seq + 1);
	/* The console got the text without the level, "\n" as "\r\n". */
	assert_string_equal(console_out, "one 1\r\ntwo\r\nthree\r\n");
	assert_int_equal(log_dropped(), 0);
}

/** Pieces without a newline make one record, stamped when it began. */
static void test_pieces_make_one_line(void **state)
{
	struct log_line l[4];

	counter = 7;
	printk("a");
	counter = 9;
	printk("b%s", "c");
	assert_int_equal(read_all(l, 4), 0);	/* not ended yet */
	printk("\n");
	assert_int_equal(read_all(l, 4), 1);
	assert_string_equal(l[0].text, "abc");
	assert_int_equal(l[0].ts_nsec, 7000);
	/* A message with a level ends a pending line. */
	printk("x");
	pr_warn("y\n");
	assert_int_equal(read_all(l, 4), 3);
	assert_string_equal(l[1].text, "x");
	assert_string_equal(l[2].text, "warning: y");
	assert_int_equal(l[2].level, 4);
}

/** A line longer than LOG_LINE_MAX is split into full records. */
static void test_long_line_is_split(void **state)
{
	static struct log_line l[4];
	char part[301];

	memset(part, 'z', 300);
	part[300] = 0;
	printk("%s", part);
	printk("%s", part);
	printk("%s\n", part);
	assert_int_equal(read_all(l, 4), 2);
	assert_int_equal(l[0].len, LOG_LINE_MAX);
	assert_int_equal(l[1].len, 900 - LOG_LINE_MAX);
}

/** Inside a shell command plain printk() is console only; levels and oopses are logged. */
static void test_console_only_while_a_command_runs(void **state)
{
	struct log_line l[4];

	printk_console_only = true;
	printk("table row\n");
	pr_info("hotplug event\n");
	printk("error: usage\n");
	oops_in_progress = true;
	printk("Unhandled exception\n");
	assert_int_equal(read_all(l, 4), 2);
	assert_string_equal(l[0].text, "hotplug event");
	assert_string_equal(l[1].text, "Unhandled exception");
	assert_string_equal(console_out,
			    "table row\r\nhotplug event\r\nerror: usage\r\nUnhandled exception\r\n");
}

/** When the ring wraps the newest records stay whole, and the lost ones are counted. */
static void test_wrap_keeps_newest_and_counts_dropped(void **state)
{
	static struct log_line l[128];
	const int total = 100, text = 23;	/* "message 00000 of 000100" */
	int n, held = LOG_BUF_LEN_MIN / (HDR + text);

	assert_int_equal(log_buf_set_len(LOG_BUF_LEN_MIN), 0);
	for (int i = 0; i < total; i++)
		printk("message %05d of %06d\n", i, total);
	n = read_all(l, 128);
	assert_int_equal(n, held);
	assert_int_equal(log_dropped(), total - held);
	for (int i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "message %05d of %06d", total - held + i, total);
		assert_string_equal(l[i].text, want);
	}
}

/** dmesg -c: nothing left to read, nothing counted as dropped, new records read again. */
static void test_clear(void **state)
{
	static struct log_line l[128];
	int held = LOG_BUF_LEN_MIN / (HDR + 8);

	assert_int_equal(log_buf_set_len(LOG_BUF_LEN_MIN), 0);
	for (int i = 0; i < 3 * held; i++)
		printk("old %04d\n", i);
	assert_int_equal(log_dropped(), 2 * held);
	log_clear();
	assert_int_equal(read_all(l, 128), 0);
	assert_int_equal(log_dropped(), 0);
	printk("new 0000\nnew 0001\n");
	assert_int_equal(read_all(l, 128), 2);
	assert_string_equal(l[0].text, "new 0000");
	/* Wrap past the clear point: only uncleared records count as dropped. */
	for (int i = 2; i < held + 5; i++)
		printk("new %04d\n", i);
	assert_int_equal(read_all(l, 128), held);
	assert_int_equal(log_dropped(), 5);
	assert_string_equal(l[0].text, "new 0005");
}

/** A reader that falls behind the ring skips to the oldest record still held. */
static void test_reader_overtaken(void **state)
{
	struct log_line line;
	struct log_iter it;
	int held = LOG_BUF_LEN_MIN / (HDR + 8);
	char want[16];

	assert_int_equal(log_buf_set_len(LOG_BUF_LEN_MIN), 0);
	printk("aaa 0000\n");
	log_iter_init(&it);
	for (int i = 1; i < 2 * held; i++)
		printk("aaa %04d\n", i);
	assert_true(log_next(&it, &line));
	snprintf(want, sizeof(want), "aaa %04d", held);
	assert_string_equal(line.text, want);
}

/** Resizing keeps the newest records that fit, in order, wherever the ring had wrapped. */
static void test_resize_keeps_newest(void **state)
{
	static struct log_line l[1024];
	int big = LOG_BUF_LEN_DEFAULT / (HDR + 8), small = LOG_BUF_LEN_MIN / (HDR + 8);
	int n;

	/* Fill the default ring and a bit more, so its oldest record is mid-buffer. */
	for (int i = 0; i < big + 37; i++)
		printk("rec %04x\n", i);
	assert_int_equal(read_all(l, 1024), big);
	assert_int_equal(log_buf_set_len(LOG_BUF_LEN_MIN), 0);
	n = read_all(l, 1024);
	assert_int_equal(n, small);
	assert_int_equal(log_dropped(), 37 + big - small);
	for (int i = 0; i < n; i++) {
		char want[16];

		snprintf(want, sizeof(want), "rec %04x", big + 37 - small + i);
		assert_string_equal(l[i].text, want);
	}
	/* Growing keeps everything and the ring keeps working. */
	assert_int_equal(log_buf_set_len(LOG_BUF_LEN_MAX), 0);
	assert_int_equal(read_all(l, 1024), small);
	printk("after\n");
	assert_int_equal(read_all(l, 1024), small + 1);
	assert_string_equal(l[small].text, "after");
	assert_int_equal(log_buf_get_len(), LOG_BUF_LEN_MAX);
}

/** Sizes that are not a power of two in [1 KiB, 64 KiB] are refused, the log untouched. */
static void test_resize_refuses_bad_sizes(void **state)
{
	static const unsigned int bad[] = { 0, 512, 3 << 10, LOG_BUF_LEN_MAX << 1, 1000 };

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(log_buf_set_len(bad[i]), -EINVAL);
	assert_int_equal(log_buf_get_len(), LOG_BUF_LEN_DEFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lines_are_records, setup),
		cmocka_unit_test_setup(test_pieces_make_one_line, setup),
		cmocka_unit_test_setup(test_long_line_is_split, setup),
		cmocka_unit_test_setup(test_console_only_while_a_command_runs, setup),
		cmocka_unit_test_setup(test_wrap_keeps_newest_and_counts_dropped, setup),
		cmocka_unit_test_setup(test_clear, setup),
		cmocka_unit_test_setup(test_reader_overtaken, setup),
		cmocka_unit_test_setup(test_resize_keeps_newest, setup),
		cmocka_unit_test_setup(test_resize_refuses_bad_sizes, setup),
	};

	return cmocka_run_group_tests_name("printk", tests, NULL, NULL);
}
