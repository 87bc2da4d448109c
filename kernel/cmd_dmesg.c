// SPDX-License-Identifier: GPL-2.0
/* `dmesg`: the kernel log (kernel/printk.c), as Linux's dmesg prints it. */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <string.h>

static int cmd_dmesg(int argc, char **argv)
{
	bool print = true, clear = false, raw = false;
	struct log_line line;
	struct log_iter it;
	u64 dropped;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c"))
			clear = true;
		else if (!strcmp(argv[i], "-C"))
			clear = true, print = false;
		else if (!strcmp(argv[i], "-r"))
			raw = true;
		else
			return shell_usage(argv[0]);
	}
	if (print) {
		dropped = log_dropped();
		if (dropped)
			printk("** %llu printk messages dropped **\n", (unsigned long long)dropped);
		log_iter_init(&it);
		while (log_next(&it, &line)) {
			if (raw)
				printk("<%u>", line.level);
			printk("[%5llu.%06llu] %s\n", (unsigned long long)(line.ts_nsec / 1000000000),
			       (unsigned long long)(line.ts_nsec % 1000000000 / 1000), line.text);
		}
	}
	if (clear)
		log_clear();
	return 0;
}
SHELL_CMD(dmesg, cmd_dmesg, "[-c|-C] [-r]",
	  "the kernel log; -c prints then clears it, -C only clears, -r shows levels");
