/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LIB_STACKPROTECTOR_H
#define LIB_STACKPROTECTOR_H

extern unsigned long __stack_chk_guard;
void __stack_chk_fail(void);
/* Set the guard once, before the first stack-protected (libfdt) call. */
void stack_protector_init(unsigned long seed);

#endif
