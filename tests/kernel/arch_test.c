// SPDX-License-Identifier: GPL-2.0
/*
 * The system registers hotmm programs before the MMU goes on, read back and
 * compared with values written by hand from the Arm ARM (not from the
 * headers that build them). QEMU's TCG does not check SP alignment, so a
 * dropped SCTLR_EL1.SA would go unseen by any fault: reading the register
 * is what shows it.
 */
#include <kernel/selftest.h>
#include <layout.h>
#include <lib/errno.h>

#ifndef PAGE_SHIFT
#error "PAGE_SHIFT comes from layout.h"
#endif

#define mrs(r) ({ u64 __v; asm volatile("mrs %0, " #r : "=r"(__v)); __v; })

/* Fail with the register's name, both values and the bits that differ. */
static int expect_reg(const char *name, u64 got, u64 want, const char *const bit_names[64])
{
	u64 diff = got ^ want;

	if (!diff)
		return 0;
	printk("# %s = 0x%016llx, expected 0x%016llx; bits differing:", name,
	       (unsigned long long)got, (unsigned long long)want);
	for (int b = 0; b < 64; b++)
		if (diff & (1ULL << b))
			printk(" %d%s%s%s", b, bit_names && bit_names[b] ? " (" : "",
			       bit_names && bit_names[b] ? bit_names[b] : "",
			       bit_names && bit_names[b] ? ")" : "");
	printk("\n");
	return -EINVAL;
}

static const char *const sctlr_names[64] = {
	[0] = "M", [1] = "A", [2] = "C", [3] = "SA", [4] = "SA0", [11] = "EOS", [12] = "I",
	[19] = "WXN", [20] = "TSCXT", [22] = "EIS", [23] = "SPAN", [25] = "EE",
	[28] = "nTLSMD", [29] = "LSMAOE",
};

/*
 * SCTLR_EL1: M (MMU on), C and I (caches), SA (SP alignment check at EL1);
 * A, SA0, WXN, EE and everything else 0; and the bits ARMv8.0 made RES1,
 * which keep their v8.0 meaning where a later feature turned them into
 * controls: EOS 11, TSCXT 20, EIS 22, SPAN 23, nTLSMD 28, LSMAOE 29.
 */
SELFTEST(arch_sctlr_el1_bits)
{
	const u64 want = 1ULL << 0 | 1ULL << 2 | 1ULL << 3 | 1ULL << 12 |
			 1ULL << 11 | 1ULL << 20 | 1ULL << 22 | 1ULL << 23 | 1ULL << 28 | 1ULL << 29;
	u64 got = mrs(sctlr_el1);

	ST_EXPECT(want == 0x30d0180dULL);
	if (!(got & (1ULL << 3)))
		printk("# SCTLR_EL1.SA is clear: a misaligned SP would not fault\n");
	return expect_reg("SCTLR_EL1", got, want, sctlr_names);
}

static const char *const tcr_names[64] = {
	[7] = "EPD0", [14] = "TG0", [15] = "TG0", [23] = "EPD1", [30] = "TG1", [31] = "TG1",
	[32] = "IPS", [33] = "IPS", [34] = "IPS", [36] = "AS", [37] = "TBI0", [38] = "TBI1",
};

/*
 * TCR_EL1: T0SZ = T1SZ = 16 (48-bit VA); walks inner and outer write-back
 * write-allocate (IRGNn = ORGNn = 01), inner shareable (SHn = 11); TG0 and
 * TG1 for the build's granule (TG0: 4K 00, 16K 10, 64K 01; TG1: 4K 10,
 * 16K 01, 64K 11); EPD0 = 1 once TTBR0 is off; IPS = min(PARange, 48 bits).
 */
SELFTEST(arch_tcr_el1_bits)
{
	u64 parange = mrs(id_aa64mmfr0_el1) & 0xf;
	u64 ips = parange < 5 ? parange : 5;
	u64 want = 16 | 1ULL << 7 | 1ULL << 8 | 1ULL << 10 | 3ULL << 12 |
		   16ULL << 16 | 1ULL << 24 | 1ULL << 26 | 3ULL << 28 | ips << 32;

#if PAGE_SHIFT == 12
	want |= 0ULL << 14 | 2ULL << 30;
	ST_EXPECT((want & 0xffffffffULL) == 0xb5103590ULL);
#elif PAGE_SHIFT == 14
	want |= 2ULL << 14 | 1ULL << 30;
	ST_EXPECT((want & 0xffffffffULL) == 0x7510b590ULL);
#else
	want |= 1ULL << 14 | 3ULL << 30;
	ST_EXPECT((want & 0xffffffffULL) == 0xf5107590ULL);
#endif
	return expect_reg("TCR_EL1", mrs(tcr_el1), want, tcr_names);
}

/*
 * MAIR_EL1, the attribute index the descriptors carry: 0 Normal write-back
 * (0xff), 1 the same, 2 Normal non-cacheable (0x44), 3 Device-nGnRnE (0x00),
 * 4 Device-nGnRE (0x04), 5..7 unused (0x00).
 */
SELFTEST(arch_mair_el1_attrs)
{
	return expect_reg("MAIR_EL1", mrs(mair_el1), 0x000000040044ffffULL, NULL);
}
