// SPDX-License-Identifier: GPL-2.0
/*
 * `crash KIND`: make each kind of fatal exception on purpose, to show (and
 * test) the report: class in words, ESR, FAR, ELR and symbol, registers,
 * backtrace. Every kind halts the machine.
 */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <mm/memblock.h>
#include <string.h>

/*
 * Each crash function keeps its frame record until after the fault (the
 * empty asm after the last call stops gcc from tearing the frame down
 * early for a tail call), so the backtrace shows cmd_crash.
 */
#define keep_frame()	asm volatile("" : : : "memory")

static void __attribute__((noinline)) crash_null(void)
{
	printk("value: %llu\n", (unsigned long long)*(volatile u64 *)0);
	keep_frame();
}

static void __attribute__((noinline)) crash_undef(void)
{
	asm volatile("udf #0");
}

/*
 * SCTLR_EL1.SA: on hardware, a load through an SP that is not 16-byte
 * aligned takes an SP alignment fault. QEMU's TCG does not implement that
 * check: the load completes and the UDF after it raises the report. Either
 * way the report comes from the exception stack while the kernel's SP is
 * misaligned, and says so; that SA is set is checked by reading SCTLR_EL1
 * (selftest arch_sctlr_el1_bits).
 */
static void __attribute__((noinline)) crash_sp_misaligned(void)
{
	asm volatile("mov x9, sp\n\t"
		     "sub x9, x9, #4\n\t"
		     "mov sp, x9\n\t"
		     "ldr x10, [sp]\n\t"
		     "udf #0x5350\n\t" : : : "x9", "x10", "memory");
}

/*
 * Recurse with a big frame until the stack runs into its guard page. The
 * limit is far beyond any stack hotmm has; it only keeps gcc from calling
 * the recursion infinite.
 */
static volatile u64 crash_depth_limit = ~0ULL;

static u64 __attribute__((noinline)) crash_recurse(u64 depth)
{
	volatile u8 frame[1024];

	frame[depth % sizeof(frame)] = (u8)depth;
	if (depth >= crash_depth_limit)
		return 0;
	return crash_recurse(depth + 1) + frame[(depth + 1) % sizeof(frame)];
}

/* TTBR0 walks are off: a physical address used as a pointer faults. */
static void __attribute__((noinline)) crash_pa(void)
{
	volatile u64 *p = (volatile u64 *)memblock_start_of_DRAM();

	printk("value: %llu\n", (unsigned long long)*p);
	keep_frame();
}

static const struct {
	const char *name;
	void (*fn)(void);
	const char *what;
} crashes[] = {
	{ "null", crash_null, "read address 0" },
	{ "undef", crash_undef, "execute UDF #0" },
	{ "sp-misaligned", crash_sp_misaligned, "load through an SP 4 bytes off" },
	{ "stack-overflow", NULL, "recurse into the stack's guard page" },
	{ "pa", crash_pa, "read the first RAM byte by its physical address" },
};

static int cmd_crash(int argc, char **argv)
{
	if (argc != 2)
		return shell_usage(argv[0]);
	for (unsigned int i = 0; i < ARRAY_SIZE(crashes); i++) {
		if (strcmp(argv[1], crashes[i].name))
			continue;
		printk("crash: %s\n", crashes[i].what);
		if (crashes[i].fn)
			crashes[i].fn();
		else
			printk("%llu\n", (unsigned long long)crash_recurse(0));
		printk("error: crash %s did not fault\n", argv[1]);
		return -EINVAL;
	}
	printk("error: unknown crash kind '%s' (null, undef, sp-misaligned, stack-overflow, pa)\n",
	       argv[1]);
	return -EINVAL;
}
SHELL_CMD(crash, cmd_crash, "null|undef|sp-misaligned|stack-overflow|pa",
	  "fault on purpose and show the exception report (halts)");
