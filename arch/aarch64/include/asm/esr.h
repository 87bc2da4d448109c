/* SPDX-License-Identifier: GPL-2.0 */
/* ESR_ELx fields: exception classes and fault status codes. */
#ifndef ASM_ESR_H
#define ASM_ESR_H

#define ESR_EC(esr)		(((esr) >> 26) & 0x3f)
#define ESR_ISS(esr)		((esr) & 0x1ffffff)
#define ESR_FSC(esr)		((esr) & 0x3f)		/* DFSC / IFSC */
#define ESR_WNR(esr)		(((esr) >> 6) & 1)	/* data abort: write */

#define ESR_EC_UNKNOWN		0x00
#define ESR_EC_FP_ASIMD		0x07
#define ESR_EC_ILL		0x0e
#define ESR_EC_SVC64		0x15
#define ESR_EC_HVC64		0x16
#define ESR_EC_SMC64		0x17
#define ESR_EC_SYS64		0x18
#define ESR_EC_IABT_LOW		0x20
#define ESR_EC_IABT_CUR		0x21
#define ESR_EC_PC_ALIGN		0x22
#define ESR_EC_DABT_LOW		0x24
#define ESR_EC_DABT_CUR		0x25
#define ESR_EC_SP_ALIGN		0x26
#define ESR_EC_SERROR		0x2f
#define ESR_EC_BRK64		0x3c

#endif
