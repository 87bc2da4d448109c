# SPDX-License-Identifier: GPL-2.0
"""GDB helpers for hotmm: the memmap, the page tables and the kernel log,
read from the guest's memory.

Loaded by scripts/gdb/hotmm.gdb (`make gdb`), or by hand:
    (gdb) source scripts/gdb/hotmm.py
`help hotmm` lists the commands and functions.

Rules these helpers keep:
- They only read memory and registers through GDB; they never call into
  the kernel. So they answer at any breakpoint, with interrupts masked, and
  in a kernel halted by an exception report (`crash null`).
- Structures are read by symbol and field name (gdb.Value, gdb.types), never
  at fixed offsets; names of flags, zones and migratetypes come from the
  kernel's own enums and arrays. Numbers that C keeps in macros come from
  the kernel's `vmcoreinfo` struct (kernel/vmcoreinfo.c).
- Each command prints what the console command of the same name prints, so
  the tests can compare the two views line for line. A command that differs
  from the console says so in its help.

Physical memory (translation tables) is read with QEMU's gdbstub in
physical mode (`maintenance packet Qqemu.PhyMemMode:1`), or through the
kernel's linear map when that is not available: see `show hotmm-phys-access`.

Adding a command: subclass HotmmCommand (name, usage, summary, run()), and
call register(); it then appears in `help hotmm`.
"""

import gdb
import gdb.printing
import gdb.types

U64 = (1 << 64) - 1


# ---------------------------------------------------------------- formatting
# C's printf conversions as the kernel's lib/vsprintf.c prints them.

def hx(v):
    """%#lx: "0x..." but plain "0" for zero."""
    return hex(v) if v else "0"


def ptr(v):
    """%p: 0x and 16 hex digits."""
    return f"0x{v & U64:016x}"


def size_str(nbytes):
    """kernel/cmd_pt.c's size_str(): "4K", "2M", "1G", the largest unit that divides."""
    units, u = "KMGT", 0
    nbytes >>= 10
    while u < 3 and nbytes >= 1024 and not nbytes & 1023:
        nbytes >>= 10
        u += 1
    return f"{nbytes}{units[u]}"


def human(nbytes):
    """kernel/cmd_vmemmap.c's human(): "2 MiB"."""
    units, u = ("KiB", "MiB", "GiB", "TiB"), 0
    nbytes >>= 10
    while u < 3 and nbytes >= 1024 and not nbytes & 1023:
        nbytes >>= 10
        u += 1
    return f"{nbytes} {units[u]}"


# ---------------------------------------------------------------- the target

def sym(name):
    """A kernel variable (global or file static) as a gdb.Value."""
    try:
        return gdb.parse_and_eval(name)
    except gdb.error:
        s = gdb.lookup_static_symbol(name)
        if s is None:
            raise gdb.GdbError(f"no symbol '{name}': is hotmm.elf loaded?")
        return s.value()


def fetched(name):
    """A kernel variable read from the target in one go (structs, small arrays)."""
    v = sym(name)
    v.fetch_lazy()
    return v


def read_array(v):
    """The elements of an array variable, read in one go (any size)."""
    t = v.type.strip_typedefs().target()
    raw = read_virt(int(v.address), array_len(v) * t.sizeof)
    return [gdb.Value(raw[i:i + t.sizeof], t) for i in range(0, len(raw), t.sizeof)]


def info(field):
    """A number from the kernel's vmcoreinfo (a macro's value)."""
    return int(sym("vmcoreinfo")[field])


def reg(name):
    """A CPU register; system registers under QEMU's gdbstub names."""
    return int(gdb.parse_and_eval("$" + name)) & U64


def read_virt(addr, size):
    """Bytes at a virtual address, through the CPU's current translation."""
    try:
        return gdb.selected_inferior().read_memory(addr & U64, size).tobytes()
    except gdb.MemoryError:
        raise gdb.GdbError(f"cannot read {size} bytes at {ptr(addr)}")


def enum_values(type_name):
    """{enumerator: value} of a kernel enum."""
    return {f.name: f.enumval for f in gdb.lookup_type(type_name).fields()}


def array_len(value):
    lo, hi = value.type.range()
    return hi - lo + 1


def c_string(pointer):
    return pointer.string() if int(pointer) else None


def parse_number(text, what):
    """A GDB expression (number, symbol, $function(...)) as an unsigned int."""
    if not text:
        raise gdb.GdbError(f"usage: needs {what}")
    try:
        return int(gdb.parse_and_eval(text)) & U64
    except gdb.error as e:
        raise gdb.GdbError(f"{what} '{text}': {e}")


class PhysAccess(gdb.Parameter):
    """How the helpers read physical memory (translation tables).

auto:   QEMU's physical mode when the gdbstub takes Qqemu.PhyMemMode, else linear
qemu:   QEMU's physical mode only
linear: through the kernel's linear map, __va(pa) = pa - memstart_addr + PAGE_OFFSET
        (misses memory the linear map does not cover, e.g. no-map ranges)"""

    set_doc = "Set how the hotmm helpers read physical memory."
    show_doc = "Show how the hotmm helpers read physical memory."

    def __init__(self):
        super().__init__("hotmm-phys-access", gdb.COMMAND_DATA, gdb.PARAM_ENUM,
                         ["auto", "qemu", "linear"])
        self.value = "auto"

    def get_show_string(self, svalue):
        return f"The hotmm helpers read physical memory by: {svalue}."


PHYS = PhysAccess()
_qemu_phys = {}  # connection -> whether its gdbstub took Qqemu.PhyMemMode


def _packet(text):
    """Send a packet to the remote stub; whether it answered OK."""
    try:
        out = gdb.execute(f"maintenance packet {text}", to_string=True)
    except gdb.error:  # not a remote target (a core file, a simulator)
        return False
    return 'received: "OK"' in out


def linear_va(pa):
    """__va(): the linear-map address of a physical address."""
    return (pa - int(sym("memstart_addr")) + info("page_offset")) & U64


def read_phys(pa, size):
    """Bytes at a physical address."""
    conn = getattr(gdb.selected_inferior(), "connection_num", 0)
    if PHYS.value != "linear" and _qemu_phys.get(conn, True):
        if _packet("Qqemu.PhyMemMode:1"):
            _qemu_phys[conn] = True
            try:
                return gdb.selected_inferior().read_memory(pa, size).tobytes()
            except gdb.MemoryError:
                raise gdb.GdbError(f"cannot read {size} bytes at physical {hx(pa)}")
            finally:
                _packet("Qqemu.PhyMemMode:0")
                gdb.execute("maintenance flush dcache", to_string=True)
        _qemu_phys[conn] = False
    if PHYS.value == "qemu":
        raise gdb.GdbError("the remote stub does not take Qqemu.PhyMemMode (not QEMU's?)")
    return read_virt(linear_va(pa), size)


# ------------------------------------------------- translation tables (arm64)

# VMSAv8-64 stage 1 descriptor bits (arch/aarch64/include/asm/pgtable-hwdef.h).
PTE_VALID = 1 << 0
PTE_TABLE_BIT = 1 << 1  # table at levels 0-2, page at level 3
PTE_AP_RO = 1 << 7
PTE_CONT = 1 << 52
PTE_PXN = 1 << 53
PTE_UXN = 1 << 54
SH_NAMES = ("non-shareable", "reserved", "outer", "inner")
# TCR_EL1.TG1 -> page shift (TG1 is not encoded as TG0 is).
TG1_SHIFT = {0b10: 12, 0b01: 14, 0b11: 16}
# Entries in a contiguous run per level and granule (the Arm ARM's).
CONT_ENTRIES = {12: {3: 16, 2: 16}, 14: {3: 128, 2: 32}, 16: {3: 32, 2: 32}}


class Geometry:
    """The TTBR1 walk as the CPU does it now: granule and levels from TCR_EL1."""

    def __init__(self):
        tcr = reg("TCR_EL1")
        tg1 = (tcr >> 30) & 3
        if tg1 not in TG1_SHIFT:
            raise gdb.GdbError(f"TCR_EL1 {hx(tcr)}: TG1 {tg1} is reserved (MMU not set up yet?)")
        self.page_shift = TG1_SHIFT[tg1]
        self.va_bits = 64 - ((tcr >> 16) & 0x3f)  # T1SZ
        bits = self.page_shift - 3  # VA bits resolved per level
        levels = -(-(self.va_bits - self.page_shift) // bits)
        self.start_level = 4 - levels
        self.root = reg("TTBR1_EL1") & ((1 << 48) - 1) & ~1  # no ASID, no CnP
        self.mair = reg("MAIR_EL1")
        self.bits = bits
        elf_shift = info("page_shift")
        if elf_shift != self.page_shift:
            raise gdb.GdbError(f"the CPU runs {1 << self.page_shift >> 10}K pages but the ELF "
                               f"is built for {1 << elf_shift >> 10}K: load that build's hotmm.elf")

    def shift(self, level):
        return self.page_shift + (3 - level) * self.bits

    def size(self, level):
        return 1 << self.shift(level)

    def entries(self, level):
        return 1 << min(self.va_bits - self.shift(level), self.bits)

    def index(self, va, level):
        return (va >> self.shift(level)) & (self.entries(level) - 1)

    def out_addr(self, desc):
        return desc & ((1 << 48) - 1) & ~((1 << self.page_shift) - 1)

    def kind(self, desc, level):
        """"invalid", "table", "block" or "page" (arch_pte_type())."""
        if not desc & PTE_VALID:
            return "invalid"
        if level == 3:
            return "page" if desc & PTE_TABLE_BIT else "invalid"
        return "table" if desc & PTE_TABLE_BIT else "block"

    def memattr(self, desc):
        """The leaf's MAIR_EL1 attribute byte."""
        return (self.mair >> (8 * ((desc >> 2) & 7))) & 0xff

    def is_device(self, desc):
        return self.memattr(desc) & 0xf0 == 0

    def ttbr1_start(self):
        return U64 & ~((1 << self.va_bits) - 1)


class Walk:
    """One VA's walk: per level (level, table PA, index, descriptor)."""

    def __init__(self, geo, va, tables):
        self.geo, self.va, self.steps = geo, va, []
        table = geo.root
        for level in range(geo.start_level, 4):
            idx = geo.index(va, level)
            desc = tables.entry(table, idx)
            self.steps.append((level, table, idx, desc))
            if geo.kind(desc, level) != "table":
                break
            table = geo.out_addr(desc)
        self.level, _, _, self.desc = self.steps[-1]
        self.kind = geo.kind(self.desc, self.level)
        self.mapped = self.kind in ("block", "page")

    def pa(self):
        return self.geo.out_addr(self.desc) + (self.va & (self.geo.size(self.level) - 1))

    def tables(self):
        return [table for _, table, _, _ in self.steps]


class TableReader:
    """Translation-table pages read from physical memory, cached for one command."""

    def __init__(self, geo):
        self.geo, self.pages = geo, {}

    def entry(self, table, idx):
        page = self.pages.get(table)
        if page is None:
            page = read_phys(table, self.geo.entries(self.geo.start_level) * 8
                             if table == self.geo.root else 1 << self.geo.page_shift)
            self.pages[table] = page
        return int.from_bytes(page[idx * 8:idx * 8 + 8], "little")


def prot_str(geo, desc):
    """kernel/cmd_pt.c's prot_str() of a leaf."""
    return "%s %s %s" % ("ro" if desc & PTE_AP_RO else "RW", "NX" if desc & PTE_PXN else "x ",
                         "device" if geo.is_device(desc) else "normal")


def decode_desc(geo, desc, level):
    """Every field of a descriptor, for hotmm-pt -v."""
    kind = geo.kind(desc, level)
    if kind == "invalid":
        return "invalid: bit 0 (valid) clear" if not desc & PTE_VALID else \
            "invalid: a level-3 descriptor with bit 1 clear is reserved"
    if kind == "table":
        return (f"next table {hx(geo.out_addr(desc))}, PXNTable {desc >> 59 & 1}, "
                f"UXNTable {desc >> 60 & 1}, APTable {desc >> 61 & 3}, NSTable {desc >> 63}")
    attr = geo.memattr(desc)
    ap = (desc >> 6) & 3
    return (f"out {hx(geo.out_addr(desc))}, AttrIndx {desc >> 2 & 7} (MAIR {attr:#04x} "
            f"{'Device' if attr & 0xf0 == 0 else 'Normal'}), "
            f"AP {ap} ({'ro' if ap & 2 else 'RW'} at EL1, {'EL0 too' if ap & 1 else 'no EL0'}), "
            f"SH {SH_NAMES[desc >> 8 & 3]}, AF {desc >> 10 & 1}, nG {desc >> 11 & 1}, "
            f"Cont {desc >> 52 & 1}, PXN {desc >> 53 & 1}, UXN {desc >> 54 & 1}")


def walk(va):
    """The walk of a kernel (TTBR1) address, or a GdbError for any other."""
    geo = Geometry()
    if va < geo.ttbr1_start():
        raise gdb.GdbError(f"0x{va:x} is not a kernel (TTBR1) address; TTBR0 is off")
    return Walk(geo, va, TableReader(geo))


def pt_lines(va, verbose=False):
    """What the console's `pt VA` prints (kernel/cmd_pt.c)."""
    w = walk(va & U64)
    geo = w.geo
    lines = []
    for level, table, idx, desc in w.steps:
        lines.append(f"L{level} table 0x{table:x} [{idx}] = 0x{desc:016x}  "
                     f"{geo.kind(desc, level)}")
        if verbose:
            lines.append("      " + decode_desc(geo, desc, level))
    if not w.mapped:
        lines.append(f"0x{va:016x}: not mapped (level {w.level} entry invalid)")
        return lines
    lines.append(f"0x{va:016x}: L{w.level} {w.kind} {size_str(geo.size(w.level))}, "
                 f"pa 0x{w.pa():x}, {prot_str(geo, w.desc)}"
                 f"{', cont' if w.desc & PTE_CONT else ''}")
    return lines


def translate(va):
    """The physical address @va maps to now, or a GdbError."""
    w = walk(va & U64)
    if not w.mapped:
        raise gdb.GdbError(f"{ptr(va)} is not mapped (level {w.level} entry invalid)")
    return w.pa()


# ------------------------------------------------------------------ memblock

def memblock_types():
    """[(name, [regions as gdb.Value])] for memory, reserved, held."""
    mb = fetched("memblock")
    out = []
    for name in ("memory", "reserved", "held"):
        t = mb[name]
        out.append((name, [t["regions"][i] for i in range(int(t["cnt"]))]))
    return out


def memblock_lines():
    """What the console's `memblock` prints (kernel/cmd_dt.c)."""
    nomap = info("memblock_nomap")
    titles = {"memory": "memory", "reserved": "reserved", "held": "held back for hotplug"}
    lines = []
    for name, regions in memblock_types():
        if name == "held" and not regions:
            continue
        total = sum(int(r["size"]) for r in regions)
        lines.append(f"{titles[name]}: {len(regions)} region(s), {total >> 10} KiB")
        for r in regions:
            base, size = int(r["base"]), int(r["size"])
            label = c_string(r["name"])
            if label is None:
                label = f"node {int(r['nid'])}{' nomap' if int(r['flags']) & nomap else ''}"
            lines.append(f"  [0x{base:010x}-0x{base + size - 1:010x}] {size >> 10:8} KiB  {label}")
    return lines


def memblock_nid_of(regions, pa):
    """mm/memblock.c's memblock_nid_of() over the memory list."""
    for r in regions:
        if int(r["base"]) <= pa < int(r["base"]) + int(r["size"]):
            return max(int(r["nid"]), 0)
    return -1


# -------------------------------------------------------------------- memmap

class Memmap:
    """Sections and struct pages, read as mm/sparse.c and include/mm/*.h lay them out."""

    def __init__(self):
        self.page_shift = info("page_shift")
        self.section_shift = info("section_size_bits") - self.page_shift  # PFN_SECTION_SHIFT
        self.subsection_shift = info("subsection_shift") - self.page_shift
        self.max_physmem_bits = info("max_physmem_bits")
        self.max_order = info("max_page_order")
        self.vmemmap = sym("vmemmap")
        self.page_type = self.vmemmap.type.target()
        self.page_size = self.page_type.sizeof
        self.sections = sym("mem_section")
        self.nr_sections = array_len(self.sections)
        self.sflags = {k: info(k) for k in ("section_marked_present", "section_has_mem_map",
                                            "section_is_online", "section_is_early",
                                            "section_deferred")}

    # pfn <-> struct page
    def page_addr(self, pfn):
        return (int(self.vmemmap) + pfn * self.page_size) & U64

    def page(self, pfn):
        v = (self.vmemmap + pfn).dereference()
        v.fetch_lazy()
        return v

    def pfn_of(self, addr):
        off = (addr - int(self.vmemmap)) & U64
        pfn = off // self.page_size
        if off % self.page_size or pfn >> (self.max_physmem_bits - self.page_shift):
            raise gdb.GdbError(f"{ptr(addr)} is not a struct page in the vmemmap")
        return pfn

    # sections
    def section(self, pfn):
        nr = pfn >> self.section_shift
        return self.sections[nr] if nr < self.nr_sections else None

    def pfn_valid(self, pfn):
        ms = self.section(pfn)
        if ms is None or not int(ms["flags"]) & self.sflags["section_has_mem_map"]:
            return False
        if int(ms["flags"]) & self.sflags["section_is_early"]:
            return True
        return self.subsection_valid(ms, pfn)

    def subsection_index(self, pfn):
        return (pfn & ((1 << self.section_shift) - 1)) >> self.subsection_shift

    def subsection_valid(self, ms, pfn):
        i = self.subsection_index(pfn)
        bits = ms["subsection_map"][0].type.sizeof * 8
        return bool(int(ms["subsection_map"][i // bits]) >> (i % bits) & 1)

    def section_words(self, ms):
        """The states the console's `pfn` lists for a section."""
        f = int(ms["flags"])
        words = ["present" if f & self.sflags["section_marked_present"] else "not present",
                 "has memmap" if f & self.sflags["section_has_mem_map"] else "no memmap"]
        if f & self.sflags["section_is_online"]:
            words.append("online")
        if f & self.sflags["section_is_early"]:
            words.append("early (boot)")
        if f & self.sflags["section_deferred"]:
            words.append("deferred")
        return words

    # pageblocks
    def pageblock_order(self):
        return int(sym("pageblock_order"))

    def migratetype(self, pfn):
        """get_pageblock_migratetype() (mm/page_alloc.c): the byte in the struct
        page of the pageblock's first pfn holds the type, and PB_ISOLATE while
        the pageblock is isolated."""
        head = pfn & ~((1 << self.pageblock_order()) - 1)
        b = int(self.page(head)["pageblock_flags"])
        if b & info("pb_isolate"):
            return enum_values("enum migratetype")["MIGRATE_ISOLATE"]
        return b & info("pb_mt_mask")


class PageFacts:
    """One struct page decoded: flags in words, node, zone."""

    def __init__(self, page):
        self.page = page
        self.flags = int(page["flags"])
        flags = enum_values("enum pageflags")
        nr = flags.pop("NR_PAGEFLAGS")
        by_bit = sorted((v, k) for k, v in flags.items() if v < nr)
        self.names = [k[3:] if k.startswith("PG_") else k
                      for v, k in by_bit if self.flags >> v & 1]
        self.nid = (self.flags >> info("page_nid_shift")) & info("page_nid_mask")
        self.zone = (self.flags >> info("page_zone_shift")) & info("page_zone_mask")
        zone_names = sym("zone_names")
        self.zone_name = zone_names[self.zone].string() \
            if self.zone < array_len(zone_names) else "?"
        self.buddy = "buddy" in self.names

    def flag_words(self):
        return " ".join(self.names) if self.names else "(none)"


def find_free_block(mm, pfn):
    """kernel/cmd_mem.c's find_free_block(): (head pfn, order) of the free block
    holding @pfn, or None."""
    for o in range(mm.max_order + 1):
        h = pfn & ~((1 << o) - 1)
        if not mm.pfn_valid(h):
            continue
        p = mm.page(h)
        order = int(p["private"])
        if PageFacts(p).buddy and order >= o and h + (1 << order) > pfn:
            return h, order
    return None


def section_lines(mm, pfn):
    nr = pfn >> mm.section_shift
    ms = mm.section(pfn)
    if ms is None:
        return [f"  section {nr}: beyond the section table ({mm.max_physmem_bits}-bit physical)"]
    first = nr << mm.section_shift
    last = ((nr + 1) << mm.section_shift) - 1
    if mm.subsection_valid(ms, pfn):
        state = "valid (holds memory)"
    elif int(ms["flags"]) & mm.sflags["section_is_early"]:
        state = "not valid (a hole of a boot section)"
    else:
        state = "not valid"
    return [f"  section {nr} (pfn 0x{first:x}-0x{last:x}), node {int(ms['nid'])}: "
            + ", ".join(mm.section_words(ms)),
            f"  subsection {mm.subsection_index(pfn)} of "
            f"{1 << (mm.section_shift - mm.subsection_shift)}: {state}"]


def memory_line(pa, has_page):
    """kernel/cmd_mem.c's print_memory(): what memblock says about @pa."""
    types = dict(memblock_types())
    last = pa + (1 << info("page_shift")) - 1
    for r in types["reserved"]:
        base, r_last = int(r["base"]), int(r["base"]) + int(r["size"]) - 1
        if base <= last and r_last >= pa:  # any byte of the page keeps all of it
            part = " (part of the page)" if base > pa or r_last < last else ""
            return f"  memblock: reserved by {c_string(r['name']) or '(unnamed)'}{part}"
    nomap = info("memblock_nomap")
    for r in types["memory"]:
        if int(r["base"]) <= pa < int(r["base"]) + int(r["size"]):
            return (f"  memblock: memory of node {max(int(r['nid']), 0)}"
                    f"{', no-map' if int(r['flags']) & nomap else ''}")
    for r in types["held"]:
        if int(r["base"]) <= pa < int(r["base"]) + int(r["size"]):
            return f"  memblock: memory held back for hotplug (node {max(int(r['nid']), 0)})"
    hole = " (a hole in a present section: its struct page stays reserved)"
    return "  memblock: no memory here" + (hole if has_page else "")


def pfn_lines(pfn):
    """What the console's `pfn N` prints (kernel/cmd_mem.c)."""
    mm = Memmap()
    if pfn >> (mm.max_physmem_bits - mm.page_shift):
        raise gdb.GdbError(f"pfn {hx(pfn)} is beyond the {mm.max_physmem_bits}-bit physical space")
    pa = pfn << mm.page_shift
    lines = [f"pfn {hx(pfn)} (pa {hx(pa)})"]
    if not mm.pfn_valid(pfn):
        lines.append("  no struct page: its (sub)section has no memmap")
        return lines + section_lines(mm, pfn) + [memory_line(pa, False)]
    page = mm.page(pfn)
    f = PageFacts(page)
    lines.append(f"  struct page {ptr(mm.page_addr(pfn))}")
    lines.append(f"  flags 0x{f.flags:016x}: {f.flag_words()}; node {f.nid}, "
                 f"zone {f.zone} ({f.zone_name})")
    lines.append(f"  refcount {int(page['_refcount'])}, owner {hx(int(page['owner']))}, "
                 f"index {int(page['index'])}")
    order = int(page["private"])
    if f.buddy:
        lines.append(f"  free: head of an order-{order} block "
                     f"(pfn {hx(pfn)}-{hx(pfn + (1 << order) - 1)})")
    else:
        free = find_free_block(mm, pfn)
        if free:
            lines.append(f"  free: inside the order-{free[1]} block at pfn {hx(free[0])}")
    lines += section_lines(mm, pfn)
    pb = pfn & ~((1 << mm.pageblock_order()) - 1)
    names = sym("migratetype_names")
    lines.append(f"  pageblock pfn {hx(pb)}-{hx(pb + (1 << mm.pageblock_order()) - 1)}: "
                 f"{names[mm.migratetype(pfn)].string()}")
    lines.append(memory_line(pa, True))
    return lines + memory_block_lines(mm, pfn, page)


def memory_block_lines(mm, pfn, page):
    """kernel/cmd_mem.c's print_memory_block(): the block holding @pfn and,
    in a hot-added one, what the page is to it."""
    mem = find_memory_block(pfn // memory_block_pages(mm))
    if mem is None:
        return []
    lines = [f"  memory block {int(mem['id'])}: {memory_block_where(mem)}"]
    if int(mem["boot"]):
        return lines
    b = BlockFacts(mm, mem)
    role = None
    if pfn in b.tables:
        role = "a page table of the hot-add, hosted by the block"
    elif pfn < b.usable_start:
        role = ("memmap (the block's own struct pages)" if page_flag(page, "PG_vmemmap")
                else "padding of the memmap reservation")
    elif pfn >= b.usable_end:
        role = "padding (a page table that moved out was here)"
    if role:
        lines.append(f"  in the block: {role}")
    return lines


# ------------------------------------------------------------ memory blocks

def memory_block_pages(mm):
    return int(sym("memory_block_size")) >> mm.page_shift


def used_memory_blocks():
    """The memory blocks in use, by id (include/mm/memory.h's memory_blocks[])."""
    blocks = [b for b in read_array(sym("memory_blocks")) if int(b["used"])]
    return sorted(blocks, key=lambda b: int(b["id"]))


def find_memory_block(block_id):
    """find_memory_block() (mm/memory_block.c), or None."""
    return next((b for b in used_memory_blocks() if int(b["id"]) == block_id), None)


def memory_block_state_name(state):
    """mm/memory_block.c's memory_block_state_name()."""
    words = {"MEM_ONLINE": "online", "MEM_GOING_OFFLINE": "going-offline",
             "MEM_OFFLINE": "offline"}
    names = {v: words[k] for k, v in enum_values("enum memory_block_state").items()}
    return names[int(state)]


def zone_name(mem):
    return mem["zone"].dereference()["name"].string() if int(mem["zone"]) else None


def memory_block_where(mem):
    """"hot-added, online in Movable, node 0", as `pfn` says it."""
    zone = zone_name(mem)
    return (f"{'boot memory' if int(mem['boot']) else 'hot-added'}, "
            f"{memory_block_state_name(mem['state'])}{f' in {zone}' if zone else ''}, "
            f"node {int(mem['nid'])}")


def page_flag(page, name):
    return bool(int(page["flags"]) >> enum_values("enum pageflags")[name] & 1)


class BlockFacts:
    """A hot-added block's layout (include/mm/memory.h): memmap reservation,
    hosted tables, usable pages."""

    def __init__(self, mm, mem):
        self.mem = mem
        self.start = int(mem["id"]) * memory_block_pages(mm)
        self.tables = [int(mem["table_pfn"][i]) for i in range(int(mem["nr_tables"]))]
        self.usable_start = self.start + int(mem["nr_vmemmap_pages"])
        self.usable_end = self.start + memory_block_pages(mm) - int(mem["tail_used"])


def memblocks_lines():
    """What the console's `memblocks` prints (kernel/cmd_hotplug.c)."""
    mm = Memmap()
    per = memory_block_pages(mm)
    mode = sym("memmap_on_memory_names")[int(sym("memmap_on_memory"))].string()
    lines = [f"block size {int(sym('memory_block_size')) >> 20} MiB; memmap_on_memory {mode}",
             "block  start               end                 state          zone     node  "
             "memmap  padding  tables  removable"]
    blocks = used_memory_blocks()
    for mem in blocks:
        start = int(mem["id"]) * per << mm.page_shift
        end = start + (per << mm.page_shift) - 1
        altmap = int(mem["has_altmap"])
        if int(mem["boot"]):
            removable = "no (boot)"
        else:
            removable = "yes" if memory_block_state_name(mem["state"]) == "offline" \
                else "offline first"
        lines.append(f"{int(mem['id']):5}  0x{start:016x}  0x{end:016x}  "
                     f"{memory_block_state_name(mem['state']):<13}  {zone_name(mem) or '-':<7}  "
                     f"{int(mem['nid']):4}  {int(mem['plan']['memmap_pages']) if altmap else 0:6}  "
                     f"{int(mem['plan']['padding_pages']) if altmap else 0:7}  "
                     f"{int(mem['nr_tables']):6}  {removable}")
    lines.append(f"{len(blocks)} block(s)")
    return lines


def parse_block(text):
    """kernel/cmd_hotplug.c's parse_block(): the block with id @text."""
    block_id = parse_number(text, "ID")
    mem = find_memory_block(block_id)
    if mem is None:
        raise gdb.GdbError(f"no memory block {block_id} (memblocks lists them)")
    return mem


def altmap_lines(mem):
    """What the console's `altmap ID` prints (kernel/cmd_hotplug.c)."""
    mm = Memmap()
    if int(mem["boot"]):
        raise gdb.GdbError(f"block {int(mem['id'])} is boot memory: its memmap came from memblock")
    p = mem["plan"]
    modes = {v: k for k, v in enum_values("enum memmap_on_memory_mode").items()}
    mode = {"MEMMAP_ON_MEMORY_FORCE": "force", "MEMMAP_ON_MEMORY_ON": "default"}.get(
        modes[int(p["mode"])], "off")
    word = {True: "true", False: "false"}
    lines = [f"page_size: {1 << mm.page_shift}",
             f"memory_block_size: {int(sym('memory_block_size'))}",
             f"pageblock_size: {1 << mm.pageblock_order() << mm.page_shift}",
             f"mode: {mode}"]
    lines += [f"{k}: {int(p[k])}" for k in ("memmap_pages", "reserved_pages", "padding_pages",
                                            "usable_pages")]
    lines += [f"linux_allows: {word[bool(int(p['linux_allows']))]}",
              f"refusal_reason: {c_string(p['linux_reason']) or 'none'}",
              f"hotmm_allows: {word[bool(int(p['allows']))]}",
              f"hotmm_refusal_reason: {c_string(p['reason']) or 'none'}",
              "memmap_on_memory_check: "
              + sym("memmap_on_memory_check_names")[int(p["check"])].string()]
    if not int(mem["has_altmap"]):
        return lines + ["altmap: none: the memmap came from existing memory"]
    a = {k: int(mem["altmap"][k]) for k in ("base_pfn", "end_pfn", "reserve", "free", "align",
                                            "alloc")}
    lines += [f"base_pfn: {hx(a['base_pfn'])}", f"end_pfn: {hx(a['end_pfn'])}"]
    lines += [f"{k}: {a[k]}" for k in ("reserve", "free", "align", "alloc")]
    lines += [f"table_pages: {int(mem['nr_tables'])} ({int(mem['padding_used'])} in padding, "
              f"{int(mem['tail_used'])} at the block's end)",
              f"self_hosted_pages (linux): {a['free']}"]
    b = BlockFacts(mm, mem)

    def use(pfn):  # reserved_page_use()
        if pfn in b.tables:
            return "page table"
        if mm.pfn_valid(pfn) and page_flag(mm.page(pfn), "PG_vmemmap"):
            return "memmap"
        return "padding"

    base, i = a["base_pfn"], 0
    while i < a["free"]:
        j = i + 1
        while j < a["free"] and use(base + j) == use(base + i):
            j += 1
        lines.append(f"pfn {hx(base + i)}-{hx(base + j - 1)}: {use(base + i)} ({j - i})")
        i = j
    for pfn in range(b.usable_end, b.usable_end + int(mem["tail_used"])):
        what = "page table" if use(pfn) == "page table" else "padding (a table moved out)"
        lines.append(f"pfn {hx(pfn)}: {what} (the block's end)")
    return lines


# ------------------------------------------------------- the vmemmap's sections

def vmemmap_section_desc(mm, geo, tables, nr, nid, cursor, memory):
    """mm/vmemmap.c's vmemmap_describe() of section @nr, through the page tables.
    @cursor carries the last table per level and the last leaf across sections."""
    start = mm.page_addr(nr << mm.section_shift)
    end = mm.page_addr((nr + 1) << mm.section_shift)
    d = dict(blocks=0, cont=0, base=0, tables=0, bytes=end - start, off_node=0, cross=0)
    va = start
    while va < end:
        w = Walk(geo, va, tables)
        size = geo.size(w.level)
        leaf = va & ~(size - 1)
        nxt = end if leaf + (size - 1) >= end - 1 else leaf + size
        if w.mapped:
            for level, table in zip(range(geo.start_level, 4), w.tables()):
                if level > geo.start_level and cursor["tables"].get(level) != table:
                    cursor["tables"][level] = table
                    d["tables"] += 1
                    d["cross"] += table_spans_nodes(mm, geo, level, va)
            if leaf != cursor["leaf"] or not cursor["leaf"]:
                cursor["leaf"] = leaf
                kind = "blocks" if w.level < 3 else "cont" if w.desc & PTE_CONT else "base"
                d[kind] += 1
            if memblock_nid_of(memory, w.pa()) != nid:
                d["off_node"] += (nxt - va) // mm.page_size
        va = nxt
    return d


def vmemmap_va_pfn(mm, va):
    """The pfn whose struct page is at vmemmap VA @va."""
    return ((va - int(mm.vmemmap)) & U64) // mm.page_size


def table_spans_nodes(mm, geo, level, va):
    """mm/vmemmap.c's table_spans_nodes(): whether the table of @level that maps
    @va maps struct pages of present sections of more than one node."""
    span = geo.size(level - 1)
    lo = max(va & ~(span - 1), info("vmemmap_start"))
    last = min((va & ~(span - 1)) + span - 1, info("vmemmap_end") - 1)
    home = mm.section(vmemmap_va_pfn(mm, va))
    nid = int(home["nid"]) if home is not None else 0
    first = vmemmap_va_pfn(mm, lo) >> mm.section_shift
    end_pfn = ((last + 1 - int(mm.vmemmap)) & U64) + mm.page_size - 1
    end_pfn //= mm.page_size
    present = mm.sflags["section_marked_present"]
    for nr in range(first, mm.nr_sections):
        if nr << mm.section_shift >= end_pfn:
            break
        ms = mm.sections[nr]
        if int(ms["flags"]) & present and int(ms["nid"]) != nid:
            return 1
    return 0


def block_altmaps():
    """{address of a memory block's altmap: its id}, for the blocks in use."""
    blocks = sym("memory_blocks")
    t = blocks.type.strip_typedefs().target()
    off = next(f.bitpos for f in t.fields() if f.name == "altmap") // 8
    base = int(blocks.address)
    return {base + i * t.sizeof + off: int(b["id"])
            for i, b in enumerate(read_array(blocks)) if int(b["used"])}


def memmap_from(mm, ms, altmaps):
    """kernel/cmd_vmemmap.c's memmap_from(): boot, block N (its altmap), or buddy."""
    if int(ms["flags"]) & mm.sflags["section_is_early"]:
        return "boot"
    altmap = int(ms["altmap"])
    if altmap and altmap in altmaps:
        return f"block {altmaps[altmap]}"
    return "buddy"


def section_kind(d):
    kinds = bool(d["blocks"]) + bool(d["cont"]) + bool(d["base"])
    if kinds > 1:
        return "mixed"
    return "block" if d["blocks"] else "cont" if d["cont"] else "base" if d["base"] else "shared"


def sections_lines():
    """The console's `vmemmap` (kernel/cmd_vmemmap.c) up to the per-node lines:
    the mode, one row per section with a memmap, the totals."""
    mm, geo = Memmap(), Geometry()
    tables = TableReader(geo)
    memory = dict(memblock_types())["memory"]
    block = geo.size(2)
    cont = CONT_ENTRIES[geo.page_shift][3]
    mode = sym("vmemmap_mode_names")[int(sym("vmemmap_mode"))].string()
    fallback = sym("altmap_fallback_names")[int(sym("altmap_fallback"))].string()
    lines = [f"mode {mode}, altmap_fallback {fallback}, block {human(block)} of memmap, "
             f"contiguous run {cont} x {(1 << geo.page_shift) >> 10} KiB",
             "section  node  kind    tables  blocks  cont  base  memmap KiB  from"]
    sections = read_array(mm.sections)
    altmaps = block_altmaps()
    cursor = {"tables": {}, "leaf": 0}
    tot = dict(blocks=0, cont=0, base=0, tables=0, bytes=0)
    cross = [0] * array_len(sym("node_data"))
    nr_nodes = array_len(sym("node_data"))
    off_node, pages = [0] * nr_nodes, [0] * nr_nodes
    for nr in range(mm.nr_sections):
        if not int(sections[nr]["flags"]) & mm.sflags["section_has_mem_map"]:
            continue
        nid = int(sections[nr]["nid"])
        d = vmemmap_section_desc(mm, geo, tables, nr, nid, cursor, memory)
        lines.append(f"{nr:7}  {nid:4}  {section_kind(d):<6}  {d['tables']:6}  {d['blocks']:6}  "
                     f"{d['cont']:4}  {d['base']:4}  {d['bytes'] >> 10:10}  "
                     f"{memmap_from(mm, sections[nr], altmaps)}")
        for k in tot:
            tot[k] += d[k]
        off_node[nid] += d["off_node"]
        cross[nid] += d["cross"]
        pages[nid] += d["bytes"] // mm.page_size
    leaves = tot["blocks"] + tot["cont"] + tot["base"]
    lines.append(f"total: memmap {tot['bytes'] >> 10} KiB, leaf entries {leaves} "
                 f"(blocks {tot['blocks']}, cont {tot['cont']}, base {tot['base']}), "
                 f"table pages {tot['tables']}")
    base_pages = tot["bytes"] >> geo.page_shift
    lines.append(f"leaf entries saved against base pages: {base_pages - leaves} of {base_pages}")
    for nid in range(nr_nodes):
        if pages[nid]:
            lines.append(f"node {nid}: struct pages {pages[nid]}, off-node {off_node[nid]}, "
                         f"tables spanning nodes {int(cross[nid])}")
    return lines


# ----------------------------------------------------------------- buddyinfo

def buddyinfo_lines():
    """What the console's `buddyinfo` prints (kernel/cmd_mem.c)."""
    nodes = fetched("node_data")
    lines = []
    for nid in range(array_len(nodes)):
        pgdat = nodes[nid]
        if not int(pgdat["online"]):
            continue
        zones = pgdat["node_zones"]
        for z in range(array_len(zones)):
            zone = zones[z]
            if not int(zone["present_pages"]):
                continue
            areas = zone["free_area"]
            counts = "".join(f" {int(areas[o]['nr_free']):6}" for o in range(array_len(areas)))
            lines.append(f"Node {nid}, zone {zone['name'].string():>8}{counts}")
    return lines


# ---------------------------------------------------------------- kernel log

class KernelLog:
    """kernel/printk.c's ring: records (struct printk_log + text) in log_buf."""

    def __init__(self):
        self.len = int(sym("log_buf_len"))
        self.buf = read_virt(int(sym("log_buf").address), self.len)
        self.hdr = gdb.lookup_type("struct printk_log")
        self.first_seq = int(sym("log_first_seq"))
        self.next_seq = int(sym("log_next_seq"))
        self.first_pos = int(sym("log_first_pos"))
        self.clear_seq = int(sym("clear_seq"))

    def _bytes(self, pos, n):
        return bytes(self.buf[(pos + i) & (self.len - 1)] for i in range(n))

    def records(self):
        """(seq, ts_nsec, level, text) from the oldest record not cleared."""
        pos = self.first_pos
        for seq in range(self.first_seq, self.next_seq):
            h = gdb.Value(self._bytes(pos, self.hdr.sizeof), self.hdr)
            n = int(h["text_len"])
            if seq >= self.clear_seq:
                text = self._bytes(pos + self.hdr.sizeof, n).decode("latin-1")
                yield seq, int(h["ts_nsec"]), int(h["level"]), text
            pos += self.hdr.sizeof + n

    def dropped(self):
        return max(self.first_seq - self.clear_seq, 0)


def dmesg_lines(raw=False):
    """What the console's `dmesg` (or `dmesg -r`) prints (kernel/cmd_dmesg.c)."""
    log = KernelLog()
    lines = []
    if log.dropped():
        lines.append(f"** {log.dropped()} printk messages dropped **")
    for _, ts, level, text in log.records():
        lines.append(f"{f'<{level}>' if raw else ''}[{ts // 10**9:5}.{ts % 10**9 // 1000:06}] "
                     f"{text}")
    return lines


# ------------------------------------------------------------------ commands

COMMANDS = []
FUNCTIONS = []


class HotmmCommand(gdb.Command):
    """A hotmm helper: run(argv) returns the lines to print."""

    name = usage = summary = details = ""

    def __init__(self):
        self.__doc__ = (f"{self.summary}\nUsage: {self.name} {self.usage}".rstrip()
                        + (f"\n{self.details}" if self.details else ""))
        super().__init__(self.name, gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        lines = self.run(gdb.string_to_argv(arg))
        gdb.write("".join(line + "\n" for line in lines))

    def run(self, argv):
        raise NotImplementedError


def register(cls):
    COMMANDS.append(cls())
    return cls


@register
class PtCommand(HotmmCommand):
    name, usage = "hotmm-pt", "[-v] VA"
    summary = "Walk VA through TTBR1_EL1, level by level, as the console's `pt VA`."
    details = ("Granule and levels come from TCR_EL1 (TG1, T1SZ), the root from TTBR1_EL1,\n"
               "the tables from physical memory. -v decodes every descriptor's fields.")

    def run(self, argv):
        verbose = bool(argv) and argv[0] == "-v"
        return pt_lines(parse_number(" ".join(argv[verbose:]), "VA"), verbose)


@register
class PfnCommand(HotmmCommand):
    name, usage = "hotmm-pfn", "PFN"
    summary = "A page frame's struct page decoded, as the console's `pfn N`."
    details = ("Flags in words, node, zone, refcount, owner, the free block holding it,\n"
               "section and subsection, pageblock migratetype, and what memblock says.")

    def run(self, argv):
        return pfn_lines(parse_number(" ".join(argv), "PFN"))


@register
class PageCommand(HotmmCommand):
    name, usage = "hotmm-page", "ADDR"
    summary = "As hotmm-pfn, for the struct page at ADDR (an address in the vmemmap)."

    def run(self, argv):
        return pfn_lines(Memmap().pfn_of(parse_number(" ".join(argv), "ADDR")))


class TableCommand(HotmmCommand):
    lines = None

    def run(self, argv):
        if argv:
            raise gdb.GdbError(f"usage: {self.name}")
        return type(self).lines()


@register
class SectionsCommand(TableCommand):
    name = "hotmm-sections"
    summary = "How each section's memmap is mapped, as the console's `vmemmap`."
    details = ("The mode line, one row per section with a memmap, the totals and the\n"
               "per-node line; not the timings nor the RAM a block would need.")
    lines = staticmethod(sections_lines)


@register
class MemblockCommand(TableCommand):
    name = "hotmm-memblock"
    summary = "memblock's memory, reserved and held-back lists, as the console's `memblock`."
    lines = staticmethod(memblock_lines)


@register
class MemblocksCommand(TableCommand):
    name = "hotmm-memblocks"
    summary = "The memory blocks, as the console's `memblocks`."
    lines = staticmethod(memblocks_lines)


@register
class AltmapCommand(HotmmCommand):
    name, usage = "hotmm-altmap", "ID"
    summary = "A hot-added block's memmap on memory and altmap, as the console's `altmap ID`."
    details = ("The plan (Linux's and hotmm's verdicts), the live struct vmem_altmap, and\n"
               "what each reserved page holds: memmap, padding, a hosted page table.")

    def run(self, argv):
        if len(argv) != 1:
            raise gdb.GdbError(f"usage: {self.name} {self.usage}")
        return altmap_lines(parse_block(argv[0]))


@register
class BuddyinfoCommand(TableCommand):
    name = "hotmm-buddyinfo"
    summary = "Free blocks per order, per node and zone, as the console's `buddyinfo`."
    lines = staticmethod(buddyinfo_lines)


@register
class DmesgCommand(HotmmCommand):
    name, usage = "hotmm-dmesg", "[-r]"
    summary = "The kernel log, as the console's `dmesg` (-r: with levels). Never clears it."

    def run(self, argv):
        if argv not in ([], ["-r"]):
            raise gdb.GdbError(f"usage: {self.name} {self.usage}")
        return dmesg_lines(raw=bool(argv))


# ----------------------------------------------------- convenience functions

class HotmmFunction(gdb.Function):
    name = summary = ""

    def __init__(self):
        self.__doc__ = self.summary
        super().__init__(self.name)
        FUNCTIONS.append(self)


class PfnToPage(HotmmFunction):
    name, summary = "hotmm_pfn_to_page", "$hotmm_pfn_to_page(PFN): the struct page * of PFN."

    def invoke(self, pfn):
        return Memmap().vmemmap + (int(pfn) & U64)


class PageToPfn(HotmmFunction):
    name, summary = "hotmm_page_to_pfn", "$hotmm_page_to_pfn(PAGE): the pfn of a struct page *."

    def invoke(self, page):
        return gdb.Value(Memmap().pfn_of(int(page))).cast(gdb.lookup_type("unsigned long"))


class Pa(HotmmFunction):
    name, summary = "hotmm_pa", "$hotmm_pa(VA): the physical address VA maps to (a table walk)."

    def invoke(self, va):
        return gdb.Value(translate(int(va))).cast(gdb.lookup_type("unsigned long"))


class Va(HotmmFunction):
    name, summary = "hotmm_va", "$hotmm_va(PA): __va(PA), PA's linear-map address (void *)."

    def invoke(self, pa):
        return gdb.Value(linear_va(int(pa))).cast(gdb.lookup_type("void").pointer())


for _f in (PfnToPage, PageToPfn, Pa, Va):
    _f()


# ------------------------------------------------------------ pretty-printers

def _fields(val):
    return [(f.name, val[f.name]) for f in val.type.strip_typedefs().fields() if f.name]


class StructPrinter:
    def __init__(self, val):
        self.val = val

    def children(self):
        return _fields(self.val)


class PagePrinter(StructPrinter):
    """struct page: pfn, flags in words, node, zone, refcount (order when free)."""

    def to_string(self):
        f = PageFacts(self.val)
        text = f"{f.flag_words()}; node {f.nid}, zone {f.zone_name}, " \
               f"refcount {int(self.val['_refcount'])}"
        if f.buddy:
            text += f", free order {int(self.val['private'])}"
        if self.val.address is not None:
            try:
                text = f"pfn {hx(Memmap().pfn_of(int(self.val.address)))}: " + text
            except gdb.GdbError:
                pass
        return text


class MemSectionPrinter(StructPrinter):
    """struct mem_section: its number and pfns (when in mem_section[]), states, node."""

    def to_string(self):
        mm = Memmap()
        text = f"{', '.join(mm.section_words(self.val))}; node {int(self.val['nid'])}"
        addr = self.val.address
        base = int(mm.sections.address)
        if addr is not None and 0 <= int(addr) - base < mm.nr_sections * self.val.type.sizeof:
            nr = (int(addr) - base) // self.val.type.sizeof
            text = (f"section {nr} (pfn 0x{nr << mm.section_shift:x}-"
                    f"0x{((nr + 1) << mm.section_shift) - 1:x}): " + text)
        return text


class MemblockRegionPrinter(StructPrinter):
    """struct memblock_region: [first-last] size, node or name."""

    def to_string(self):
        base, size = int(self.val["base"]), int(self.val["size"])
        label = c_string(self.val["name"]) or f"node {int(self.val['nid'])}"
        if int(self.val["flags"]) & info("memblock_nomap"):
            label += " nomap"
        return f"[{hx(base)}-{hx(base + size - 1)}] {size >> 10} KiB {label}"


class VmemAltmapPrinter(StructPrinter):
    """struct vmem_altmap: its pfns, and include/mm/vmemmap.h's next pfn and free count."""

    def to_string(self):
        a = {k: int(self.val[k]) for k in ("base_pfn", "end_pfn", "reserve", "free", "align",
                                           "alloc")}
        nxt = a["base_pfn"] + a["reserve"] + a["alloc"] + a["align"]
        left = max(a["free"] - a["alloc"] - a["align"], 0)
        return (f"pfn {hx(a['base_pfn'])}-{hx(a['end_pfn'])}: reserve {a['reserve']}, "
                f"free {a['free']}, align {a['align']}, alloc {a['alloc']}; next pfn {hx(nxt)}, "
                f"{left} free")


class MemoryBlockPrinter(StructPrinter):
    """struct memory_block: id, pfns, boot or hot-added, state, zone, node; memmap layout."""

    def to_string(self):
        if not int(self.val["used"]):
            return "unused"
        mm = Memmap()
        per = memory_block_pages(mm)
        start = int(self.val["id"]) * per
        text = (f"block {int(self.val['id'])} (pfn {hx(start)}-{hx(start + per - 1)}): "
                f"{memory_block_where(self.val)}")
        if int(self.val["has_altmap"]):
            text += (f"; memmap {int(self.val['plan']['memmap_pages'])}, "
                     f"padding {int(self.val['plan']['padding_pages'])}")
        if not int(self.val["boot"]):
            text += f", tables {int(self.val['nr_tables'])}"
        return text


def _printers():
    pp = gdb.printing.RegexpCollectionPrettyPrinter("hotmm")
    pp.add_printer("page", "^page$", PagePrinter)
    pp.add_printer("mem_section", "^mem_section$", MemSectionPrinter)
    pp.add_printer("memblock_region", "^memblock_region$", MemblockRegionPrinter)
    pp.add_printer("vmem_altmap", "^vmem_altmap$", VmemAltmapPrinter)
    pp.add_printer("memory_block", "^memory_block$", MemoryBlockPrinter)
    return pp


gdb.printing.register_pretty_printer(None, _printers(), replace=True)


# ------------------------------------------------------------- help hotmm

class HotmmHelp(gdb.Command):
    def __init__(self):
        width = max(len(f"{c.name} {c.usage}") for c in COMMANDS)
        cmds = "\n".join(f"  {(c.name + ' ' + c.usage).strip():<{width}}  {c.summary}"
                         for c in COMMANDS)
        funcs = "\n".join(f"  {f.__doc__}" for f in FUNCTIONS)
        self.__doc__ = (
            "hotmm's GDB helpers: the memmap, page tables and kernel log from guest memory.\n"
            "They only read memory and registers, so they work at any stop, also in a\n"
            "kernel halted by an exception report. `help CMD` says more about each.\n\n"
            f"Commands:\n{cmds}\n\nConvenience functions:\n{funcs}\n\n"
            "Pretty-printers: struct page, struct mem_section, struct memblock_region,\n"
            "struct vmem_altmap, struct memory_block (`print *$hotmm_pfn_to_page(0x40000)`,\n"
            "`print memory_blocks[4]`; `disable pretty-printer global hotmm` for the\n"
            "raw fields).\n"
            "Physical memory: `show hotmm-phys-access`, `set hotmm-phys-access auto|qemu|linear`.")
        super().__init__("hotmm", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        gdb.write(self.__doc__ + "\n")


HotmmHelp()
