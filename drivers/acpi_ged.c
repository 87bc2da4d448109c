// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's ACPI Generic Event Device (hw/acpi/generic_event_device.c), the
 * way Linux's drivers/acpi/evged.c would see it after the DSDT's _EVT ran:
 * the interrupt handler reads the event register (the read clears it) and
 * queues work; the work calls the handler registered for each bit. Bits
 * accumulate in the register until it is read, and one pulse may stand for
 * several events, so handlers rescan their devices on every call.
 *
 * The interrupt is a pulse (the line goes up and down inside one QEMU
 * call): configured level-triggered, as the GIC resets it, the pulse is
 * lost. It must be edge-triggered.
 */
#include <arch/io.h>
#include <arch/irqflags.h>
#include <drivers/acpi_ged.h>
#include <drivers/irq.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/workqueue.h>
#include <lib/errno.h>
#include <mm/mmu.h>
#include <string.h>

#define ACPI_GED_EVT_SEL	0x00	/* R, 32-bit only: pending events, cleared by the read */
#define ACPI_GED_REG_SIZE	0x04

/*
 * The machines hotmm knows, by the DT root's first compatible string. QEMU
 * describes the GED and the controller only in its ACPI tables (the DSDT),
 * which hotmm does not read.
 */
static const struct acpi_ged_platform acpi_ged_platforms[] = {
	/*
	 * QEMU virt (hw/arm/virt.c base_memmap and a15irqmap): VIRT_ACPI_GED
	 * at 0x09080000 signalling on SPI 9 (INTID 41), VIRT_PCDIMM_ACPI at
	 * 0x09070000. Both exist only for firmware boots (-bios) with ACPI on,
	 * and the controller only with -m ...,slots=N,maxmem=M.
	 */
	{ "linux,dummy-virt", 0x09080000, 41, 0x09070000 },
};

enum acpi_ged_mode acpi_ged_mode;
struct acpi_ged_platform acpi_ged_given = { .compatible = "acpi_ged=" };

struct acpi_ged_handler {
	u32 events;
	void (*fn)(u32 events);
	const char *name;
};

#define ACPI_GED_MAX_HANDLERS	4

static const struct acpi_ged_platform *platform;
static void *ged;
static struct acpi_ged_handler handlers[ACPI_GED_MAX_HANDLERS];
static u32 pending_events;	/* read by the handler, not yet given to the work */
static u64 nr_irqs;

static void acpi_ged_work_fn(struct work_struct *work);
static DECLARE_WORK(acpi_ged_work, acpi_ged_work_fn);

/* Interrupt context: take the events (the read clears them) and defer. */
static void acpi_ged_irq(unsigned int intid, void *data)
{
	pending_events |= readl(ged + ACPI_GED_EVT_SEL);
	nr_irqs++;
	schedule_work(&acpi_ged_work);
}

static void acpi_ged_work_fn(struct work_struct *work)
{
	unsigned long flags = arch_local_irq_save();
	u32 events = pending_events, handled = 0;

	pending_events = 0;
	arch_local_irq_restore(flags);
	for (int i = 0; i < ACPI_GED_MAX_HANDLERS; i++) {
		if (handlers[i].fn && (events & handlers[i].events)) {
			handlers[i].fn(events & handlers[i].events);
			handled |= events & handlers[i].events;
		}
	}
	if (events & ~handled)
		pr_info("acpi_ged: event bits %#x have no handler%s\n", events & ~handled,
			(events & ~handled & ACPI_GED_PWR_DOWN_EVT) ?
			" (power-down request: use poweroff)" : "");
}

static const struct acpi_ged_platform *find_platform(const struct dt_info *dt)
{
	if (acpi_ged_mode == ACPI_GED_GIVEN)
		return &acpi_ged_given;
	for (unsigned int i = 0; i < ARRAY_SIZE(acpi_ged_platforms); i++)
		if (!strcmp(dt->compatible, acpi_ged_platforms[i].compatible))
			return &acpi_ged_platforms[i];
	return NULL;
}

int acpi_ged_init(const struct dt_info *dt)
{
	const struct acpi_ged_platform *p;
	void *regs;
	u32 v;
	int ret;

	if (acpi_ged_mode == ACPI_GED_OFF) {
		pr_info("acpi_ged: off (acpi_ged=off): no memory hotplug from QEMU\n");
		return -ENODEV;
	}
	p = find_platform(dt);
	if (!p) {
		pr_info("acpi_ged: machine '%s' is not in the table: no GED (acpi_ged= gives one)\n",
			dt->compatible);
		return -ENODEV;
	}
	regs = ioremap(p->ged_base, ACPI_GED_REG_SIZE);
	if (!regs)
		return -ENOMEM;
	/* Reading drops pending events: the drivers scan their slots afterwards. */
	if (probe_read32(regs + ACPI_GED_EVT_SEL, &v)) {
		pr_info("acpi_ged: nothing at %#llx (QEMU has a GED only when it boots firmware "
			"with ACPI): no memory hotplug from QEMU\n", (unsigned long long)p->ged_base);
		return -ENODEV;
	}
	ged = regs;
	ret = request_irq(p->ged_intid, IRQ_TRIGGER_EDGE, acpi_ged_irq, NULL);
	if (ret) {
		pr_err("acpi_ged: INTID %u: %d\n", p->ged_intid, ret);
		ged = NULL;
		return ret;
	}
	/* A pulse before the edge setting was lost; its bits were not. */
	(void)readl(ged + ACPI_GED_EVT_SEL);
	platform = p;
	pr_info("acpi_ged: GED at %#llx, INTID %u (edge), machine %s\n",
		(unsigned long long)p->ged_base, p->ged_intid, p->compatible);
	return 0;
}

const struct acpi_ged_platform *acpi_ged_platform(void)
{
	return platform;
}

int acpi_ged_register_handler(u32 events, void (*fn)(u32 events), const char *name)
{
	for (int i = 0; i < ACPI_GED_MAX_HANDLERS; i++) {
		if (!handlers[i].fn) {
			handlers[i] = (struct acpi_ged_handler){ events, fn, name };
			return 0;
		}
	}
	return -ENOSPC;
}

u64 acpi_ged_irq_count(void)
{
	return nr_irqs;
}
