// SPDX-License-Identifier: GPL-2.0
/* should_fail(): counted fault injection for mm allocation sites. */
#include <mm/fault_inject.h>

struct fail_site_state {
	const char *name;
	unsigned long every;
	unsigned long calls;
	unsigned long failures;
};

static struct fail_site_state sites[NR_FAIL_SITES] = {
	[FAIL_VMEMMAP_BLOCK] = { .name = "vmemmap_block" },
	[FAIL_VMEMMAP_CONT] = { .name = "vmemmap_cont" },
	[FAIL_VMEMMAP_PAGE] = { .name = "vmemmap_page" },
	[FAIL_PGTABLE] = { .name = "pgtable" },
	[FAIL_PAGE_ALLOC] = { .name = "page_alloc" },
	[FAIL_MEMBLOCK] = { .name = "memblock" },
	[FAIL_VMALLOC_BLOCK] = { .name = "vmalloc_block" },
	[FAIL_VMALLOC_CONT] = { .name = "vmalloc_cont" },
};

static unsigned long nth, all_calls;
static const char *nth_site;	/* where fail_nth struck, once it has */

bool should_fail(enum fail_site site)
{
	struct fail_site_state *s = &sites[site];
	bool fail, fail_nth = nth && all_calls + 1 == nth;

	s->calls++;
	all_calls++;
	fail = (s->every && s->calls % s->every == 0) || fail_nth;
	if (fail_nth)
		nth_site = s->name;
	if (fail)
		s->failures++;
	return fail;
}

const char *fail_nth_site(void)
{
	return nth_site;
}

void fail_site_every(enum fail_site site, unsigned long every)
{
	sites[site].every = every;
	sites[site].calls = 0;
}

unsigned long fail_site_get_every(enum fail_site site)
{
	return sites[site].every;
}

void fail_nth_set(unsigned long n)
{
	nth = n ? all_calls + n : 0;
}

unsigned long fail_site_calls(enum fail_site site)
{
	return sites[site].calls;
}

unsigned long fail_site_failures(enum fail_site site)
{
	return sites[site].failures;
}

const char *fail_site_name(enum fail_site site)
{
	return sites[site].name;
}
