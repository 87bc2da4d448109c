/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's ACPI memory hotplug controller (drivers/memhp.c): one slot per
 * pc-dimm QEMU may plug (-m ...,slots=N). A DIMM that arrives is held in
 * memblock and hot-added with add_memory() on the node of its proximity
 * domain; a removal request offlines, removes and ejects it, or is refused
 * (reported to QEMU through _OST) when its memory cannot be emptied.
 */
#ifndef DRIVERS_MEMHP_H
#define DRIVERS_MEMHP_H

#include <lib/types.h>

#define MEMHP_MAX_SLOTS		256	/* QEMU's limit */

enum memhp_slot_state {
	MEMHP_SLOT_EMPTY,		/* no DIMM (or not seen yet) */
	MEMHP_SLOT_ADDED,		/* hot-added (blocks online or offline), or held */
	MEMHP_SLOT_REFUSED,		/* plugged, but hotmm does not use it (reason says why) */
};

struct memhp_slot {
	enum memhp_slot_state state;
	u64 base, size;			/* as the controller reported them */
	u32 pxm;			/* proximity domain: the node */
	bool coldplug;			/* present at boot without an insert event */
	const char *reason;		/* MEMHP_SLOT_REFUSED: why */
	u32 ost_status;			/* the last _OST status hotmm wrote */
	u64 add_us, remove_us;		/* time the last add and removal took */
};

extern struct memhp_slot memhp_slots[MEMHP_MAX_SLOTS];
extern unsigned int memhp_nr_slots;	/* 0: no controller */
extern u64 memhp_base_pa;

/*
 * memhp_init() - find the controller at the address the GED's platform
 * gives, count its slots, take the GED's memory events, and add every DIMM
 * already plugged (cold-plugged, or hot-added before this boot).
 * Return: 0, -ENODEV (no GED or no controller: QEMU without slots).
 */
int memhp_init(void);

#endif
