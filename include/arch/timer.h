/* SPDX-License-Identifier: GPL-2.0 */
/* The generic timer: counter, the EL1 virtual timer tick (arch/aarch64/timer.c). */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <drivers/fdt.h>

#define HZ	100

/* Start the tick on the DT's virtual timer INTID. Return: 0 or -errno. */
int arch_timer_init(const struct dt_info *dt);
/* Counter value and frequency (CNTVCT_EL0, CNTFRQ_EL0). */
u64 arch_counter_read(void);
u64 arch_counter_freq(void);
/* Microseconds since the counter started (QEMU: since reset). */
u64 uptime_us(void);
/* Sleep @ms milliseconds, waking on interrupts. */
void msleep(u64 ms);
extern volatile u64 jiffies;
/* INTID of the tick, 0 before init. */
unsigned int arch_timer_intid(void);

#endif
