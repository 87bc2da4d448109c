/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The first code at the kernel's link address, and the one routine that
 * must run from the identity map: replacing TTBR1 while the kernel image is
 * mapped through it.
 */
#include <layout.h>
#include <asm/sysreg.h>

/*
 * Entered from boot/entry.S with the MMU on. SP_EL1 becomes the exception
 * stack and SP_EL0 the kernel stack (a guard page lies below it), so a
 * kernel stack overflow is still reported.
 */
	.text
	.globl	primary_switched
primary_switched:
	ldr	x0, =exc_stack_top
	mov	sp, x0
	msr	SPSel, #0
	ldr	x0, =init_stack_top
	mov	sp, x0
	ldr	x0, =vectors
	msr	vbar_el1, x0
	isb
	mov	x29, xzr
	mov	x30, xzr
	bl	start_kernel
1:	wfi
	b	1b
	.ltorg

/*
 * idmap_cpu_replace_ttbr1(new_ttbr1) - called at its physical address, from
 * the identity map in TTBR0, so no instruction fetch or stack access goes
 * through TTBR1 while it changes. The caller returns to a VA that the new
 * tables map the same way. Uses no stack.
 */
	.section ".idmap.text", "ax"
	.globl	idmap_cpu_replace_ttbr1
idmap_cpu_replace_ttbr1:
	dsb	ishst			/* the new tables are visible to the walker */
	msr	ttbr1_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ret
