// SPDX-License-Identifier: GPL-2.0
/* panic(): say why, then stop. Also the stack protector's failure path. */
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/fault_inject.h>

void halt(void)
{
	for (;;)
		asm volatile("msr daifset, #0xf\n\twfi" : : : "memory");
}

void panic(const char *fmt, ...)
{
	va_list ap;

	oops_in_progress = true;
	printk("\nKernel panic: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	/* After fail_nth= struck, say where: the panic may be its consequence. */
	if (fail_nth_site())
		printk("\nfail_nth: the failed allocation was at site %s", fail_nth_site());
	printk("\nSystem halted.\n");
	halt();
}
