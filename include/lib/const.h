/* SPDX-License-Identifier: GPL-2.0 */
/* Constants usable from both C and assembly: _AC(1, UL) is 1UL in C, 1 in asm. */
#ifndef LIB_CONST_H
#define LIB_CONST_H

#ifdef __ASSEMBLY__
#define _AC(x, y)	x
#else
#define __AC(x, y)	x##y
#define _AC(x, y)	__AC(x, y)
#endif
#define _UL(x)		_AC(x, UL)
#define _BITUL(n)	(_UL(1) << (n))

#endif
