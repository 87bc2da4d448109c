// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptor encode/decode for the VMSAv8-64 stage 1 format: the only code
 * that knows descriptor bits. It is also called with the MMU off by
 * boot/early_map.c, so it uses registers only: no memory, no absolute
 * addresses.
 */
#include <arch/pgtable.h>
#include <asm/pgtable-hwdef.h>

static u64 prot_bits(pgprot_t prot)
{
	u64 bits = PTE_AF | PTE_SH_INNER | PTE_UXN;

	if (prot & PROT_DEVICE)
		bits |= PTE_ATTRINDX(MT_DEVICE_nGnRE) | PTE_PXN;
	else
		bits |= PTE_ATTRINDX(MT_NORMAL);
	if (!(prot & PROT_WRITE))
		bits |= PTE_AP_RO;
	if (!(prot & PROT_EXEC))
		bits |= PTE_PXN;
	return bits;
}

pte_t arch_pte_mkleaf(phys_addr_t pa, int level, pgprot_t prot)
{
	u64 type = level == PGTABLE_LAST_LEVEL ? PTE_VALID | PTE_TABLE_BIT : PTE_VALID;

	return (pa & PTE_ADDR_MASK(PAGE_SHIFT)) | prot_bits(prot) | type;
}

pte_t arch_pte_mktable(phys_addr_t table, int level)
{
	return (table & PTE_ADDR_MASK(PAGE_SHIFT)) | PTE_TABLE_BIT | PTE_VALID;
}

enum pte_type arch_pte_type(pte_t pte, int level)
{
	if (!(pte & PTE_VALID))
		return PTE_INVALID;
	if (level == PGTABLE_LAST_LEVEL)
		return (pte & PTE_TABLE_BIT) ? PTE_PAGE : PTE_INVALID;
	if (pte & PTE_TABLE_BIT)
		return PTE_TABLE;
	/* A block where the granule has none (4K level 0, 16K level 1) faults. */
	return arch_block_allowed(level) ? PTE_BLOCK : PTE_INVALID;
}

phys_addr_t arch_pte_addr(pte_t pte, int level)
{
	return pte & PTE_ADDR_MASK(PAGE_SHIFT);
}

pgprot_t arch_pte_prot(pte_t pte, int level)
{
	pgprot_t prot = PROT_READ;

	if ((pte & PTE_ATTRINDX_MASK) == PTE_ATTRINDX(MT_DEVICE_nGnRE))
		prot |= PROT_DEVICE;
	if (!(pte & PTE_AP_RO))
		prot |= PROT_WRITE;
	if (!(pte & PTE_PXN))
		prot |= PROT_EXEC;
	return prot;
}

bool arch_pte_cont(pte_t pte, int level)
{
	return pte & PTE_CONT;
}

pte_t arch_pte_mkcont(pte_t pte, int level)
{
	return pte | PTE_CONT;
}

pte_t arch_pte_modify_prot(pte_t pte, int level, pgprot_t prot)
{
	u64 keep = PTE_ADDR_MASK(PAGE_SHIFT) | PTE_CONT | PTE_VALID | PTE_TABLE_BIT;

	return (pte & keep) | prot_bits(prot);
}

pte_t arch_pte_mknoncont(pte_t pte, int level)
{
	return pte & ~PTE_CONT;
}

void arch_set_pte(pte_t *ptep, pte_t pte)
{
	*(volatile pte_t *)ptep = pte;
}
