// SPDX-License-Identifier: GPL-2.0
/* Symbol lookup over the table scripts/kallsyms.py links into the image. */
#include <kernel/kallsyms.h>
#include <lib/printf.h>
#include <string.h>

extern const u64 kallsyms_num;
extern const u64 kallsyms_addrs[];
extern const u32 kallsyms_offsets[];
extern const char kallsyms_names[];
extern char _text[], _etext[];

const char *kallsyms_lookup(u64 addr, u64 *offset)
{
	u64 lo = 0, hi = kallsyms_num;

	if (addr < (u64)_text || addr >= (u64)_etext || !kallsyms_num)
		return NULL;
	/* Find the last symbol at or below addr. */
	while (hi - lo > 1) {
		u64 mid = (lo + hi) / 2;

		if (kallsyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (kallsyms_addrs[lo] > addr)
		return NULL;
	*offset = addr - kallsyms_addrs[lo];
	return &kallsyms_names[kallsyms_offsets[lo]];
}

u64 kallsyms_lookup_name(const char *name)
{
	for (u64 i = 0; i < kallsyms_num; i++)
		if (!strcmp(&kallsyms_names[kallsyms_offsets[i]], name))
			return kallsyms_addrs[i];
	return 0;
}

const char *kallsyms_format(u64 addr, char *buf, size_t size)
{
	u64 off;
	const char *name = kallsyms_lookup(addr, &off);

	if (name)
		snprintf(buf, size, "%s+0x%llx", name, (unsigned long long)off);
	else
		snprintf(buf, size, "0x%016llx", (unsigned long long)addr);
	return buf;
}
