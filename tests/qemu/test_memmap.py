"""`memmap`: a memory block drawn page by page (kernel/cmd_memmap.c), against a model.

The model is worked out here from what the test knows of each page, not read
from the picture:
- a hot-added block in force mode: its first memmap_pages hold its memmap (M),
  the rest of the pageblock-aligned reservation is padding (p), a page table
  the add needed takes the last padding page (T; 4K in a new GiB of linear
  map, 64K with 256 MiB blocks, i.e. seed 003); every other page is free
  (.), except the pages `alloc` reports (#), a pageblock `isolate` isolated
  (I), and, once the block is offline, every usable page (o);
- a boot block: pages a memblock reservation touches are reserved (R), pages
  outside memblock's memory are no memory (_) (the end of RAM, mem=...);
  the others are free or allocated, which the model leaves open;
- a cell of N pages shows the first of MTpRI#o.d_ any of its pages is; a row
  is 64 cells; a row like the one above is printed once, then `*`.

The pictures must match the model exactly: every row, every `*`, the header
and the legend; `memmap` alone must be one line per block, its cells the
detail cells grouped. Bad input gets one error line.
"""

import re

import dtutil
from dtutil import MiB, RAM_BASE

CHARS = "MTpRI#o.d_"
NAMES = ("memmap", "page table", "padding", "reserved", "isolated", "allocated", "offline",
         "free", "deferred", "no memory")
LEGEND = "  ".join(f"{c} {n}" for c, n in zip(CHARS, NAMES))
ROW = 64
OPEN = "?"  # a boot page that is free or allocated: the model does not say which

# granule: build section bits, --mem, mem=, pageblock_order, block size, where to add,
#          memmap pages, padding, whether the add needs a page table (hosted in the padding)
CONFIGS = {
    "4K": (None, "2G", "1000M", 10, 128 * MiB, RAM_BASE + 1024 * MiB, 512, 512, True),
    "16K": (None, "1G", "500M", 11, 128 * MiB, RAM_BASE + 512 * MiB, 32, 2016, False),
    "64K": (28, "1G", "500M", 5, 256 * MiB, RAM_BASE + 512 * MiB, 4, 28, True),   # seed 003
}
PAGE_SHIFT = {"4K": 12, "16K": 14, "64K": 16}


# ---- the model ----

def cell_options(kinds):
    """The characters a cell of pages of these kinds may show (OPEN: '#' or '.')."""
    fixed = [k for k in kinds if k != OPEN]
    if len(fixed) == len(kinds):
        return {min(fixed, key=CHARS.index)}
    return {min(fixed + [x], key=CHARS.index) for x in "#."}


def model_cells(kinds, per):
    """One option set per cell of per pages."""
    return [cell_options(kinds[i:i + per]) for i in range(0, len(kinds), per)]


def collapse(rows):
    """[(pfn, text)] as the kernel prints them: repeats become one '*' line."""
    out, prev, starred = [], None, False
    for pfn, text in rows:
        if text == prev:
            if not starred:
                out.append("*")
            starred = True
            continue
        out.append(f"{pfn:#10x}  {text}")
        prev, starred = text, False
    return out


def expand(lines, start, npages, per):
    """The printed rows -> every row's text ('*' repeats the row before, up to the next label)."""
    step = per * ROW
    rows, prev = {}, None
    for line in lines:
        if line == "*":
            continue
        m = re.fullmatch(r" *(0x[0-9a-f]+)  ([MTpRI#o.d_]{64})", line)
        assert m, f"not a row: {line!r}"
        pfn = int(m.group(1), 16)
        assert (pfn - start) % step == 0, line
        if prev is not None:
            for p in range(prev[0] + step, pfn, step):
                rows[p] = prev[1]
        rows[pfn] = m.group(2)
        prev = (pfn, m.group(2))
    for p in range(prev[0] + step, start + npages, step):
        rows[p] = prev[1]
    assert sorted(rows) == list(range(start, start + npages, step)), lines
    return [rows[p] for p in sorted(rows)]


class Block:
    """What the test knows of one memory block's pages."""

    def __init__(self, bid, start, npages, what):
        self.id, self.start, self.npages, self.what = bid, start, npages, what
        self.kinds = ["."] * npages

    def set(self, first, count, kind):
        for p in range(first, first + count):
            if self.start <= p < self.start + self.npages:
                self.kinds[p - self.start] = kind

    def header(self, per):
        cell = f"{per} page{'s' if per > 1 else ''}"
        if per > 1:
            cell += f" (the first of {CHARS} any of them is)"
        return [f"memory block {self.id} (pfn {self.start:#x}-{self.start + self.npages - 1:#x}): "
                f"{self.what}", f"one cell = {cell}, a row = {ROW} cells, * = rows as above",
                LEGEND]

    def check(self, out, per):
        """`memmap ID [per]` against the model: exact where the model is."""
        lines = out.split("\n")
        assert lines[:3] == self.header(per), out
        got = expand(lines[3:], self.start, self.npages, per)
        want = model_cells(self.kinds, per)
        for r, text in enumerate(got):
            for c, ch in enumerate(text):
                opts = want[r * ROW + c]
                pfn = self.start + (r * ROW + c) * per
                assert ch in opts, f"block {self.id}, cell at pfn {pfn:#x}: {ch!r}, the model " \
                                   f"says {'/'.join(sorted(opts))}\n{out}"
        # '*' exactly where a row repeats.
        assert lines[3:] == collapse(
            [(self.start + r * per * ROW, t) for r, t in enumerate(got)]), out
        if all(len(o) == 1 for o in want):  # a model with no open page: the text itself
            text = ["".join(next(iter(o)) for o in want[i:i + ROW])
                    for i in range(0, len(want), ROW)]
            assert lines[3:] == collapse([(self.start + r * per * ROW, t)
                                          for r, t in enumerate(text)]), out
        return got


def overview_line(out, bid):
    m = re.search(rf"^ *{bid}  (\S+) +([MTpRI#o.d_]{{64}})$", out, re.M)
    assert m, f"no line for block {bid}:\n{out}"
    return m.group(1), m.group(2)


def check_overview(con, blocks, detail, npages):
    """`memmap`: the legend, one line per block, each cell the first of its detail cells."""
    out = con.cmd("memmap")
    lines = out.split("\n")
    per = npages // ROW
    assert lines[:3] == [f"one cell = {per} pages (the first of {CHARS} any of them is), "
                         "a line = a block", LEGEND, "block  state          cells"], out
    for b in blocks:
        state, cells = overview_line(out, b.id)
        rows = detail[b.id]
        flat = "".join(rows)
        group = len(flat) // ROW
        want = "".join(min(flat[i:i + group], key=CHARS.index) for i in range(0, len(flat), group))
        assert cells == want, f"block {b.id}: {cells}\nfrom the detail: {want}\n{out}"
    return out


# ---- the test ----

def alloc_pfns(out):
    return [(int(p, 16), int(o)) for p, o in
            re.findall(r"^id \d+: pfn (0x[0-9a-f]+), order (\d+),", out, re.M)]


def test_memmap_picture_is_the_model(boot, build_variant, granule):
    bits, mem, keep, pbo, block, base, memmap, padding, table = CONFIGS[granule]
    extra = []
    if bits:
        build_variant(granule, bits)
        extra = ["--section-bits", str(bits)]
    con = boot(granule, *extra, "--mem", mem, "--append",
               f"mem={keep} memmap_on_memory=force pageblock_order={pbo}")
    s = PAGE_SHIFT[granule]
    npages = block >> s
    default_per = max(1, npages // 4096)

    # Boot blocks: reservations and the end of RAM from memblock.
    mb = dtutil.parse_memblock(con.cmd("memblock"))
    ram_end = RAM_BASE + int(keep[:-1]) * MiB
    boot_blocks = []
    for bid in range(RAM_BASE // block, (ram_end - 1) // block + 1):
        b = Block(bid, bid * npages, npages, "boot memory, online in Normal, node 0")
        b.kinds = [OPEN] * npages
        b.set(ram_end >> s, npages, "_")
        for rbase, rsize, _ in mb["reserved"]:
            b.set(rbase >> s, ((rbase + rsize - 1) >> s) - (rbase >> s) + 1, "R")
        boot_blocks.append(b)
    assert "_" in boot_blocks[-1].kinds and OPEN in boot_blocks[-1].kinds

    # The hot-added block: memmap, padding, the table in the last padding page.
    out = con.cmd(f"mem add {base:#x} {block:#x}")
    assert f"({memmap} pages each, {padding} padding)" in out, out
    hot = Block(base // block, base >> s, npages, "hot-added, online in Movable, node 0")
    hot.set(hot.start, memmap, "M")
    hot.set(hot.start + memmap, padding, "p")
    if table:
        hot.set(hot.start + memmap + padding - 1, 1, "T")
    tables = re.search(r"^table_pages: (\d+) ", con.cmd(f"altmap {hot.id}"), re.M)
    assert int(tables.group(1)) == table, tables

    detail = {}
    for b in boot_blocks + [hot]:
        detail[b.id] = b.check(con.cmd(f"memmap {b.id}"), default_per)
    check_overview(con, boot_blocks + [hot], detail, npages)
    # One page a cell: the head of the block page by page.
    hot.check(con.cmd(f"memmap {hot.id} 1"), 1)

    # Allocations land in the block (ZONE_MOVABLE first); then an isolated pageblock.
    for args in ("--movable 0 3", "--movable 2"):
        for pfn, order in alloc_pfns(con.cmd(f"alloc {args}")):
            assert hot.start + memmap + padding <= pfn < hot.start + npages, pfn
            hot.set(pfn, 1 << order, "#")
    pb = 1 << pbo
    iso = hot.start + npages // 2
    iso -= iso % pb
    assert con.cmd(f"isolate {iso + 3:#x}") == \
        f"pageblock pfn {iso:#x}-{iso + pb - 1:#x}: isolated (was Movable)"
    hot.set(iso, pb, "I")
    for per in (default_per, 1):
        detail[hot.id] = hot.check(con.cmd(f"memmap {hot.id} {per}"), per)
    check_overview(con, boot_blocks + [hot], detail, npages)
    assert con.cmd(f"unisolate {iso:#x}") == f"pageblock pfn {iso:#x}-{iso + pb - 1:#x}: " \
                                             "Movable again"
    hot.set(iso, pb, ".")
    assert "pattern broken" not in con.cmd("free all")

    # Offline: every usable page is offline; memmap, padding and table stay.
    assert con.cmd(f"mem offline {hot.id}") == f"hotplug: block {hot.id} offline"
    hot.what = "hot-added, offline, node 0"
    hot.kinds = [k if k in "MTp" else "o" for k in hot.kinds]
    detail[hot.id] = hot.check(con.cmd(f"memmap {hot.id}"), default_per)
    ov = check_overview(con, boot_blocks + [hot], detail, npages)
    assert overview_line(ov, hot.id)[0] == "offline", ov

    # Bad input: one error line.
    top = npages // ROW
    for line, want in (
            ("memmap 4095", "error: no memory block 4095 (memblocks lists them)"),
            (f"memmap {hot.id} 3", f"error: pages a cell must be a power of two from 1 to {top}"),
            (f"memmap {hot.id} {2 * top}",
             f"error: pages a cell must be a power of two from 1 to {top}"),
            (f"memmap {hot.id} 1 2", "error: usage: memmap [ID [PAGES]]"),
            (f"isolate {hot.start + npages - 1:#x}",
             f"error: pfn {hot.start + npages - 1:#x} is not online memory"),
            (f"unisolate {RAM_BASE >> s:#x}",
             f"error: pageblock pfn {RAM_BASE >> s:#x}-{(RAM_BASE >> s) + pb - 1:#x} "
             "is not isolated")):
        assert con.cmd(line) == want, line
    assert con.poweroff() == 0


# ---- deferred struct page init ----

SECTION_BITS = {"4K": 27, "16K": 27, "64K": 29}   # include/arch/sparsemem.h


def free_pages_in(mb, start, end, s):
    """Pages of [start, end) (bytes) that are memory and that no reservation touches."""
    pages = set()
    for base, size, _, nomap in mb["memory"]:
        if not nomap:
            lo, hi = max(base, start), min(base + size, end)
            pages.update(range(-(-lo >> s), hi >> s))
    for base, size, _ in mb["reserved"]:
        pages.difference_update(range(base >> s, ((base + size - 1) >> s) + 1))
    return len(pages)


def test_deferred_blocks_drawn_d_until_drawn_alone(boot, granule):
    """deferred_init=demand, 1 GiB: the overview draws every cell of a block whose section waits
    for deferred init as 'd' (only the first section was initialised at boot); `memmap ID` of
    such a block initialises its section first: meminfo's Deferred drops by exactly the free
    pages memblock gives that section, and neither picture shows a 'd' for it any more."""
    from test_buddy import parse_meminfo
    con = boot(granule, "--append", "deferred_init=demand")
    s, sec = PAGE_SHIFT[granule], 1 << SECTION_BITS[granule]
    npages = sec >> s
    first, last = RAM_BASE // sec, (RAM_BASE + 1024 * MiB) // sec - 1
    mb = dtutil.parse_memblock(con.cmd("memblock"))
    out = con.cmd("memmap")
    for bid in range(first, last + 1):
        _, cells = overview_line(out, bid)
        if bid == first:
            assert "d" not in cells, out
        else:
            assert cells == "d" * ROW, out
    before = parse_meminfo(con.cmd("meminfo"))["deferred"]["pages"]
    want_before = sum(free_pages_in(mb, b * sec, (b + 1) * sec, s) for b in range(first + 1, last + 1))
    assert before == want_before

    out = con.cmd(f"memmap {last}")
    rows = re.findall(r"^ *0x[0-9a-f]+  (\S{64})$", out, re.M)
    assert rows and "d" not in "".join(rows), out
    after = parse_meminfo(con.cmd("meminfo"))["deferred"]["pages"]
    assert before - after == free_pages_in(mb, last * sec, (last + 1) * sec, s)
    _, cells = overview_line(con.cmd("memmap"), last)
    assert "d" not in cells and "." in cells
    if last - 1 > first:     # 4K, 16K: the blocks between still wait
        _, cells = overview_line(con.cmd("memmap"), last - 1)
        assert cells == "d" * ROW
