// SPDX-License-Identifier: GPL-2.0
/*
 * start_kernel(): one init call per line, in the order DESIGN §5 gives.
 * boot/entry.S arrives here at the kernel's link address, on the kernel
 * stack, with the early tables (image, fixmap) and interrupts masked.
 */
#include <arch/irqflags.h>
#include <arch/psci.h>
#include <arch/timer.h>
#include <asm/sysreg.h>
#include <drivers/acpi_ged.h>
#include <drivers/irq.h>
#include <drivers/memhp.h>
#include <drivers/pl011.h>
#include <kernel/boot.h>
#include <kernel/panic.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/setup.h>
#include <kernel/shell.h>
#include <version.h>
#include <lib/stackprotector.h>
#include <mm/deferred_init.h>
#include <mm/fault_inject.h>
#include <mm/fixmap.h>
#include <mm/memblock.h>
#include <mm/memory.h>
#include <mm/mmu.h>
#include <mm/page_alloc.h>
#include <mm/sparse.h>
#include <mm/vmalloc.h>

struct dt_info dt;
u64 boot_to_prompt_us;

const char *boot_mode_name(u64 mode)
{
	static const char *const names[] = { "kernel", "elf", "bios" };

	return mode < 3 ? names[mode] : "unknown";
}

/* Let mm/ reach the fixmap tables entry.S built, by their image address. */
static void setup_fixmap(void)
{
	pte_t *tables[4];

	kimage_voffset = KIMAGE_TEXT - boot_info.image_pa;
	for (unsigned int i = 0; i < boot_info.nr_fixmap_pte; i++)
		tables[i] = (pte_t *)(boot_info.fixmap_pte_pa[i] + kimage_voffset);
	fixmap_init(tables, boot_info.nr_fixmap_pte);
}

/* Read the DT; the stack protector's guard first, as libfdt checks it. */
static void setup_dt(void)
{
	const void *blob = (const void *)boot_info.dtb_va;
	u64 seed = read_sysreg(cntvct_el0);

	if (!blob)
		panic("no device tree: x0 was 0 and no blob is at %#lx", RAM_BASE);
	fdt_early_rng_seed(blob, MAX_FDT_SIZE, &seed);
	stack_protector_init(seed);
	if (fdt_scan(blob, MAX_FDT_SIZE, &dt))
		panic("%s", fdt_error());
	if (dt.warning[0])
		pr_warn("%s\n", dt.warning);
	parse_boot_params(dt.bootargs);
}

static void reserve_or_panic(phys_addr_t base, u64 size, const char *name)
{
	if (memblock_reserve(base, size, name))
		panic("memblock: cannot reserve %s", name);
}

/* memblock = the DT's banks; reserved = image, DTB, DT reservations. */
static void setup_memblock(void)
{
	/* Under -bios QEMU's blob sits at RAM_BASE in a 1 MiB window of its own. */
	u64 dtb_size = boot_info.mode == BOOT_MODE_BIOS ? BIOS_DTB_SIZE : dt.totalsize;

	for (int i = 0; i < dt.nr_mem; i++)
		if (memblock_add_node(dt.mem[i].base, dt.mem[i].size, dt.mem[i].nid))
			panic("memblock: too many memory regions");
	for (int nid = 0; nid < MAX_NUMNODES; nid++)
		if ((hold_nodes & (1UL << nid)) && memblock_hold_node(nid))
			panic("memblock: cannot hold node %d back", nid);
	if (!memblock.memory.cnt)
		panic("memblock: hold_node= held back all memory");
	if (mem_limit && memblock_mem_limit_remove_map(mem_limit))
		panic("memblock: cannot apply mem=");
	reserve_or_panic(boot_info.image_pa, _end - _head, "kernel");
	reserve_or_panic(boot_info.dtb_pa, dtb_size, "dtb");
	for (int i = 0; i < dt.nr_rsv; i++) {
		reserve_or_panic(dt.rsv[i].base, dt.rsv[i].size, dt.rsv[i].name);
		if (dt.rsv[i].nomap && memblock_mark_nomap(dt.rsv[i].base, dt.rsv[i].size))
			panic("memblock: cannot mark %s no-map", dt.rsv[i].name);
	}
}

static void setup_devices(void)
{
	int ret;

	ret = pl011_console_init(&dt);
	if (ret)
		pr_warn("console: no PL011 at /chosen/stdout-path (%d); keeping earlycon\n", ret);
	ret = gic_init(&dt);
	if (ret)
		panic("gic: %d", ret);
	ret = arch_timer_init(&dt);
	if (ret)
		panic("timer: %d", ret);
	ret = pl011_enable_rx_irq(&dt);
	if (ret)
		panic("console: receive interrupt: %d", ret);
	if (psci_init(&dt))
		pr_warn("psci: no /psci node: poweroff and reboot will only halt\n");
}

/* QEMU's GED and memory hotplug controller, when this boot has them; DIMMs already plugged. */
static void setup_hotplug(void)
{
	if (acpi_ged_init(&dt) == 0)
		memhp_init();
}

static void print_banner(void)
{
	u64 ram = memblock_phys_mem_size();

	pr_info("hotmm version: %s\n", HOTMM_VERSION);
	pr_info("granule: %s\n", PAGE_SIZE_NAME);
	if (boot_info.entry_el == 2)
		pr_info("entered: EL2, dropped to EL1\n");
	else
		pr_info("entered: EL%llu\n", (unsigned long long)boot_info.entry_el);
	pr_info("boot mode: %s\n", boot_mode_name(boot_info.mode));
	pr_info("cpu: MIDR 0x%08llx\n", (unsigned long long)read_sysreg(midr_el1));
	pr_info("ram: %llu MiB in %d bank(s)\n", (unsigned long long)(ram >> 20), dt.nr_mem);
	pr_info("gic: %s, psci: %s, timer: INTID %u, uart: INTID %u\n", gic_name(),
		psci_conduit(), arch_timer_intid(), dt.uart_irq.intid);
	if (dt.has_bootargs)
		pr_info("bootargs: %s\n", dt.bootargs);
	if (deferred_init_stats.sections)
		pr_info("deferred init: %lu pages in %lu sections wait for %s\n", nr_deferred_pages(),
			deferred_init_stats.sections, deferred_init_mode == DEFERRED_INIT_ON ?
			"the idle loop" : "demand");
	if (fail_nth_site())
		printk("fail_nth: an allocation at site %s failed during boot; boot went on\n",
		       fail_nth_site());
}

void start_kernel(void)
{
	setup_fixmap();			/* fixmap slots usable */
	pl011_earlycon_init();		/* printk works from here */
	setup_dt();			/* stack guard, then the DT */
	setup_memblock();		/* memory and reservations */
	paging_init();			/* final tables: linear map, W^X, TTBR0 off */
	sparse_init();			/* sections and the memmap (vmemmap) */
	free_area_init();		/* nodes and zones */
	memblock_free_all();		/* free memory to the buddy allocator */
	after_bootmem = true;
	memory_dev_init();		/* memory blocks of the boot memory */
	vmalloc_init();			/* the vmalloc area, empty */
	setup_devices();		/* console, GIC, timer, PSCI */
	arch_local_irq_enable();
	print_banner();
	setup_hotplug();		/* GED, memory hotplug controller, cold-plugged DIMMs */
	boot_to_prompt_us = uptime_us();
	pr_info("boot to prompt: %llu us\n", (unsigned long long)boot_to_prompt_us);
	shell_run();			/* never returns */
}
