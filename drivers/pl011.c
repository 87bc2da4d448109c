// SPDX-License-Identifier: GPL-2.0
/*
 * PL011 UART. Output is polled. Input is taken by the receive interrupt into
 * a ring buffer that the shell drains, so typing while a command runs is
 * not lost. When the ring is full the receive interrupt is masked and bytes
 * stay in the FIFO, so the sender is held back (QEMU delivers only what the
 * FIFO has room for) instead of bytes being dropped; draining the ring
 * unmasks it again.
 */
#include <arch/io.h>
#include <arch/irqflags.h>
#include <drivers/irq.h>
#include <drivers/pl011.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <mm/fixmap.h>
#include <mm/mmu.h>

#define UART_DR		0x00
#define DR_OE		BIT(11)		/* overrun: the FIFO was full, a byte was lost */
#define UART_FR		0x18
#define UART_LCRH	0x2c
#define UART_CR		0x30
#define UART_IMSC	0x38
#define UART_ICR	0x44
#define FR_RXFE		BIT(4)
#define FR_TXFF		BIT(5)
#define LCRH_FEN	BIT(4)
#define LCRH_WLEN_8	(3 << 5)
#define CR_UARTEN	BIT(0)
#define CR_TXE		BIT(8)
#define CR_RXE		BIT(9)
#define INT_RX		BIT(4)
#define INT_RT		BIT(6)

#define RX_BUF_SIZE	4096	/* a power of two */

static void *uart;
static u8 rx_buf[RX_BUF_SIZE];
static unsigned int rx_head, rx_tail;	/* head: written by the IRQ handler */
static bool rx_held;			/* ring full: RX interrupt masked */
static u64 rx_overruns;

static void pl011_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		while (readl(uart + UART_FR) & FR_TXFF)
			;
		writel((u8)s[i], uart + UART_DR);
	}
}

static const struct console earlycon = { .name = "earlycon", .write = pl011_write };
static const struct console pl011_con = { .name = "pl011", .write = pl011_write };

void pl011_earlycon_init(void)
{
	uart = (void *)fix_to_virt(FIX_EARLYCON);
	register_console(&earlycon);
}

int pl011_console_init(const struct dt_info *dt)
{
	void *base;

	if (!dt->uart_size || !dt->uart_pl011)
		return -ENODEV;
	base = ioremap(dt->uart_base, dt->uart_size);
	if (!base)
		return -ENOMEM;
	uart = base;
	writel(LCRH_WLEN_8 | LCRH_FEN, uart + UART_LCRH);	/* 8N1, 16-byte FIFOs */
	writel(CR_UARTEN | CR_TXE | CR_RXE, uart + UART_CR);
	register_console(&pl011_con);
	fixmap_clear(FIX_EARLYCON);
	return 0;
}

/*
 * Move bytes from the FIFO to the ring until one is empty or the other full.
 * A full ring masks the receive interrupt and leaves the rest in the FIFO
 * (flow control): QEMU raises the interrupt only when the FIFO goes from
 * empty to not empty, so whoever makes room must drain again, not wait.
 */
static void rx_drain(void)
{
	while (!(readl(uart + UART_FR) & FR_RXFE)) {
		u32 dr;

		if (rx_head - READ_ONCE(rx_tail) == RX_BUF_SIZE) {
			rx_held = true;
			writel(0, uart + UART_IMSC);
			return;
		}
		dr = readl(uart + UART_DR);
		if (dr & DR_OE)
			rx_overruns++;
		rx_buf[rx_head % RX_BUF_SIZE] = (u8)dr;
		WRITE_ONCE(rx_head, rx_head + 1);
	}
	if (rx_held) {
		rx_held = false;
		writel(INT_RX | INT_RT, uart + UART_IMSC);
	}
}

/*
 * Clear the interrupt before draining, not after: a byte that arrives
 * while we drain raises it again. Cleared afterwards, it could stay unseen
 * in a full FIFO that QEMU will not refill, and input would stop.
 */
static void pl011_rx_irq(unsigned int intid, void *data)
{
	writel(INT_RX | INT_RT, uart + UART_ICR);
	rx_drain();
}

int pl011_enable_rx_irq(const struct dt_info *dt)
{
	int ret;

	if (!dt->uart_irq.valid)
		return -ENODEV;
	ret = request_irq(dt->uart_irq.intid, dt->uart_irq.trigger, pl011_rx_irq, NULL);
	if (ret)
		return ret;
	writel(INT_RX | INT_RT, uart + UART_IMSC);
	return 0;
}

int pl011_getc(void)
{
	int c;

	if (READ_ONCE(rx_head) == rx_tail)
		return -1;
	c = rx_buf[rx_tail % RX_BUF_SIZE];
	WRITE_ONCE(rx_tail, rx_tail + 1);
	if (READ_ONCE(rx_held)) {
		unsigned long flags = arch_local_irq_save();

		rx_drain();	/* room again: take what waits in the FIFO */
		arch_local_irq_restore(flags);
	}
	return c;
}

u64 pl011_rx_overruns(void)
{
	return rx_overruns;
}
