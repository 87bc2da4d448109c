// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's ACPI memory hotplug controller (hw/acpi/memory_hotplug.c), driven
 * directly instead of through the DSDT's MHPC methods: Linux's
 * drivers/acpi/acpi_memhotplug.c with the AML done by hand.
 *
 * Every GED memory event, and the boot, scans every slot: events
 * accumulate and one interrupt says only "some slot changed". Per slot:
 *
 *   ENABLED + INSERT    a DIMM arrived: hold it in memblock, add_memory() on
 *                       the node of its proximity domain (onlined as
 *                       memhp_default_state says), acknowledge, report _OST
 *   ENABLED at boot     cold-plugged (or added before a reset): the same,
 *                       without an event to acknowledge
 *   REMOVE              unplug requested: acknowledge, offline every block,
 *                       remove_memory(), release the memblock hold, then eject;
 *                       when a block cannot be emptied, put back online what
 *                       was offlined, report _OST "device busy", no eject
 *
 * The eject takes effect inside the register write: QEMU unmaps the RAM
 * before the write returns, so everything in the DIMM (its memmap, page
 * tables hosted in it) is gone before it. The controller holds a slot
 * selector shared by all its registers: only the GED's work touches it.
 * Access is 32-bit only (a 64-bit write at 0 would also write _OST),
 * except the 8-bit read that tells whether a slot exists.
 */
#include <arch/io.h>
#include <arch/timer.h>
#include <drivers/acpi_ged.h>
#include <drivers/memhp.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <lib/errno.h>
#include <mm/memblock.h>
#include <mm/memory.h>
#include <mm/memory_hotplug.h>
#include <mm/numa.h>
#include <mm/pfn.h>
#include <mm/mmu.h>

#define MEMHP_SLOT_SEL		0x00	/* W: MSEL, the slot the other offsets act on */
#define MEMHP_ADDR_LO		0x00	/* R: MRBL */
#define MEMHP_ADDR_HI		0x04	/* R: MRBH */
#define MEMHP_OST_EVENT		0x04	/* W: MOEV, stored */
#define MEMHP_SIZE_LO		0x08	/* R: MRLL */
#define MEMHP_SIZE_HI		0x0c	/* R: MRLH */
#define MEMHP_OST_STATUS	0x08	/* W: MOSC; QEMU emits ACPI_DEVICE_OST */
#define MEMHP_PXM		0x10	/* R: MPX, the DIMM's node= */
#define MEMHP_STATUS		0x14	/* R: flags below; W: one action per write */
#define MEMHP_SLOT_EXISTS	0x15	/* R, 8-bit: 0xff for a slot that exists, 0 past the last */
#define MEMHP_REG_SIZE		0x18

#define MEMHP_ENABLED		BIT(0)	/* MES: a DIMM is in the slot */
#define MEMHP_INSERT		BIT(1)	/* MINS: hot-add not acknowledged; written: clear it */
#define MEMHP_REMOVE		BIT(2)	/* MRMV: unplug requested; written: clear it */
#define MEMHP_EJECT		BIT(3)	/* MEJ, written: unplug the DIMM now */

/* _OST source events and status codes (ACPI 6.5 section 6.3.5, Linux's names). */
#define ACPI_NOTIFY_DEVICE_CHECK		0x01
#define ACPI_NOTIFY_EJECT_REQUEST		0x03
#define ACPI_OST_SC_SUCCESS			0x00
#define ACPI_OST_SC_NON_SPECIFIC_FAILURE	0x01
#define ACPI_OST_SC_INSERT_NOT_SUPPORTED	0x82
#define ACPI_OST_SC_DEVICE_BUSY			0x82
#define ACPI_OST_SC_EJECT_IN_PROGRESS		0x84

struct memhp_slot memhp_slots[MEMHP_MAX_SLOTS];
unsigned int memhp_nr_slots;
u64 memhp_base_pa;
static void *memhp;

/* ---- registers ---- */

static void memhp_select(unsigned int slot)
{
	writel(slot, memhp + MEMHP_SLOT_SEL);
}

static u32 memhp_status(unsigned int slot)
{
	memhp_select(slot);
	return readl(memhp + MEMHP_STATUS) & (MEMHP_ENABLED | MEMHP_INSERT | MEMHP_REMOVE);
}

static u64 memhp_read64(unsigned int lo)
{
	return readl(memhp + lo) | (u64)readl(memhp + lo + 4) << 32;
}

/* One control action (clear INSERT, clear REMOVE or EJECT): QEMU does one per write. */
static void memhp_control(unsigned int slot, u32 action)
{
	memhp_select(slot);
	writel(action, memhp + MEMHP_STATUS);
}

/* _OST(event, status): QEMU stores it and emits the QMP event ACPI_DEVICE_OST. */
static void memhp_ost(unsigned int slot, u32 event, u32 status)
{
	memhp_select(slot);
	writel(event, memhp + MEMHP_OST_EVENT);
	writel(status, memhp + MEMHP_OST_STATUS);
	memhp_slots[slot].ost_status = status;
}

/* ---- add ---- */

static unsigned long first_block(const struct memhp_slot *s)
{
	return PFN_DOWN(s->base) / memory_block_pages();
}

static unsigned long nr_blocks(const struct memhp_slot *s)
{
	return s->size / memory_block_size;
}

static unsigned long blocks_online(const struct memhp_slot *s)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < nr_blocks(s); i++) {
		struct memory_block *mem = find_memory_block(first_block(s) + i);

		n += mem && mem->state == MEM_ONLINE;
	}
	return n;
}

/*
 * Hold the DIMM in memblock and hot-add it. Linux's add_memory() takes whole
 * memory blocks only, and so does hotmm's: a DIMM QEMU placed across a block
 * boundary (it aligns to 2 MiB) is refused, as Linux refuses it.
 * Return: 0, or the _OST status to report (s->reason says why).
 */
static u32 memhp_add_dimm(struct memhp_slot *s)
{
	int ret;

	if (s->pxm >= MAX_NUMNODES) {
		s->reason = "its node (proximity domain) is beyond MAX_NUMNODES";
		return ACPI_OST_SC_INSERT_NOT_SUPPORTED;
	}
	if (!s->size || !IS_ALIGNED(s->base | s->size, memory_block_size)) {
		s->reason = "not whole memory blocks: add_memory() takes whole blocks, as Linux's does";
		return ACPI_OST_SC_INSERT_NOT_SUPPORTED;
	}
	ret = memblock_hold(s->base, s->size, s->pxm);
	if (ret) {
		s->reason = ret == -EEXIST ? "it overlaps memory hotmm knows" :
			    "memblock has no room to hold it";
		return ACPI_OST_SC_NON_SPECIFIC_FAILURE;
	}
	ret = add_memory(s->pxm, s->base, s->size, MHP_MEMMAP_ON_MEMORY);
	if (ret) {
		memblock_unhold(s->base, s->size);
		s->reason = "add_memory() failed";
		return ACPI_OST_SC_NON_SPECIFIC_FAILURE;
	}
	return ACPI_OST_SC_SUCCESS;
}

/* A DIMM seen for the first time: read it, add it, acknowledge the insert if there was one. */
static void memhp_insert(unsigned int slot, u32 status, bool boot)
{
	struct memhp_slot *s = &memhp_slots[slot];
	u64 t0 = uptime_us();
	u32 ost;

	memhp_select(slot);
	*s = (struct memhp_slot){
		.base = memhp_read64(MEMHP_ADDR_LO),
		.size = memhp_read64(MEMHP_SIZE_LO),
		.pxm = readl(memhp + MEMHP_PXM),
		.coldplug = boot && !(status & MEMHP_INSERT),
	};
	ost = memhp_add_dimm(s);
	s->state = ost == ACPI_OST_SC_SUCCESS ? MEMHP_SLOT_ADDED : MEMHP_SLOT_REFUSED;
	if (status & MEMHP_INSERT) {
		memhp_control(slot, MEMHP_INSERT);
		memhp_ost(slot, ACPI_NOTIFY_DEVICE_CHECK, ost);
	}
	s->add_us = uptime_us() - t0;
	if (s->state == MEMHP_SLOT_REFUSED) {
		pr_err("memhp: slot %u: DIMM [%#llx-%#llx] %llu MiB node %u refused: %s "
		       "(blocks of %llu MiB); _OST status %#x\n", slot,
		       (unsigned long long)s->base, (unsigned long long)(s->base + s->size - 1),
		       (unsigned long long)(s->size >> 20), s->pxm, s->reason,
		       (unsigned long long)(memory_block_size >> 20), ost);
		return;
	}
	pr_info("memhp: slot %u: %sDIMM [%#llx-%#llx] %llu MiB node %u added: blocks %lu-%lu, "
		"%lu online (%llu us)\n", slot, s->coldplug ? "present at boot: " : "",
		(unsigned long long)s->base, (unsigned long long)(s->base + s->size - 1),
		(unsigned long long)(s->size >> 20), s->pxm, first_block(s),
		first_block(s) + nr_blocks(s) - 1, blocks_online(s),
		(unsigned long long)s->add_us);
}

/* ---- remove ---- */

/* Per block of the DIMM being removed: offlined by us, and how it was online. */
static bool offlined[MAX_MEMORY_BLOCKS];
static enum mmop online_type[MAX_MEMORY_BLOCKS];

/* Put back online what memhp_remove_dimm() offlined, as it was. */
static void memhp_reonline(const struct memhp_slot *s)
{
	for (unsigned long i = 0; i < nr_blocks(s); i++) {
		struct memory_block *mem = find_memory_block(first_block(s) + i);

		if (offlined[i] && mem)
			memory_block_online(mem, online_type[i]);
	}
}

static bool range_in_dimm(const struct hotplug_range *hr, const struct memhp_slot *s)
{
	return hr->used && hr->start < s->base + s->size && s->base < hr->start + hr->size;
}

/*
 * The DIMM's memory may have been changed on the console since it arrived
 * (`mem remove`, then `mem add` of part of it): removal takes whatever
 * hot-add ranges lie in it, but refuses one that reaches beyond it.
 */
static int memhp_check_ranges(const struct memhp_slot *s)
{
	for (int i = 0; i < MAX_HOTPLUG_RANGES; i++) {
		const struct hotplug_range *hr = &hotplug_ranges[i];

		if (range_in_dimm(hr, s) &&
		    (hr->start < s->base || hr->start + hr->size > s->base + s->size)) {
			pr_err("memhp: [%#llx-%#llx] was added across the DIMM's boundary: "
			       "mem remove it first\n", (unsigned long long)hr->start,
			       (unsigned long long)(hr->start + hr->size - 1));
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * Linux's acpi_scan_try_to_offline() + acpi_memory_remove_memory(): every
 * block offline (highest first), remove_memory(), then the hold released.
 * On failure the blocks offlined here go back online and nothing is lost.
 * Return: 0, -EBUSY (a block holds pages that cannot move), -errno.
 */
static int memhp_remove_dimm(struct memhp_slot *s)
{
	unsigned long n = nr_blocks(s);
	int ret = memhp_check_ranges(s);

	if (ret)
		return ret;
	for (unsigned long i = 0; i < n; i++)
		offlined[i] = false;
	for (unsigned long i = n; i-- > 0;) {
		struct memory_block *mem = find_memory_block(first_block(s) + i);

		if (!mem || mem->state != MEM_ONLINE)
			continue;
		online_type[i] = mem->zone == &NODE_DATA(mem->nid)->node_zones[ZONE_NORMAL] ?
				 MMOP_ONLINE_KERNEL : MMOP_ONLINE_MOVABLE;
		ret = memory_block_offline(mem);
		if (ret)
			goto err_reonline;
		offlined[i] = true;
	}
	for (int i = 0; i < MAX_HOTPLUG_RANGES; i++) {
		const struct hotplug_range *hr = &hotplug_ranges[i];

		if (range_in_dimm(hr, s)) {
			ret = remove_memory(hr->start, hr->size);
			if (ret)
				goto err_reonline;
		}
	}
	/* All of it is held now; released, it is RAM hotmm no longer knows. */
	ret = memblock_unhold(s->base, s->size);
	if (ret)
		pr_err("memhp: [%#llx-%#llx] stays held: memblock could not release it (%d)\n",
		       (unsigned long long)s->base, (unsigned long long)(s->base + s->size - 1), ret);
	return ret;

err_reonline:
	memhp_reonline(s);
	return ret;
}

/* Unplug requested: acknowledge, remove what hotmm added, eject, or refuse. */
static void memhp_eject_request(unsigned int slot)
{
	struct memhp_slot *s = &memhp_slots[slot];
	u64 t0 = uptime_us();
	int ret = 0;

	memhp_control(slot, MEMHP_REMOVE);
	memhp_ost(slot, ACPI_NOTIFY_EJECT_REQUEST, ACPI_OST_SC_EJECT_IN_PROGRESS);
	if (s->state == MEMHP_SLOT_ADDED)
		ret = memhp_remove_dimm(s);
	if (ret) {
		u32 ost = ret == -EBUSY ? ACPI_OST_SC_DEVICE_BUSY : ACPI_OST_SC_NON_SPECIFIC_FAILURE;

		memhp_ost(slot, ACPI_NOTIFY_EJECT_REQUEST, ost);
		pr_err("memhp: slot %u: removal of DIMM [%#llx-%#llx] refused (%d): %lu of %lu "
		       "blocks online, memory kept; _OST status %#x\n", slot,
		       (unsigned long long)s->base, (unsigned long long)(s->base + s->size - 1),
		       ret, blocks_online(s), nr_blocks(s), ost);
		return;
	}
	/* Nothing of hotmm's is in the DIMM now: QEMU unmaps it inside this write. */
	memhp_control(slot, MEMHP_EJECT);
	s->remove_us = uptime_us() - t0;
	if (memhp_status(slot) & MEMHP_ENABLED) {
		/* QEMU's unplug failed (MEM_UNPLUG_ERROR): the DIMM is there, unused. */
		s->state = MEMHP_SLOT_REFUSED;
		s->reason = "QEMU did not eject it";
		pr_err("memhp: slot %u: eject of DIMM [%#llx-%#llx] did not take effect\n", slot,
		       (unsigned long long)s->base, (unsigned long long)(s->base + s->size - 1));
		return;
	}
	s->state = MEMHP_SLOT_EMPTY;
	pr_info("memhp: slot %u: DIMM [%#llx-%#llx] %s (%llu us)\n", slot,
		(unsigned long long)s->base, (unsigned long long)(s->base + s->size - 1),
		s->reason ? "ejected, unused" : "removed and ejected", (unsigned long long)s->remove_us);
}

/* ---- scan ---- */

/* Every slot: events accumulate, so one interrupt may stand for several slots. */
static void memhp_scan(bool boot)
{
	for (unsigned int slot = 0; slot < memhp_nr_slots; slot++) {
		struct memhp_slot *s = &memhp_slots[slot];
		u32 status = memhp_status(slot);

		if (!(status & MEMHP_ENABLED)) {
			if (s->state != MEMHP_SLOT_EMPTY)
				pr_err("memhp: slot %u: the DIMM is gone without an eject\n", slot);
			s->state = MEMHP_SLOT_EMPTY;
			continue;
		}
		if (s->state == MEMHP_SLOT_EMPTY && (boot || (status & MEMHP_INSERT)))
			memhp_insert(slot, status, boot);
		else if (status & MEMHP_INSERT)
			memhp_control(slot, MEMHP_INSERT);	/* seen already */
		if (status & MEMHP_REMOVE)
			memhp_eject_request(slot);
	}
}

static void memhp_event(u32 events)
{
	memhp_scan(false);
}

/* Slots exist up to the first whose byte at 0x15 reads 0 (QEMU gives 0xff, or 0 past the end). */
static unsigned int memhp_count_slots(void)
{
	unsigned int n = 0;

	while (n < MEMHP_MAX_SLOTS) {
		memhp_select(n);
		if (readb(memhp + MEMHP_SLOT_EXISTS) != 0xff)
			break;
		n++;
	}
	return n;
}

int memhp_init(void)
{
	const struct acpi_ged_platform *p = acpi_ged_platform();
	void *regs;
	u64 v;
	int ret;

	if (!p)
		return -ENODEV;
	regs = ioremap(p->memhp_base, MEMHP_REG_SIZE);
	if (!regs)
		return -ENOMEM;
	/* Reads of base (0x00, 0x04) change nothing; without slots the block faults. */
	if (probe_read(regs + MEMHP_ADDR_LO, &v)) {
		pr_info("memhp: no memory hotplug controller at %#llx (QEMU has one with "
			"-m ...,slots=N,maxmem=M)\n", (unsigned long long)p->memhp_base);
		return -ENODEV;
	}
	memhp = regs;
	memhp_base_pa = p->memhp_base;
	memhp_nr_slots = memhp_count_slots();
	ret = acpi_ged_register_handler(ACPI_GED_MEM_HOTPLUG_EVT, memhp_event, "memhp");
	if (ret) {
		memhp_nr_slots = 0;
		return ret;
	}
	pr_info("memhp: memory hotplug controller at %#llx, %u slots\n",
		(unsigned long long)p->memhp_base, memhp_nr_slots);
	memhp_scan(true);
	return 0;
}
