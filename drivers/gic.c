// SPDX-License-Identifier: GPL-2.0
/*
 * The GIC, v2 and v3 (DESIGN §5). Every interrupt is put in Group 1: on
 * GICv3 Group 0 would be signalled as FIQ. PPIs on GICv3 are configured in
 * this CPU's redistributor (found by GICR_TYPER affinity), SPIs in the
 * distributor and routed to this CPU.
 */
#include <arch/io.h>
#include <asm/sysreg.h>
#include <drivers/irq.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/kernel.h>
#include <mm/mmu.h>

#define GICD_CTLR		0x000
#define GICD_TYPER		0x004
#define GICD_IGROUPR		0x080
#define GICD_ISENABLER		0x100
#define GICD_IPRIORITYR		0x400
#define GICD_ITARGETSR		0x800
#define GICD_ICFGR		0xc00
#define GICD_IROUTER		0x6000
#define GICD_CTLR_RWP		BIT(31)

#define GICC_CTLR		0x00
#define GICC_PMR		0x04
#define GICC_IAR		0x0c
#define GICC_EOIR		0x10

#define GICR_TYPER		0x08
#define GICR_WAKER		0x14
#define GICR_SGI_BASE		0x10000
#define GICR_FRAME_SIZE		0x20000
#define GICR_TYPER_LAST		BIT(4)
#define WAKER_PROCESSOR_SLEEP	BIT(1)
#define WAKER_CHILDREN_ASLEEP	BIT(2)

#define IRQ_PRIORITY		0xa0
#define INTID_SPURIOUS		1020

struct irq_desc {
	irq_handler_t handler;
	void *data;
	u64 count;
};

static struct irq_desc irq_descs[NR_IRQS];
static int gic_version;
static void *gicd, *gicc, *gicr_sgi;	/* gicr_sgi: this CPU's SGI/PPI frame */

static void gicd_wait_rwp(void)
{
	for (int i = 0; i < 1000000 && (readl(gicd + GICD_CTLR) & GICD_CTLR_RWP); i++)
		;
}

/* Find this CPU's redistributor by affinity and wake it up. */
static int gicr_init(const struct dt_info *dt)
{
	u64 mpidr = read_sysreg(mpidr_el1);
	u32 aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
	void *rd = ioremap(dt->gicr_base, dt->gicr_size);

	if (!rd)
		return -ENOMEM;
	for (u64 off = 0; off + GICR_FRAME_SIZE <= dt->gicr_size; off += GICR_FRAME_SIZE) {
		u64 typer = readq(rd + off + GICR_TYPER);

		if ((typer >> 32) == aff) {
			writel(readl(rd + off + GICR_WAKER) & ~WAKER_PROCESSOR_SLEEP,
			       rd + off + GICR_WAKER);
			while (readl(rd + off + GICR_WAKER) & WAKER_CHILDREN_ASLEEP)
				;
			gicr_sgi = rd + off + GICR_SGI_BASE;
			return 0;
		}
		if (typer & GICR_TYPER_LAST)
			break;
	}
	pr_err("gic: no redistributor for affinity %#x\n", aff);
	return -ENODEV;
}

static void gicv3_cpu_init(void)
{
	write_sysreg_s(read_sysreg_s("S3_0_C12_C12_5") | ICC_SRE_SRE, "S3_0_C12_C12_5");
	isb();
	write_sysreg_s(0xff, "S3_0_C4_C6_0");		/* ICC_PMR_EL1: let all through */
	write_sysreg_s(0, "S3_0_C12_C12_3");		/* ICC_BPR1_EL1 */
	write_sysreg_s(1, "S3_0_C12_C12_7");		/* ICC_IGRPEN1_EL1 */
	isb();
}

int gic_init(const struct dt_info *dt)
{
	int ret;

	if (dt->gic_version == DT_GIC_NONE)
		return -ENODEV;
	gic_version = dt->gic_version;
	gicd = ioremap(dt->gicd_base, dt->gicd_size);
	if (!gicd)
		return -ENOMEM;
	writel(0, gicd + GICD_CTLR);
	gicd_wait_rwp();
	if (gic_version == 3) {
		ret = gicr_init(dt);
		if (ret)
			return ret;
		/* ARE, EnableGrp1, EnableGrp0 (single security state). */
		writel(BIT(4) | BIT(1) | BIT(0), gicd + GICD_CTLR);
		gicd_wait_rwp();
		gicv3_cpu_init();
	} else {
		gicc = ioremap(dt->gicc_base, dt->gicc_size);
		if (!gicc)
			return -ENOMEM;
		writel(BIT(1) | BIT(0), gicd + GICD_CTLR);
		writel(0xff, gicc + GICC_PMR);
		/* EnableGrp0, EnableGrp1, AckCtl: IAR also acknowledges Group 1. */
		writel(BIT(0) | BIT(1) | BIT(2), gicc + GICC_CTLR);
	}
	return 0;
}

/* Registers of @intid: the redistributor's SGI frame for PPIs on v3. */
static void *intid_regs(unsigned int intid)
{
	return (gic_version == 3 && intid < 32) ? gicr_sgi : gicd;
}

static void set_bit_reg(void *base, unsigned int reg, unsigned int intid, bool on)
{
	void *addr = base + reg + (intid / 32) * 4;
	u32 v = readl(addr);

	v = on ? v | BIT(intid % 32) : v & ~BIT(intid % 32);
	writel(v, addr);
}

static void configure(unsigned int intid, enum irq_trigger trigger)
{
	void *base = intid_regs(intid);
	void *cfg = base + GICD_ICFGR + (intid / 16) * 4;
	void *prio = base + GICD_IPRIORITYR + (intid & ~3U);
	unsigned int shift = (intid % 16) * 2 + 1;
	u32 v;

	set_bit_reg(base, GICD_IGROUPR, intid, true);
	v = readl(cfg);
	v = trigger == IRQ_TRIGGER_EDGE ? v | BIT(shift) : v & ~BIT(shift);
	writel(v, cfg);
	v = readl(prio) & ~(0xffU << (intid % 4) * 8);
	writel(v | IRQ_PRIORITY << (intid % 4) * 8, prio);
	if (intid >= 32 && gic_version == 3) {
		writeq(read_sysreg(mpidr_el1) & 0xff00ffffffUL, gicd + GICD_IROUTER + intid * 8);
	} else if (intid >= 32) {
		void *tgt = gicd + GICD_ITARGETSR + (intid & ~3U);

		writel(readl(tgt) | 1U << (intid % 4) * 8, tgt);	/* CPU interface 0 */
	}
	writel(BIT(intid % 32), base + GICD_ISENABLER + (intid / 32) * 4);
	if (gic_version == 3 && intid >= 32)
		gicd_wait_rwp();
}

int request_irq(unsigned int intid, enum irq_trigger trigger,
		irq_handler_t handler, void *data)
{
	if (intid < 16 || intid >= NR_IRQS || !handler || !gic_version)
		return -EINVAL;
	if (irq_descs[intid].handler)
		return -EBUSY;
	irq_descs[intid].handler = handler;
	irq_descs[intid].data = data;
	configure(intid, trigger);
	return 0;
}

static u32 gic_ack(void)
{
	if (gic_version == 3)
		return read_sysreg_s("S3_0_C12_C12_0") & 0xffffff;	/* ICC_IAR1_EL1 */
	return readl(gicc + GICC_IAR) & 0x3ff;
}

static void gic_eoi(u32 iar)
{
	if (gic_version == 3) {
		write_sysreg_s(iar, "S3_0_C12_C12_1");			/* ICC_EOIR1_EL1 */
		isb();
	} else {
		writel(iar, gicc + GICC_EOIR);
	}
}

void irq_handle(void)
{
	for (;;) {
		u32 iar = gic_ack();
		u32 intid = iar & 0x3ff;

		if (intid >= INTID_SPURIOUS)	/* nothing (more) pending */
			return;
		irq_descs[intid].count++;
		if (irq_descs[intid].handler)
			irq_descs[intid].handler(intid, irq_descs[intid].data);
		gic_eoi(iar);
	}
}

u64 irq_count(unsigned int intid)
{
	return intid < NR_IRQS ? irq_descs[intid].count : 0;
}

bool irq_requested(unsigned int intid)
{
	return intid < NR_IRQS && irq_descs[intid].handler;
}

const char *gic_name(void)
{
	return gic_version == 3 ? "GICv3" : gic_version == 2 ? "GICv2" : "none";
}
