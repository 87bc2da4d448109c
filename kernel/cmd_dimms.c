// SPDX-License-Identifier: GPL-2.0
/*
 * `dimms`: QEMU's memory hotplug slots as drivers/memhp.c sees them: each
 * DIMM's range, node, state (from its memory blocks) and blocks.
 */
#include <drivers/acpi_ged.h>
#include <drivers/memhp.h>
#include <drivers/irq.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/printf.h>
#include <mm/memory.h>
#include <mm/pfn.h>

/*
 * "online", "offline", "partly online", or "held" (its memory removed on the
 * console with `mem remove`: held for `mem add`), from the DIMM's memory
 * blocks; @blocks gets "16-23 (8 online)", or "(3 added, 2 online)" when
 * the console added only part of it back.
 */
static const char *dimm_state(const struct memhp_slot *s, char *blocks, size_t len)
{
	unsigned long first = PFN_DOWN(s->base) / memory_block_pages();
	unsigned long n = s->size / memory_block_size, added = 0, online = 0;

	if (s->state != MEMHP_SLOT_ADDED) {
		snprintf(blocks, len, "-");
		return s->state == MEMHP_SLOT_REFUSED ? "refused" : "empty";
	}
	for (unsigned long i = 0; i < n; i++) {
		struct memory_block *mem = find_memory_block(first + i);

		added += mem != NULL;
		online += mem && mem->state == MEM_ONLINE;
	}
	if (added == n)
		snprintf(blocks, len, "%lu-%lu (%lu online)", first, first + n - 1, online);
	else
		snprintf(blocks, len, "%lu-%lu (%lu added, %lu online)", first, first + n - 1, added,
			 online);
	if (!added)
		return "held";
	return online == n ? "online" : !online && added == n ? "offline" : "partly online";
}

static int cmd_dimms(int argc, char **argv)
{
	const struct acpi_ged_platform *p = acpi_ged_platform();
	unsigned int used = 0;
	char blocks[48];

	if (argc != 1)
		return shell_usage(argv[0]);
	if (!memhp_nr_slots) {
		printk("no memory hotplug controller: QEMU has one when it boots firmware "
		       "(--boot bios) with --slots and --maxmem\n");
		return 0;
	}
	printk("controller %#llx, GED %#llx INTID %u (edge, %llu interrupts); "
	       "block size %llu MiB\n", (unsigned long long)memhp_base_pa,
	       (unsigned long long)p->ged_base, p->ged_intid,
	       (unsigned long long)acpi_ged_irq_count(),
	       (unsigned long long)(memory_block_size >> 20));
	printk("slot  base                size      node  state          blocks\n");
	for (unsigned int i = 0; i < memhp_nr_slots; i++) {
		const struct memhp_slot *s = &memhp_slots[i];
		const char *state;

		if (s->state == MEMHP_SLOT_EMPTY)
			continue;
		used++;
		state = dimm_state(s, blocks, sizeof(blocks));
		printk("%4u  0x%016llx  %5llu MiB  %4u  %-13s  %s%s\n", i,
		       (unsigned long long)s->base, (unsigned long long)(s->size >> 20), s->pxm,
		       state, blocks, s->coldplug ? ", present at boot" : "");
		if (s->state == MEMHP_SLOT_REFUSED)
			printk("      refused: %s\n", s->reason);
	}
	printk("%u DIMM(s) in %u slots\n", used, memhp_nr_slots);
	return 0;
}
SHELL_CMD(dimms, cmd_dimms, "", "QEMU's DIMM slots: base, size, node, state, memory blocks");
