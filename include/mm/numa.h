/* SPDX-License-Identifier: GPL-2.0 */
/* Node numbers (Linux's include/linux/numa.h). */
#ifndef MM_NUMA_H
#define MM_NUMA_H

#define MAX_NUMNODES	8
#define NUMA_NO_NODE	(-1)

#endif
