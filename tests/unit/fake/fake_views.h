/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a host test that runs mm/ whole reads kernel memory (included
 * before every source with -include, so the defaults in include/mm/ step
 * aside). The kernel reads the memmap at VMEMMAP_START and page contents
 * through the linear map; the host cannot dereference those addresses, but
 * the fake arch shows every live leaf in a host window. So the memmap is
 * read in the vmemmap window, through the very mappings mm/vmemmap.c made,
 * and a page's contents in the linear-map window: an access that the real
 * tables do not map faults here too.
 */
#ifndef FAKE_VIEWS_H
#define FAKE_VIEWS_H

struct page;

/* The host address of the vmemmap window's first byte (VMEMMAP_START). */
extern unsigned char *fake_vmemmap_host;
/* @page's memory in the linear-map window (fake_kernel.c). */
void *fake_page_address(const struct page *page);

#define vmemmap_view()		((struct page *)fake_vmemmap_host)
#define page_address(page)	fake_page_address(page)

#endif
