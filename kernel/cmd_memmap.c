// SPDX-License-Identifier: GPL-2.0
/*
 * `memmap`: a memory block drawn as rows of cells, one character per page or
 * per group of pages, so that where a block's memmap, its padding and its
 * page tables sit, and which pages are free, allocated, isolated or
 * offline, shows at a glance. `memmap` alone draws one line per block.
 *
 * `isolate` and `unisolate` isolate one pageblock as offlining does first
 * (set_migratetype_isolate()) and undo it, so that state can be seen too.
 *
 *   memory block 12 (pfn 0x60000-0x67fff): hot-added, online in Movable, node 0
 *       0x60000  MMMMMMMM...M      the block's own struct pages (PageVmemmap)
 *       0x60200  pppppppp...p      the rest of the reservation (force mode)
 *       0x60400  ..##........      usable pages: free, allocated, ...
 *   *                              rows like the one above
 *
 * Drawing one block initialises its struct pages first if deferred init
 * has not reached them; the overview leaves them be and shows them as 'd'.
 */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <mm/deferred_init.h>
#include <mm/memblock.h>
#include <mm/memory.h>
#include <mm/page_alloc.h>
#include <mm/pfn.h>
#include <mm/sparse.h>
#include <string.h>

/* What a page is to the picture; a cell of several pages shows the first kind any of them is. */
enum cell_kind {
	CELL_MEMMAP, CELL_TABLE, CELL_PADDING, CELL_RESERVED, CELL_ISOLATED,
	CELL_ALLOCATED, CELL_OFFLINE, CELL_FREE, CELL_DEFERRED, CELL_HOLE, NR_CELL_KINDS
};

static const char cell_char[NR_CELL_KINDS + 1] = "MTpRI#o.d_";
static const char *const cell_name[NR_CELL_KINDS] = {
	"memmap", "page table", "padding", "reserved", "isolated", "allocated", "offline",
	"free", "deferred", "no memory",
};

#define CELLS_PER_ROW	64
#define MAX_CELLS	4096	/* the default cell size keeps a block within 64 rows */

/* Free blocks met so far by a walk in ascending pfn order (see page_is_free()). */
struct free_walk {
	unsigned long pos;	/* the next pfn to look at */
	unsigned long free_end;	/* the end of the last free block found */
};

static void free_walk_init(struct free_walk *w, unsigned long start)
{
	/* A free block holding @start has its head at or after this. */
	w->pos = ALIGN_DOWN(start, 1UL << MAX_PAGE_ORDER);
	w->free_end = 0;
}

/*
 * Whether @pfn is in a free buddy block; @pfn must not decrease between
 * calls. Free blocks are naturally aligned and disjoint, so stepping page
 * by page and over each free block met visits every head before its pages.
 */
static bool page_is_free(struct free_walk *w, unsigned long pfn)
{
	while (w->pos <= pfn) {
		struct page *page = pfn_valid(w->pos) ? pfn_to_page(w->pos) : NULL;

		/* Struct pages deferred init has not written yet are not read. */
		if (section_deferred(pfn_to_section_nr(w->pos))) {
			w->pos = section_nr_to_pfn(pfn_to_section_nr(w->pos) + 1);
			continue;
		}
		if (page && PageBuddy(page)) {
			w->free_end = w->pos + (1UL << page->private);
			w->pos = w->free_end;
		} else {
			w->pos++;
		}
	}
	return pfn < w->free_end;
}

static bool is_table(const struct memory_block *mem, unsigned long pfn)
{
	for (unsigned int i = 0; i < mem->nr_tables; i++)
		if (mem->table_pfn[i] == pfn)
			return true;
	return false;
}

static bool is_memory(unsigned long pfn)
{
	phys_addr_t pa = PFN_PHYS(pfn);

	for_each_mem_region(r)
		if (pa >= r->base && pa - r->base < r->size)
			return true;
	return false;
}

/* The state of a usable page: isolated, free or allocated (or reserved). */
static enum cell_kind usable_kind(struct free_walk *w, unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);

	if (PageOffline(page))
		return CELL_OFFLINE;
	if (get_pageblock_migratetype(pfn) == MIGRATE_ISOLATE)
		return CELL_ISOLATED;
	if (page_is_free(w, pfn))
		return CELL_FREE;
	return PageReserved(page) ? CELL_RESERVED : CELL_ALLOCATED;
}

/* What page @pfn of @mem is; the same roles as `pfn` names (kernel/cmd_mem.c). */
static enum cell_kind page_kind(const struct memory_block *mem, struct free_walk *w,
				unsigned long pfn)
{
	if (mem->boot) {
		if (!pfn_valid(pfn) || !is_memory(pfn))
			return CELL_HOLE;
		if (section_deferred(pfn_to_section_nr(pfn)))
			return CELL_DEFERRED;
		if (PageReserved(pfn_to_page(pfn)))
			return CELL_RESERVED;
		return usable_kind(w, pfn);
	}
	if (is_table(mem, pfn))
		return CELL_TABLE;
	if (pfn < memory_block_usable_start(mem))
		return PageVmemmap(pfn_to_page(pfn)) ? CELL_MEMMAP : CELL_PADDING;
	if (pfn >= memory_block_usable_end(mem))
		return CELL_PADDING;	/* where a table that moved out was */
	return usable_kind(w, pfn);
}

/* The cell of @per pages from @pfn: the first kind, in enum order, any of them is. */
static char cell(const struct memory_block *mem, struct free_walk *w, unsigned long pfn,
		 unsigned long per)
{
	enum cell_kind k = NR_CELL_KINDS;

	for (unsigned long i = 0; i < per; i++)
		k = min(k, page_kind(mem, w, pfn + i));
	return cell_char[k];
}

/* What a cell and a row are, then the legend. */
static void print_legend(unsigned long per, bool rows)
{
	printk("one cell = %lu page%s", per, per == 1 ? "" : "s");
	if (per > 1)
		printk(" (the first of %s any of them is)", cell_char);
	if (rows)
		printk(", a row = %d cells, * = rows as above\n", CELLS_PER_ROW);
	else
		printk(", a line = a block\n");
	for (int k = 0; k < NR_CELL_KINDS; k++)
		printk("%s%c %s", k ? "  " : "", cell_char[k], cell_name[k]);
	printk("\n");
}

static void print_block_line(const struct memory_block *mem)
{
	unsigned long start = memory_block_start_pfn(mem);

	printk("memory block %lu (pfn %#lx-%#lx): %s, %s%s%s, node %d\n", mem->id, start,
	       start + memory_block_pages() - 1, mem->boot ? "boot memory" : "hot-added",
	       memory_block_state_name(mem->state), mem->zone ? " in " : "",
	       mem->zone ? mem->zone->name : "", mem->nid);
}

/* Rows of CELLS_PER_ROW cells; a row like the one before it is printed once, then "*". */
static void draw_block(const struct memory_block *mem, unsigned long per)
{
	unsigned long start = memory_block_start_pfn(mem), end = start + memory_block_pages();
	char row[CELLS_PER_ROW + 1], prev[CELLS_PER_ROW + 1] = "";
	bool starred = false;
	struct free_walk w;

	free_walk_init(&w, start);
	for (unsigned long pfn = start; pfn < end; pfn += per * CELLS_PER_ROW) {
		for (int c = 0; c < CELLS_PER_ROW; c++)
			row[c] = cell(mem, &w, pfn + c * per, per);
		row[CELLS_PER_ROW] = '\0';
		if (!strcmp(row, prev)) {
			if (!starred)
				printk("*\n");
			starred = true;
			continue;
		}
		printk("%#10lx  %s\n", pfn, row);
		memcpy(prev, row, sizeof(row));
		starred = false;
	}
}

/* The block with the lowest id above @after (~0UL: the first), or NULL. */
static const struct memory_block *next_block(unsigned long after)
{
	const struct memory_block *best = NULL;

	for_each_memory_block(mem)
		if ((after == ~0UL || mem->id > after) && (!best || mem->id < best->id))
			best = mem;
	return best;
}

/* One line per block, CELLS_PER_ROW cells each. */
static int memmap_overview(void)
{
	unsigned long per = memory_block_pages() / CELLS_PER_ROW;
	char row[CELLS_PER_ROW + 1];

	print_legend(per, false);
	printk("block  state          cells\n");
	for (const struct memory_block *mem = next_block(~0UL); mem; mem = next_block(mem->id)) {
		unsigned long start = memory_block_start_pfn(mem);
		struct free_walk w;

		free_walk_init(&w, start);
		for (int c = 0; c < CELLS_PER_ROW; c++)
			row[c] = cell(mem, &w, start + c * per, per);
		row[CELLS_PER_ROW] = '\0';
		printk("%5lu  %-13s  %s\n", mem->id, memory_block_state_name(mem->state), row);
	}
	return 0;
}

static int cmd_memmap(int argc, char **argv)
{
	unsigned long pages = memory_block_pages(), per;
	const struct memory_block *mem;
	u64 id, v;

	if (argc == 1)
		return memmap_overview();
	if (argc > 3)
		return shell_usage(argv[0]);
	if (shell_parse_u64(argv[1], "block", &id))
		return -EINVAL;
	mem = find_memory_block(id);
	if (!mem) {
		printk("error: no memory block %llu (memblocks lists them)\n", (unsigned long long)id);
		return -ENOENT;
	}
	per = pages > MAX_CELLS ? pages / MAX_CELLS : 1;
	if (argc == 3) {
		if (shell_parse_u64(argv[2], "pages", &v))
			return -EINVAL;
		if (!v || (v & (v - 1)) || v > pages / CELLS_PER_ROW) {
			printk("error: pages a cell must be a power of two from 1 to %lu\n",
			       pages / CELLS_PER_ROW);
			return -EINVAL;
		}
		per = v;
	}
	deferred_init_pfn_range(memory_block_start_pfn(mem),
				memory_block_start_pfn(mem) + memory_block_pages());
	print_block_line(mem);
	print_legend(per, true);
	draw_block(mem, per);
	return 0;
}
SHELL_CMD(memmap, cmd_memmap, "[ID [PAGES]]",
	  "draw a block's pages: memmap, padding, tables, free, allocated, ...; alone, every block");

/* The pageblock holding @argv[1], which must be online memory. */
static int parse_pageblock(char **argv, unsigned long *pb)
{
	u64 pfn;

	if (shell_parse_u64(argv[1], "pfn", &pfn))
		return -EINVAL;
	if (!(pfn >> (MAX_PHYSMEM_BITS - PAGE_SHIFT)))
		deferred_init_pfn_range(pfn, pfn + 1);	/* its struct pages are read next */
	if (pfn >> (MAX_PHYSMEM_BITS - PAGE_SHIFT) || !pfn_to_online_page(pfn) ||
	    PageOffline(pfn_to_page(pfn))) {
		printk("error: pfn %#llx is not online memory\n", (unsigned long long)pfn);
		return -EINVAL;
	}
	*pb = pageblock_start_pfn(pfn);
	return 0;
}

static int cmd_isolate(int argc, char **argv)
{
	unsigned long pb;
	int mt, ret;

	if (argc != 2)
		return shell_usage(argv[0]);
	ret = parse_pageblock(argv, &pb);
	if (ret)
		return ret;
	mt = get_pageblock_migratetype(pb);
	ret = set_migratetype_isolate(pb, pb + pageblock_nr_pages);
	if (ret) {
		printk("error: pageblock pfn %#lx-%#lx: cannot isolate it: %d\n", pb,
		       pb + pageblock_nr_pages - 1, ret);
		return ret;
	}
	printk("pageblock pfn %#lx-%#lx: isolated (was %s)\n", pb, pb + pageblock_nr_pages - 1,
	       migratetype_names[mt]);
	return 0;
}
SHELL_CMD(isolate, cmd_isolate, "PFN",
	  "isolate the pageblock holding PFN, as offlining does first (unisolate undoes it)");

static int cmd_unisolate(int argc, char **argv)
{
	unsigned long pb;
	int ret;

	if (argc != 2)
		return shell_usage(argv[0]);
	ret = parse_pageblock(argv, &pb);
	if (ret)
		return ret;
	if (get_pageblock_migratetype(pb) != MIGRATE_ISOLATE) {
		printk("error: pageblock pfn %#lx-%#lx is not isolated\n", pb,
		       pb + pageblock_nr_pages - 1);
		return -EINVAL;
	}
	undo_isolate_page_range(pb, pb + pageblock_nr_pages);
	printk("pageblock pfn %#lx-%#lx: %s again\n", pb, pb + pageblock_nr_pages - 1,
	       migratetype_names[get_pageblock_migratetype(pb)]);
	return 0;
}
SHELL_CMD(unisolate, cmd_unisolate, "PFN", "end the isolation of the pageblock holding PFN");
