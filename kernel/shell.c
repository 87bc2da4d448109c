// SPDX-License-Identifier: GPL-2.0
/*
 * The console shell: line editing (backspace, Ctrl-U, Ctrl-C, history on
 * the arrow keys), then the command table. Any byte may arrive; a line
 * that holds anything but printable ASCII, or is too long, is refused
 * with one line, so the shell neither crashes nor hangs on input.
 */
#include <arch/irqflags.h>
#include <asm/sysreg.h>
#include <drivers/pl011.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/workqueue.h>
#include <lib/errno.h>
#include <lib/parse.h>
#include <lib/printf.h>
#include <mm/deferred_init.h>
#include <string.h>

#define PROMPT		"hotmm> "
#define LINE_MAX	256
#define HISTORY		16

extern const struct shell_cmd __start_shell_cmds[], __stop_shell_cmds[];

struct line {
	char buf[LINE_MAX];
	unsigned int len;
	bool overflow;		/* more was typed than fits */
	int bad_byte;		/* first non-printable byte, or -1 */
};

static char history[HISTORY][LINE_MAX];
static unsigned int history_len;	/* entries stored, newest last */

#define for_each_cmd(c) \
	for (const struct shell_cmd *c = __start_shell_cmds; c < __stop_shell_cmds; c++)

static const struct shell_cmd *find_cmd(const char *name)
{
	for_each_cmd(c)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int shell_usage(const char *cmd_name)
{
	const struct shell_cmd *c = find_cmd(cmd_name);
	const char *usage = c ? c->usage : "";

	printk("error: usage: %s%s%s\n", cmd_name, *usage ? " " : "", usage);
	return -EINVAL;
}

int shell_parse_u64(const char *s, const char *what, u64 *v)
{
	int ret = parse_size(s, v);

	if (ret == -ERANGE)
		printk("error: %s '%s' is out of range\n", what, s);
	else if (ret)
		printk("error: %s '%s' is not a number\n", what, s);
	return ret;
}

/* The line being typed, for redrawing it after a kernel message. */
static const struct line *typing;

static void line_redraw(const struct line *l)
{
	console_puts(PROMPT);
	for (unsigned int i = 0; i < l->len; i++) {
		char echo[2] = { l->buf[i] < 0x20 || l->buf[i] > 0x7e ? '?' : l->buf[i], 0 };

		console_puts(echo);
	}
}

/*
 * Wait for the next input byte. Waiting is idle time: queued work (a DIMM
 * to add) runs first; then, while no byte is there, deferred struct page
 * init gets one bounded slice at a time, interrupts on, so a keystroke
 * waits at most one slice; with nothing to do the CPU sleeps until an
 * interrupt. When deferred init finishes, its report gets a line of its
 * own and the prompt and the line typed so far come back.
 */
static int getc_wait(void)
{
	int c;

	for (;;) {
		unsigned long flags;
		bool idle_work;

		run_scheduled_work();
		idle_work = deferred_init_idle_pending();
		flags = arch_local_irq_save();
		c = pl011_getc();
		if (c < 0 && !idle_work && !work_queued())
			wfi();	/* wakes on a pending interrupt even while masked */
		arch_local_irq_restore(flags);
		if (c >= 0)
			return c;
		if (idle_work && deferred_init_idle()) {
			console_puts("\n");
			deferred_init_report();
			if (typing)
				line_redraw(typing);
		}
	}
}

static void line_reset(struct line *l)
{
	l->len = 0;
	l->overflow = false;
	l->bad_byte = -1;
	l->buf[0] = 0;
}

/* Replace the visible line with @s (history recall). */
static void line_set(struct line *l, const char *s)
{
	while (l->len) {
		console_puts("\b \b");
		l->len--;
	}
	line_reset(l);
	strlcpy(l->buf, s, sizeof(l->buf));
	l->len = strlen(l->buf);
	console_puts(l->buf);
}

static void line_add(struct line *l, int c)
{
	char echo[2] = { (char)c, 0 };

	if (c < 0x20 || c > 0x7e) {
		if (l->bad_byte < 0)
			l->bad_byte = c;
		echo[0] = '?';
	}
	if (l->len + 1 >= LINE_MAX) {
		l->overflow = true;
		return;
	}
	l->buf[l->len++] = c;
	l->buf[l->len] = 0;
	console_puts(echo);
}

/* ESC [ A / ESC [ B: walk the history; other sequences are ignored. */
static void line_escape(struct line *l, unsigned int *hist_pos)
{
	int c = getc_wait();

	if (c != '[')
		return;
	c = getc_wait();
	if (c == 'A' && *hist_pos > 0) {
		(*hist_pos)--;
		line_set(l, history[*hist_pos]);
	} else if (c == 'B' && *hist_pos < history_len) {
		(*hist_pos)++;
		line_set(l, *hist_pos < history_len ? history[*hist_pos] : "");
	}
}

/* Read one line; return false if it was abandoned with Ctrl-C. */
static bool read_line(struct line *l)
{
	unsigned int hist_pos = history_len;
	int prev = 0;

	line_reset(l);
	typing = l;
	for (;;) {
		int c = getc_wait();

		if (c == '\n' && prev == '\r') {	/* CR LF is one Enter */
			prev = 0;
			continue;
		}
		prev = c;
		if (c == '\r' || c == '\n') {
			console_puts("\n");
			return true;
		} else if (c == 0x7f || c == '\b') {
			if (l->len && !l->overflow) {
				l->buf[--l->len] = 0;
				console_puts("\b \b");
			}
		} else if (c == 0x15) {			/* Ctrl-U */
			line_set(l, "");
		} else if (c == 0x03) {			/* Ctrl-C */
			console_puts("^C\n");
			return false;
		} else if (c == 0x1b) {
			line_escape(l, &hist_pos);
		} else {
			line_add(l, c);
		}
	}
}

static void history_add(const char *s)
{
	if (!*s || (history_len && !strcmp(history[history_len - 1], s)))
		return;
	if (history_len == HISTORY) {
		memmove(history[0], history[1], sizeof(history[0]) * (HISTORY - 1));
		history_len--;
	}
	strlcpy(history[history_len++], s, LINE_MAX);
}

static int split_args(char *s, char **argv)
{
	int argc = 0;

	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s)
			return argc;
		if (argc == SHELL_MAX_ARGS)
			return -E2BIG;
		argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
		if (*s)
			*s++ = 0;
	}
}

static void run_line(struct line *l)
{
	char *argv[SHELL_MAX_ARGS];
	const struct shell_cmd *c;
	int argc;

	if (l->overflow) {
		printk("error: line too long (at most %d characters)\n", LINE_MAX - 1);
		return;
	}
	if (l->bad_byte >= 0) {
		printk("error: input byte 0x%02x is not printable ASCII; line ignored\n",
		       l->bad_byte);
		return;
	}
	history_add(l->buf);
	argc = split_args(l->buf, argv);
	if (argc < 0) {
		printk("error: too many arguments (at most %d)\n", SHELL_MAX_ARGS - 1);
		return;
	}
	if (!argc)
		return;
	c = find_cmd(argv[0]);
	if (!c) {
		printk("error: unknown command '%s' (try 'help')\n", argv[0]);
		return;
	}
	c->fn(argc, argv);
}

void shell_run(void)
{
	struct line line;

	for (;;) {
		console_puts(PROMPT);
		if (!read_line(&line))
			continue;
		printk_console_only = true;	/* a command's output is not a kernel message */
		run_line(&line);
		printk_console_only = false;
	}
}

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;

	if (argc > 2)
		return shell_usage("help");
	if (argc == 2) {
		c = find_cmd(argv[1]);
		if (!c) {
			printk("error: unknown command '%s' (try 'help')\n", argv[1]);
			return -ENOENT;
		}
		printk("usage: %s %s\n  %s\n", c->name, c->usage, c->help);
		return 0;
	}
	for_each_cmd(c)
		printk("  %-12s %s\n", c->name, c->help);
	return 0;
}
SHELL_CMD(help, cmd_help, "[COMMAND]", "list commands, or show one command's usage");
