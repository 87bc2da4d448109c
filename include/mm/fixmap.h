/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixmap: fixed virtual slots (layout.h) whose last-level tables exist from
 * the first instruction with the MMU on, so any physical page can be
 * reached before the linear map covers it (mm/fixmap.c).
 */
#ifndef MM_FIXMAP_H
#define MM_FIXMAP_H

#include <arch/pgtable.h>

/* @tables: kernel VAs of the fixmap's last-level tables, lowest VA first. */
void fixmap_init(pte_t *const *tables, unsigned int n);
/* Map @pa at @slot (replacing what was there) and return the slot's VA. */
void *fixmap_set(unsigned int slot, phys_addr_t pa, pgprot_t prot);
void fixmap_clear(unsigned int slot);
/* Physical address of the last-level table covering fixmap @va. */
phys_addr_t fixmap_table_phys(unsigned int index);
unsigned int fixmap_nr_tables(void);

#endif
