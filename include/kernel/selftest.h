/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel self-tests (kernel/selftest.c). A case returns 0 when it passes,
 * a negative errno otherwise, after printing "# ..." diagnostics; -EOPNOTSUPP
 * means skipped. `selftest` prints KTAP (Documentation/dev-tools/ktap.rst).
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <kernel/printk.h>
#include <lib/kernel.h>

struct selftest {
	const char *name;
	int (*fn)(void);
};

#define SELFTEST(_name)								\
	static int selftest_##_name(void);					\
	static const struct selftest __selftest_##_name				\
	__attribute__((used, section(".selftests"), aligned(8))) = {		\
		.name = #_name, .fn = selftest_##_name,				\
	};									\
	static int selftest_##_name(void)

/* Fail the case with a diagnostic unless @cond holds. */
#define ST_EXPECT(cond) do {							\
	if (!(cond)) {								\
		printk("# %s:%d: expected %s\n", __FILE__, __LINE__, #cond);	\
		return -EINVAL;							\
	}									\
} while (0)

#define ST_EXPECT_EQ(a, b) do {							\
	long long __a = (long long)(a), __b = (long long)(b);			\
	if (__a != __b) {							\
		printk("# %s:%d: %s == %lld, expected %lld\n", __FILE__,	\
		       __LINE__, #a, __a, __b);					\
		return -EINVAL;							\
	}									\
} while (0)

/* probe_read()/probe_write(): one 64-bit access; -EFAULT if it faults. */
int probe_read(const void *addr, u64 *val);
/* probe_read32(): one 32-bit read; -EFAULT if it faults. */
int probe_read32(const void *addr, u32 *val);
int probe_write(void *addr, u64 val);
/* Call @addr (expected not to be executable); -EFAULT if the fetch faults. */
int probe_exec(const void *addr);

#endif
