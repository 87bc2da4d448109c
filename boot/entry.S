/* SPDX-License-Identifier: GPL-2.0 */
/*
 * First instructions: find out how we were entered, move to RAM when
 * running from flash, drop from EL2 to EL1, turn the MMU on and jump to the
 * kernel's high mapping. Everything here runs with the MMU off and is
 * position independent: addresses come from adr/adrp, never from literals.
 *
 * Registers kept across this file:
 *   x19  x0 at entry (DTB pointer under -kernel Image, else 0)
 *   x20  CurrentEL at entry
 *   x21  boot mode (BOOT_MODE_*)
 */
#include <layout.h>
#include <asm/sysreg.h>
#include <asm/pgtable-hwdef.h>
#include <kernel/boot.h>

	.macro	mov_q, reg, val
	movz	\reg, #:abs_g3:\val
	movk	\reg, #:abs_g2_nc:\val
	movk	\reg, #:abs_g1_nc:\val
	movk	\reg, #:abs_g0_nc:\val
	.endm

	.macro	adr_l, reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
	.endm

	.section ".head.text", "ax"
	.globl	primary_entry
primary_entry:
	mov	x19, x0
	mrs	x20, CurrentEL

	/*
	 * Under -bios the CPU starts at 0, in flash, which reads like ROM but
	 * is not RAM: copy the loaded image to PHYS_LOAD and continue there.
	 */
	adr_l	x1, _head
	mov_q	x2, RAM_BASE
	mov	x21, #BOOT_MODE_KERNEL
	cmp	x1, x2
	b.hs	in_ram
	mov_q	x3, PHYS_LOAD
	adr_l	x4, _edata
	mov	x5, x1
	mov	x6, x3
1:	ldp	x7, x8, [x5], #16
	stp	x7, x8, [x6], #16
	cmp	x5, x4
	b.lo	1b
	ic	iallu			/* the copy is about to be executed */
	dsb	ish
	isb
	adr	x5, relocated
	sub	x5, x5, x1
	add	x5, x5, x3
	br	x5
relocated:
	mov	x21, #BOOT_MODE_BIOS
	b	find_dtb
in_ram:
	cbnz	x19, have_dtb
	mov	x21, #BOOT_MODE_ELF
find_dtb:
	/* Firmware and ELF boots get no DTB pointer: QEMU puts it at RAM_BASE. */
	mov_q	x19, RAM_BASE
	ldr	w0, [x19]
	ldr	w1, =0xedfe0dd0		/* 0xd00dfeed, big-endian */
	cmp	w0, w1
	csel	x19, x19, xzr, eq
have_dtb:
	adr_l	x0, init_stack_top	/* C code below needs a stack at any EL */
	mov	sp, x0
	cmp	x20, #CurrentEL_EL3
	b.eq	el3_refuse
	cmp	x20, #CurrentEL_EL2
	b.ne	at_el1
	bl	el2_to_el1
at_el1:
	msr	SPSel, #1
	adr_l	x0, init_stack_top	/* SP_EL1 now; SP_EL0 after the MMU is on */
	mov	sp, x0
	mov	x29, xzr
	mov	x30, xzr

	/* The MMU-off writes below go to memory directly: clear .bss first. */
	adr_l	x0, __bss_start
	adr_l	x1, __bss_stop
2:	cmp	x0, x1
	b.hs	3f
	stp	xzr, xzr, [x0], #16
	b	2b
3:
	mov	x0, #CPACR_EL1_FPEN	/* libfdt uses SIMD registers */
	msr	cpacr_el1, x0
	isb

	adr_l	x0, boot_info
	mov	x1, x19
	adr_l	x2, _head
	lsr	x3, x20, #2
	mov	x4, x21
	bl	early_setup		/* granule check + early page tables */
	mov	x22, x0			/* TTBR0 (idmap) */
	mov	x23, x1			/* TTBR1 (kernel) */

	/* Drop cache lines the MMU-off writes made stale. */
	adr_l	x0, _head
	adr_l	x1, _end
	bl	dcache_inval_poc

	bl	mmu_enable

	/* Jump to the kernel's link address: KIMAGE_TEXT + offset from _head. */
	mov_q	x0, KIMAGE_TEXT
	adr_l	x1, _head
	adr_l	x2, primary_switched
	sub	x2, x2, x1
	add	x0, x0, x2
	br	x0

/* Turn the MMU on with the tables in x22 (TTBR0) and x23 (TTBR1). */
mmu_enable:
	ldr	x0, =MAIR_EL1_VALUE
	msr	mair_el1, x0
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #0xf		/* PARange */
	cmp	x1, #5			/* 48 bits: the most hotmm uses */
	mov	x2, #5
	csel	x1, x1, x2, ls
	ldr	x0, =TCR_EL1_VALUE
	orr	x0, x0, x1, lsl #TCR_IPS_SHIFT
	msr	tcr_el1, x0
	msr	ttbr0_el1, x22
	msr	ttbr1_el1, x23
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, =SCTLR_EL1_MMU_ON
	msr	sctlr_el1, x0
	isb
	ic	iallu
	dsb	nsh
	isb
	ret

/*
 * EL2 -> EL1 (DESIGN §5): 64-bit EL1 with nothing trapped or routed to
 * EL2, EL1 access to the physical timer and counter, no virtual offset,
 * the GICv3 system registers usable at EL1. Returns at EL1h, DAIF masked.
 */
el2_to_el1:
	mov	x0, #HCR_EL2_RW
	msr	hcr_el2, x0
	mov	x0, #(CNTHCTL_EL1PCEN | CNTHCTL_EL1PCTEN)
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #CPTR_EL2_RES1
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	mrs	x0, id_aa64pfr0_el1
	ubfx	x0, x0, #24, #4		/* GIC system register interface */
	cbz	x0, 1f
	mrs	x0, S3_4_C12_C9_5	/* ICC_SRE_EL2 */
	mov	x1, #(ICC_SRE_SRE | ICC_SRE_ENABLE)
	orr	x0, x0, x1
	msr	S3_4_C12_C9_5, x0
	isb
1:	ldr	x0, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_DAIF_MASKED
	msr	spsr_el2, x0
	msr	elr_el2, x30
	isb
	eret

/* EL3 belongs to a secure monitor; hotmm is not one. Say so and stop. */
el3_refuse:
	adr_l	x0, el3_msg
	bl	early_puts
1:	wfi
	b	1b

/*
 * Invalidate [x0, x1) to the point of coherency, by address. Only safe for
 * lines that hold no newer data than memory (written with the MMU off).
 */
	.globl	dcache_inval_poc
dcache_inval_poc:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret

	.ltorg

	.section ".rodata", "a"
el3_msg:
	.asciz	"hotmm: entered at EL3; hotmm runs at EL1 or EL2 (drop secure=on). Halted.\r\n"
