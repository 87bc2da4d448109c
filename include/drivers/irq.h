/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupts through the GIC (drivers/gic.c, v2 and v3). Every interrupt is
 * Group 1 and goes to this CPU. Handlers run with interrupts masked and only
 * queue work: mm never runs in interrupt context.
 */
#ifndef DRIVERS_IRQ_H
#define DRIVERS_IRQ_H

#include <drivers/fdt.h>

#define NR_IRQS		1020	/* INTIDs 0..1019: SGIs, PPIs, SPIs */

typedef void (*irq_handler_t)(unsigned int intid, void *data);

/* Bring up the GIC the DT describes. Return: 0, -ENODEV, -ENOMEM. */
int gic_init(const struct dt_info *dt);
/*
 * request_irq() - configure @intid (trigger, Group 1, priority, routed here),
 * install @handler and enable it. The trigger is the caller's to say: some
 * interrupts (the hotplug GED) are in no DT.
 * Return: 0, -EINVAL (bad INTID or SGI), -EBUSY (already taken).
 */
int request_irq(unsigned int intid, enum irq_trigger trigger,
		irq_handler_t handler, void *data);
/* Called by the exception vector: acknowledge, count, dispatch, end. */
void irq_handle(void);
/* Interrupts taken so far on @intid. */
u64 irq_count(unsigned int intid);
/* "GICv2" or "GICv3". */
const char *gic_name(void);
/* Whether @intid has a handler. */
bool irq_requested(unsigned int intid);

#endif
