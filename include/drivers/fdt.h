/* SPDX-License-Identifier: GPL-2.0 */
/*
 * drivers/fdt.c: the one place that reads the device tree.
 *
 * fdt_scan() checks the blob and collects everything the kernel needs into
 * a struct dt_info, so no other file calls libfdt. Addresses are the
 * physical addresses the DT gives (the root's #address-cells/#size-cells
 * for memory; for devices the parent's cells, no `ranges` translation: the
 * QEMU virt board puts every device at the root).
 */
#ifndef DRIVERS_FDT_H
#define DRIVERS_FDT_H

#include <lib/types.h>
#include <mm/numa.h>

#define DT_MAX_MEM		32	/* memory banks (reg tuples) */
#define DT_MAX_RSV		32	/* memreserve + reserved-memory */
#define DT_NAME_LEN		48
#define DT_BOOTARGS_LEN		1024
#define DT_RNG_SEED_LEN		64

/* Interrupt trigger, as the GIC binding's flags cell says. */
enum irq_trigger {
	IRQ_TRIGGER_LEVEL = 0,		/* level-high (flags 4) */
	IRQ_TRIGGER_EDGE = 1,		/* rising edge (flags 1) */
};

struct dt_irq {
	u32 intid;			/* GIC INTID: SPI n = 32 + n, PPI n = 16 + n */
	enum irq_trigger trigger;
	bool valid;
};

struct dt_mem_bank {
	u64 base;
	u64 size;
	int nid;			/* numa-node-id, or NUMA_NO_NODE */
};

enum dt_rsv_kind {
	DT_RSV_MEMRESERVE,		/* /memreserve/ entry of the header */
	DT_RSV_RESERVED_MEMORY,		/* child of /reserved-memory */
};

struct dt_rsv {
	u64 base;
	u64 size;
	enum dt_rsv_kind kind;
	bool nomap;			/* reserved-memory child with no-map */
	char name[DT_NAME_LEN];		/* node name, or "memreserve" */
};

enum dt_gic_version { DT_GIC_NONE = 0, DT_GIC_V2 = 2, DT_GIC_V3 = 3 };

struct dt_info {
	u32 totalsize;			/* from the header */
	char model[DT_NAME_LEN];	/* root "model", "" if none */
	char compatible[DT_NAME_LEN];	/* first root "compatible" string */

	/* Sorted by base, disjoint, none empty; at least one. */
	struct dt_mem_bank mem[DT_MAX_MEM];
	int nr_mem;			/* banks of enabled memory nodes */
	/* /memreserve/ entries first, then /reserved-memory children. */
	struct dt_rsv rsv[DT_MAX_RSV];
	int nr_rsv;

	char bootargs[DT_BOOTARGS_LEN];	/* /chosen/bootargs, "" if none */
	bool has_bootargs;
	u8 rng_seed[DT_RNG_SEED_LEN];	/* /chosen/rng-seed, first bytes */
	int rng_seed_len;		/* bytes kept, 0 if none */

	/* The console: the node /chosen/stdout-path names (options after ':' dropped). */
	char stdout_path[DT_NAME_LEN * 2];
	u64 uart_base, uart_size;	/* uart_size 0: none found */
	struct dt_irq uart_irq;
	bool uart_pl011;		/* compatible "arm,pl011" */

	/* Interrupt controller: "arm,cortex-a15-gic"/"arm,gic-400" or "arm,gic-v3". */
	enum dt_gic_version gic_version;
	u64 gicd_base, gicd_size;
	u64 gicc_base, gicc_size;	/* v2 CPU interface */
	u64 gicr_base, gicr_size;	/* v3 first redistributor region */

	/* "arm,armv8-timer" interrupts, in the binding's order. */
	struct dt_irq timer_sec_phys, timer_phys, timer_virt, timer_hyp;

	/* /psci: method "hvc" or "smc"; present false if no node or other method. */
	bool psci_present;
	bool psci_smc;

	/*
	 * The first non-fatal problem, "" if none: an unknown /psci method,
	 * a stdout-path naming no node, bootargs cut to fit.
	 */
	char warning[128];
};

/*
 * fdt_scan() - check @blob and fill @info.
 * @avail: bytes known to be readable at @blob (the blob must fit in it);
 *         pass the header's totalsize when nothing else is known.
 * On error @info is left partially filled and fdt_error() returns a
 * one-line message naming what was wrong (bad magic, truncated blob,
 * unsupported #address-cells, a reg property of the wrong length, too
 * many banks, no memory at all, overlapping banks, ...).
 * Memory nodes are the root's children with device_type "memory" (or,
 * without device_type, named memory/memory@...); nodes whose status is
 * not "okay"/"ok" are skipped, as are zero-size reg tuples.
 * Return: 0, -EINVAL (malformed blob), -E2BIG (more entries than fit).
 */
int fdt_scan(const void *blob, size_t avail, struct dt_info *info);

/*
 * fdt_early_rng_seed() - fold /chosen/rng-seed into @seed without libfdt
 * (for the stack protector's guard, which must be set before libfdt runs).
 * Return: 0, -ENOENT (no seed), -EINVAL (malformed blob).
 */
int fdt_early_rng_seed(const void *blob, size_t avail, u64 *seed);

/* The message of the last failed fdt_scan(), "" after a success. */
const char *fdt_error(void);

#endif
