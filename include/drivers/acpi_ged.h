/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's ACPI Generic Event Device (drivers/acpi_ged.c), read directly
 * instead of through the DSDT's _EVT method: one 32-bit register of pending
 * event bits, cleared by reading it, and one interrupt that pulses when a
 * bit is set. Neither it nor the memory hotplug controller it carries is in
 * the DT: their addresses come from a table per machine (keyed on the DT's
 * root compatible), or from the acpi_ged= boot argument.
 */
#ifndef DRIVERS_ACPI_GED_H
#define DRIVERS_ACPI_GED_H

#include <drivers/fdt.h>

/* Event bits (QEMU's ACPI_GED_*_EVT). */
#define ACPI_GED_MEM_HOTPLUG_EVT	BIT(0)
#define ACPI_GED_PWR_DOWN_EVT		BIT(1)
#define ACPI_GED_NVDIMM_HOTPLUG_EVT	BIT(2)

/* Where a machine has its GED and memory hotplug controller. */
struct acpi_ged_platform {
	const char *compatible;		/* the DT root's first compatible string */
	u64 ged_base;			/* the event register */
	u32 ged_intid;			/* its interrupt: an edge (QEMU pulses it) */
	u64 memhp_base;			/* the memory hotplug controller (24 bytes) */
};

/* acpi_ged= : auto (the table), off, or GED_BASE,INTID,MEMHP_BASE. */
enum acpi_ged_mode { ACPI_GED_AUTO, ACPI_GED_OFF, ACPI_GED_GIVEN };
extern enum acpi_ged_mode acpi_ged_mode;
extern struct acpi_ged_platform acpi_ged_given;	/* ACPI_GED_GIVEN's values */

/*
 * acpi_ged_init() - find the GED (acpi_ged= or the table), check that it
 * answers, make its interrupt edge-triggered and enable it, and throw away
 * the events that were pending (the caller scans its devices instead).
 * Return: 0, -ENODEV (off, no table entry, nothing at the address), or
 * request_irq()'s error.
 */
int acpi_ged_init(const struct dt_info *dt);
/* The platform in use, or NULL when there is no GED. */
const struct acpi_ged_platform *acpi_ged_platform(void);
/*
 * acpi_ged_register_handler() - call @fn(events) from process context
 * (deferred work) whenever one of @events fires.
 * Return: 0, -ENOSPC (all handler slots taken).
 */
int acpi_ged_register_handler(u32 events, void (*fn)(u32 events), const char *name);
/* Interrupts and event bits seen since boot, for the `dimms` header. */
u64 acpi_ged_irq_count(void);

#endif
