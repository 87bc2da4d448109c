/* SPDX-License-Identifier: GPL-2.0 */
/* The PL011 UART: early console through the fixmap, then the DT's console. */
#ifndef DRIVERS_PL011_H
#define DRIVERS_PL011_H

#include <drivers/fdt.h>

/* Polled output on the virt board's PL011, mapped at a fixmap slot. */
void pl011_earlycon_init(void);
/*
 * The UART /chosen/stdout-path names: mapped in the I/O area, becomes the
 * console; receive is interrupt driven. Return: 0 or -ENODEV/-ENOMEM.
 */
int pl011_console_init(const struct dt_info *dt);
/* Enable the receive interrupt (after the GIC is up). */
int pl011_enable_rx_irq(const struct dt_info *dt);
/* The next received byte, or -1 when none is waiting. */
int pl011_getc(void);
/* Bytes dropped because the receive buffer was full. */
u64 pl011_rx_overruns(void);

#endif
