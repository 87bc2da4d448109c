/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A log of the TLB invalidations arch/aarch64/tlbflush.c issues, for the
 * in-kernel self-tests. QEMU's TCG flushes its software TLB more widely than
 * the architecture asks (a by-VA invalidation that meets a block mapping
 * flushes everything), so an access cannot tell whether an invalidation was
 * missing; the self-tests count them instead. Off, it costs one load and a
 * branch per TLBI.
 */
#ifndef ASM_TLBI_LOG_H
#define ASM_TLBI_LOG_H

#include <lib/types.h>

enum tlbi_op {
	TLBI_VALE1IS,	/* arch_tlbi_leaf() */
	TLBI_VAE1IS,	/* arch_tlbi_va() */
	TLBI_VMALLE1IS,	/* arch_tlbi_all(): logged whatever the window */
	NR_TLBI_OPS,
};

/* VAs recorded per kind; beyond that a kind is only counted. */
#define TLBI_LOG_SIZE	256

/* Start a new log of the invalidations of VAs in [first, last], and TLBI_VMALLE1IS. */
void tlbi_log_start(u64 first, u64 last);
void tlbi_log_stop(void);
/* How many @op invalidations hit exactly @va; -1 if more @op came than the log holds. */
int tlbi_log_count(enum tlbi_op op, u64 va);
/* All @op invalidations in the window since the start, recorded or not. */
unsigned long tlbi_log_total(enum tlbi_op op);

#endif
