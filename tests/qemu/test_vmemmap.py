"""The vmemmap as `vmemmap` reports it: the issue's table, one row a test.

Each row fails unless a leaf of the expected kind appears. The memmap
formula (64 bytes x PAGES_PER_SECTION x populated sections) is checked on
odd sizes and NUMA banks; on NUMA banks each section's memmap is walked with
`pt` and its backing must lie in the section's node (every leaf of it for a
section the node boundary crosses).
"""
import re

import pytest

from ptdump_parse import level_size
from test_pgtable import parse_pt

SECTION = {"4K": 128 << 20, "16K": 128 << 20, "64K": 512 << 20}
VMEMMAP_END = 0xFFFFFFFFC0000000
MEMSTART = 0x40000000  # RAM base, already 1 GiB / 512 MiB aligned
PAGE = {"4K": 4096, "16K": 16384, "64K": 65536}

TOTAL_RE = re.compile(r"^total: memmap (\d+) KiB, leaf entries (\d+) \(blocks (\d+), cont (\d+), "
                      r"base (\d+)\), table pages (\d+)$", re.M)
SECTION_RE = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)  "
                        r"(boot|buddy|block \d+)$", re.M)
NODE_RE = re.compile(r"^node (\d+): struct pages (\d+), off-node (\d+), tables spanning nodes (\d+)$",
                     re.M)


def vmemmap(con):
    out = con.cmd("vmemmap")
    m = TOTAL_RE.search(out)
    assert m, out
    total = dict(zip(("memmap_kib", "leaves", "blocks", "cont", "base", "tables"),
                     map(int, m.groups())))
    sections = [dict(zip(("nr", "node", "kind", "tables", "blocks", "cont", "base", "kib", "from"),
                         (int(g) if g.isdigit() else g for g in s)))
                for s in SECTION_RE.findall(out)]
    nodes = {int(n): (int(p), int(o), int(x)) for n, p, o, x in NODE_RE.findall(out)}
    return out, total, sections, nodes


ROWS = [
    # granule, run-qemu args, expected totals (None: not checked), id
    ("4K", ["--mem", "1G"], dict(blocks=8, cont=0, base=0), "4K-1G-8-blocks"),
    ("4K", ["--mem", "1G", "--append", "vmemmap_fail_block=2"], dict(blocks=4), "4K-1G-fail2"),
    ("4K", ["--mem", "1G", "--append", "vmemmap=base"], dict(blocks=0, cont=0, base=4096),
     "4K-1G-base"),
    ("16K", ["--mem", "1G"], dict(blocks=0, cont=256, base=0), "16K-1G-cont"),
    ("16K", ["--mem", "8G"], dict(blocks=1, cont=0, base=0), "16K-8G-block"),
    ("16K", ["--mem", "8G", "--append", "vmemmap_fail_block=1"], dict(blocks=0), "16K-8G-fail1"),
    ("64K", ["--mem", "2G"], dict(blocks=0, cont=32, base=0), "64K-2G-cont"),
    ("64K", ["--mem", "1G"], dict(blocks=0, cont=0, base=16), "64K-1G-base"),
]


@pytest.mark.parametrize("row_granule, args, want", [r[:3] for r in ROWS], ids=[r[3] for r in ROWS])
def test_vmemmap_table_row(boot, row_granule, args, want):
    con = boot(row_granule, *args)
    out, total, sections, _ = vmemmap(con)
    for key, value in want.items():
        assert total[key] == value, (key, out)
    # Each row fails unless a leaf of its kind is there.
    if want.get("blocks"):
        assert any(s["kind"] == "block" for s in sections), out
    if want.get("cont"):
        assert any(s["kind"] == "cont" for s in sections), out
    if want.get("base"):
        assert any(s["kind"] == "base" for s in sections), out
    if row_granule == "4K" and "vmemmap_fail_block=2" in args:
        # Every second block allocation failed: those sections fell back.
        fallen = [s for s in sections if s["blocks"] == 0]
        assert len(fallen) == 4 and all(s["cont"] or s["base"] for s in fallen), out
        assert sum(s["blocks"] for s in sections) == 4
    if row_granule == "16K" and "vmemmap_fail_block=1" in args:
        assert total["cont"] + total["base"] == total["memmap_kib"] * 1024 // PAGE["16K"], out
    assert total["leaves"] == total["blocks"] + total["cont"] + total["base"]
    assert con.poweroff() == 0


def memmap_va(granule, pfn):
    """VA of pfn's struct page: vmemmap = VMEMMAP_START - memstart pfn (include/layout.h)."""
    shift = PAGE[granule].bit_length() - 1
    start = VMEMMAP_END - ((1 << 47) >> (shift - 6))
    return start + (pfn - (MEMSTART >> shift)) * 64


def backing(con, granule, va):
    """(physical address, leaf size) `pt VA` gives for va."""
    out = con.cmd(f"pt {va:#x}")
    leaf = parse_pt(out)
    assert leaf and not leaf["device"] and (leaf["write"], leaf["exec"]) == (True, False), out
    return leaf["pa"], level_size(granule, leaf["level"])


# Two nodes; 400M puts the boundary inside a section on every granule.
NUMA_BANKS = {
    "numa-384M-640M": ("384M,640M", [(0x40000000, 384 << 20, 0), (0x58000000, 640 << 20, 1)]),
    "numa-400M-624M": ("400M,624M", [(0x40000000, 400 << 20, 0), (0x59000000, 624 << 20, 1)]),
}


@pytest.mark.parametrize("args, nbanks", [
    (["--mem", "1000M"], 1),
    (["--mem", "3G"], 1),
], ids=["1000M", "3G"])
def test_memmap_formula(boot, granule, args, nbanks):
    con = boot(granule, *args)
    out, total, sections, nodes = vmemmap(con)
    pages_per_section = SECTION[granule] // PAGE[granule]
    assert total["memmap_kib"] * 1024 == 64 * pages_per_section * len(sections), out
    assert all(s["kib"] * 1024 == 64 * pages_per_section for s in sections), out
    # Populated sections are exactly those the RAM touches (whole sections).
    mem = 1000 << 20 if "1000M" in args else 3 << 30
    first = 0x40000000 // SECTION[granule]
    last = (0x40000000 + mem - 1) // SECTION[granule]
    assert [s["nr"] for s in sections] == list(range(first, last + 1)), out
    assert len(nodes) == nbanks and nodes[0][1] == 0, out
    assert con.poweroff() == 0


@pytest.mark.parametrize("case", list(NUMA_BANKS))
def test_memmap_node_local(boot, granule, case):
    """Each section's memmap lies in its node's memory, read from the tables with `pt`.

    A section's node is the node of its first page (Linux's sparse_init_nid);
    a section the node boundary crosses is checked page by page of its memmap.
    """
    sizes, banks = NUMA_BANKS[case]
    con = boot(granule, "--numa", sizes, "--smp", "2")
    out, total, sections, nodes = vmemmap(con)
    sec, page = SECTION[granule], PAGE[granule]
    pages_per_section = sec // page
    assert total["memmap_kib"] * 1024 == 64 * pages_per_section * len(sections), out
    assert [s["nr"] for s in sections] == list(range(0x40000000 // sec, 0x80000000 // sec)), out
    assert sorted(nodes) == [0, 1] and all(o == 0 for _, o, _ in nodes.values()), out

    def node_of(pa):
        return next((n for b, s, n in banks if b <= pa < b + s), None)

    straddling = 0
    for s in sections:
        base = s["nr"] * sec
        assert s["node"] == node_of(base), (s, out)
        first_va = memmap_va(granule, base // page)
        last_va = first_va + 64 * pages_per_section - 1
        crosses = node_of(base) != node_of(base + sec - 1)
        straddling += crosses
        # Every leaf of a straddling section's memmap, the first and last of the others'.
        va = first_va
        while va <= last_va:
            pa, size = backing(con, granule, va)
            assert node_of(pa) == s["node"], (hex(va), hex(pa), s, out)
            va = va - va % size + size if crosses else (last_va if va < last_va else last_va + 1)
    assert straddling == (1 if case == "numa-400M-624M" or granule == "64K" else 0)
    assert con.poweroff() == 0


def test_vmemmap_command_takes_no_arguments(boot, granule):
    con = boot(granule)
    out = con.cmd("vmemmap extra")
    assert out.startswith("error: usage: vmemmap") and "\n" not in out
    assert con.poweroff() == 0


# Linux's ARM64_MEMSTART_ALIGN is never below a section: with 2 GiB sections
# (4K, SECTION_SIZE_BITS=31) memstart is 0, not RAM's 1 GiB, so the memmap of
# section 0 starts at VMEMMAP_START instead of below it.
VMEMMAP_START = {"4K": 0xfffffdffc0000000, "16K": 0xffffff7fc0000000, "64K": 0xffffffdfc0000000}


@pytest.mark.parametrize("bits", [31])
def test_memstart_aligned_to_large_sections(boot, build_variant, granule, bits):
    if granule != "4K":
        pytest.skip("SECTION_SIZE_BITS=31 is a 4K geometry here")
    build_variant(granule, bits)
    con = boot(granule, "--section-bits", str(bits))
    memstart = 0x40000000 // (1 << bits) * (1 << bits)
    for pa in (0x40000000, 0x40000000 + (1 << 29) + 5 * PAGE[granule]):
        out = con.cmd(f"pfn {pa // PAGE[granule]:#x}")
        m = re.search(r"struct page (0x[0-9a-f]+)", out)
        assert m, out
        want = VMEMMAP_START[granule] + (pa - memstart) // PAGE[granule] * 64
        assert int(m.group(1), 16) == want, out
    # The whole memmap is mapped at or above VMEMMAP_START (the walk of its first byte).
    out = con.cmd(f"pt {VMEMMAP_START[granule]:#x}")
    assert "not mapped" not in out, out
    assert con.poweroff() == 0
