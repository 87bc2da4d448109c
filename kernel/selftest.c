// SPDX-License-Identifier: GPL-2.0
/* The `selftest` command: run the linked-in cases, print KTAP. */
#include <kernel/selftest.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <string.h>

extern const struct selftest __start_selftests[], __stop_selftests[];

static bool selected(const struct selftest *t, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], t->name))
			return true;
	return false;
}

static int cmd_selftest(int argc, char **argv)
{
	int n = 0, i = 0, failed = 0, skipped = 0;

	for (int a = 1; a < argc; a++) {
		const struct selftest *t = __start_selftests;

		while (t < __stop_selftests && strcmp(t->name, argv[a]))
			t++;
		if (t == __stop_selftests) {
			printk("error: no self-test named '%s'\n", argv[a]);
			return -ENOENT;
		}
	}
	for (const struct selftest *t = __start_selftests; t < __stop_selftests; t++)
		n += selected(t, argc, argv);
	printk("KTAP version 1\n1..%d\n", n);
	for (const struct selftest *t = __start_selftests; t < __stop_selftests; t++) {
		int ret;

		if (!selected(t, argc, argv))
			continue;
		ret = t->fn();
		i++;
		if (ret == -EOPNOTSUPP) {
			skipped++;
			printk("ok %d %s # SKIP\n", i, t->name);
		} else if (ret) {
			failed++;
			printk("not ok %d %s\n", i, t->name);
		} else {
			printk("ok %d %s\n", i, t->name);
		}
	}
	printk("# selftest: %d pass, %d fail, %d skip\n", n - failed - skipped, failed, skipped);
	return failed ? -EINVAL : 0;
}
SHELL_CMD(selftest, cmd_selftest, "[NAME...]", "run the in-kernel self-tests (KTAP)");
