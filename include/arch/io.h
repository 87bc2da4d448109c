/* SPDX-License-Identifier: GPL-2.0 */
/* Device register access: 8-, 32- and 64-bit, single, ordered accesses. */
#ifndef ARCH_IO_H
#define ARCH_IO_H

#include <lib/types.h>

static inline u8 readb(const volatile void *addr)
{
	u8 v;

	asm volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	asm volatile("dmb oshld" : : : "memory");
	return v;
}

static inline u32 readl(const volatile void *addr)
{
	u32 v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	asm volatile("dmb oshld" : : : "memory");
	return v;
}

static inline void writel(u32 v, volatile void *addr)
{
	asm volatile("dmb oshst" : : : "memory");
	asm volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline u64 readq(const volatile void *addr)
{
	u64 v;

	asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	asm volatile("dmb oshld" : : : "memory");
	return v;
}

static inline void writeq(u64 v, volatile void *addr)
{
	asm volatile("dmb oshst" : : : "memory");
	asm volatile("str %x0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

#endif
