// SPDX-License-Identifier: GPL-2.0
/*
 * The device tree scan: checks the blob once with fdt_check_full(), then
 * reads every property it needs with its length checked first, so a
 * malformed blob yields an error message and never a wild read.
 */
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <libfdt.h>

#include <drivers/fdt.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <lib/printf.h>

#define FDT_ERR_LEN	192
#define PATH_LEN	96
#define IRQ_CELLS	3
#define GIC_MAX_SPI	988	/* SPI INTIDs are 32..1019 */
#define GIC_MAX_PPI	16

static char fdt_errbuf[FDT_ERR_LEN];

/* #address-cells and #size-cells of a bus: how its children's reg reads. */
struct dt_bus {
	int ac, sc;
};

/* A node's reg property, checked against its bus. */
struct dt_reg {
	const u8 *p;
	int n;				/* tuples */
	struct dt_bus bus;
};

/**
 * fail() - record "@fmt ..." as the scan's error message.
 * Return: @err, so callers can "return fail(...)".
 */
static __printf(2, 3) int fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fdt_errbuf, sizeof(fdt_errbuf), fmt, ap);
	va_end(ap);
	return err;
}

/**
 * fail_node() - as fail(), with "dtb: <path of @node>: " in front.
 * Return: @err.
 */
static __printf(4, 5) int fail_node(const void *blob, int node, int err,
				    const char *fmt, ...)
{
	char path[PATH_LEN];
	va_list ap;
	int n;

	if (fdt_get_path(blob, node, path, sizeof(path)) < 0)
		snprintf(path, sizeof(path), ".../%s",
			 fdt_get_name(blob, node, NULL) ?: "?");
	n = snprintf(fdt_errbuf, sizeof(fdt_errbuf), "dtb: %s: ", path);
	n = min(n, (int)sizeof(fdt_errbuf) - 1);
	va_start(ap, fmt);
	vsnprintf(fdt_errbuf + n, sizeof(fdt_errbuf) - n, fmt, ap);
	va_end(ap);
	return err;
}

/**
 * warn() - keep the first non-fatal problem of the scan in @info->warning.
 */
static __printf(2, 3) void warn(struct dt_info *info, const char *fmt, ...)
{
	va_list ap;

	if (info->warning[0])
		return;
	va_start(ap, fmt);
	vsnprintf(info->warning, sizeof(info->warning), fmt, ap);
	va_end(ap);
}

/**
 * copy_str() - copy the string in the first @n bytes of @src into @dst.
 * Stops at a NUL or after @n bytes (property strings may lack the NUL),
 * truncates to @size - 1 characters and always terminates @dst.
 * Return: true if nothing was cut.
 */
static bool copy_str(char *dst, size_t size, const char *src, size_t n)
{
	size_t len = strnlen(src, n);
	bool fit = len < size;

	if (!fit)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return fit;
}

/** be32_at() - big-endian cell @i of @p, which may be unaligned. */
static u32 be32_at(const u8 *p, int i)
{
	fdt32_t v;

	memcpy(&v, p + 4 * i, sizeof(v));
	return fdt32_to_cpu(v);
}

/** cells_at() - the @cells (1 or 2) cells from cell @i of @p as a number. */
static u64 cells_at(const u8 *p, int i, int cells)
{
	u64 v = 0;

	while (cells--)
		v = (v << 32) | be32_at(p, i++);
	return v;
}

/**
 * prop_string() - the value of property @name if it is a terminated string.
 * Return: the string, or NULL if absent or not NUL-terminated.
 */
static const char *prop_string(const void *blob, int node, const char *name)
{
	const char *s;
	int len;

	s = fdt_getprop(blob, node, name, &len);
	if (!s || len < 1 || s[len - 1] != '\0')
		return NULL;
	return s;
}

/** prop_is() - whether property @name is the string @val. */
static bool prop_is(const void *blob, int node, const char *name,
		    const char *val)
{
	const char *s = prop_string(blob, node, name);

	return s && !strcmp(s, val);
}

/**
 * node_enabled() - no "status", or "okay"/"ok"; anything else (including
 * an unterminated value) counts as disabled, as in Linux.
 */
static bool node_enabled(const void *blob, int node)
{
	if (!fdt_getprop(blob, node, "status", NULL))
		return true;
	return prop_is(blob, node, "status", "okay") ||
	       prop_is(blob, node, "status", "ok");
}

/**
 * cell_count() - read the #address-cells or #size-cells property @name.
 * Return: 0 with *@out = the value, or @def when absent; -EINVAL when
 * the property is not one cell or the value is not 1 or 2.
 */
static int cell_count(const void *blob, int node, const char *name, int def,
		      int *out)
{
	const u8 *p;
	int len;
	u32 v;

	p = fdt_getprop(blob, node, name, &len);
	if (!p) {
		*out = def;
		return 0;
	}
	if (len != 4)
		return fail_node(blob, node, -EINVAL,
				 "%s has length %d (expected 4)", name, len);
	v = be32_at(p, 0);
	if (v < 1 || v > 2)
		return fail_node(blob, node, -EINVAL,
				 "%s %u not supported (1 or 2)", name, v);
	*out = v;
	return 0;
}

/**
 * bus_cells() - the cells @node's children use, with the spec's defaults
 * (#address-cells 2, #size-cells 1) when absent.
 * Return: 0 or -EINVAL.
 */
static int bus_cells(const void *blob, int node, struct dt_bus *bus)
{
	int ret;

	ret = cell_count(blob, node, "#address-cells", 2, &bus->ac);
	if (ret)
		return ret;
	return cell_count(blob, node, "#size-cells", 1, &bus->sc);
}

/**
 * parent_bus() - the cells of @node's parent, which its reg is read with
 * (no `ranges` translation, see fdt.h).
 * Return: 0 or -EINVAL.
 */
static int parent_bus(const void *blob, int node, struct dt_bus *bus)
{
	int parent = fdt_parent_offset(blob, node);

	if (parent < 0)
		return fail_node(blob, node, -EINVAL, "has no parent bus");
	return bus_cells(blob, parent, bus);
}

/**
 * reg_get() - find @node's reg and check its length against @bus.
 * Return: 0 with @r->n tuples (0 when there is no reg), or -EINVAL.
 */
static int reg_get(const void *blob, int node, const struct dt_bus *bus,
		   struct dt_reg *r)
{
	int len, tuple = (bus->ac + bus->sc) * 4;

	r->bus = *bus;
	r->n = 0;
	r->p = fdt_getprop(blob, node, "reg", &len);
	if (!r->p)
		return 0;
	if (len % tuple)
		return fail_node(blob, node, -EINVAL,
				 "reg length %d is not a multiple of %d (#address-cells %d, #size-cells %d)",
				 len, tuple, bus->ac, bus->sc);
	r->n = len / tuple;
	return 0;
}

/**
 * reg_at() - tuple @i (< @r->n) of @r into @base and @size.
 * Return: 0, or -EINVAL when base + size does not fit in 64 bits, which
 * later end-address arithmetic could not survive.
 */
static int reg_at(const void *blob, int node, const struct dt_reg *r, int i,
		  u64 *base, u64 *size)
{
	int cell = i * (r->bus.ac + r->bus.sc);

	*base = cells_at(r->p, cell, r->bus.ac);
	*size = cells_at(r->p, cell + r->bus.ac, r->bus.sc);
	if (*base + *size < *base)
		return fail_node(blob, node, -EINVAL,
				 "reg[%d] 0x%llx + 0x%llx overflows", i,
				 (unsigned long long)*base,
				 (unsigned long long)*size);
	return 0;
}

/**
 * irq_at() - interrupt specifier @i of @node's "interrupts" as a GIC INTID.
 * The GIC is assumed to be the interrupt parent, with 3 cells
 * <type number flags>.
 * Return: 0 (@irq->valid false when there is no specifier @i), or -EINVAL
 * for a malformed property or an INTID the GIC cannot have.
 */
static int irq_at(const void *blob, int node, int i, struct dt_irq *irq)
{
	const u8 *p;
	u32 type, num;
	int len;

	irq->valid = false;
	p = fdt_getprop(blob, node, "interrupts", &len);
	if (!p)
		return 0;
	if (len % (IRQ_CELLS * 4))
		return fail_node(blob, node, -EINVAL,
				 "interrupts length %d is not a multiple of 12 (#interrupt-cells 3)",
				 len);
	if (i >= len / (IRQ_CELLS * 4))
		return 0;
	type = be32_at(p, IRQ_CELLS * i);
	num = be32_at(p, IRQ_CELLS * i + 1);
	if (type == 0 && num < GIC_MAX_SPI)
		irq->intid = 32 + num;
	else if (type == 1 && num < GIC_MAX_PPI)
		irq->intid = 16 + num;
	else
		return fail_node(blob, node, -EINVAL,
				 "interrupt %d <%u %u> not supported (SPI 0-987 or PPI 0-15)",
				 i, type, num);
	/* A PPI's flags hold a CPU mask in bits 8-15: the trigger is bits 0-3. */
	if ((be32_at(p, IRQ_CELLS * i + 2) & 0xf) == 1)
		irq->trigger = IRQ_TRIGGER_EDGE;
	else
		irq->trigger = IRQ_TRIGGER_LEVEL;
	irq->valid = true;
	return 0;
}

/**
 * find_compatible() - the first enabled node compatible with @compat.
 * Return: its offset, or a negative libfdt error when there is none.
 */
static int find_compatible(const void *blob, const char *compat)
{
	int node = fdt_node_offset_by_compatible(blob, -1, compat);

	while (node >= 0 && !node_enabled(blob, node))
		node = fdt_node_offset_by_compatible(blob, node, compat);
	return node;
}

/**
 * check_blob() - validate the header against @avail, then the whole
 * structure block, so the libfdt lookups that follow stay in bounds.
 * Return: 0 or -EINVAL.
 */
static int check_blob(const void *blob, size_t avail)
{
	u32 size;
	int err;

	if (!blob)
		return fail(-EINVAL, "dtb: no blob");
	if (avail < sizeof(struct fdt_header))
		return fail(-EINVAL,
			    "dtb: truncated: %zu bytes available, the header needs %zu",
			    avail, sizeof(struct fdt_header));
	if (fdt_magic(blob) != FDT_MAGIC)
		return fail(-EINVAL, "dtb: bad magic 0x%08x (expected 0x%08x)",
			    fdt_magic(blob), FDT_MAGIC);
	size = fdt_totalsize(blob);
	if (size > avail)
		return fail(-EINVAL,
			    "dtb: truncated: totalsize %u > %zu bytes available",
			    size, avail);
	/* libfdt itself refuses such a blob, with a less telling error. */
	if ((uintptr_t)blob & 7)
		return fail(-EINVAL, "dtb: blob at %p is not 8-byte aligned",
			    blob);
	err = fdt_check_full(blob, avail);
	if (err)
		return fail(-EINVAL, "dtb: corrupt or unsupported blob (%s)",
			    fdt_strerror(err));
	return 0;
}

/**
 * node_nid() - @node's numa-node-id, or NUMA_NO_NODE when absent. A node
 * id hotmm has no room for (MAX_NUMNODES and up) is a warning, and the
 * memory goes to node 0.
 * Return: 0, or -EINVAL for a value that is not one cell or not an int.
 */
static int node_nid(const void *blob, int node, int *nid, struct dt_info *info)
{
	const u8 *p;
	int len;
	u32 v;

	*nid = NUMA_NO_NODE;
	p = fdt_getprop(blob, node, "numa-node-id", &len);
	if (!p)
		return 0;
	if (len != 4)
		return fail_node(blob, node, -EINVAL,
				 "numa-node-id has length %d (expected 4)", len);
	v = be32_at(p, 0);
	if (v > INT_MAX)
		return fail_node(blob, node, -EINVAL,
				 "numa-node-id %u out of range", v);
	if (v >= MAX_NUMNODES) {
		warn(info, "dtb: %s: numa-node-id %u is beyond MAX_NUMNODES (%d); node 0 used",
		     fdt_get_name(blob, node, NULL), v, MAX_NUMNODES);
		v = 0;
	}
	*nid = v;
	return 0;
}

/**
 * is_memory_node() - device_type "memory"; or, as old firmware does, no
 * device_type and a name "memory" or "memory@...".
 */
static bool is_memory_node(const void *blob, int node)
{
	const char *name;
	int len;

	if (fdt_getprop(blob, node, "device_type", NULL))
		return prop_is(blob, node, "device_type", "memory");
	name = fdt_get_name(blob, node, &len);
	if (!name || len < 6 || memcmp(name, "memory", 6))
		return false;
	return len == 6 || name[6] == '@';
}

/**
 * add_memory_node() - append the non-empty reg tuples of memory @node.
 * Return: 0, -EINVAL (bad reg or numa-node-id), -E2BIG (over DT_MAX_MEM).
 */
static int add_memory_node(const void *blob, int node,
			   const struct dt_bus *root, struct dt_info *info)
{
	struct dt_reg reg;
	u64 base, size;
	int i, nid, ret;

	ret = node_nid(blob, node, &nid, info);
	if (!ret)
		ret = reg_get(blob, node, root, &reg);
	for (i = 0; !ret && i < reg.n; i++) {
		ret = reg_at(blob, node, &reg, i, &base, &size);
		if (ret || !size)
			continue;
		if (info->nr_mem == DT_MAX_MEM)
			return fail_node(blob, node, -E2BIG,
					 "more than %d memory banks", DT_MAX_MEM);
		info->mem[info->nr_mem].base = base;
		info->mem[info->nr_mem].size = size;
		info->mem[info->nr_mem].nid = nid;
		info->nr_mem++;
	}
	return ret;
}

/**
 * sort_memory() - order the banks by base and refuse overlaps, so later
 * code can walk them as disjoint ranges.
 * Return: 0 or -EINVAL.
 */
static int sort_memory(struct dt_info *info)
{
	struct dt_mem_bank t, *m = info->mem;
	int i, j;

	for (i = 1; i < info->nr_mem; i++) {
		t = m[i];
		for (j = i; j > 0 && m[j - 1].base > t.base; j--)
			m[j] = m[j - 1];
		m[j] = t;
	}
	for (i = 1; i < info->nr_mem; i++) {
		if (m[i].base < m[i - 1].base + m[i - 1].size)
			return fail(-EINVAL,
				    "dtb: memory banks overlap: 0x%llx+0x%llx and 0x%llx+0x%llx",
				    (unsigned long long)m[i - 1].base,
				    (unsigned long long)m[i - 1].size,
				    (unsigned long long)m[i].base,
				    (unsigned long long)m[i].size);
	}
	return 0;
}

/**
 * scan_memory() - collect the banks of the enabled memory nodes, which
 * the spec puts directly under the root.
 * Return: 0, -EINVAL (malformed, or no memory at all), -E2BIG.
 */
static int scan_memory(const void *blob, const struct dt_bus *root,
		       struct dt_info *info)
{
	int node, ret;

	fdt_for_each_subnode(node, blob, 0) {
		if (!is_memory_node(blob, node) || !node_enabled(blob, node))
			continue;
		ret = add_memory_node(blob, node, root, info);
		if (ret)
			return ret;
	}
	if (!info->nr_mem)
		return fail(-EINVAL,
			    "dtb: no memory: no enabled memory node with a non-empty reg");
	return sort_memory(info);
}

/**
 * add_rsv() - append a reserved range; @name is cut to DT_NAME_LEN - 1.
 * Return: 0 or -E2BIG.
 */
static int add_rsv(struct dt_info *info, u64 base, u64 size,
		   enum dt_rsv_kind kind, bool nomap, const char *name)
{
	struct dt_rsv *r;

	if (info->nr_rsv == DT_MAX_RSV)
		return fail(-E2BIG,
			    "dtb: more than %d reserved ranges (/memreserve/ and /reserved-memory)",
			    DT_MAX_RSV);
	r = &info->rsv[info->nr_rsv++];
	r->base = base;
	r->size = size;
	r->kind = kind;
	r->nomap = nomap;
	copy_str(r->name, sizeof(r->name), name, DT_NAME_LEN);
	return 0;
}

/**
 * scan_memreserve() - the /memreserve/ entries of the header's block.
 * Return: 0, -EINVAL (unterminated block, overflowing entry), -E2BIG.
 */
static int scan_memreserve(const void *blob, struct dt_info *info)
{
	int i, n, ret;
	u64 base, size;

	n = fdt_num_mem_rsv(blob);
	if (n < 0)
		return fail(-EINVAL, "dtb: memory reservation block: %s",
			    fdt_strerror(n));
	for (i = 0; i < n; i++) {
		if (fdt_get_mem_rsv(blob, i, &base, &size) < 0)
			return fail(-EINVAL, "dtb: /memreserve/ %d unreadable", i);
		if (base + size < base)
			return fail(-EINVAL,
				    "dtb: /memreserve/ 0x%llx 0x%llx overflows",
				    (unsigned long long)base,
				    (unsigned long long)size);
		ret = add_rsv(info, base, size, DT_RSV_MEMRESERVE, false,
			      "memreserve");
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * add_rsv_node() - append the non-empty reg tuples of /reserved-memory
 * child @node; a child without reg (a dynamic allocation) adds nothing.
 * Return: 0, -EINVAL, -E2BIG.
 */
static int add_rsv_node(const void *blob, int node, const struct dt_bus *bus,
			struct dt_info *info)
{
	const char *name = fdt_get_name(blob, node, NULL) ?: "?";
	bool nomap = fdt_getprop(blob, node, "no-map", NULL) != NULL;
	struct dt_reg reg;
	u64 base, size;
	int i, ret;

	ret = reg_get(blob, node, bus, &reg);
	for (i = 0; !ret && i < reg.n; i++) {
		ret = reg_at(blob, node, &reg, i, &base, &size);
		if (!ret && size)
			ret = add_rsv(info, base, size, DT_RSV_RESERVED_MEMORY,
				      nomap, name);
	}
	return ret;
}

/**
 * scan_reserved_memory() - the enabled children of /reserved-memory,
 * whose reg uses /reserved-memory's own cells. Its `ranges` must be empty
 * (an identity map), since nothing here translates addresses.
 * Return: 0, -EINVAL, -E2BIG.
 */
static int scan_reserved_memory(const void *blob, struct dt_info *info)
{
	struct dt_bus bus;
	int parent, node, ret, len;

	parent = fdt_path_offset(blob, "/reserved-memory");
	if (parent < 0)
		return 0;
	ret = bus_cells(blob, parent, &bus);
	if (ret)
		return ret;
	if (fdt_getprop(blob, parent, "ranges", &len) && len)
		return fail_node(blob, parent, -EINVAL,
				 "non-empty ranges not supported");
	fdt_for_each_subnode(node, blob, parent) {
		if (!node_enabled(blob, node))
			continue;
		ret = add_rsv_node(blob, node, &bus, info);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * scan_uart() - the console @node's first reg, first interrupt and
 * whether it is a PL011.
 * Return: 0 or -EINVAL.
 */
static int scan_uart(const void *blob, int node, struct dt_info *info)
{
	struct dt_bus bus;
	struct dt_reg reg;
	int ret;

	ret = parent_bus(blob, node, &bus);
	if (!ret)
		ret = reg_get(blob, node, &bus, &reg);
	if (!ret && reg.n)
		ret = reg_at(blob, node, &reg, 0, &info->uart_base,
			     &info->uart_size);
	if (!ret)
		ret = irq_at(blob, node, 0, &info->uart_irq);
	info->uart_pl011 = !fdt_node_check_compatible(blob, node, "arm,pl011");
	return ret;
}

/**
 * scan_stdout() - resolve /chosen's stdout-path (or the older
 * linux,stdout-path): a path or an alias, with ":options" dropped.
 * A path that names no node is only a warning: the kernel runs without
 * a console.
 * Return: 0 or -EINVAL (malformed console node).
 */
static int scan_stdout(const void *blob, int chosen, struct dt_info *info)
{
	const char *s, *colon;
	int len, node;

	s = fdt_getprop(blob, chosen, "stdout-path", &len);
	if (!s)
		s = fdt_getprop(blob, chosen, "linux,stdout-path", &len);
	if (!s)
		return 0;
	len = strnlen(s, len);
	colon = memchr(s, ':', len);
	if (colon)
		len = colon - s;
	copy_str(info->stdout_path, sizeof(info->stdout_path), s, len);
	/* libfdt reads path[0] even for an empty path: don't ask it. */
	node = len ? fdt_path_offset_namelen(blob, s, len) : -FDT_ERR_BADPATH;
	if (node < 0) {
		warn(info, "dtb: /chosen: stdout-path \"%s\" names no node",
		     info->stdout_path);
		return 0;
	}
	return scan_uart(blob, node, info);
}

/**
 * scan_chosen() - bootargs, rng-seed and the console from /chosen.
 * Return: 0 or -EINVAL.
 */
static int scan_chosen(const void *blob, struct dt_info *info)
{
	const char *p;
	int node, len;

	node = fdt_path_offset(blob, "/chosen");
	if (node < 0)
		return 0;
	p = fdt_getprop(blob, node, "bootargs", &len);
	if (p) {
		info->has_bootargs = true;
		if (!copy_str(info->bootargs, sizeof(info->bootargs), p, len))
			warn(info, "dtb: /chosen: bootargs cut to %d bytes",
			     DT_BOOTARGS_LEN - 1);
	}
	p = fdt_getprop(blob, node, "rng-seed", &len);
	if (p) {
		info->rng_seed_len = min(len, DT_RNG_SEED_LEN);
		memcpy(info->rng_seed, p, info->rng_seed_len);
	}
	return scan_stdout(blob, node, info);
}

static const struct {
	const char *compat;
	enum dt_gic_version version;
} gic_ids[] = {
	{ "arm,gic-v3", DT_GIC_V3 },
	{ "arm,cortex-a15-gic", DT_GIC_V2 },
	{ "arm,gic-400", DT_GIC_V2 },
};

/**
 * gic_regs() - the distributor and CPU interface (v2) or first
 * redistributor region (v3) of GIC @node.
 * Return: 0 or -EINVAL (fewer than 2 reg tuples, #interrupt-cells not 3).
 */
static int gic_regs(const void *blob, int node, enum dt_gic_version v,
		    struct dt_info *info)
{
	const u8 *cells;
	struct dt_bus bus;
	struct dt_reg reg;
	int ret, len;

	cells = fdt_getprop(blob, node, "#interrupt-cells", &len);
	if (cells && (len != 4 || be32_at(cells, 0) != IRQ_CELLS))
		return fail_node(blob, node, -EINVAL,
				 "#interrupt-cells is not <3>");
	ret = parent_bus(blob, node, &bus);
	if (!ret)
		ret = reg_get(blob, node, &bus, &reg);
	if (!ret && reg.n < 2)
		ret = fail_node(blob, node, -EINVAL,
				"reg has %d entries, GICv%d needs 2 (distributor, %s)",
				reg.n, v, v == DT_GIC_V3 ? "redistributors" : "CPU interface");
	if (!ret)
		ret = reg_at(blob, node, &reg, 0, &info->gicd_base, &info->gicd_size);
	if (!ret && v == DT_GIC_V3)
		ret = reg_at(blob, node, &reg, 1, &info->gicr_base, &info->gicr_size);
	else if (!ret)
		ret = reg_at(blob, node, &reg, 1, &info->gicc_base, &info->gicc_size);
	if (!ret)
		info->gic_version = v;
	return ret;
}

/**
 * scan_gic() - the first enabled GIC, trying v3 before v2; none is not
 * an error here (gic_version stays DT_GIC_NONE).
 * Return: 0 or -EINVAL.
 */
static int scan_gic(const void *blob, struct dt_info *info)
{
	size_t i;
	int node;

	for (i = 0; i < ARRAY_SIZE(gic_ids); i++) {
		node = find_compatible(blob, gic_ids[i].compat);
		if (node >= 0)
			return gic_regs(blob, node, gic_ids[i].version, info);
	}
	return 0;
}

/**
 * scan_timer() - the architected timer's interrupts, in the binding's
 * order; missing ones stay invalid.
 * Return: 0 or -EINVAL.
 */
static int scan_timer(const void *blob, struct dt_info *info)
{
	struct dt_irq *irqs[] = {
		&info->timer_sec_phys, &info->timer_phys,
		&info->timer_virt, &info->timer_hyp,
	};
	size_t i;
	int node, ret = 0;

	node = find_compatible(blob, "arm,armv8-timer");
	for (i = 0; node >= 0 && !ret && i < ARRAY_SIZE(irqs); i++)
		ret = irq_at(blob, node, i, irqs[i]);
	return ret;
}

/**
 * scan_psci() - the conduit of /psci. An unknown or missing method is
 * not fatal: the kernel can still run without PSCI (no CPU_ON, no
 * SYSTEM_OFF), so it leaves psci_present false and a warning.
 */
static void scan_psci(const void *blob, struct dt_info *info)
{
	const char *m;
	int node;

	node = fdt_path_offset(blob, "/psci");
	if (node < 0)
		return;
	m = prop_string(blob, node, "method");
	if (m && (!strcmp(m, "hvc") || !strcmp(m, "smc"))) {
		info->psci_present = true;
		info->psci_smc = m[0] == 's';
	} else if (m) {
		warn(info, "dtb: /psci: method \"%.16s\" not supported (hvc or smc), PSCI not used",
		     m);
	} else {
		warn(info, "dtb: /psci: no method string, PSCI not used");
	}
}

/**
 * scan_root() - model, first compatible string, and the root's cells
 * (the bus of memory nodes).
 * Return: 0 or -EINVAL.
 */
static int scan_root(const void *blob, struct dt_bus *root,
		     struct dt_info *info)
{
	const char *s;
	int len;

	s = fdt_getprop(blob, 0, "model", &len);
	if (s)
		copy_str(info->model, sizeof(info->model), s, len);
	/* copy_str() stops at the first NUL: the first string of the list. */
	s = fdt_getprop(blob, 0, "compatible", &len);
	if (s)
		copy_str(info->compatible, sizeof(info->compatible), s, len);
	return bus_cells(blob, 0, root);
}

/**
 * fdt_scan() - check @blob (@avail bytes readable) and fill @info.
 * Return: 0, -EINVAL or -E2BIG with fdt_error() saying why (see fdt.h).
 */
int fdt_scan(const void *blob, size_t avail, struct dt_info *info)
{
	struct dt_bus root;
	int ret;

	fdt_errbuf[0] = '\0';
	memset(info, 0, sizeof(*info));
	ret = check_blob(blob, avail);
	if (ret)
		return ret;
	info->totalsize = fdt_totalsize(blob);
	ret = scan_root(blob, &root, info);
	if (!ret)
		ret = scan_memory(blob, &root, info);
	if (!ret)
		ret = scan_memreserve(blob, info);
	if (!ret)
		ret = scan_reserved_memory(blob, info);
	if (!ret)
		ret = scan_chosen(blob, info);
	if (!ret)
		ret = scan_gic(blob, info);
	if (!ret)
		ret = scan_timer(blob, info);
	if (!ret)
		scan_psci(blob, info);
	return ret;
}

/** fdt_error() - the last failed scan's message, "" after a success. */
const char *fdt_error(void)
{
	return fdt_errbuf;
}

/*
 * The stack protector's guard must be set before the first libfdt call
 * (libfdt.a is built with it), so /chosen/rng-seed is found here by walking
 * the structure block by hand, every offset checked against the blob.
 */
#define FDT_TOK_BEGIN_NODE	1
#define FDT_TOK_END_NODE	2
#define FDT_TOK_PROP		3
#define FDT_TOK_NOP		4
#define FDT_TOK_END		9

struct raw_fdt {
	const u8 *p;
	u32 size;		/* bytes we may read */
	u32 strings, strings_size;
};

static bool raw_u32(const struct raw_fdt *f, u32 off, u32 *v)
{
	if (off > f->size || f->size - off < 4)
		return false;
	*v = be32_at(f->p + off, 0);
	return true;
}

/* Length of the NUL-terminated string at @off, or -1 if it runs off the end. */
static int raw_strlen(const struct raw_fdt *f, u32 off, u32 limit)
{
	for (u32 i = off; i < limit && i < f->size; i++)
		if (!f->p[i])
			return i - off;
	return -1;
}

static bool raw_prop_is(const struct raw_fdt *f, u32 nameoff, const char *name)
{
	u32 off = f->strings + nameoff;
	int len;

	if (nameoff >= f->strings_size)
		return false;
	len = raw_strlen(f, off, f->strings + f->strings_size);
	return len >= 0 && !strcmp((const char *)f->p + off, name);
}

static void fold_seed(const u8 *v, u32 len, u64 *seed)
{
	for (u32 i = 0; i < len; i++)
		*seed ^= (u64)v[i] << (8 * (i % 8));
}

int fdt_early_rng_seed(const void *blob, size_t avail, u64 *seed)
{
	struct raw_fdt f = { .p = blob };
	u32 magic, total, off, end, tok, depth = 0;
	bool in_chosen = false;

	f.size = avail > 0xffffffffUL ? 0xffffffffU : avail;
	if (!raw_u32(&f, 0, &magic) || magic != 0xd00dfeed || !raw_u32(&f, 4, &total))
		return -EINVAL;
	f.size = total < f.size ? total : f.size;
	if (!raw_u32(&f, 8, &off) || !raw_u32(&f, 12, &f.strings) ||
	    !raw_u32(&f, 32, &f.strings_size) || !raw_u32(&f, 36, &end) ||
	    f.strings > f.size || f.strings_size > f.size - f.strings || end > f.size - off)
		return -EINVAL;
	end += off;
	while (off < end && raw_u32(&f, off, &tok)) {
		u32 len = 0, nameoff = 0;
		int n;

		off += 4;
		if (tok == FDT_TOK_BEGIN_NODE) {
			n = raw_strlen(&f, off, end);
			if (n < 0)
				return -EINVAL;
			depth++;
			in_chosen = depth == 2 && !strcmp((const char *)f.p + off, "chosen");
			off += ALIGN((u32)n + 1, 4);
		} else if (tok == FDT_TOK_END_NODE) {
			if (!depth--)
				return -EINVAL;
			in_chosen = false;
		} else if (tok == FDT_TOK_PROP) {
			if (!raw_u32(&f, off, &len) || !raw_u32(&f, off + 4, &nameoff) ||
			    len > end - off - 8)
				return -EINVAL;
			if (in_chosen && raw_prop_is(&f, nameoff, "rng-seed") && len) {
				fold_seed(f.p + off + 8, len, seed);
				return 0;
			}
			off += 8 + ALIGN(len, 4);
		} else if (tok != FDT_TOK_NOP) {
			break;
		}
	}
	return -ENOENT;
}
