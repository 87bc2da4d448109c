// SPDX-License-Identifier: GPL-2.0
/*
 * Boot arguments (DESIGN §3). Each one has a parser that validates and sets
 * its variable, and a printer for the `params` command. They are read once,
 * before memblock and the memmap are set up; the hotplug settings and the
 * fault injection can also be changed later with the `set` command.
 */
#include <arch/sparsemem.h>
#include <drivers/acpi_ged.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/parse.h>
#include <lib/printf.h>
#include <mm/deferred_init.h>
#include <mm/fault_inject.h>
#include <mm/memmap_on_memory.h>
#include <mm/memory_hotplug.h>
#include <mm/mmzone.h>
#include <mm/sparse.h>
#include <mm/vmemmap.h>
#include <string.h>

u64 mem_limit;
unsigned long hold_nodes;
static unsigned long fail_block_every, fail_nth_value;

struct boot_param {
	const char *name;
	/* Return 0, or -EINVAL after writing the reason into @why. */
	int (*set)(const char *val, char *why, size_t len);
	void (*show)(char *buf, size_t len);
	bool runtime;		/* `set` may change it after boot */
	bool given;		/* the command line gave it */
	bool changed;		/* `set` changed it */
};

/* @val as one of @names; its index in *out. */
static int set_choice(const char *val, const char *const *names, int n, int *out,
		      char *why, size_t len)
{
	size_t used;

	for (int i = 0; i < n; i++) {
		if (!strcmp(val, names[i])) {
			*out = i;
			return 0;
		}
	}
	used = scnprintf(why, len, "one of");
	for (int i = 0; i < n; i++)
		used += scnprintf(why + used, len - used, "%s %s", i ? "," : "", names[i]);
	return -EINVAL;
}

static int set_mem(const char *val, char *why, size_t len)
{
	u64 v;

	if (parse_size(val, &v) || v < (1UL << SECTION_SIZE_BITS)) {
		snprintf(why, len, "a size of at least one section (%lu MiB)",
			 (1UL << SECTION_SIZE_BITS) >> 20);
		return -EINVAL;
	}
	mem_limit = v;
	return 0;
}

static void show_mem(char *buf, size_t len)
{
	if (mem_limit)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(mem_limit >> 20));
	else
		snprintf(buf, len, "no limit");
}

#define CHOICE_PARAM(fn, var, names)						\
static int set_##fn(const char *val, char *why, size_t len)			\
{										\
	int i, ret = set_choice(val, names, ARRAY_SIZE(names), &i, why, len);	\
										\
	if (!ret)								\
		var = i;							\
	return ret;								\
}										\
static void show_##fn(char *buf, size_t len)					\
{										\
	snprintf(buf, len, "%s", names[var]);					\
}

CHOICE_PARAM(mom, memmap_on_memory, memmap_on_memory_names)
CHOICE_PARAM(mom_check, memmap_on_memory_check, memmap_on_memory_check_names)
CHOICE_PARAM(memhp, memhp_default_state, memhp_state_names)

/* deferred_init=off|on|demand; `set deferred_init off` initialises the rest now. */
static int set_deferred_init(const char *val, char *why, size_t len)
{
	int i, ret = set_choice(val, deferred_init_mode_names, ARRAY_SIZE(deferred_init_mode_names),
				&i, why, len);

	if (!ret)
		set_deferred_init_mode(i);
	return ret;
}

static void show_deferred_init(char *buf, size_t len)
{
	snprintf(buf, len, "%s", deferred_init_mode_names[deferred_init_mode]);
}

/* hold_node=N[,N...]: every DT bank of those nodes is held back for hotplug. */
static int set_hold_node(const char *val, char *why, size_t len)
{
	unsigned long nodes = 0;
	char buf[64], *tok = buf;

	if (strlcpy(buf, val, sizeof(buf)) >= sizeof(buf))
		goto bad;
	for (;;) {
		char *comma = strchr(tok, ',');
		unsigned long long n;

		if (comma)
			*comma = 0;
		if (kstrtoull(tok, 0, &n) || n >= MAX_NUMNODES)
			goto bad;
		nodes |= 1UL << n;
		if (!comma)
			break;
		tok = comma + 1;
	}
	hold_nodes = nodes;
	return 0;
bad:
	snprintf(why, len, "node numbers below %d, separated by commas", MAX_NUMNODES);
	return -EINVAL;
}

static void show_hold_node(char *buf, size_t len)
{
	size_t used = 0;

	if (!hold_nodes) {
		snprintf(buf, len, "none");
		return;
	}
	for (int n = 0; n < MAX_NUMNODES; n++)
		if (hold_nodes & (1UL << n))
			used += scnprintf(buf + used, len - used, "%s%d", used ? "," : "", n);
}
CHOICE_PARAM(vmemmap, vmemmap_mode, vmemmap_mode_names)
CHOICE_PARAM(altmap, altmap_fallback, altmap_fallback_names)

/* pageblock <= section: a pageblock's pages share one section's flags. */
static int set_pageblock_order(const char *val, char *why, size_t len)
{
	unsigned long long v;
	unsigned int max = MAX_PAGE_ORDER;

	if (kstrtoull(val, 0, &v) || v < 1 || v > max) {
		snprintf(why, len, "an order from 1 to %u (MAX_PAGE_ORDER)", max);
		return -EINVAL;
	}
	pageblock_order = v;
	return 0;
}

static void show_pageblock_order(char *buf, size_t len)
{
	snprintf(buf, len, "%u (%lu KiB)", pageblock_order,
		 (pageblock_nr_pages << PAGE_SHIFT) >> 10);
}

/* A memory block is a power-of-two number of sections, as in Linux. */
static int set_memory_block_size(const char *val, char *why, size_t len)
{
	u64 v, section = 1UL << SECTION_SIZE_BITS;

	if (parse_size(val, &v) || v < section || (v & (v - 1)) || v > (1ULL << 36)) {
		snprintf(why, len, "a power of two from the section size (%llu MiB) to 64 GiB",
			 (unsigned long long)(section >> 20));
		return -EINVAL;
	}
	memory_block_size = v;
	return 0;
}

static void show_memory_block_size(char *buf, size_t len)
{
	snprintf(buf, len, "%llu MiB", (unsigned long long)(memory_block_size >> 20));
}

static int set_count(const char *val, unsigned long *out, char *why, size_t len)
{
	unsigned long long v;

	if (kstrtoull(val, 0, &v)) {
		snprintf(why, len, "a count (0 turns it off)");
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int set_fail_block(const char *val, char *why, size_t len)
{
	int ret = set_count(val, &fail_block_every, why, len);

	if (!ret)
		fail_site_every(FAIL_VMEMMAP_BLOCK, fail_block_every);
	return ret;
}

static void show_fail_block(char *buf, size_t len)
{
	snprintf(buf, len, "%lu", fail_block_every);
}

static int set_vmalloc_fail_block(const char *val, char *why, size_t len)
{
	unsigned long every;
	int ret = set_count(val, &every, why, len);

	if (!ret)
		fail_site_every(FAIL_VMALLOC_BLOCK, every);
	return ret;
}

/* The console's `vmalloc fail N` changes it too: show the site's own value. */
static void show_vmalloc_fail_block(char *buf, size_t len)
{
	snprintf(buf, len, "%lu", fail_site_get_every(FAIL_VMALLOC_BLOCK));
}

static int set_fail_nth(const char *val, char *why, size_t len)
{
	int ret = set_count(val, &fail_nth_value, why, len);

	if (!ret)
		fail_nth_set(fail_nth_value);
	return ret;
}

static void show_fail_nth(char *buf, size_t len)
{
	snprintf(buf, len, "%lu", fail_nth_value);
}

/* Linux's log_buf_len=, except that it may also shrink the log. */
static int set_log_buf_len(const char *val, char *why, size_t len)
{
	u64 v;

	if (parse_size(val, &v) || v > LOG_BUF_LEN_MAX || log_buf_set_len(v)) {
		snprintf(why, len, "a power of two from %u to %u KiB", LOG_BUF_LEN_MIN >> 10,
			 LOG_BUF_LEN_MAX >> 10);
		return -EINVAL;
	}
	return 0;
}

static void show_log_buf_len(char *buf, size_t len)
{
	snprintf(buf, len, "%u KiB", log_buf_get_len() >> 10);
}

/*
 * acpi_ged=auto|off|GED_BASE,INTID,MEMHP_BASE: where QEMU's GED and memory
 * hotplug controller are, when the machine table (drivers/acpi_ged.c) does
 * not know or should be overridden; off: no hotplug from QEMU.
 */
static int set_acpi_ged(const char *val, char *why, size_t len)
{
	unsigned long long v[3];
	char buf[64], *tok = buf;

	if (!strcmp(val, "auto") || !strcmp(val, "off")) {
		acpi_ged_mode = strcmp(val, "off") ? ACPI_GED_AUTO : ACPI_GED_OFF;
		return 0;
	}
	if (strlcpy(buf, val, sizeof(buf)) >= sizeof(buf))
		goto bad;
	for (int i = 0; i < 3; i++) {
		char *comma = strchr(tok, ',');

		if ((i < 2) != !!comma)
			goto bad;
		if (comma)
			*comma = 0;
		if (kstrtoull(tok, 0, &v[i]))
			goto bad;
		if (comma)
			tok = comma + 1;
	}
	if (v[1] < 32 || v[1] > 1019 || (v[0] | v[2]) & 3)
		goto bad;
	acpi_ged_given.ged_base = v[0];
	acpi_ged_given.ged_intid = v[1];
	acpi_ged_given.memhp_base = v[2];
	acpi_ged_mode = ACPI_GED_GIVEN;
	return 0;
bad:
	snprintf(why, len, "auto, off, or GED_BASE,INTID,MEMHP_BASE (an SPI, 4-byte aligned bases)");
	return -EINVAL;
}

static void show_acpi_ged(char *buf, size_t len)
{
	if (acpi_ged_mode == ACPI_GED_GIVEN)
		snprintf(buf, len, "%#llx,%u,%#llx", (unsigned long long)acpi_ged_given.ged_base,
			 acpi_ged_given.ged_intid, (unsigned long long)acpi_ged_given.memhp_base);
	else
		snprintf(buf, len, "%s", acpi_ged_mode == ACPI_GED_OFF ? "off" : "auto");
}

/* The PL011 early console is always on; the argument is accepted as Linux's. */
static int set_earlycon(const char *val, char *why, size_t len)
{
	return 0;
}

static void show_earlycon(char *buf, size_t len)
{
	snprintf(buf, len, "pl011 (always)");
}

static struct boot_param params[] = {
	{ .name = "mem", .set = set_mem, .show = show_mem },
	{ .name = "hold_node", .set = set_hold_node, .show = show_hold_node },
	{ .name = "memmap_on_memory", .set = set_mom, .show = show_mom, .runtime = true },
	{ .name = "memmap_on_memory_check", .set = set_mom_check, .show = show_mom_check,
	  .runtime = true },
	{ .name = "vmemmap", .set = set_vmemmap, .show = show_vmemmap },
	{ .name = "altmap_fallback", .set = set_altmap, .show = show_altmap, .runtime = true },
	{ .name = "memhp_default_state", .set = set_memhp, .show = show_memhp, .runtime = true },
	{ .name = "pageblock_order", .set = set_pageblock_order, .show = show_pageblock_order },
	{ .name = "memory_block_size", .set = set_memory_block_size, .show = show_memory_block_size },
	{ .name = "vmemmap_fail_block", .set = set_fail_block, .show = show_fail_block,
	  .runtime = true },
	{ .name = "vmalloc_fail_block", .set = set_vmalloc_fail_block,
	  .show = show_vmalloc_fail_block, .runtime = true },
	{ .name = "fail_nth", .set = set_fail_nth, .show = show_fail_nth, .runtime = true },
	{ .name = "acpi_ged", .set = set_acpi_ged, .show = show_acpi_ged },
	{ .name = "log_buf_len", .set = set_log_buf_len, .show = show_log_buf_len },
	{ .name = "deferred_init", .set = set_deferred_init, .show = show_deferred_init,
	  .runtime = true },
	{ .name = "earlycon", .set = set_earlycon, .show = show_earlycon },
};

static void set_param(char *name, char *val)
{
	char why[96] = "";

	for (unsigned int i = 0; i < ARRAY_SIZE(params); i++) {
		struct boot_param *p = &params[i];

		if (strcmp(name, p->name))
			continue;
		const char *kept = p->given ? "earlier value kept" : "default kept";

		if (!val && p->set != set_earlycon) {
			pr_warn("boot argument %s needs a value; %s\n", name, kept);
		} else if (p->set(val ? val : "", why, sizeof(why))) {
			pr_warn("boot argument %s=%s: expected %s; %s\n", name, val, why, kept);
		} else {
			p->given = true;
		}
		return;
	}
	pr_warn("unknown boot argument '%s' ignored\n", name);
}

void parse_boot_params(const char *cmdline)
{
	static char buf[1024];
	char *args = buf, *name, *val;

	strlcpy(buf, cmdline, sizeof(buf));
	args = skip_spaces(args);
	while (*args) {
		args = next_arg(args, &name, &val);
		if (*name)
			set_param(name, val);
	}
}

void print_boot_params(void)
{
	char value[48];

	for (unsigned int i = 0; i < ARRAY_SIZE(params); i++) {
		params[i].show(value, sizeof(value));
		printk("  %-22s %-24s %s\n", params[i].name, value,
		       params[i].changed ? "(set)" : params[i].given ? "(bootargs)" : "(default)");
	}
}

static int cmd_params(int argc, char **argv)
{
	if (argc != 1)
		return shell_usage(argv[0]);
	print_boot_params();
	return 0;
}
SHELL_CMD(params, cmd_params, "", "boot arguments hotmm knows, with their values");

static int cmd_set(int argc, char **argv)
{
	char why[96] = "";

	if (argc != 3)
		return shell_usage(argv[0]);
	for (unsigned int i = 0; i < ARRAY_SIZE(params); i++) {
		struct boot_param *p = &params[i];

		if (strcmp(argv[1], p->name))
			continue;
		if (!p->runtime) {
			printk("error: %s is set at boot only (--append %s=...)\n", p->name, p->name);
			return -EPERM;
		}
		if (p->set(argv[2], why, sizeof(why))) {
			printk("error: %s %s: expected %s\n", p->name, argv[2], why);
			return -EINVAL;
		}
		p->changed = true;
		return 0;
	}
	printk("error: no setting named '%s' (params lists them)\n", argv[1]);
	return -ENOENT;
}
SHELL_CMD(set, cmd_set, "NAME VALUE",
	  "change a run-time setting: memmap_on_memory, memhp_default_state, fault injection, ...");
