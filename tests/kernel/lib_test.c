// SPDX-License-Identifier: GPL-2.0
/* lib/ as the kernel build compiles it (the host tests cover it in depth). */
#include <kernel/selftest.h>
#include <lib/errno.h>
#include <lib/parse.h>
#include <lib/printf.h>
#include <string.h>

SELFTEST(lib_snprintf_formats)
{
	char buf[64];

	ST_EXPECT_EQ(snprintf(buf, sizeof(buf), "%d|%5u|%-4x|%#llx", -42, 7U, 0xabU,
			      0x1234567890ULL), 27);
	ST_EXPECT(!strcmp(buf, "-42|    7|ab  |0x1234567890"));
	ST_EXPECT_EQ(snprintf(buf, 4, "%s", "truncated"), 9);
	ST_EXPECT(!strcmp(buf, "tru"));
	return 0;
}

SELFTEST(lib_parse_size_suffixes)
{
	u64 v = 0;

	ST_EXPECT_EQ(parse_size("512M", &v), 0);
	ST_EXPECT(v == 512ULL << 20);
	ST_EXPECT_EQ(parse_size("0x40000000", &v), 0);
	ST_EXPECT(v == 0x40000000ULL);
	ST_EXPECT_EQ(parse_size("17179869184G", &v), -ERANGE);
	ST_EXPECT_EQ(parse_size("12x", &v), -EINVAL);
	return 0;
}

SELFTEST(lib_string_memmove_overlap)
{
	char buf[16] = "0123456789";

	memmove(buf + 2, buf, 8);
	ST_EXPECT(!memcmp(buf, "0101234567", 10));
	memmove(buf, buf + 2, 8);
	ST_EXPECT(!memcmp(buf, "0123456767", 10));
	ST_EXPECT_EQ(strnlen("abc", 2), 2);
	return 0;
}
