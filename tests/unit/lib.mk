# Host unit tests of lib/: string, number parsing and formatting.
#
# lib_rename.h renames the C library names lib/ defines to hotmm_* (so the
# host C library stays available for comparison); lib_libc/ supplies
# hotmm's own <ctype.h>. -fno-builtin keeps GCC from treating our calls as
# the C library's and evaluating or replacing them itself.
lib-unit-cflags := -fno-builtin -Itests/unit/fake/lib_libc \
	-include tests/unit/fake/lib_rename.h

UNIT_TESTS += string parse vsprintf

string-srcs := lib/string.c
string-cflags := $(lib-unit-cflags)

parse-srcs := lib/parse.c lib/string.c tests/unit/fake/lib_host_ctype.c
parse-cflags := $(lib-unit-cflags)

vsprintf-srcs := lib/vsprintf.c lib/string.c
vsprintf-cflags := $(lib-unit-cflags)

# The framework does not track headers; rebuild when the ones used here change.
# ($(B) is set by the top Makefile; $(UB) is not defined yet at this point.)
lib-unit-deps := include/libc/ctype.h include/libc/string.h \
	include/libc/stdlib.h include/libc/limits.h include/lib/parse.h \
	include/lib/printf.h include/lib/kernel.h include/lib/errno.h \
	tests/unit/fake/lib_libc/ctype.h
$(B)/unit/string $(B)/unit/parse $(B)/unit/vsprintf: $(lib-unit-deps)
