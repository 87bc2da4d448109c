// SPDX-License-Identifier: GPL-2.0
/*
 * The first page tables, built with the MMU off (DESIGN §5).
 *
 * Everything here runs at the physical address the image was loaded at:
 * tables are written through their physical addresses, globals are reached
 * PC-relative, and nothing uses an absolute address (the build checks).
 * Descriptors come from the same arch_pte_*() encoders mm/ uses later.
 *
 * Two tables are built from a pool in .bss:
 *   TTBR0  identity map of the image, to survive the instant the MMU turns on;
 *   TTBR1  the image at KIMAGE_TEXT (one RWX mapping: W^X comes with the final
 *          tables), and the fixmap's last-level tables with the early
 *          console and the DTB window filled in.
 * mm/mmu.c replaces both once memblock can hand out pages.
 */
#include <arch/pgtable.h>
#include <asm/sysreg.h>
#include <kernel/boot.h>
#include <lib/kernel.h>

#define EARLY_POOL_PAGES	16

static u8 early_pool[EARLY_POOL_PAGES * PAGE_SIZE] __aligned(PAGE_SIZE);
static unsigned int early_pool_used;

struct boot_info boot_info;

struct early_ttbrs {
	u64 ttbr0;
	u64 ttbr1;
};

/* Write @s to the virt board's PL011 by its physical address. */
void early_puts(const char *s)
{
	volatile u32 *uart = (volatile u32 *)EARLYCON_PHYS;

	for (; *s; s++) {
		while (uart[0x18 / 4] & (1 << 5))	/* FR.TXFF */
			;
		uart[0] = (u8)*s;
	}
}

static void early_puthex(u64 v)
{
	char digit[2] = { 0, 0 };

	early_puts("0x");
	for (int shift = 60; shift >= 0; shift -= 4) {
		unsigned int d = (v >> shift) & 0xf;

		digit[0] = d < 10 ? '0' + d : 'a' + d - 10;
		early_puts(digit);
	}
}

/* PSCI SYSTEM_OFF through the conduit QEMU gives this EL: smc from EL2, else hvc. */
static void __noreturn early_poweroff(u64 el)
{
	register u64 x0 asm("x0") = 0x84000008;

	if (el == 2)
		asm volatile("smc #0" : "+r"(x0) : : "memory");
	else
		asm volatile("hvc #0" : "+r"(x0) : : "memory");
	for (;;)
		wfi();
}

static void __noreturn early_fail(const char *why, u64 el)
{
	early_puts("hotmm: early boot failed: ");
	early_puts(why);
	early_puts("\r\n");
	early_poweroff(el);
}

/*
 * An unsupported TG value is IMPLEMENTATION DEFINED and tends to hang, so
 * check ID_AA64MMFR0_EL1 before the MMU goes on.
 */
static void early_check_granule(u64 el)
{
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	bool ok;

	if (PAGE_SHIFT == 12)
		ok = MMFR0_TGRAN4(mmfr0) != 0xf;
	else if (PAGE_SHIFT == 14)
		ok = MMFR0_TGRAN16(mmfr0) != 0;
	else
		ok = MMFR0_TGRAN64(mmfr0) != 0xf;
	if (ok)
		return;
	early_puts("hotmm: this CPU does not support the " PAGE_SIZE_NAME
		   " translation granule (ID_AA64MMFR0_EL1 = ");
	early_puthex(mmfr0);
	early_puts(").\r\nhotmm: use a CPU that does (e.g. --cpu max) or another PAGE_SIZE. Powering off.\r\n");
	early_poweroff(el);
}

static phys_addr_t early_alloc_table(u64 el)
{
	if (early_pool_used == EARLY_POOL_PAGES)
		early_fail("early page-table pool exhausted", el);
	/* .bss was cleared by entry.S, so the page is already empty. */
	return (phys_addr_t)&early_pool[early_pool_used++ * PAGE_SIZE];
}

/* The entry for @va at @stop_level, creating tables on the way down. */
static pte_t *early_walk(phys_addr_t root, u64 va, int stop_level, u64 el)
{
	pte_t *table = (pte_t *)root;

	for (int level = PGTABLE_START_LEVEL; level < stop_level; level++) {
		pte_t *ptep = &table[level_index(va, level)];

		if (arch_pte_type(*ptep, level) == PTE_INVALID)
			*ptep = arch_pte_mktable(early_alloc_table(el), level);
		else if (arch_pte_type(*ptep, level) != PTE_TABLE)
			early_fail("early mappings overlap", el);
		table = (pte_t *)arch_pte_addr(*ptep, level);
	}
	return &table[level_index(va, stop_level)];
}

/* Map [va, va + size) to pa, with blocks where VA, PA and size allow. */
static void early_map(phys_addr_t root, u64 va, phys_addr_t pa, u64 size,
		      pgprot_t prot, u64 el)
{
	while (size) {
		int level = PGTABLE_START_LEVEL;
		pte_t *ptep;

		while (level < PGTABLE_LAST_LEVEL &&
		       !(arch_block_allowed(level) && size >= level_size(level) &&
			 IS_ALIGNED(va | pa, level_size(level))))
			level++;
		ptep = early_walk(root, va, level, el);
		if (arch_pte_type(*ptep, level) != PTE_INVALID)
			early_fail("early mappings overlap", el);
		*ptep = arch_pte_mkleaf(pa, level, prot);
		va += level_size(level);
		pa += level_size(level);
		size -= level_size(level);
	}
}

static u32 be32_at(phys_addr_t pa)
{
	const volatile u8 *p = (const volatile u8 *)pa;

	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* Fixmap: its last-level tables now, so later code only writes entries. */
static void early_fixmap(phys_addr_t root, u64 el)
{
	u64 span = level_size(PGTABLE_LAST_LEVEL - 1);
	u64 first = ALIGN_DOWN(FIXADDR_START, span);
	/* Counted, not compared: first + n * span wraps past the top of the space. */
	unsigned int n = DIV_ROUND_UP(FIXADDR_TOP - first, span);

	for (unsigned int i = 0; i < n; i++) {
		pte_t *ptep = early_walk(root, first + i * span, PGTABLE_LAST_LEVEL, el);

		boot_info.fixmap_pte_pa[i] = ALIGN_DOWN((phys_addr_t)ptep, PAGE_SIZE);
	}
	boot_info.nr_fixmap_pte = n;
	early_map(root, fix_to_virt(FIX_EARLYCON), EARLYCON_PHYS, PAGE_SIZE, PAGE_DEVICE, el);
}

/* The DTB, read-only, in the fixmap window; its size from its own header. */
static void early_map_dtb(phys_addr_t root, u64 dtb, u64 el)
{
	u64 offset = dtb & (PAGE_SIZE - 1);
	u64 size;

	if (!dtb)
		return;
	size = be32_at(dtb + 4);
	if (size > MAX_FDT_SIZE)
		size = MAX_FDT_SIZE;	/* fdt_scan() reports it as truncated */
	early_map(root, fix_to_virt(FIX_FDT), dtb - offset,
		  ALIGN(offset + size, PAGE_SIZE), PAGE_KERNEL_RO, el);
	boot_info.dtb_va = fix_to_virt(FIX_FDT) + offset;
}

/*
 * early_setup() - called by entry.S at EL1 with the MMU off.
 * Return: the TTBR0 (identity) and TTBR1 (kernel) tables to turn on.
 */
struct early_ttbrs early_setup(struct boot_info *bi, u64 dtb, u64 image_pa,
			       u64 el, u64 mode)
{
	u64 image_size = ALIGN((u64)(_end - _head), PAGE_SIZE);
	struct early_ttbrs t;

	early_check_granule(el);
	bi->dtb_pa = dtb;
	bi->image_pa = image_pa;
	bi->entry_el = el;
	bi->mode = mode;

	t.ttbr0 = early_alloc_table(el);
	early_map(t.ttbr0, image_pa, image_pa, image_size, PAGE_KERNEL_EXEC, el);
	t.ttbr1 = early_alloc_table(el);
	early_map(t.ttbr1, KIMAGE_TEXT, image_pa, image_size, PAGE_KERNEL_EXEC, el);
	early_fixmap(t.ttbr1, el);
	early_map_dtb(t.ttbr1, dtb, el);
	return t;
}
