/* SPDX-License-Identifier: GPL-2.0 */
/* System register access and the register fields hotmm programs. */
#ifndef ASM_SYSREG_H
#define ASM_SYSREG_H

#include <lib/const.h>
#include <layout.h>

#define CurrentEL_EL1		(1 << 2)
#define CurrentEL_EL2		(2 << 2)
#define CurrentEL_EL3		(3 << 2)

/* SCTLR_EL1: M, C, SA, I plus the bits that are RES1 in ARMv8.0. */
#define SCTLR_EL1_RES1		_UL(0x30d00800)
#define SCTLR_ELx_M		_BITUL(0)
#define SCTLR_ELx_C		_BITUL(2)
#define SCTLR_ELx_SA		_BITUL(3)
#define SCTLR_ELx_I		_BITUL(12)
#define SCTLR_EL1_MMU_OFF	SCTLR_EL1_RES1
#define SCTLR_EL1_MMU_ON	(SCTLR_EL1_RES1 | SCTLR_ELx_M | SCTLR_ELx_C | \
				 SCTLR_ELx_SA | SCTLR_ELx_I)

#define HCR_EL2_RW		_BITUL(31)
#define CNTHCTL_EL1PCTEN	_BITUL(0)
#define CNTHCTL_EL1PCEN		_BITUL(1)
#define ICC_SRE_SRE		_BITUL(0)
#define ICC_SRE_ENABLE		_BITUL(3)
#define CPTR_EL2_RES1		_UL(0x33ff)	/* TFP (bit 10) clear: FP not trapped */
#define CPACR_EL1_FPEN		(_UL(3) << 20)
#define SPSR_EL1H_DAIF_MASKED	_UL(0x3c5)

/* TCR_EL1 */
#define TCR_T0SZ(x)		((x) << 0)
#define TCR_T1SZ(x)		((x) << 16)
#define TCR_EPD0		_BITUL(7)
#define TCR_IRGN0_WBWA		_BITUL(8)
#define TCR_ORGN0_WBWA		_BITUL(10)
#define TCR_SH0_INNER		(_UL(3) << 12)
#define TCR_IRGN1_WBWA		_BITUL(24)
#define TCR_ORGN1_WBWA		_BITUL(26)
#define TCR_SH1_INNER		(_UL(3) << 28)
/* TG0 and TG1 encode the same granule differently. */
#define TCR_TG0_4K		(_UL(0) << 14)
#define TCR_TG0_64K		_BITUL(14)
#define TCR_TG0_16K		(_UL(2) << 14)
#define TCR_TG1_16K		_BITUL(30)
#define TCR_TG1_4K		(_UL(2) << 30)
#define TCR_TG1_64K		(_UL(3) << 30)
#define TCR_IPS_SHIFT		32

#define TCR_CACHE_FLAGS	(TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | \
			 TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER)
#if PAGE_SHIFT == 12
#define TCR_TG_FLAGS	(TCR_TG0_4K | TCR_TG1_4K)
#elif PAGE_SHIFT == 14
#define TCR_TG_FLAGS	(TCR_TG0_16K | TCR_TG1_16K)
#else
#define TCR_TG_FLAGS	(TCR_TG0_64K | TCR_TG1_64K)
#endif
/* 48-bit VA in both halves; IPS is filled in from PARange at run time. */
#define TCR_EL1_VALUE	(TCR_T0SZ(64 - VA_BITS) | TCR_T1SZ(64 - VA_BITS) | \
			 TCR_CACHE_FLAGS | TCR_TG_FLAGS)

/* ID_AA64MMFR0_EL1 */
#define MMFR0_PARANGE(r)	((r) & 0xf)
#define MMFR0_TGRAN16(r)	(((r) >> 20) & 0xf)	/* 0: no, 1/2: yes */
#define MMFR0_TGRAN64(r)	(((r) >> 24) & 0xf)	/* 0: yes, 0xf: no */
#define MMFR0_TGRAN4(r)		(((r) >> 28) & 0xf)	/* 0/1: yes, 0xf: no */

#ifndef __ASSEMBLY__
#include <lib/types.h>

#define read_sysreg(r) ({ u64 __v; asm volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(v, r) do { u64 __v = (u64)(v); \
	asm volatile("msr " #r ", %x0" : : "rZ"(__v)); } while (0)
/* For registers gas knows only by their encoding. */
#define read_sysreg_s(r) ({ u64 __v; asm volatile("mrs %0, " r : "=r"(__v)); __v; })
#define write_sysreg_s(v, r) do { u64 __v = (u64)(v); \
	asm volatile("msr " r ", %x0" : : "rZ"(__v)); } while (0)

#define isb()		asm volatile("isb" : : : "memory")
#define dsb(opt)	asm volatile("dsb " #opt : : : "memory")
#define wfi()		asm volatile("wfi" : : : "memory")

#endif

#endif
