// SPDX-License-Identifier: GPL-2.0
/*
 * drivers/fdt.c against QEMU's own DTBs, hand-written trees (tests/unit/dts)
 * and blobs broken on purpose. Every blob is scanned from a buffer of
 * exactly the bytes it claims, so ASan catches any read past them.
 * The data files come from tests/unit/mkdata.sh, in $HOTMM_UNIT_DATA.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <libfdt.h>

#include <drivers/fdt.h>
#include <lib/errno.h>

#define EDIT_ROOM	65536

static const char *data_dir;

/** load() - the whole of data file @name, in a buffer of its exact size. */
static void *load(const char *name, size_t *len)
{
	char path[512];
	void *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run tests/unit/mkdata.sh)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	*len = n;
	return buf;
}

/**
 * scan_bytes() - fdt_scan() over a copy of the first @avail bytes of
 * @blob, in a buffer of exactly @avail bytes. Checks the fdt_error()
 * contract on the way: "" after a success, one "dtb: " line otherwise.
 */
static int scan_bytes(const void *blob, size_t avail, struct dt_info *info)
{
	void *copy = malloc(avail ? avail : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, blob, avail);
	ret = fdt_scan(copy, avail, info);
	free(copy);
	if (ret == 0) {
		assert_string_equal(fdt_error(), "");
	} else {
		assert_true(ret == -EINVAL || ret == -E2BIG);
		assert_int_equal(strncmp(fdt_error(), "dtb: ", 5), 0);
		assert_null(strchr(fdt_error(), '\n'));
	}
	return ret;
}

/** scan_file() - scan data file @name, which must succeed. */
static void scan_file(const char *name, struct dt_info *info)
{
	size_t len;
	void *blob = load(name, &len);
	int ret = scan_bytes(blob, len, info);

	free(blob);
	if (ret)
		fail_msg("%s: %d: %s", name, ret, fdt_error());
}

/** edit() - a writable copy of data file @name with room to grow. */
static void *edit(const char *name)
{
	size_t len;
	void *blob = load(name, &len);
	void *buf = malloc(len + EDIT_ROOM);

	assert_non_null(buf);
	assert_int_equal(fdt_open_into(blob, buf, len + EDIT_ROOM), 0);
	free(blob);
	return buf;
}

/** node() - the offset of @path in @buf, which must exist. */
static int node(void *buf, const char *path)
{
	int off = fdt_path_offset(buf, path);

	if (off < 0)
		fail_msg("no node %s", path);
	return off;
}

/** set_cells() - set @prop of @path to the @n big-endian cells @v. */
static void set_cells(void *buf, const char *path, const char *prop,
		      const uint32_t *v, int n)
{
	fdt32_t be[256];
	int i;

	assert_true(n <= 256);
	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	assert_int_equal(fdt_setprop(buf, node(buf, path), prop, be, 4 * n), 0);
}

static void set_u32(void *buf, const char *path, const char *prop, uint32_t v)
{
	set_cells(buf, path, prop, &v, 1);
}

static void set_str(void *buf, const char *path, const char *prop,
		    const char *s)
{
	assert_int_equal(fdt_setprop_string(buf, node(buf, path), prop, s), 0);
}

static void set_bytes(void *buf, const char *path, const char *prop,
		      const void *v, int len)
{
	assert_int_equal(fdt_setprop(buf, node(buf, path), prop, v, len), 0);
}

static void del_prop(void *buf, const char *path, const char *prop)
{
	assert_int_equal(fdt_delprop(buf, node(buf, path), prop), 0);
}

/** scan_edit() - pack @buf, scan exactly its bytes and free it. */
static int scan_edit(void *buf, struct dt_info *info)
{
	int ret;

	assert_int_equal(fdt_pack(buf), 0);
	ret = scan_bytes(buf, fdt_totalsize(buf), info);
	free(buf);
	return ret;
}

/** expect_error() - scanning @buf (freed) fails with @err and @words. */
static void expect_error(void *buf, int err, const char *words)
{
	struct dt_info info;
	int ret = scan_edit(buf, &info);

	if (ret != err || !strstr(fdt_error(), words))
		fail_msg("got %d \"%s\", want %d with \"%s\"", ret,
			 fdt_error(), err, words);
}

static void check_bank(const struct dt_info *info, int i, uint64_t base,
		       uint64_t size, int nid)
{
	assert_true(i < info->nr_mem);
	assert_int_equal(info->mem[i].base, base);
	assert_int_equal(info->mem[i].size, size);
	assert_int_equal(info->mem[i].nid, nid);
}

static void check_irq(const struct dt_irq *irq, uint32_t intid,
		      enum irq_trigger trigger)
{
	assert_true(irq->valid);
	assert_int_equal(irq->intid, intid);
	assert_int_equal(irq->trigger, trigger);
}

static void check_rsv(const struct dt_info *info, int i, uint64_t base,
		      uint64_t size, enum dt_rsv_kind kind, bool nomap,
		      const char *name)
{
	assert_true(i < info->nr_rsv);
	assert_int_equal(info->rsv[i].base, base);
	assert_int_equal(info->rsv[i].size, size);
	assert_int_equal(info->rsv[i].kind, kind);
	assert_int_equal(info->rsv[i].nomap, nomap);
	assert_string_equal(info->rsv[i].name, name);
}

/* ---- QEMU's DTBs ---- */

static void test_qemu_virt(void **state)
{
	struct dt_info info;

	scan_file("qemu-virt.dtb", &info);
	assert_int_equal(info.totalsize, 0x100000);
	assert_string_equal(info.model, "linux,dummy-virt");
	assert_string_equal(info.compatible, "linux,dummy-virt");
	assert_int_equal(info.nr_mem, 1);
	check_bank(&info, 0, 0x40000000, 0x40000000, NUMA_NO_NODE);
	assert_int_equal(info.nr_rsv, 0);
	assert_false(info.has_bootargs);
	assert_string_equal(info.bootargs, "");
	assert_int_equal(info.rng_seed_len, 32);
	assert_string_equal(info.stdout_path, "/pl011@9000000");
	assert_int_equal(info.uart_base, 0x9000000);
	assert_int_equal(info.uart_size, 0x1000);
	check_irq(&info.uart_irq, 33, IRQ_TRIGGER_LEVEL);
	assert_true(info.uart_pl011);
	assert_int_equal(info.gic_version, DT_GIC_V2);
	assert_int_equal(info.gicd_base, 0x8000000);
	assert_int_equal(info.gicd_size, 0x10000);
	assert_int_equal(info.gicc_base, 0x8010000);
	assert_int_equal(info.gicc_size, 0x10000);
	assert_int_equal(info.gicr_size, 0);
	check_irq(&info.timer_sec_phys, 29, IRQ_TRIGGER_LEVEL);
	check_irq(&info.timer_phys, 30, IRQ_TRIGGER_LEVEL);
	check_irq(&info.timer_virt, 27, IRQ_TRIGGER_LEVEL);
	check_irq(&info.timer_hyp, 26, IRQ_TRIGGER_LEVEL);
	assert_true(info.psci_present);
	assert_false(info.psci_smc);
	assert_string_equal(info.warning, "");
}

static void test_qemu_gic3(void **state)
{
	struct dt_info info;

	scan_file("qemu-gic3.dtb", &info);
	assert_int_equal(info.gic_version, DT_GIC_V3);
	assert_int_equal(info.gicd_base, 0x8000000);
	assert_int_equal(info.gicd_size, 0x10000);
	assert_int_equal(info.gicr_base, 0x80a0000);
	assert_int_equal(info.gicr_size, 0xf60000);
	assert_int_equal(info.gicc_size, 0);
	check_irq(&info.timer_virt, 27, IRQ_TRIGGER_LEVEL);
	check_irq(&info.uart_irq, 33, IRQ_TRIGGER_LEVEL);
	check_bank(&info, 0, 0x40000000, 0x40000000, NUMA_NO_NODE);
}

/* QEMU lists memory@60000000 first: the banks come back sorted. */
static void test_qemu_numa(void **state)
{
	struct dt_info info;

	scan_file("qemu-numa.dtb", &info);
	assert_int_equal(info.nr_mem, 2);
	check_bank(&info, 0, 0x40000000, 0x20000000, 0);
	check_bank(&info, 1, 0x60000000, 0x20000000, 1);
	assert_true(info.psci_present);
}

static void test_qemu_el2(void **state)
{
	struct dt_info info;

	scan_file("qemu-el2.dtb", &info);
	assert_true(info.psci_present);
	assert_true(info.psci_smc);
	assert_true(info.has_bootargs);
	assert_string_equal(info.bootargs, "console=ttyAMA0 hotmm.test=\"a b\"");
	assert_int_equal(info.gic_version, DT_GIC_V2);
	assert_int_equal(info.gicc_base, 0x8010000);
}

/* ---- hand-written trees ---- */

static void test_cells11(void **state)
{
	struct dt_info info;

	scan_file("cells11.dtb", &info);
	assert_string_equal(info.model, "hotmm test cells 1/1");
	assert_string_equal(info.compatible, "hotmm,cells11");
	assert_int_equal(info.nr_mem, 1);
	check_bank(&info, 0, 0x80000000, 0x10000000, NUMA_NO_NODE);
	assert_int_equal(info.gic_version, DT_GIC_V2);
	assert_int_equal(info.gicd_base, 0x2c001000);
	assert_int_equal(info.gicd_size, 0x1000);
	assert_int_equal(info.gicc_base, 0x2c002000);
	assert_int_equal(info.gicc_size, 0x2000);
	assert_int_equal(info.uart_base, 0x1c090000);
	assert_int_equal(info.uart_size, 0x1000);
	check_irq(&info.uart_irq, 37, IRQ_TRIGGER_LEVEL);
	/* flags 0xf08: CPU mask 0xf, trigger 8 (level-low) counts as level. */
	check_irq(&info.timer_virt, 27, IRQ_TRIGGER_LEVEL);
	check_irq(&info.timer_hyp, 26, IRQ_TRIGGER_LEVEL);
	assert_true(info.psci_present);
	assert_true(info.psci_smc);
	assert_false(info.has_bootargs);
	assert_int_equal(info.rng_seed_len, 0);
}

static void test_multireg(void **state)
{
	struct dt_info info;

	scan_file("multireg.dtb", &info);
	assert_int_equal(info.nr_mem, 3);
	check_bank(&info, 0, 0x40000000, 0x40000000, NUMA_NO_NODE);
	check_bank(&info, 1, 0x90000000, 0x100000000, NUMA_NO_NODE);
	check_bank(&info, 2, 0x880000000, 0x80000000, NUMA_NO_NODE);
	assert_int_equal(info.gic_version, DT_GIC_NONE);
	assert_false(info.timer_virt.valid);
	assert_int_equal(info.uart_size, 0);
	assert_false(info.psci_present);
	assert_string_equal(info.warning, "");
}

static void test_three_nodes(void **state)
{
	struct dt_info info;

	scan_file("three-nodes.dtb", &info);
	assert_int_equal(info.nr_mem, 3);
	check_bank(&info, 0, 0x40000000, 0x40000000, 0);
	check_bank(&info, 1, 0x80000000, 0x40000000, 1);
	check_bank(&info, 2, 0x100000000, 0x40000000, 2);
}

/*
 * Defect: any numa-node-id was accepted, and a node beyond MAX_NUMNODES was
 * used as an index before anything checked it. Now it is a warning naming
 * the node, and its memory belongs to node 0.
 */
static void test_node_id_beyond_max_numnodes(void **state)
{
	struct dt_info info;

	scan_file("big-node-id.dtb", &info);
	assert_int_equal(info.nr_mem, 2);
	check_bank(&info, 0, 0x40000000, 0x40000000, 1);
	check_bank(&info, 1, 0x80000000, 0x40000000, 0);
	assert_string_equal(info.warning, "dtb: memory@80000000: numa-node-id 9 is beyond "
			    "MAX_NUMNODES (8); node 0 used");
}

static void test_disabled(void **state)
{
	struct dt_info info;

	scan_file("disabled.dtb", &info);
	assert_int_equal(info.nr_mem, 3);
	check_bank(&info, 0, 0x40000000, 0x10000000, NUMA_NO_NODE);
	check_bank(&info, 1, 0x60000000, 0x10000000, NUMA_NO_NODE);
	check_bank(&info, 2, 0x70000000, 0x10000000, NUMA_NO_NODE);
}

static void test_reserved(void **state)
{
	struct dt_info info;

	scan_file("reserved.dtb", &info);
	assert_int_equal(info.nr_mem, 1);
	assert_int_equal(info.nr_rsv, 5);
	check_rsv(&info, 0, 0x48000000, 0x100000, DT_RSV_MEMRESERVE, false,
		  "memreserve");
	check_rsv(&info, 1, 0x49000000, 0x2000, DT_RSV_MEMRESERVE, false,
		  "memreserve");
	check_rsv(&info, 2, 0x4e000000, 0x200000, DT_RSV_RESERVED_MEMORY, true,
		  "secmon@4e000000");
	check_rsv(&info, 3, 0x4f000000, 0x100000, DT_RSV_RESERVED_MEMORY, false,
		  "ramoops@4f000000");
	check_rsv(&info, 4, 0x4c000000, 0x1000, DT_RSV_RESERVED_MEMORY, false,
		  "split@4c000000");
}

static void test_chosen(void **state)
{
	static const uint8_t seed[16] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xff,
	};
	struct dt_info info;

	scan_file("chosen.dtb", &info);
	assert_true(info.has_bootargs);
	assert_string_equal(info.bootargs,
			    "console=ttyAMA0 hotmm.name=\"two words\" quiet");
	assert_int_equal(info.rng_seed_len, 16);
	assert_memory_equal(info.rng_seed, seed, 16);
	assert_string_equal(info.stdout_path, "/pl011@9000000");
	assert_int_equal(info.uart_base, 0x9000000);
	assert_int_equal(info.uart_size, 0x1000);
	check_irq(&info.uart_irq, 33, IRQ_TRIGGER_LEVEL);
	assert_true(info.uart_pl011);
	assert_string_equal(info.warning, "");
}

static void test_alias(void **state)
{
	struct dt_info info;
	int i;

	scan_file("alias.dtb", &info);
	assert_string_equal(info.stdout_path, "serial0");
	assert_int_equal(info.uart_base, 0x1c090000);
	assert_int_equal(info.uart_size, 0x100);
	check_irq(&info.uart_irq, 37, IRQ_TRIGGER_EDGE);
	assert_false(info.uart_pl011);
	assert_int_equal(info.rng_seed_len, DT_RNG_SEED_LEN);
	for (i = 0; i < DT_RNG_SEED_LEN; i++)
		assert_int_equal(info.rng_seed[i], i);
}

/* ---- edited trees that still scan ---- */

static void test_bootargs_long(void **state)
{
	void *buf = edit("chosen.dtb");
	struct dt_info info;
	char big[3000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	set_str(buf, "/chosen", "bootargs", big);
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_true(info.has_bootargs);
	assert_int_equal(strlen(info.bootargs), DT_BOOTARGS_LEN - 1);
	assert_non_null(strstr(info.warning, "bootargs"));
}

/* A bootargs without its NUL, and an empty one, are still strings. */
static void test_bootargs_odd(void **state)
{
	void *buf = edit("chosen.dtb");
	struct dt_info info;

	set_bytes(buf, "/chosen", "bootargs", "abc", 3);
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_string_equal(info.bootargs, "abc");

	buf = edit("chosen.dtb");
	set_bytes(buf, "/chosen", "bootargs", NULL, 0);
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_true(info.has_bootargs);
	assert_string_equal(info.bootargs, "");
}

static void test_psci_method(void **state)
{
	void *buf = edit("qemu-virt.dtb");
	struct dt_info info;

	set_str(buf, "/psci", "method", "foo");
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_false(info.psci_present);
	assert_non_null(strstr(info.warning, "method \"foo\" not supported"));

	buf = edit("qemu-virt.dtb");
	del_prop(buf, "/psci", "method");
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_false(info.psci_present);
	assert_non_null(strstr(info.warning, "no method"));

	buf = edit("qemu-virt.dtb");
	assert_int_equal(fdt_del_node(buf, node(buf, "/psci")), 0);
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_false(info.psci_present);
	assert_string_equal(info.warning, "");
}

static void test_stdout_missing(void **state)
{
	void *buf = edit("qemu-virt.dtb");
	struct dt_info info;

	set_str(buf, "/chosen", "stdout-path", "/nope@1:9600");
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_string_equal(info.stdout_path, "/nope@1");
	assert_int_equal(info.uart_size, 0);
	assert_false(info.uart_irq.valid);
	assert_non_null(strstr(info.warning, "names no node"));

	buf = edit("qemu-virt.dtb");
	set_str(buf, "/chosen", "stdout-path", ":115200");
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_int_equal(info.uart_size, 0);

	buf = edit("alias.dtb");
	set_str(buf, "/chosen", "stdout-path", "serial1");
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_int_equal(info.uart_size, 0);
}

/* 32 banks fit, and empty tuples do not count. */
static void test_32_banks(void **state)
{
	void *buf = edit("qemu-virt.dtb");
	uint32_t reg[36 * 4];
	struct dt_info info;
	int i;

	for (i = 0; i < 36; i++) {
		reg[4 * i] = i;
		reg[4 * i + 1] = 0;
		reg[4 * i + 2] = 0;
		reg[4 * i + 3] = i < DT_MAX_MEM ? 0x1000 : 0;
	}
	set_cells(buf, "/memory@40000000", "reg", reg, 36 * 4);
	assert_int_equal(scan_edit(buf, &info), 0);
	assert_int_equal(info.nr_mem, DT_MAX_MEM);
	check_bank(&info, 31, 31ULL << 32, 0x1000, NUMA_NO_NODE);
}

/* ---- malformed blobs ---- */

static void test_bad_magic(void **state)
{
	struct dt_info info;
	size_t len;
	uint8_t *blob = load("qemu-virt.dtb", &len);

	memcpy(blob, "\x12\x34\x56\x78", 4);
	assert_int_equal(scan_bytes(blob, len, &info), -EINVAL);
	assert_non_null(strstr(fdt_error(), "dtb: bad magic 0x12345678"));
	free(blob);
}

static void test_truncated(void **state)
{
	struct dt_info info;
	size_t len;
	void *blob = load("qemu-virt.dtb", &len);

	assert_int_equal(scan_bytes(blob, 4096, &info), -EINVAL);
	assert_string_equal(fdt_error(),
			    "dtb: truncated: totalsize 1048576 > 4096 bytes available");
	assert_int_equal(scan_bytes(blob, len - 1, &info), -EINVAL);
	assert_non_null(strstr(fdt_error(), "truncated"));
	assert_int_equal(scan_bytes(blob, 16, &info), -EINVAL);
	assert_non_null(strstr(fdt_error(), "truncated"));
	assert_int_equal(scan_bytes(blob, 0, &info), -EINVAL);
	assert_int_equal(fdt_scan(NULL, 4096, &info), -EINVAL);
	free(blob);
}

static void test_bad_cells(void **state)
{
	void *buf = edit("qemu-virt.dtb");
	uint32_t two[2] = { 2, 2 };

	set_u32(buf, "/", "#address-cells", 3);
	expect_error(buf, -EINVAL, "");
	assert_string_equal(fdt_error(),
			    "dtb: /: #address-cells 3 not supported (1 or 2)");

	buf = edit("qemu-virt.dtb");
	set_u32(buf, "/", "#size-cells", 0);
	expect_error(buf, -EINVAL, "dtb: /: #size-cells 0 not supported");

	buf = edit("qemu-virt.dtb");
	set_cells(buf, "/", "#address-cells", two, 2);
	expect_error(buf, -EINVAL, "#address-cells has length 8");
}

static void test_bad_reg(void **state)
{
	static const uint32_t reg5[5] = { 0, 0x40000000, 0, 0x40000000, 0 };
	static const uint32_t wrap[4] = { 0xffffffff, 0xfffff000, 0, 0x2000 };
	void *buf = edit("qemu-virt.dtb");

	set_cells(buf, "/memory@40000000", "reg", reg5, 5);
	expect_error(buf, -EINVAL, "");
	assert_string_equal(fdt_error(),
			    "dtb: /memory@40000000: reg length 20 is not a multiple of 16 (#address-cells 2, #size-cells 2)");

	buf = edit("qemu-virt.dtb");
	set_cells(buf, "/memory@40000000", "reg", wrap, 4);
	expect_error(buf, -EINVAL, "/memory@40000000: reg[0] 0xfffffffffffff000 + 0x2000 overflows");
}

static void test_too_many_banks(void **state)
{
	void *buf = edit("qemu-virt.dtb");
	uint32_t reg[33 * 4];
	int i;

	for (i = 0; i < 33; i++) {
		reg[4 * i] = 0;
		reg[4 * i + 1] = 0x40000000 + i * 0x100000;
		reg[4 * i + 2] = 0;
		reg[4 * i + 3] = 0x100000;
	}
	set_cells(buf, "/memory@40000000", "reg", reg, 33 * 4);
	expect_error(buf, -E2BIG, "/memory@40000000: more than 32 memory banks");
}

static void test_bad_memory(void **state)
{
	static const uint32_t inside[4] = { 0, 0x50000000, 0, 0x1000 };
	void *buf = edit("qemu-virt.dtb");
	int off;

	assert_int_equal(fdt_del_node(buf, node(buf, "/memory@40000000")), 0);
	expect_error(buf, -EINVAL, "no memory");

	buf = edit("qemu-virt.dtb");
	set_str(buf, "/memory@40000000", "status", "disabled");
	expect_error(buf, -EINVAL, "no memory");

	buf = edit("qemu-virt.dtb");
	off = fdt_add_subnode(buf, 0, "memory@50000000");
	assert_true(off >= 0);
	set_str(buf, "/memory@50000000", "device_type", "memory");
	set_cells(buf, "/memory@50000000", "reg", inside, 4);
	expect_error(buf, -EINVAL, "memory banks overlap");

	buf = edit("qemu-numa.dtb");
	set_bytes(buf, "/memory@60000000", "numa-node-id", "\0\0\0\0\0\0\0\1", 8);
	expect_error(buf, -EINVAL, "/memory@60000000: numa-node-id has length 8");

	buf = edit("qemu-numa.dtb");
	set_u32(buf, "/memory@60000000", "numa-node-id", 0x80000000);
	expect_error(buf, -EINVAL, "numa-node-id 2147483648 out of range");
}

static void test_bad_reserved(void **state)
{
	static const uint32_t reg3[3] = { 0, 0x4e000000, 0 };
	void *buf = edit("reserved.dtb");
	int i;

	for (i = 0; i < DT_MAX_RSV; i++)
		assert_int_equal(fdt_add_mem_rsv(buf, 0x50000000 + i * 0x1000, 0x1000), 0);
	expect_error(buf, -E2BIG, "more than 32 reserved");

	buf = edit("reserved.dtb");
	set_u32(buf, "/reserved-memory", "#size-cells", 3);
	expect_error(buf, -EINVAL, "dtb: /reserved-memory: #size-cells 3 not supported");

	buf = edit("reserved.dtb");
	set_cells(buf, "/reserved-memory/secmon@4e000000", "reg", reg3, 3);
	expect_error(buf, -EINVAL, "dtb: /reserved-memory/secmon@4e000000: reg length 12");

	buf = edit("reserved.dtb");
	set_cells(buf, "/reserved-memory", "ranges", reg3, 3);
	expect_error(buf, -EINVAL, "non-empty ranges");
}

static void test_bad_devices(void **state)
{
	static const uint32_t irq2[2] = { 0, 1 };
	static const uint32_t espi[3] = { 2, 1, 4 };
	static const uint32_t ppi[3] = { 1, 16, 4 };
	static const uint32_t onereg[4] = { 0, 0x8000000, 0, 0x10000 };
	void *buf = edit("qemu-virt.dtb");

	set_cells(buf, "/pl011@9000000", "interrupts", irq2, 2);
	expect_error(buf, -EINVAL, "/pl011@9000000: interrupts length 8 is not a multiple of 12");

	buf = edit("qemu-virt.dtb");
	set_cells(buf, "/pl011@9000000", "interrupts", espi, 3);
	expect_error(buf, -EINVAL, "interrupt 0 <2 1> not supported");

	buf = edit("qemu-virt.dtb");
	set_cells(buf, "/timer", "interrupts", ppi, 3);
	expect_error(buf, -EINVAL, "dtb: /timer: interrupt 0 <1 16> not supported");

	buf = edit("qemu-virt.dtb");
	set_cells(buf, "/intc@8000000", "reg", onereg, 4);
	expect_error(buf, -EINVAL, "/intc@8000000: reg has 1 entries, GICv2 needs 2");

	buf = edit("qemu-gic3.dtb");
	set_cells(buf, "/intc@8000000", "reg", onereg, 4);
	expect_error(buf, -EINVAL, "GICv3 needs 2 (distributor, redistributors)");

	buf = edit("qemu-virt.dtb");
	set_u32(buf, "/intc@8000000", "#interrupt-cells", 2);
	expect_error(buf, -EINVAL, "#interrupt-cells is not <3>");
}

/* A tag that is no tag: fdt_check_full() refuses the blob. */
static void test_corrupt_struct(void **state)
{
	void *buf = edit("qemu-virt.dtb");
	uint8_t *tag;

	assert_int_equal(fdt_pack(buf), 0);
	tag = (uint8_t *)buf + fdt_off_dt_struct(buf) + 8;
	memcpy(tag, "\0\0\0\x0a", 4);
	expect_error(buf, -EINVAL, "corrupt");
}

/* ---- no crash, whatever the bytes ---- */

static uint32_t lcg_state = 12345;

static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1103515245 + 12345;
	return lcg_state >> 8;
}

/**
 * scan_guarded() - scan @blob again from the end of a page followed by an
 * inaccessible one: the host libfdt is not built with ASan, so only a
 * fault shows its reads past the blob (to within the 7 bytes that keep
 * the blob 8-byte aligned).
 * Return: what fdt_scan() returned.
 */
static int scan_guarded(const void *blob, size_t len, struct dt_info *info)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t room = (len + 7 + page - 1) / page * page;
	uint8_t *map, *copy;
	int ret;

	map = mmap(NULL, room + page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + room, page, PROT_NONE), 0);
	copy = map + room - ((len + 7) & ~(size_t)7);
	memcpy(copy, blob, len);
	ret = fdt_scan(copy, len, info);
	munmap(map, room + page);
	return ret;
}

/** fuzz_one() - scan @blob; a success must still keep fdt.h's promises. */
static void fuzz_one(const void *blob, size_t len)
{
	struct dt_info info;
	int ret = scan_bytes(blob, len, &info);
	int i;

	assert_int_equal(scan_guarded(blob, len, &info), ret);
	if (ret)
		return;
	assert_true(info.nr_mem >= 1 && info.nr_mem <= DT_MAX_MEM);
	for (i = 0; i < info.nr_mem; i++) {
		assert_true(info.mem[i].size > 0);
		assert_true(info.mem[i].base + info.mem[i].size > info.mem[i].base);
		if (i)
			assert_true(info.mem[i].base >=
				    info.mem[i - 1].base + info.mem[i - 1].size);
	}
	assert_true(info.nr_rsv >= 0 && info.nr_rsv <= DT_MAX_RSV);
	assert_true(info.rng_seed_len >= 0 && info.rng_seed_len <= DT_RNG_SEED_LEN);
	assert_true(strlen(info.bootargs) < DT_BOOTARGS_LEN);
}

/*
 * Every word of a packed QEMU blob (and of a hand-written one) set to
 * a few telling values, every truncation, then random byte flips.
 */
static void fuzz_file(const char *name)
{
	static const uint32_t vals[] = { 0, 1, 3, 0xffffffff, 0x7fffffff, 0x100 };
	void *buf = edit(name);
	uint8_t *copy;
	size_t len, i, v;
	fdt32_t be;

	assert_int_equal(fdt_pack(buf), 0);
	len = fdt_totalsize(buf);
	copy = malloc(len);
	assert_non_null(copy);
	for (i = 0; i + 4 <= len; i += 4) {
		for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			memcpy(copy, buf, len);
			be = cpu_to_fdt32(vals[v]);
			memcpy(copy + i, &be, 4);
			fuzz_one(copy, len);
		}
	}
	for (i = 0; i < len; i += 3)
		fuzz_one(buf, i);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, buf, len);
		for (v = 0; v < 1 + lcg() % 4; v++)
			copy[lcg() % len] ^= 1 << (lcg() % 8);
		fuzz_one(copy, len);
	}
	free(copy);
	free(buf);
}

static void test_fuzz(void **state)
{
	fuzz_file("qemu-virt.dtb");
	fuzz_file("reserved.dtb");
	fuzz_file("alias.dtb");
}

/* libfdt refuses a blob that is not 8-byte aligned: so must we, clearly. */
static void test_misaligned(void **state)
{
	struct dt_info info;
	size_t len;
	void *blob = load("chosen.dtb", &len);
	uint8_t *buf = malloc(len + 4);

	assert_non_null(buf);
	memcpy(buf + 4, blob, len);
	assert_int_equal(fdt_scan(buf + 4, len, &info), -EINVAL);
	assert_non_null(strstr(fdt_error(), "not 8-byte aligned"));
	free(buf);
	free(blob);
}

static int setup(void **state)
{
	data_dir = getenv("HOTMM_UNIT_DATA");
	if (!data_dir) {
		fprintf(stderr, "fdt_test: set HOTMM_UNIT_DATA (make unit does)\n");
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_virt),
		cmocka_unit_test(test_qemu_gic3),
		cmocka_unit_test(test_qemu_numa),
		cmocka_unit_test(test_qemu_el2),
		cmocka_unit_test(test_cells11),
		cmocka_unit_test(test_multireg),
		cmocka_unit_test(test_three_nodes),
		cmocka_unit_test(test_node_id_beyond_max_numnodes),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_chosen),
		cmocka_unit_test(test_alias),
		cmocka_unit_test(test_bootargs_long),
		cmocka_unit_test(test_bootargs_odd),
		cmocka_unit_test(test_psci_method),
		cmocka_unit_test(test_stdout_missing),
		cmocka_unit_test(test_32_banks),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_cells),
		cmocka_unit_test(test_bad_reg),
		cmocka_unit_test(test_too_many_banks),
		cmocka_unit_test(test_bad_memory),
		cmocka_unit_test(test_bad_reserved),
		cmocka_unit_test(test_bad_devices),
		cmocka_unit_test(test_corrupt_struct),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_misaligned),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
