/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exception vector table. Every exception is taken on SP_EL1, the
 * dedicated exception stack (the kernel runs on SP_EL0), so a kernel stack
 * overflow or a misaligned SP still gets a report. The frame is a
 * struct pt_regs; the C handlers are in traps.c.
 */
#include <asm/ptrace.h>

	.macro	kernel_entry, kind
	sub	sp, sp, #PT_REGS_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	mrs	x0, elr_el1
	stp	x30, x0, [sp, #PT_ELR - 8]
	mrs	x0, spsr_el1
	str	x0, [sp, #PT_SPSR]
	tst	x0, #1			/* SPSR.M[0]: interrupted code used SP_ELx */
	mrs	x1, sp_el0
	add	x2, sp, #PT_REGS_SIZE
	csel	x1, x2, x1, ne
	str	x1, [sp, #PT_SP]
	mrs	x0, esr_el1
	mrs	x1, far_el1
	stp	x0, x1, [sp, #PT_ESR]
	mov	x0, sp
	mov	x1, #\kind
	.endm

	.macro	vector, handler, kind
	.balign	0x80
	kernel_entry \kind
	bl	\handler
	b	kernel_exit
	.endm

	.text
	.balign	0x800
	.globl	vectors
vectors:
	/* Current EL with SP_EL0: the kernel's normal state. */
	vector	el1_sync_handler, 0
	vector	el1_irq_handler, 1
	vector	bad_mode_handler, 2
	vector	bad_mode_handler, 3
	/* Current EL with SP_ELx: an exception inside an exception handler. */
	vector	el1_sync_handler, 4
	vector	el1_irq_handler, 5
	vector	bad_mode_handler, 6
	vector	bad_mode_handler, 7
	/* Lower EL (AArch64, then AArch32): hotmm runs nothing there. */
	vector	bad_mode_handler, 8
	vector	bad_mode_handler, 9
	vector	bad_mode_handler, 10
	vector	bad_mode_handler, 11
	vector	bad_mode_handler, 12
	vector	bad_mode_handler, 13
	vector	bad_mode_handler, 14
	vector	bad_mode_handler, 15

kernel_exit:
	ldp	x0, x1, [sp, #PT_ELR]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	ldr	x30, [sp, #16 * 15]
	add	sp, sp, #PT_REGS_SIZE
	eret

/*
 * probe_read(addr, *val) / probe_write(addr, val): one 64-bit access that
 * may fault; probe_read32(addr, *val) one 32-bit read (for registers that
 * fault on wider reads, such as the ACPI GED's). A fault at the access
 * resumes at the fixup (the exception table), which returns -EFAULT (14).
 */
	.macro	extable, insn, fixup
	.pushsection __ex_table, "a"
	.balign	4
	.long	(\insn - .), (\fixup - .)
	.popsection
	.endm

	.globl	probe_read
probe_read:
1:	ldr	x2, [x0]
	str	x2, [x1]
	mov	x0, #0
	ret
	extable	1b, probe_fault

	.globl	probe_read32
probe_read32:
1:	ldr	w2, [x0]
	str	w2, [x1]
	mov	x0, #0
	ret
	extable	1b, probe_fault

	.globl	probe_write
probe_write:
1:	str	x1, [x0]
	mov	x0, #0
	ret
	extable	1b, probe_fault

/*
 * probe_exec(addr): call addr, which should fault on fetch. The fault's ELR
 * is addr itself, so the exception table lists the call instruction and
 * the handler matches it against the return address (x30 - 4).
 */
	.globl	probe_exec
probe_exec:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
1:	blr	x0
	mov	x0, #0
	b	2f
3:	mov	x0, #-14
2:	ldp	x29, x30, [sp], #16
	ret
	extable	1b, 3b

probe_fault:
	mov	x0, #-14
	ret
