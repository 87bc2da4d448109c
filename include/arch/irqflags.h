/* SPDX-License-Identifier: GPL-2.0 */
/* Masking interrupts on this CPU (the DAIF.I bit on arm64). */
#ifndef ARCH_IRQFLAGS_H
#define ARCH_IRQFLAGS_H

#ifdef HOST_TEST
static inline unsigned long arch_local_irq_save(void) { return 0; }
static inline void arch_local_irq_restore(unsigned long flags) { (void)flags; }
static inline void arch_local_irq_enable(void) { }
static inline void arch_local_irq_disable(void) { }
#else
static inline unsigned long arch_local_irq_save(void)
{
	unsigned long flags;

	asm volatile("mrs %0, daif\n\tmsr daifset, #2" : "=r"(flags) : : "memory");
	return flags;
}

static inline void arch_local_irq_restore(unsigned long flags)
{
	asm volatile("msr daif, %0" : : "r"(flags) : "memory");
}

static inline void arch_local_irq_enable(void)
{
	asm volatile("msr daifclr, #2" : : : "memory");
}

static inline void arch_local_irq_disable(void)
{
	asm volatile("msr daifset, #2" : : : "memory");
}
#endif

#endif
