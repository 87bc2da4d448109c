// SPDX-License-Identifier: GPL-2.0
/*
 * Exception handling: faults the exception table expects are turned into
 * -EFAULT; anything else is reported (class in words, ESR, FAR, ELR with its
 * symbol, registers, backtrace) and the CPU halts.
 */
#include <asm/esr.h>
#include <asm/ptrace.h>
#include <drivers/irq.h>
#include <kernel/boot.h>
#include <layout.h>
#include <kernel/kallsyms.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/kernel.h>
#include <lib/printf.h>
#include <string.h>

struct exception_table_entry {
	s32 insn;	/* both relative to their own field */
	s32 fixup;
};

extern const struct exception_table_entry __start___ex_table[], __stop___ex_table[];

static const char *const ec_names[64] = {
	[ESR_EC_UNKNOWN] = "undefined instruction",
	[ESR_EC_FP_ASIMD] = "FP/SIMD access trapped",
	[ESR_EC_ILL] = "illegal execution state",
	[ESR_EC_SVC64] = "SVC",
	[ESR_EC_HVC64] = "HVC",
	[ESR_EC_SMC64] = "SMC",
	[ESR_EC_SYS64] = "trapped system register access",
	[ESR_EC_IABT_LOW] = "instruction abort from a lower EL",
	[ESR_EC_IABT_CUR] = "instruction abort",
	[ESR_EC_PC_ALIGN] = "PC alignment fault",
	[ESR_EC_DABT_LOW] = "data abort from a lower EL",
	[ESR_EC_DABT_CUR] = "data abort",
	[ESR_EC_SP_ALIGN] = "SP alignment fault",
	[ESR_EC_SERROR] = "SError",
	[ESR_EC_BRK64] = "BRK",
};

/* Words for an abort's fault status code, e.g. "level 3 translation fault". */
static void fsc_name(u64 fsc, char *buf, size_t size)
{
	static const char *const kinds[] = {
		"address size fault", "translation fault", "access flag fault",
		"permission fault",
	};

	if (fsc < 0x10)
		snprintf(buf, size, "level %llu %s", (unsigned long long)(fsc & 3),
			 kinds[fsc >> 2]);
	else if (fsc == 0x10)
		snprintf(buf, size, "synchronous external abort");
	else if (fsc == 0x21)
		snprintf(buf, size, "alignment fault");
	else if (fsc == 0x30)
		snprintf(buf, size, "TLB conflict abort");
	else
		snprintf(buf, size, "fault status 0x%02llx", (unsigned long long)fsc);
}

static bool is_abort(u64 ec)
{
	return ec == ESR_EC_DABT_CUR || ec == ESR_EC_DABT_LOW ||
	       ec == ESR_EC_IABT_CUR || ec == ESR_EC_IABT_LOW;
}

/* If @insn is in the exception table, resume at its fixup. */
static bool fixup_exception(struct pt_regs *regs, u64 insn)
{
	for (const struct exception_table_entry *e = __start___ex_table;
	     e < __stop___ex_table; e++) {
		if ((u64)&e->insn + e->insn != insn)
			continue;
		regs->elr = (u64)&e->fixup + e->fixup;
		return true;
	}
	return false;
}

static bool on_stack(u64 fp, u64 size)
{
	u64 lo1 = (u64)init_stack, hi1 = (u64)init_stack_top;
	u64 lo2 = (u64)exc_stack, hi2 = (u64)exc_stack_top;

	return (fp >= lo1 && fp + size <= hi1) || (fp >= lo2 && fp + size <= hi2);
}

/* Follow the frame-pointer chain (x29 -> {previous x29, x30}). */
static void dump_backtrace(const struct pt_regs *regs)
{
	char sym[64];
	u64 fp = regs->regs[29];

	printk("Call trace:\n  %s\n", kallsyms_format(regs->elr, sym, sizeof(sym)));
	for (int depth = 0; depth < 32 && fp && !(fp & 15) && on_stack(fp, 16); depth++) {
		const u64 *frame = (const u64 *)fp;

		if (frame[1])
			printk("  %s\n", kallsyms_format(frame[1] - 4, sym, sizeof(sym)));
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
}

static void dump_regs(const struct pt_regs *regs)
{
	for (int i = 0; i < 30; i += 3)
		printk("  x%-2d %016llx  x%-2d %016llx  x%-2d %016llx\n",
		       i, (unsigned long long)regs->regs[i],
		       i + 1, (unsigned long long)regs->regs[i + 1],
		       i + 2, (unsigned long long)regs->regs[i + 2]);
	printk("  x30 %016llx  sp  %016llx  spsr %08llx\n",
	       (unsigned long long)regs->regs[30], (unsigned long long)regs->sp,
	       (unsigned long long)regs->spsr);
}

static void __noreturn report(struct pt_regs *regs, const char *what)
{
	char sym[64];
	u64 guard = (u64)init_stack_guard;

	oops_in_progress = true;	/* the report goes to the log too */
	printk("\nUnhandled exception: %s\n", what);
	if (regs->far >= guard && regs->far < guard + PAGE_SIZE)
		printk("  kernel stack overflow: the access hit the stack's guard page\n");
	if (regs->sp & 15)
		printk("  SP 0x%016llx is not 16-byte aligned\n", (unsigned long long)regs->sp);
	printk("  ESR 0x%08llx  FAR 0x%016llx\n", (unsigned long long)regs->esr,
	       (unsigned long long)regs->far);
	printk("  ELR 0x%016llx <%s>\n", (unsigned long long)regs->elr,
	       kallsyms_format(regs->elr, sym, sizeof(sym)));
	dump_regs(regs);
	dump_backtrace(regs);
	printk("System halted.\n");
	halt();
}

void el1_sync_handler(struct pt_regs *regs, u64 kind)
{
	u64 ec = ESR_EC(regs->esr);
	char what[96], fsc[48];
	const char *name = ec_names[ec] ? ec_names[ec] : "unknown exception class";

	if (ec == ESR_EC_DABT_CUR && kind < 4 && fixup_exception(regs, regs->elr))
		return;
	/* A fetch fault from probe_exec(): ELR is the target, x30 follows the call. */
	if (ec == ESR_EC_IABT_CUR && kind < 4 && regs->elr == regs->far &&
	    fixup_exception(regs, regs->regs[30] - 4))
		return;
	if (is_abort(ec)) {
		fsc_name(ESR_FSC(regs->esr), fsc, sizeof(fsc));
		snprintf(what, sizeof(what), "%s, %s%s", name, fsc,
			 ec == ESR_EC_DABT_CUR ? (ESR_WNR(regs->esr) ? " (write)" : " (read)") : "");
	} else {
		snprintf(what, sizeof(what), "%s (EC 0x%02llx)", name, (unsigned long long)ec);
	}
	if (kind >= 4)
		strlcpy(what + strlen(what), " in an exception handler", sizeof(what) - strlen(what));
	report(regs, what);
}

void el1_irq_handler(struct pt_regs *regs, u64 kind)
{
	irq_handle();
}

void bad_mode_handler(struct pt_regs *regs, u64 kind)
{
	static const char *const kinds[] = { "sync", "IRQ", "FIQ", "SError" };
	char what[64];

	snprintf(what, sizeof(what), "unexpected %s from %s", kinds[kind & 3],
		 kind < 8 ? "EL1" : "a lower EL");
	report(regs, what);
}
