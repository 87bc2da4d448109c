/* SPDX-License-Identifier: GPL-2.0 */
/* Page frame numbers and physical addresses (Linux's include/linux/pfn.h). */
#ifndef MM_PFN_H
#define MM_PFN_H

#include <layout.h>
#include <lib/types.h>

#define PFN_UP(x)	((unsigned long)(((x) + PAGE_SIZE - 1) >> PAGE_SHIFT))
#define PFN_DOWN(x)	((unsigned long)((x) >> PAGE_SHIFT))
#define PFN_PHYS(pfn)	((phys_addr_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(x)	((unsigned long)((x) >> PAGE_SHIFT))

#endif
