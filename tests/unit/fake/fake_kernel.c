// SPDX-License-Identifier: GPL-2.0
/* The rest of the kernel for host tests that run mm/ whole (fake_kernel.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake/fake_arch.h"
#include "fake/fake_kernel.h"
#include "fake/fake_phys.h"
#include "fake/fake_views.h"
#include <arch/mmu.h>
#include <arch/timer.h>
#include <kernel/printk.h>
#include <mm/fixmap.h>
#include <mm/mmu.h>
#include <mm/pfn.h>
#include <mm/sparse.h>

char fake_printk_last[256];
bool fake_printk_echo;
unsigned char *fake_vmemmap_host;

int vprintk(const char *fmt, va_list ap)
{
	char *s = fake_printk_last;
	int n = vsnprintf(fake_printk_last, sizeof(fake_printk_last), fmt, ap);
	size_t len;

	if (s[0] == KERN_SOH_ASCII && s[1])
		memmove(s, s + 2, strlen(s + 2) + 1);
	len = strlen(s);
	if (len && s[len - 1] == '\n')
		s[len - 1] = 0;
	if (fake_printk_echo)
		print_message("  | %s\n", s);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

u64 arch_counter_read(void)
{
	return 0;
}

u64 arch_counter_freq(void)
{
	return 62500000;
}

/* QEMU's max CPU: 48 bits; mm/ caps it at MAX_PHYSMEM_BITS. */
unsigned int arch_phys_addr_bits(void)
{
	return 48;
}

/* The fake arch has followed the new root since paging_init() cleared it. */
void arch_switch_kernel_tables(phys_addr_t root)
{
	const struct fake_table *t = fake_table_info(root);

	if (!t || t->state != FT_ROOT || !t->live)
		fake_fail("arch_switch_kernel_tables(%#lx): not the root paging_init() made", root);
}

/* The fixmap's tables are the early map's; the host has none to link. */
unsigned int fixmap_nr_tables(void)
{
	return 0;
}

phys_addr_t fixmap_table_phys(unsigned int index)
{
	fake_fail("fixmap_table_phys(%u): the host has no fixmap tables", index);
}

/*
 * An image of no size: paging_init() maps nothing of it. init_stack and
 * _end come from the link (memory_hotplug.mk): _end is the host's own.
 */
char _text[1];
extern char _etext[1] __attribute__((alias("_text")));
extern char __start_rodata[1] __attribute__((alias("_text")));
extern char __end_rodata[1] __attribute__((alias("_text")));
extern char _data[1] __attribute__((alias("_text")));
extern char init_stack_guard[1] __attribute__((alias("_text")));

void *fake_page_address(const struct page *page)
{
	u64 va = (u64)__va(PFN_PHYS(page_to_pfn(page)));
	void *p = fake_host_ptr(va);

	if (!p)
		fake_fail("page_address(pfn %#lx): %#lx is outside the linear-map window",
			  page_to_pfn(page), va);
	return p;
}
