// SPDX-License-Identifier: GPL-2.0
/*
 * TLB invalidation for kernel mappings. The TLBI VA operand is VA[55:12]
 * whatever the granule (for 16K and 64K the low bits are ignored), so the
 * shift is 12 on every granule. The ASID field is 0: kernel entries are
 * global and match any ASID.
 */
#include <arch/tlbflush.h>
#include <asm/tlbi_log.h>
#include <lib/kernel.h>

/* The self-tests' log (asm/tlbi_log.h). mm never runs in interrupt context. */
static struct {
	bool on;
	u64 first, last;
	unsigned long total[NR_TLBI_OPS];
	u64 va[NR_TLBI_OPS][TLBI_LOG_SIZE];
} tlbi_log;

static void tlbi_log_add(enum tlbi_op op, u64 va)
{
	if (op != TLBI_VMALLE1IS && (va < tlbi_log.first || va > tlbi_log.last))
		return;
	if (tlbi_log.total[op] < TLBI_LOG_SIZE)
		tlbi_log.va[op][tlbi_log.total[op]] = va;
	tlbi_log.total[op]++;
}

void tlbi_log_start(u64 first, u64 last)
{
	tlbi_log.first = first;
	tlbi_log.last = last;
	for (int op = 0; op < NR_TLBI_OPS; op++)
		tlbi_log.total[op] = 0;
	tlbi_log.on = true;
}

void tlbi_log_stop(void)
{
	tlbi_log.on = false;
}

int tlbi_log_count(enum tlbi_op op, u64 va)
{
	int c = 0;

	if (tlbi_log.total[op] > TLBI_LOG_SIZE)
		return -1;
	for (unsigned long i = 0; i < tlbi_log.total[op]; i++)
		c += tlbi_log.va[op][i] == va;
	return c;
}

unsigned long tlbi_log_total(enum tlbi_op op)
{
	return tlbi_log.total[op];
}

static inline u64 tlbi_operand(u64 va)
{
	return (va >> 12) & ((1UL << 44) - 1);
}

void arch_tlbi_leaf(u64 va)
{
	if (unlikely(tlbi_log.on))
		tlbi_log_add(TLBI_VALE1IS, va);
	asm volatile("tlbi vale1is, %0" : : "r"(tlbi_operand(va)) : "memory");
}

void arch_tlbi_va(u64 va)
{
	if (unlikely(tlbi_log.on))
		tlbi_log_add(TLBI_VAE1IS, va);
	asm volatile("tlbi vae1is, %0" : : "r"(tlbi_operand(va)) : "memory");
}

void arch_tlbi_all(void)
{
	if (unlikely(tlbi_log.on))
		tlbi_log_add(TLBI_VMALLE1IS, 0);
	asm volatile("tlbi vmalle1is" : : : "memory");
}

void arch_dsb_ishst(void)
{
	asm volatile("dsb ishst" : : : "memory");
}

void arch_dsb_ish(void)
{
	asm volatile("dsb ish" : : : "memory");
}

void arch_isb(void)
{
	asm volatile("isb" : : : "memory");
}
