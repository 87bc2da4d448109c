/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host builds of lib/ reach hotmm's own <ctype.h> through this directory
 * (tests/unit/lib.mk puts it on the include path), so it is the one tested.
 */
#include "../../../../include/libc/ctype.h"
