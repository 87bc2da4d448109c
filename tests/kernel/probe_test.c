// SPDX-License-Identifier: GPL-2.0
/*
 * Fault probing and the protections the final tables give: real accesses
 * through the MMU (QEMU's TLB is what a missing invalidation would leave
 * stale, so the accesses themselves are the check).
 */
#include <kernel/boot.h>
#include <layout.h>
#include <kernel/selftest.h>
#include <lib/errno.h>
#include <mm/memblock.h>
#include <mm/vmalloc.h>

static u64 probe_target = 0x1234abcd5678ef00ULL;

SELFTEST(probe_read_mapped)
{
	u64 v = 0;

	ST_EXPECT_EQ(probe_read(&probe_target, &v), 0);
	ST_EXPECT(v == probe_target);
	return 0;
}

SELFTEST(probe_read_unmapped_efault)
{
	struct vm_struct *area = get_vm_area(PAGE_SIZE, 0);
	u64 v = 0;
	int ret;

	/* A vmalloc area reserved but not mapped. */
	ST_EXPECT(area);
	ret = probe_read(area->addr, &v);
	free_vm_area(area);
	ST_EXPECT_EQ(ret, -EFAULT);
	return 0;
}

SELFTEST(probe_read_phys_addr_efault)
{
	u64 v = 0;

	/* TTBR0 is off: a RAM physical address is no kernel pointer. */
	ST_EXPECT_EQ(probe_read((void *)memblock_start_of_DRAM(), &v), -EFAULT);
	return 0;
}

SELFTEST(probe_write_text_faults)
{
	ST_EXPECT_EQ(probe_write((void *)_text, 0), -EFAULT);
	ST_EXPECT(*(volatile u32 *)_text != 0);
	return 0;
}

SELFTEST(probe_write_rodata_faults)
{
	ST_EXPECT_EQ(probe_write((void *)__start_rodata, 0), -EFAULT);
	return 0;
}

SELFTEST(probe_read_stack_guard_efault)
{
	u64 v;

	ST_EXPECT_EQ(probe_read((void *)init_stack_guard, &v), -EFAULT);
	return 0;
}
