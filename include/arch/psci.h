/* SPDX-License-Identifier: GPL-2.0 */
/* PSCI calls through the conduit /psci names (arch/aarch64/psci.c). */
#ifndef ARCH_PSCI_H
#define ARCH_PSCI_H

#include <drivers/fdt.h>

int psci_init(const struct dt_info *dt);
u32 psci_version(void);
void __attribute__((noreturn)) psci_system_off(void);
void __attribute__((noreturn)) psci_system_reset(void);
const char *psci_conduit(void);

#endif
