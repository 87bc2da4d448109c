/* SPDX-License-Identifier: GPL-2.0 */
/* Page migration (mm/migrate.c), what offlining needs of it. */
#ifndef MM_MIGRATE_H
#define MM_MIGRATE_H

/*
 * migrate_pages_range() - move every movable allocation in [start_pfn,
 * end_pfn) (pageblocks isolated first, so that nothing new lands there) to
 * a new block elsewhere, contents and owner included; the old blocks are
 * freed into the isolated pageblocks.
 * Return: 0, or -ENOMEM (no room elsewhere) / the owner's error, with the
 * pfn that could not move in *@failed; blocks moved before stay moved.
 */
int migrate_pages_range(unsigned long start_pfn, unsigned long end_pfn, unsigned long *failed);

#endif
