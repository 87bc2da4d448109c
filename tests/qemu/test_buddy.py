"""The buddy allocator on the console: meminfo, buddyinfo, pagetypeinfo, pfn, alloc, free.

kernel/cmd_mem.c prints Linux's /proc views of the allocator; this checks
them against each other and against memblock and the DT:

- meminfo: MemTotal is the memory memblock keeps (the DT's banks, less what
  mem= holds back) minus every page a memblock reservation touches, to the
  page; the reserved items it lists are memblock's reserved list, summed by
  name, to the byte; the per-node zone figures add up to MemTotal/MemFree.
- buddyinfo: the sum of count x 2^order per zone is the zone's free pages,
  and over all zones MemFree; pagetypeinfo's per-migratetype counts add up
  to buddyinfo's, and its pageblock counts to the zone's span.
- pfn N: reserved for the kernel image, buddy (head or inside a block, with
  its order) for free RAM, no struct page past RAM, a reserved hole with a
  struct page inside the last section of a 1000M machine (the memmap covers
  whole sections); section, subsection and pageblock numbers worked out
  from the geometry.
- alloc/free: blocks are aligned, disjoint, in RAM and never reserved;
  MemFree drops by what was taken and comes back exactly (and buddyinfo
  with it: the free set is the same, so the merged blocks are too); every
  pattern survives other commands; out of memory or handles gives one
  error line and keeps what was allocated; bad input changes nothing.

One QEMU per test, every granule.
"""

import re

import pytest

import dtutil
import ktap
from dtutil import GiB, MiB, RAM_BASE, KERNEL_PA

PAGE_SHIFT = {"4K": 12, "16K": 14, "64K": 16}
SECTION_BITS = {"4K": 27, "16K": 27, "64K": 29}     # include/arch/sparsemem.h
MAX_ORDER = {"4K": 10, "16K": 11, "64K": 13}         # MAX_PAGE_ORDER, inclusive
PAGEBLOCK_ORDER = {"4K": 9, "16K": 11, "64K": 13}    # the default pageblock_order
SUBSECTION_SHIFT = 21
MIGRATETYPES = ("Unmovable", "Movable", "Reclaimable", "Isolate")
ZONES = ("Normal", "Movable")
NR_HANDLES = 256
NUMA = ("--numa", "384M,640M", "--smp", "2")
NODE1_BASE = RAM_BASE + 384 * MiB


def shift(granule):
    return PAGE_SHIFT[granule]


def pfn_of(granule, pa):
    return pa >> shift(granule)


# ---- parsers for kernel/cmd_mem.c's output ----

def _one(regex, text, what):
    m = re.fullmatch(regex, text)
    assert m, f"{what}: unexpected line {text!r}"
    return m


# Free pages waiting for deferred init, and how the work went (mm/deferred_init.c).
DEFERRED_RE = (r"Deferred:\s+(\d+) kB  \((?P<pages>\d+) pages in (?P<sections>\d+) of "
               r"(?P<boot_sections>\d+) sections, deferred_init=(?P<mode>\w+); (?P<idle_sections>\d+) "
               r"sections in (?P<idle_slices>\d+) idle slices, longest (?P<longest_us>\d+) us; "
               r"(?P<demand>\d+) on demand; (?P<work_us>\d+) us of work\)")


def parse_meminfo(text):
    """`meminfo` -> dict of kB figures, "reserved_pages", "items" {name: bytes},
    "memmap_sections", "tables" (kernel, vmemmap, vmalloc, hotplug), "vmalloc_pages",
    "hotplug" (ranges, blocks, online, hosted, existing, moved since boot),
    "Deferred" (kB) and "deferred" (pages, sections, boot_sections, mode, idle_sections,
    idle_slices, longest_us, demand, work_us), "node_deferred" {nid: (pages, first pfn)},
    "zones" {(nid, zone): (present, managed, free)}."""
    out = {"items": {}, "zones": {}}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if m := re.fullmatch(r"(MemTotal|MemFree|RAM|NoMap):\s+(\d+) kB(  \(.*\))?", line):
            out[m.group(1)] = int(m.group(2))
        elif m := re.fullmatch(r"Reserved:\s+(\d+) kB  \((\d+) pages memblock keeps\)", line):
            out["Reserved"], out["reserved_pages"] = int(m.group(1)), int(m.group(2))
            while i < len(lines) and (m := re.fullmatch(
                    r"  (\S.*?)\s+(\d+) kB  \((\d+) bytes\)", lines[i])):
                name, kb, nbytes = m.group(1), int(m.group(2)), int(m.group(3))
                assert name not in out["items"], f"reserved item {name!r} listed twice:\n{text}"
                assert kb == -(-nbytes // 1024), f"kB and bytes disagree: {lines[i]!r}"
                out["items"][name] = nbytes
                i += 1
        elif m := re.fullmatch(r"Memmap:\s+(\d+) kB  \((\d+) sections x (\d+) kB\)", line):
            out["Memmap"], out["memmap_sections"] = int(m.group(1)), int(m.group(2))
            assert out["Memmap"] == int(m.group(2)) * int(m.group(3)), line
        elif m := re.fullmatch(r"PageTables:\s+(\d+) kB  \(kernel (\d+), vmemmap (\d+), "
                               r"vmalloc (\d+), hotplug (\d+) tables\)", line):
            out["PageTables"] = int(m.group(1))
            out["tables"] = tuple(int(m.group(g)) for g in (2, 3, 4, 5))
        elif m := re.fullmatch(r"Hotplug:\s+(\d+) kB  \((\d+) ranges, (\d+) blocks, (\d+) online; "
                               r"tables: (\d+) hosted in added memory, (\d+) in memory that was "
                               r"there; (\d+) moved out since boot\)", line):
            out["Hotplug"] = int(m.group(1))
            out["hotplug"] = tuple(int(m.group(g)) for g in range(2, 8))
        elif m := re.fullmatch(r"VmallocTotal:\s+(\d+) kB", line):
            out["VmallocTotal"] = int(m.group(1))
        elif m := re.fullmatch(r"VmallocUsed:\s+(\d+) kB  \((\d+) pages\)", line):
            out["VmallocUsed"], out["vmalloc_pages"] = int(m.group(1)), int(m.group(2))
        elif m := re.fullmatch(DEFERRED_RE, line):
            out["Deferred"] = int(m.group(1))
            out["deferred"] = {k: (v if k == "mode" else int(v))
                               for k, v in m.groupdict().items()}
        elif m := re.fullmatch(r"Node (\d+), zone\s+(\S+): present\s+(\d+)  managed\s+(\d+)"
                               r"  free\s+(\d+) pages", line):
            key = (int(m.group(1)), m.group(2))
            assert key not in out["zones"], f"zone {key} listed twice:\n{text}"
            out["zones"][key] = tuple(int(m.group(g)) for g in (3, 4, 5))
        elif m := re.fullmatch(r"Node (\d+): deferred\s+(\d+) pages from pfn (0x[0-9a-f]+)", line):
            out.setdefault("node_deferred", {})[int(m.group(1))] = (int(m.group(2)),
                                                                   int(m.group(3), 16))
        else:
            raise AssertionError(f"meminfo: unexpected line {line!r}:\n{text}")
    for key in ("MemTotal", "MemFree", "RAM", "NoMap", "Reserved", "Memmap", "PageTables",
                "Hotplug", "VmallocTotal", "VmallocUsed", "Deferred"):
        assert key in out, f"no {key} in meminfo:\n{text}"
    assert sum(p for p, _ in out.get("node_deferred", {}).values()) == out["deferred"]["pages"], \
        text
    return out


def parse_buddyinfo(text, granule):
    """`buddyinfo` -> {(nid, zone): [free blocks of order 0..MAX_PAGE_ORDER]}."""
    out = {}
    for line in text.splitlines():
        m = _one(r"Node (\d+), zone\s+(\S+)((?: +\d+)+)", line, "buddyinfo")
        counts = [int(c) for c in m.group(3).split()]
        assert len(counts) == MAX_ORDER[granule] + 1, f"orders 0..MAX_PAGE_ORDER: {line!r}"
        key = (int(m.group(1)), m.group(2))
        assert key not in out, f"{key} twice:\n{text}"
        out[key] = counts
    assert out, "buddyinfo printed nothing"
    return out


def parse_pagetypeinfo(text, granule):
    """`pagetypeinfo` -> {"order", "per_block", "free": {(nid, zone, type): [counts]},
    "blocks": {(nid, zone): {type: n, "Stolen": n}}}."""
    lines = text.splitlines()
    out = {"free": {}, "blocks": {}}
    m = _one(r"Page block order: (\d+)", lines[0], "pagetypeinfo")
    out["order"] = int(m.group(1))
    m = _one(r"Pages per block:\s+(\d+)", lines[1], "pagetypeinfo")
    out["per_block"] = int(m.group(1))
    assert lines[2] == "", text
    m = _one(r"Free pages count per migrate type at order((?: +\d+)+)", lines[3], "pagetypeinfo")
    assert [int(o) for o in m.group(1).split()] == list(range(MAX_ORDER[granule] + 1)), lines[3]
    i = 4
    while lines[i]:
        m = _one(r"Node +(\d+), zone +(\S+), type +(\S+)((?: +\d+)+)", lines[i], "pagetypeinfo")
        counts = [int(c) for c in m.group(4).split()]
        assert len(counts) == MAX_ORDER[granule] + 1, lines[i]
        out["free"][(int(m.group(1)), m.group(2), m.group(3))] = counts
        i += 1
    i += 1
    m = _one(r"Number of blocks type((?: +\S+)+)", lines[i], "pagetypeinfo")
    header = m.group(1).split()
    assert header == list(MIGRATETYPES) + ["Stolen"], lines[i]
    for line in lines[i + 1:]:
        m = _one(r"Node (\d+), zone +(\S+)((?: +\d+)+)", line, "pagetypeinfo")
        counts = [int(c) for c in m.group(3).split()]
        assert len(counts) == len(header), line
        out["blocks"][(int(m.group(1)), m.group(2))] = dict(zip(header, counts))
    return out


def parse_pfn(text):
    """`pfn N` -> dict (see the keys below); every line must be one the command prints."""
    lines = text.splitlines()
    p = {"struct_page": None, "flags": None, "free": None, "pageblock": None}
    m = _one(r"pfn (0x[0-9a-f]+) \(pa (0x[0-9a-f]+)\)", lines[0], "pfn")
    p["pfn"], p["pa"] = int(m.group(1), 16), int(m.group(2), 16)
    for line in lines[1:]:
        if line == "  no struct page: its (sub)section has no memmap":
            p["struct_page"] = False
        elif m := re.fullmatch(r"  struct page (0x[0-9a-f]+)", line):
            p["struct_page"] = True
        elif m := re.fullmatch(r"  flags 0x[0-9a-f]{16}: (.*); node (\d+), zone (\d+) \((\S+)\)",
                               line):
            p["flags"] = set() if m.group(1) == "(none)" else set(m.group(1).split())
            p["node"], p["zone"] = int(m.group(2)), m.group(4)
            assert ZONES[int(m.group(3))] == m.group(4), line
        elif m := re.fullmatch(r"  refcount (\d+), owner (0x[0-9a-f]+|0), index (\d+)", line):
            p["refcount"], p["index"] = int(m.group(1)), int(m.group(3))
        elif m := re.fullmatch(r"  free: head of an order-(\d+) block "
                               r"\(pfn (0x[0-9a-f]+)-(0x[0-9a-f]+)\)", line):
            o, a, b = int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16)
            assert b == a + (1 << o) - 1, line
            p["free"] = ("head", a, o)
        elif m := re.fullmatch(r"  free: inside the order-(\d+) block at pfn (0x[0-9a-f]+)", line):
            p["free"] = ("inside", int(m.group(2), 16), int(m.group(1)))
        elif m := re.fullmatch(r"  section (\d+) \(pfn (0x[0-9a-f]+|0)-(0x[0-9a-f]+)\), node (-?\d+):"
                               r" (.*)", line):
            p["section"] = (int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16))
            p["section_node"] = int(m.group(4))
            p["section_state"] = [s.strip() for s in m.group(5).split(",")]
        elif m := re.fullmatch(r"  subsection (\d+) of (\d+): (valid \(holds memory\)|"
                               r"not valid \(a hole of a boot section\)|not valid)", line):
            p["subsection"] = (int(m.group(1)), int(m.group(2)), m.group(3).startswith("valid"))
            p["boot_hole"] = "hole" in m.group(3)
        elif m := re.fullmatch(r"  pageblock pfn (0x[0-9a-f]+)-(0x[0-9a-f]+): (\S+)", line):
            p["pageblock"] = (int(m.group(1), 16), int(m.group(2), 16), m.group(3))
        elif m := re.fullmatch(r"  memory block (\d+): (boot memory|hot-added), "
                               r"(online|offline|going-offline)(?: in (\S+))?, node (\d+)", line):
            p["block"] = (int(m.group(1)), m.group(2), m.group(3), m.group(4), int(m.group(5)))
        elif m := re.fullmatch(r"  in the block: (.*)", line):
            p["block_role"] = m.group(1)
        elif m := re.fullmatch(r"  memblock: (.*)", line):
            p["memblock"] = m.group(1)
        else:
            raise AssertionError(f"pfn: unexpected line {line!r}:\n{text}")
    assert p["struct_page"] is not None and "section" in p and "subsection" in p, text
    assert "memblock" in p, text
    if p["struct_page"]:
        assert p["flags"] is not None and "refcount" in p and p["pageblock"], text
    else:
        assert p["flags"] is None and p["pageblock"] is None and p["free"] is None, text
    return p


def pfn(con, granule, n, pageblock_order=None):
    """Run `pfn n`, parse it and check its geometry (section, subsection, pageblock, pa)."""
    out = con.cmd(f"pfn {n:#x}")
    p = parse_pfn(out)
    s = shift(granule)
    assert p["pfn"] == n and p["pa"] == n << s, out
    sec_pages = 1 << (SECTION_BITS[granule] - s)
    nr = n // sec_pages
    assert p["section"] == (nr, nr * sec_pages, (nr + 1) * sec_pages - 1), out
    nsub = 1 << (SECTION_BITS[granule] - SUBSECTION_SHIFT)
    sub = (n % sec_pages) >> (SUBSECTION_SHIFT - s)
    assert p["subsection"][:2] == (sub, nsub), out
    if p["struct_page"]:
        pbo = PAGEBLOCK_ORDER[granule] if pageblock_order is None else pageblock_order
        first = n >> pbo << pbo
        assert p["pageblock"][:2] == (first, first + (1 << pbo) - 1), out
        assert p["pageblock"][2] in MIGRATETYPES, out
        # A struct page exists only where the (sub)section has a memmap: a
        # subsection with memory, or a hole of a boot section (whose memmap
        # covers the whole section, as in Linux).
        assert "has memmap" in p["section_state"], out
        assert p["subsection"][2] or (p["boot_hole"] and "early (boot)" in p["section_state"]), out
    p["text"] = out
    return p


# ---- memory as memblock and the DT describe it ----

def parse_held(text):
    """`memblock`'s "held back for hotplug" list: [(base, size, nid)]."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.fullmatch(r"held back for hotplug: (\d+) region\(s\), (\d+) KiB", line)
        if not m:
            continue
        held = []
        for ln in lines[i + 1:i + 1 + int(m.group(1))]:
            r = dtutil._range(ln)
            assert r, f"bad held line {ln!r}"
            nm = re.fullmatch(r"node (-?\d+)", r[2])
            assert nm, f"bad held line {ln!r}"
            held.append((r[0], r[1], int(nm.group(1))))
        assert len(held) == int(m.group(1)), text
        assert sum(s for _, s, _ in held) >> 10 == int(m.group(2)), text
        return held
    return []


def merged(ranges):
    """[(base, size)] -> sorted, adjacent ones joined."""
    out = []
    for b, s in sorted(ranges):
        if out and out[-1][0] + out[-1][1] == b:
            out[-1] = (out[-1][0], out[-1][1] + s)
        else:
            out.append((b, s))
    return out


class Layout:
    """What `dt` and `memblock` say, in pages."""

    def __init__(self, con, granule):
        self.granule = granule
        self.page = dtutil.page_bytes(granule)
        self.dt = dtutil.parse_dt(con.cmd("dt"))
        text = con.cmd("memblock")
        self.mb = dtutil.parse_memblock(text)
        self.held = parse_held(text)
        self.memory = [(b, s, max(nid, 0)) for b, s, nid, _ in self.mb["memory"]]
        self.reserved = self.mb["reserved"]
        self.rsv_pfns = set()
        for b, s, _ in self.reserved:
            self.rsv_pfns.update(range(b // self.page, -(-(b + s) // self.page)))

    def node_pfns(self, nid=None):
        """[(first pfn, end pfn)] of the memory (of one node)."""
        return [(b // self.page, (b + s) // self.page) for b, s, n in self.memory
                if nid is None or n == nid]

    def nodes(self):
        return sorted({n for _, _, n in self.memory})

    def pages(self, nid=None):
        return sum(e - s for s, e in self.node_pfns(nid))

    def reserved_pages(self, nid=None):
        return sum(1 for p in self.rsv_pfns if any(s <= p < e for s, e in self.node_pfns(nid)))

    def in_memory(self, first, npages, nid=None):
        return any(s <= first and first + npages <= e for s, e in self.node_pfns(nid))

    def reserved_overlap(self, first, npages):
        return self.rsv_pfns & set(range(first, first + npages))


def check_meminfo(con, granule, lay=None):
    """meminfo against memblock and the DT; returns the parsed meminfo."""
    lay = lay or Layout(con, granule)
    text = con.cmd("meminfo")
    mi = parse_meminfo(text)
    kib = lay.page >> 10
    ctx = f"\nmeminfo:\n{text}\nmemblock reserved: {lay.reserved}"

    # The DT's memory is what memblock keeps plus what mem= holds back.
    dt_mem = merged((b, s) for b, s, _ in lay.dt["banks"])
    assert merged([(b, s) for b, s, _ in lay.memory] + [(b, s) for b, s, _ in lay.held]) == dt_mem
    total = lay.pages()
    rsv = lay.reserved_pages()
    assert mi["RAM"] == total * kib, ctx
    # Settled (the console waited for deferred init): nothing waits any more.
    assert (mi["Deferred"], mi["deferred"]["pages"], mi["deferred"]["sections"]) == (0, 0, 0), ctx
    assert mi["NoMap"] == 0, ctx
    assert (mi["reserved_pages"], mi["Reserved"]) == (rsv, rsv * kib), ctx
    assert mi["MemTotal"] == (total - rsv) * kib, (
        f"MemTotal {mi['MemTotal']} kB, memory {total} pages - reserved {rsv} pages = "
        f"{(total - rsv) * kib} kB" + ctx)
    # The reserved items are memblock's reserved list by name, to the byte.
    by_name = {}
    for _, s, name in lay.reserved:
        by_name[name] = by_name.get(name, 0) + s
    assert mi["items"] == by_name, ctx
    # The memmap covers whole sections: 64 bytes per page of each present one.
    sec = 1 << SECTION_BITS[granule]
    sections = set()
    for b, s, _ in lay.memory:
        sections.update(range(b // sec, (b + s - 1) // sec + 1))
    assert mi["memmap_sections"] == len(sections), ctx
    assert mi["Memmap"] * 1024 == 64 * (sec // lay.page) * len(sections) == by_name["memmap"], ctx

    # Per node and zone: present = the node's pages, managed = less its reserved pages.
    zones = mi["zones"]
    assert sorted({n for n, _ in zones}) == lay.nodes(), ctx
    for nid in lay.nodes():
        assert set(z for n, z in zones if n == nid) == set(ZONES), ctx
        assert zones[(nid, "Movable")] == (0, 0, 0), ctx
        present, managed, free = zones[(nid, "Normal")]
        assert present == lay.pages(nid), f"node {nid} present" + ctx
        assert managed == lay.pages(nid) - lay.reserved_pages(nid), f"node {nid} managed" + ctx
        assert free <= managed, ctx
    assert sum(z[1] for z in zones.values()) * kib == mi["MemTotal"], ctx
    assert sum(z[2] for z in zones.values()) * kib == mi["MemFree"], ctx
    assert mi["MemFree"] <= mi["MemTotal"], ctx
    mi["text"] = text
    return mi


def check_buddy(con, granule, mi=None, lay=None, pageblock_order=None):
    """buddyinfo and pagetypeinfo against meminfo's free pages; returns buddyinfo."""
    mi = mi or parse_meminfo(con.cmd("meminfo"))
    btext = con.cmd("buddyinfo")
    bi = parse_buddyinfo(btext, granule)
    ptext = con.cmd("pagetypeinfo")
    pt = parse_pagetypeinfo(ptext, granule)
    kib = dtutil.page_bytes(granule) >> 10
    ctx = f"\nbuddyinfo:\n{btext}\nmeminfo:\n{mi.get('text', '')}"
    # buddyinfo lists the zones with pages: here every node's Normal zone.
    assert set(bi) == {k for k, z in mi["zones"].items() if z[0]}, ctx
    total = 0
    for key, counts in bi.items():
        free = sum(c << o for o, c in enumerate(counts))
        assert free == mi["zones"][key][2], f"{key}: buddyinfo has {free} pages free" + ctx
        total += free
    assert total * kib == mi["MemFree"], f"buddyinfo {total} pages, MemFree {mi['MemFree']} kB" + ctx

    pbo = PAGEBLOCK_ORDER[granule] if pageblock_order is None else pageblock_order
    ctx += f"\npagetypeinfo:\n{ptext}"
    assert (pt["order"], pt["per_block"]) == (pbo, 1 << pbo), ctx
    assert set(pt["free"]) == {(n, z, t) for n, z in bi for t in MIGRATETYPES}, ctx
    assert set(pt["blocks"]) == set(bi), ctx
    for (nid, zone), counts in bi.items():
        by_type = [sum(pt["free"][(nid, zone, t)][o] for t in MIGRATETYPES)
                   for o in range(len(counts))]
        assert by_type == counts, f"node {nid} {zone}: pagetypeinfo {by_type}" + ctx
        assert pt["free"][(nid, zone, "Isolate")] == [0] * len(counts), ctx
        if lay is not None:
            # A pageblock counts in the zone of its first page in the zone's span.
            spans = lay.node_pfns(nid)
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            want = len(range(start >> pbo << pbo, end, 1 << pbo))
            blocks = pt["blocks"][(nid, zone)]
            assert sum(blocks[t] for t in MIGRATETYPES) == want, f"node {nid}: {want} blocks" + ctx
            assert blocks["Isolate"] == 0, ctx
    return bi


# ---- accounting after boot ----

CONFIGS = {
    "1G": ("--mem", "1G"),
    "1000M": ("--mem", "1000M"),
    "numa": ("--mem", "1G") + NUMA,
    "mem512M": ("--mem", "1G", "--append", "mem=512M"),
}


@pytest.mark.parametrize("config", list(CONFIGS))
def test_meminfo_adds_up(boot, granule, config):
    con = boot(granule, *CONFIGS[config])
    lay = Layout(con, granule)
    mi = check_meminfo(con, granule, lay)
    check_buddy(con, granule, mi, lay)
    banks = lay.dt["banks"]
    if config == "numa":
        assert [(b, s, n) for b, s, n in banks] == [(RAM_BASE, 384 * MiB, 0),
                                                    (NODE1_BASE, 640 * MiB, 1)]
        assert lay.nodes() == [0, 1]
        # Node 1 holds reservations of its own (its memmap is node-local).
        assert lay.reserved_pages(1) > 0 and lay.reserved_pages(0) > 0
    elif config == "mem512M":
        assert sum(s for _, s, _ in banks) == GiB
        assert [(b, s) for b, s, _ in lay.memory] == [(RAM_BASE, 512 * MiB)]
        assert [(b, s) for b, s, _ in lay.held] == [(RAM_BASE + 512 * MiB, 512 * MiB)]
        # MemTotal counts only the kept memory.
        assert mi["MemTotal"] < 512 * 1024 and mi["RAM"] == 512 * 1024
        # Held-back memory has no struct pages (no section for it yet).
        p = pfn(con, granule, pfn_of(granule, RAM_BASE + 768 * MiB))
        assert p["struct_page"] is False, p["text"]
        assert "not present" in p["section_state"], p["text"]
    else:
        assert merged((b, s) for b, s, _ in banks) == [(RAM_BASE, dtutil.size_bytes(config))]
    assert con.poweroff() == 0


# ---- pfn ----

def check_free_pfn(con, granule, n, bi, nid=0):
    """pfn n lies in a free block: its head says buddy with the order, buddyinfo has one."""
    p = pfn(con, granule, n)
    assert p["struct_page"] and p["free"], f"pfn {n:#x} is not free:\n{p['text']}"
    kind, head, order = p["free"]
    assert order <= MAX_ORDER[granule] and head % (1 << order) == 0, p["text"]
    assert head <= n < head + (1 << order), p["text"]
    assert kind == ("head" if head == n else "inside"), p["text"]
    assert ("buddy" in p["flags"]) == (kind == "head"), p["text"]
    assert p["refcount"] == 0 and p["node"] == nid and p["zone"] == "Normal", p["text"]
    h = pfn(con, granule, head)
    assert h["free"] == ("head", head, order) and h["flags"] == {"buddy"}, h["text"]
    assert bi[(nid, "Normal")][order] >= 1, f"no order-{order} block in buddyinfo {bi}"
    return order


def test_pfn(boot, granule):
    con = boot(granule, "--mem", "1G")
    lay = Layout(con, granule)
    mi = check_meminfo(con, granule, lay)
    bi = check_buddy(con, granule, mi, lay)
    s = shift(granule)

    # The kernel image: reserved, memblock says by whom.
    k = pfn(con, granule, KERNEL_PA >> s)
    assert k["struct_page"] and k["flags"] == {"reserved"}, k["text"]
    assert (k["node"], k["zone"], k["free"]) == (0, "Normal", None), k["text"]
    assert k["refcount"] == 1, k["text"]
    assert k["memblock"] == "reserved by kernel", k["text"]
    assert k["section_node"] == 0, k["text"]
    assert k["section_state"] == ["present", "has memmap", "online", "early (boot)"], k["text"]
    assert k["subsection"][2] and not k["boot_hole"], k["text"]

    # Every reservation's first page is reserved and named in memblock's words.
    for base, size, name in lay.reserved:
        r = pfn(con, granule, base >> s)
        assert "reserved" in r["flags"] and not r["free"], r["text"]
        if base % lay.page == 0:  # `pfn` asks memblock about the page's first byte
            assert r["memblock"] == f"reserved by {name}", r["text"]

    # Free RAM: in the middle of the first GiB, and the last page of RAM.
    check_free_pfn(con, granule, (RAM_BASE + 256 * MiB) >> s, bi)
    free_tail = (RAM_BASE + 512 * MiB + 3 * (1 << s)) >> s
    if not lay.reserved_overlap(free_tail, 1):
        check_free_pfn(con, granule, free_tail, bi)
    m = pfn(con, granule, (RAM_BASE + 256 * MiB) >> s)
    assert m["memblock"] == "memory of node 0", m["text"]

    # Past RAM: no struct page, the section is not present.
    for pa in (RAM_BASE + GiB, RAM_BASE + GiB + 5 * MiB + (1 << s), 1 << 39):
        b = pfn(con, granule, pa >> s)
        assert b["struct_page"] is False, b["text"]
        assert b["section_state"] == ["not present", "no memmap"], b["text"]
        assert b["subsection"][2] is False, b["text"]
        assert b["memblock"] == "no memory here", b["text"]
    # Below RAM (flash, devices): no struct page either.
    b = pfn(con, granule, 0x09000000 >> s)
    assert b["struct_page"] is False and b["memblock"] == "no memory here", b["text"]

    # Beyond the 40-bit section table: one error line.
    out = con.cmd(f"pfn {(1 << 40) >> s:#x}")
    assert out == f"error: pfn {(1 << 40) >> s:#x} is beyond the 40-bit physical space", out
    for bad in ("pfn", "pfn abc", "pfn 1 2", "pfn -1"):
        out = con.cmd(bad)
        assert out.startswith("error: ") and "\n" not in out, f"{bad}: {out!r}"
    # Looking changed nothing.
    assert parse_buddyinfo(con.cmd("buddyinfo"), granule) == bi
    assert con.poweroff() == 0


def test_pfn_hole_in_last_section(boot, granule):
    # 1000M ends inside a section; the memmap still covers the whole section,
    # so the pages past the end of RAM have reserved struct pages.
    con = boot(granule, "--mem", "1000M")
    lay = Layout(con, granule)
    check_buddy(con, granule, check_meminfo(con, granule, lay), lay)
    s = shift(granule)
    end = RAM_BASE + 1000 * MiB
    sec = 1 << SECTION_BITS[granule]
    assert end % sec, "1000M must end inside a section"
    last_sec_end = (end + sec - 1) // sec * sec
    for pa in (end, end + 5 * MiB + 3 * (1 << s), last_sec_end - (1 << s)):
        h = pfn(con, granule, pa >> s)
        assert h["struct_page"] is True, h["text"]
        assert h["flags"] == {"reserved"} and h["free"] is None, h["text"]
        assert (h["node"], h["zone"]) == (0, "Normal"), h["text"]
        assert h["section_state"] == ["present", "has memmap", "online", "early (boot)"], h["text"]
        # Linux marks only the subsections that hold memory: these are holes.
        assert h["subsection"][2] is False and h["boot_hole"], h["text"]
        assert h["memblock"] == ("no memory here (a hole in a present section: "
                                 "its struct page stays reserved)"), h["text"]
    # The last page of RAM is still memory; the next section has nothing.
    last = pfn(con, granule, (end >> s) - 1)
    assert last["memblock"] == "memory of node 0" or last["memblock"].startswith("reserved by"), (
        last["text"])
    beyond = pfn(con, granule, last_sec_end >> s)
    assert beyond["struct_page"] is False, beyond["text"]
    assert con.poweroff() == 0


def test_hot_add_into_boot_hole(boot, granule):
    # Linux marks only the subsections that hold memory, so the hole of a
    # boot section can take memory in (sparse_add_section() there gives no
    # -EEXIST and maps no new memmap): the self-test needs a boot with a hole.
    con = boot(granule, "--mem", "1000M")
    out = con.cmd("selftest sparse_add_into_boot_hole")
    rep = ktap.parse_report(out)
    assert rep.problems == [] and len(rep.results) == 1, out
    assert rep.results[0].ok and not rep.results[0].skip, out
    assert con.poweroff() == 0


# ---- alloc and free ----

ALLOC_RE = re.compile(r"id (\d+): pfn (0x[0-9a-f]+), order (\d+), node (\d+), zone (\S+), "
                      r"(\S+) pageblock, seed (0x[0-9a-f]+)")
FREED_RE = re.compile(r"id (\d+): freed pfn (0x[0-9a-f]+), order (\d+), pattern intact")
LIST_RE = re.compile(r"id (\d+): pfn (0x[0-9a-f]+), order (\d+), node (\d+), seed (0x[0-9a-f]+)")


def alloc(con, args, want=None, error=None):
    """Run `alloc args`; return [(id, pfn, order, node, zone, mt, seed, movable)].

    want: how many allocations must succeed (default: all COUNT); error: the
    one error line that must end the output (default: none)."""
    out = con.cmd(f"alloc {args}", timeout=60)
    lines = out.split("\n") if out else []
    if error is not None:
        assert lines and lines[-1] == error, f"alloc {args}: {out}"
        lines = lines[:-1]
    got = []
    for line in lines:
        m = ALLOC_RE.fullmatch(line)
        assert m, f"alloc {args}: unexpected line {line!r}\n{out}"
        got.append((int(m.group(1)), int(m.group(2), 16), int(m.group(3)), int(m.group(4)),
                    m.group(5), m.group(6), int(m.group(7), 16), "--movable" in args.split()))
    words = [w for w in args.split() if not w.startswith("--")]
    if "--node" in args.split():
        words = words[1:]
    order = int(words[0], 0)
    count = int(words[1], 0) if len(words) > 1 else 1
    assert len(got) == (count if want is None else want), f"alloc {args}:\n{out}"
    for a in got:
        assert a[2] == order and a[4] == "Normal" and a[5] in MIGRATETYPES, f"alloc {args}:\n{out}"
        assert a[1] % (1 << order) == 0, f"pfn not aligned to its order: {out}"
        if "--movable" in args.split():
            assert a[5] == "Movable", f"a movable allocation outside a Movable pageblock:\n{out}"
    return got


def free_list(con):
    out = con.cmd("free")
    lines = out.split("\n")
    m = re.fullmatch(r"(\d+) allocation\(s\), (\d+) pages, (\d+) handles free", lines[-1])
    assert m, out
    items = []
    for line in lines[:-1]:
        lm = LIST_RE.fullmatch(line)
        assert lm, f"free: unexpected line {line!r}"
        items.append((int(lm.group(1)), int(lm.group(2), 16), int(lm.group(3)),
                      int(lm.group(4)), int(lm.group(5), 16)))
    assert int(m.group(1)) == len(items), out
    assert int(m.group(2)) == sum(1 << o for _, _, o, _, _ in items), out
    assert int(m.group(3)) == NR_HANDLES - len(items), out
    return items


def check_allocated(con, granule, lay, allocs, nid=None):
    """The blocks: in RAM (of node nid), never reserved, disjoint; their struct pages say so."""
    taken = set()
    for a_id, first, order, node, *_ in allocs:
        n = 1 << order
        where = "RAM" if nid is None else f"node {nid}'s RAM"
        assert lay.in_memory(first, n, nid), f"id {a_id}: pfn {first:#x}+{n} outside {where}"
        assert lay.in_memory(first, n, node), f"id {a_id}: pfn {first:#x} not in node {node}"
        assert not lay.reserved_overlap(first, n), f"id {a_id}: pfn {first:#x} is reserved"
        pages = set(range(first, first + n))
        assert not taken & pages, f"id {a_id}: pfn {first:#x}+{n} overlaps another allocation"
        taken |= pages
    for a_id, first, order, node, *rest in allocs[:8]:
        p = pfn(con, granule, first)
        # A movable test allocation says how to migrate it (__SetPageMovable).
        want = {"movable"} if rest[-1] else set()
        assert p["flags"] == want and p["free"] is None, p["text"]
        assert (p["refcount"], p["index"], p["node"]) == (1, a_id, node), p["text"]
        if order:
            t = pfn(con, granule, first + (1 << order) - 1)
            assert t["flags"] == set() and t["free"] is None and t["refcount"] == 0, t["text"]


def free_all_checked(con, allocs):
    """Free some ids one by one (out of order), then `free all`; every pattern intact."""
    ids = [a[0] for a in allocs]
    one_by_one = ids[1::2][::-1]
    freed = {}
    for a_id in one_by_one:
        out = con.cmd(f"free {a_id}", timeout=60)
        m = FREED_RE.fullmatch(out)
        assert m and int(m.group(1)) == a_id, f"free {a_id}: {out!r}"
        freed[a_id] = (int(m.group(2), 16), int(m.group(3)))
    out = con.cmd("free all", timeout=60)
    lines = out.split("\n") if out else []
    for line in lines:
        m = FREED_RE.fullmatch(line)
        assert m, f"free all: {line!r}\n{out}"
        freed[int(m.group(1))] = (int(m.group(2), 16), int(m.group(3)))
    assert len(lines) == len(ids) - len(one_by_one), out
    assert freed == {a[0]: (a[1], a[2]) for a in allocs}
    assert free_list(con) == []
    assert con.cmd("free all") == ""


def test_alloc_free(boot, granule):
    con = boot(granule, "--mem", "1G")
    lay = Layout(con, granule)
    mi0 = check_meminfo(con, granule, lay)
    bi0 = check_buddy(con, granule, mi0, lay)
    kib = lay.page >> 10
    big = MAX_ORDER[granule] - 3  # 512 KiB, 8 MiB, 64 MiB
    allocs = []
    for args in ("0 3", "1", "3 2", "--movable 2 4", "5", f"--movable {big}", f"{big} 2",
                 "--node 0 4 3", "--movable --node 0 0 2", "0x2 0x2"):
        got = alloc(con, args)
        assert all(a[3] == 0 for a in got), got
        allocs += got
    assert [a[0] for a in allocs] == list(range(1, len(allocs) + 1)), "ids count from 1"
    assert [(a[0], a[1], a[2], a[3], a[6]) for a in allocs] == free_list(con)
    check_allocated(con, granule, lay, allocs, nid=0)
    taken = sum(1 << a[2] for a in allocs)
    mi1 = check_meminfo(con, granule, lay)
    assert mi1["MemFree"] == mi0["MemFree"] - taken * kib, mi1["text"]
    assert mi1["MemTotal"] == mi0["MemTotal"]
    check_buddy(con, granule, mi1, lay)
    # Other commands in between leave the patterns alone.
    for c in ("dt", "memblock", "vmemmap", "pagetypeinfo", "ptdump", "interrupts", "uptime",
              "sleep 20", "version", "params", f"pfn {allocs[0][1]:#x}"):
        out = con.cmd(c)
        assert "error" not in out, f"{c}: {out}"
    free_all_checked(con, allocs)
    mi2 = check_meminfo(con, granule, lay)
    assert mi2["MemFree"] == mi0["MemFree"], f"before:\n{mi0['text']}\nafter:\n{mi2['text']}"
    assert mi2["zones"] == mi0["zones"]
    bi2 = check_buddy(con, granule, mi2, lay)
    assert bi2 == bi0, f"buddyinfo before {bi0}, after free all {bi2}"
    # The ids keep counting; a freed id is gone.
    again = alloc(con, "0")
    assert again[0][0] == len(allocs) + 1
    out = con.cmd("free 1")
    assert out == "error: no allocation with id 1 (free with no argument lists them)", out
    free_all_checked(con, again)
    assert con.poweroff() == 0


def test_alloc_numa_node(boot, granule):
    con = boot(granule, "--mem", "1G", *NUMA)
    lay = Layout(con, granule)
    mi0 = check_meminfo(con, granule, lay)
    bi0 = check_buddy(con, granule, mi0, lay)
    node1 = []
    for args in ("--node 1 0 3", "--node 1 3", "--node 1 --movable 2 3",
                 f"--movable --node 1 {MAX_ORDER[granule] - 3}", "--node 1 5 2"):
        got = alloc(con, args)
        assert all(a[3] == 1 for a in got), got
        node1 += got
    check_allocated(con, granule, lay, node1, nid=1)
    for a in node1:
        assert a[1] << shift(granule) >= NODE1_BASE, f"id {a[0]} pfn {a[1]:#x} below node 1's bank"
    node0 = alloc(con, "--node 0 1 2") + alloc(con, "--node 0 --movable 3")
    assert all(a[3] == 0 for a in node0), node0
    check_allocated(con, granule, lay, node0, nid=0)
    allocs = node1 + node0
    mi1 = check_meminfo(con, granule, lay)
    kib = lay.page >> 10
    for nid in (0, 1):
        want = mi0["zones"][(nid, "Normal")][2] - sum(1 << a[2] for a in allocs if a[3] == nid)
        assert mi1["zones"][(nid, "Normal")][2] == want, mi1["text"]
    assert mi1["MemFree"] == mi0["MemFree"] - sum(1 << a[2] for a in allocs) * kib
    check_buddy(con, granule, mi1, lay)
    p = pfn(con, granule, node1[0][1])
    assert p["node"] == 1 and p["index"] == node1[0][0], p["text"]
    assert p["memblock"] == "memory of node 1", p["text"]
    free_all_checked(con, allocs)
    mi2 = check_meminfo(con, granule, lay)
    assert mi2["zones"] == mi0["zones"] and mi2["MemFree"] == mi0["MemFree"], mi2["text"]
    assert check_buddy(con, granule, mi2, lay) == bi0
    out = con.cmd("alloc --node 2 0")
    assert out == "error: node 2 has no memory", out
    assert con.poweroff() == 0


def test_alloc_until_out_of_memory_and_handles(boot, granule):
    con = boot(granule, "--mem", "256M")
    lay = Layout(con, granule)
    mi0 = check_meminfo(con, granule, lay)
    bi0 = check_buddy(con, granule, mi0, lay)
    kib = lay.page >> 10
    order = min(MAX_ORDER[granule], 24 - shift(granule))  # blocks of 16 MiB (4 MiB on 4K)
    # Free blocks of this order or larger, counted in blocks of this order.
    fit = sum(c << (o - order) for o, c in enumerate(bi0[(0, "Normal")]) if o >= order)
    assert 0 < fit < NR_HANDLES, f"{fit} blocks of order {order} in {bi0}"
    got = alloc(con, f"{order} {NR_HANDLES}", want=fit,
                error=f"error: out of memory after {fit} of {NR_HANDLES} allocation(s) "
                      f"of order {order}")
    # It keeps what it got.
    assert [(a[0], a[1], a[2], a[3], a[6]) for a in got] == free_list(con)
    check_allocated(con, granule, lay, got)
    mi1 = check_meminfo(con, granule, lay)
    assert mi1["MemFree"] == mi0["MemFree"] - fit * (1 << order) * kib, mi1["text"]
    bi1 = check_buddy(con, granule, mi1, lay)
    assert not any(bi1[(0, "Normal")][order:]), f"out of memory with a free block: {bi1}"
    # Once more: nothing at all, one line, nothing changes.
    assert alloc(con, f"{order}", want=0,
                 error=f"error: out of memory after 0 of 1 allocation(s) of order {order}") == []
    # Out of handles: the rest of them, then one more.
    rest = NR_HANDLES - fit
    small = alloc(con, f"0 {NR_HANDLES}", want=rest,
                  error=f"error: out of handles after {rest} of {NR_HANDLES} allocation(s): "
                        f"all {NR_HANDLES} in use")
    none_left = f"error: out of handles after 0 of 1 allocation(s): all {NR_HANDLES} in use"
    assert alloc(con, "0", want=0, error=none_left) == []
    allocs = got + small
    assert len(free_list(con)) == NR_HANDLES
    mi2 = check_meminfo(con, granule, lay)
    assert mi2["MemFree"] == mi1["MemFree"] - rest * kib, mi2["text"]
    free_all_checked(con, allocs)
    mi3 = check_meminfo(con, granule, lay)
    assert mi3["MemFree"] == mi0["MemFree"], mi3["text"]
    assert check_buddy(con, granule, mi3, lay) == bi0
    assert con.poweroff() == 0


def test_bad_alloc_and_free_change_nothing(boot, granule):
    con = boot(granule, "--mem", "1G")
    lay = Layout(con, granule)
    held = alloc(con, "2 2")

    def state():
        return (con.cmd("meminfo"), con.cmd("buddyinfo"), con.cmd("pagetypeinfo"), free_list(con))

    before = state()
    mx = MAX_ORDER[granule]
    cases = [
        ("free 9999", "error: no allocation with id 9999 (free with no argument lists them)"),
        ("free abc", "error: id 'abc' is not a number"),
        ("alloc 99", f"error: order 99 is above MAX_PAGE_ORDER ({mx})"),
        ("alloc --node 7 0", "error: node 7 has no memory"),
        (f"alloc {mx + 1}", f"error: order {mx + 1} is above MAX_PAGE_ORDER ({mx})"),
        ("alloc --node 1 0", "error: node 1 has no memory"),
        ("alloc 0 0", f"error: count must be 1 to {NR_HANDLES}"),
        (f"alloc 0 {NR_HANDLES + 1}", f"error: count must be 1 to {NR_HANDLES}"),
        ("alloc --node", "error: --node needs a node number"),
        ("alloc --bogus 0", "error: unknown option '--bogus'"),
        ("free 0", "error: no allocation with id 0 (free with no argument lists them)"),
        ("alloc", None), ("alloc 1 2 3", None), ("alloc abc", None), ("alloc -1", None),
        ("alloc 0 abc", None), ("alloc --node x 0", None), ("free 1 2", None), ("free -1", None),
    ]
    for line, want in cases:
        out = con.cmd(line)
        assert out.startswith("error: ") and "\n" not in out, f"{line}: {out!r}"
        if want is not None:
            assert out == want, f"{line}: {out!r}"
    assert state() == before
    free_all_checked(con, held)
    check_buddy(con, granule, check_meminfo(con, granule, lay), lay)
    assert con.poweroff() == 0
