/* SPDX-License-Identifier: GPL-2.0 */
/* The register frame vectors.S saves on the exception stack. */
#ifndef ASM_PTRACE_H
#define ASM_PTRACE_H

#define PT_REGS_SIZE	(36 * 8)
#define PT_ELR		(31 * 8)
#define PT_SPSR		(32 * 8)
#define PT_SP		(33 * 8)
#define PT_ESR		(34 * 8)
#define PT_FAR		(35 * 8)

#ifndef __ASSEMBLY__
#include <lib/types.h>

struct pt_regs {
	u64 regs[31];		/* x0..x30 */
	u64 elr;
	u64 spsr;
	u64 sp;			/* the interrupted SP (SP_EL0 or SP_EL1) */
	u64 esr;
	u64 far;
};

_Static_assert(sizeof(struct pt_regs) == PT_REGS_SIZE, "pt_regs layout");
#endif

#endif
