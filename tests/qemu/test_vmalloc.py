"""vmalloc on the console: vmalloc, vmallocinfo, vfree, set_memory, ptdump.

Per granule, a huge vmalloc of whole blocks (4K: 64 MiB in 2 MiB blocks;
16K: 64 MiB in 32 MiB blocks; 64K: 512 MiB in one 512 MiB block, on a
2 GiB machine, the smallest here with a free aligned 512 MiB) is mapped
with block leaves, which vmallocinfo and ptdump both show; with block
allocations made to fail (the console switch or the boot argument) the
same request takes base pages. Every area's pattern is read back through
its mapping; afterwards MemFree, the page tables and VmallocUsed are back
to the page, ptdump's vmalloc section is empty, and W+X stays 0.

One QEMU per test, every granule.
"""

import re

import pytest

from ptdump_parse import parse_ptdump
from test_buddy import parse_meminfo

MiB = 1 << 20
PAGE = {"4K": 4096, "16K": 16384, "64K": 65536}
BLOCK = {"4K": 2 * MiB, "16K": 32 * MiB, "64K": 512 * MiB}
CONT = {"4K": 64 * 1024, "16K": 2 * MiB, "64K": 2 * MiB}
# RAM to boot and the size of the huge request, per granule
HUGE = {"4K": ("1G", 64 * MiB), "16K": ("1G", 64 * MiB), "64K": ("2G", 512 * MiB)}
VMALLOC_START = 0xFFFF800100000000
TIMEOUT = 120

ALLOC_RE = re.compile(r"^0x([0-9a-f]{16}): (\d+) bytes, pages=(\d+), blocks=(\d+) cont=(\d+) "
                      r"base=(\d+) entries=(\d+), (\d+) us$")
INFO_RE = re.compile(r"^0x([0-9a-f]{16})-0x([0-9a-f]{16}) +(\d+) (\S+) pages=(\d+)((?: \w+)*) "
                     r"blocks=(\d+) cont=(\d+) base=(\d+) entries=(\d+)$")
TOTAL_RE = re.compile(r"^total: (\d+) areas, (\d+) pages \((\d+) kB\), table pages (\d+)$")


def vmalloc(con, size, huge=False):
    """`vmalloc SIZE [huge]` -> dict of what it printed."""
    out = con.cmd(f"vmalloc {size}{' huge' if huge else ''}", timeout=TIMEOUT)
    m = ALLOC_RE.fullmatch(out.strip())
    assert m, out
    keys = ("addr", "bytes", "pages", "blocks", "cont", "base", "entries", "us")
    return dict(zip(keys, (int(m.group(1), 16), *map(int, m.groups()[1:]))))


def vmallocinfo(con):
    """`vmallocinfo` -> ([area dicts], totals dict); every line must parse."""
    out = con.cmd("vmallocinfo")
    areas, total = [], None
    for line in out.splitlines():
        if m := INFO_RE.fullmatch(line):
            areas.append({"start": int(m.group(1), 16), "end": int(m.group(2), 16),
                          "size": int(m.group(3)), "caller": m.group(4),
                          "pages": int(m.group(5)), "flags": m.group(6).split(),
                          "blocks": int(m.group(7)), "cont": int(m.group(8)),
                          "base": int(m.group(9)), "entries": int(m.group(10))})
        elif m := TOTAL_RE.fullmatch(line):
            total = dict(zip(("areas", "pages", "kb", "tables"), map(int, m.groups())))
        else:
            raise AssertionError(f"vmallocinfo: unexpected line {line!r}:\n{out}")
    assert total and total["areas"] == len(areas), out
    return areas, total


def vfree(con, addr):
    out = con.cmd(f"vfree {addr:#x}", timeout=TIMEOUT)
    assert out.strip() == f"0x{addr:016x}: freed, pattern intact", out


def counts(con):
    """The figures that must come back exactly after a vfree."""
    mi = parse_meminfo(con.cmd("meminfo"))
    return {"MemFree": mi["MemFree"], "PageTables": mi["PageTables"], "tables": mi["tables"],
            "VmallocUsed": mi["VmallocUsed"], "vmalloc_pages": mi["vmalloc_pages"]}


def vmalloc_section(con):
    sections, wx = parse_ptdump(con.cmd("ptdump"))
    assert wx == 0
    return sections.get("vmalloc", [])


def check_area(con, granule, a, size, huge, blocks, cont, base):
    """The area as the vmalloc command, vmallocinfo and ptdump report it."""
    page = PAGE[granule]
    assert (a["bytes"], a["pages"]) == (size, size // page), a
    assert (a["blocks"], a["cont"], a["base"]) == (blocks, cont, base), a
    ce = CONT[granule] // page
    assert a["entries"] == blocks + cont * ce + base, a
    areas, total = vmallocinfo(con)
    info = [x for x in areas if x["start"] == a["addr"]]
    assert len(info) == 1, areas
    info = info[0]
    assert info["end"] - info["start"] == info["size"] == size + page  # the guard page
    assert info["flags"] == (["vmalloc", "huge"] if huge else ["vmalloc"]), info
    assert info["caller"].startswith("cmd_vmalloc+"), info
    assert (info["blocks"], info["cont"], info["base"], info["entries"]) == \
        (blocks, cont, base, a["entries"]), info
    if huge and size >= BLOCK[granule]:
        assert a["addr"] % BLOCK[granule] == 0, a
    # ptdump: the area's leaves, every one RW NX normal, L2 blocks of BLOCK bytes
    ranges = [r for r in vmalloc_section(con) if a["addr"] <= r["start"] < a["addr"] + size]
    assert sum(r["end"] - r["start"] for r in ranges) == size, ranges
    assert all((r["write"], r["exec"], r["device"]) == (True, False, False) for r in ranges)
    assert sum(r["entries"] for r in ranges if r["level"] == 2) == blocks, ranges
    assert sum(r["entries"] for r in ranges if r["cont"]) == cont * ce, ranges
    assert sum(r["entries"] for r in ranges if r["level"] == 3 and not r["cont"]) == base, ranges
    # pt walks to the same leaves; the guard page is not mapped
    first = con.cmd(f"pt {a['addr']:#x}")
    if blocks:
        assert re.search(r"^0x[0-9a-f]+: L2 block", first, re.M), first
    elif cont:
        assert re.search(r"^0x[0-9a-f]+: L3 page .*, cont$", first, re.M), first
    assert "not mapped" in con.cmd(f"pt {a['addr'] + size:#x}")
    out = con.cmd(f"vmalloc check {a['addr']:#x}", timeout=TIMEOUT)
    assert out.strip() == f"0x{a['addr']:016x}: pattern intact ({size} bytes)", out
    return info


@pytest.mark.parametrize("inject", ["none", "console", "bootarg"])
def test_vmalloc_huge_blocks_then_back_to_baseline(boot, granule, inject):
    mem, size = HUGE[granule]
    nblocks = size // BLOCK[granule]
    args = ["--mem", mem] + (["--append", "vmalloc_fail_block=1"] if inject == "bootarg" else [])
    con = boot(granule, *args, timeout=TIMEOUT)
    if inject == "console":
        assert con.cmd("vmalloc fail 1").strip() == \
            "vmalloc_block: every 1 block allocation(s) fail"
    before = counts(con)
    assert before["vmalloc_pages"] == 0 and vmalloc_section(con) == []

    a = vmalloc(con, size, huge=True)
    if inject == "none":
        check_area(con, granule, a, size, True, nblocks, 0, 0)
    else:
        check_area(con, granule, a, size, True, 0, 0, size // PAGE[granule])
        out = con.cmd("vmalloc fail")
        assert re.fullmatch(rf"vmalloc_block: every 1 \(0: off\), {nblocks} calls, "
                            rf"{nblocks} failed", out.strip()), out
    during = counts(con)
    assert during["vmalloc_pages"] == size // PAGE[granule]
    assert during["MemFree"] <= before["MemFree"] - size // 1024
    vfree(con, a["addr"])
    assert counts(con) == before
    assert vmalloc_section(con) == []
    assert vmallocinfo(con)[1] == {"areas": 0, "pages": 0, "kb": 0, "tables": 0}
    assert con.poweroff() == 0


def test_vmalloc_odd_sizes_mix_leaves(boot, granule):
    mem, _ = HUGE[granule]
    page, block, cont = PAGE[granule], BLOCK[granule], CONT[granule]
    con = boot(granule, "--mem", mem, timeout=TIMEOUT)
    before = counts(con)
    # one block, two runs, three pages; then a size below a run; then plain vmalloc
    odd = vmalloc(con, block + 2 * cont + 3 * page, huge=True)
    check_area(con, granule, odd, block + 2 * cont + 3 * page, True, 1, 2, 3)
    small = vmalloc(con, cont - page - 5, huge=True)
    check_area(con, granule, small, cont - page, True, 0, 0, cont // page - 1)
    plain = vmalloc(con, 3 * cont + 5)
    check_area(con, granule, plain, 3 * cont + page, False, 0, 0, 3 * cont // page + 1)
    areas, total = vmallocinfo(con)
    assert [x["start"] for x in areas] == sorted(x["start"] for x in areas)
    for x, y in zip(areas, areas[1:]):
        assert x["end"] <= y["start"], (x, y)
    assert total["pages"] == sum(x["pages"] for x in areas) == counts(con)["vmalloc_pages"]
    for a in (small, odd, plain):
        vfree(con, a["addr"])
    assert counts(con) == before
    assert vmalloc_section(con) == []
    assert con.poweroff() == 0


def test_set_memory_whole_blocks_only(boot, granule):
    mem, _ = HUGE[granule]
    page, block, cont = PAGE[granule], BLOCK[granule], CONT[granule]
    con = boot(granule, "--mem", mem, timeout=TIMEOUT)
    size = block + cont + page
    a = vmalloc(con, size, huge=True)
    assert (a["blocks"], a["cont"], a["base"]) == (1, 1, 1), a
    addr, bp, cp = a["addr"], block // page, cont // page
    refused = "error: set_memory_ro: -EINVAL (not inside one vmalloc area, " \
              "or part of a block or contiguous mapping)"
    for start, n in ((addr, 1), (addr + page, bp), (addr + block + page, 1), (addr, bp + 1),
                     (addr + block, cp + 2)):
        assert con.cmd(f"set_memory ro {start:#x} {n}").strip() == refused, (start, n)
    assert con.cmd(f"set_memory ro {addr:#x} {bp}").strip() == \
        f"set_memory_ro 0x{addr:x}, {bp} pages: done"
    ranges = [r for r in vmalloc_section(con) if addr <= r["start"] < addr + size]
    assert [(r["level"], r["write"]) for r in ranges] == [(2, False), (3, True), (3, True)], ranges
    # making the block executable too: the audit sees no W+X, it is read-only
    assert con.cmd(f"set_memory x {addr:#x} {bp}").strip().endswith("done")
    sections, wx = parse_ptdump(con.cmd("ptdump"))
    assert wx == 0
    # writable and executable: the audit counts the block's pages, nx puts it right
    assert con.cmd(f"set_memory rw {addr:#x} {bp}").strip().endswith("done")
    _, wx = parse_ptdump(con.cmd("ptdump"))
    assert wx == bp
    assert con.cmd(f"set_memory nx {addr:#x} {bp + cp + 1}").strip().endswith("done")
    assert vmalloc_section(con)  # W+X 0 again (asserted inside)
    vfree(con, addr)
    assert con.poweroff() == 0


BAD = [
    ("vmalloc", "error: usage: vmalloc SIZE [huge] | check ADDR | fail [N]"),
    ("vmalloc 0", "error: size must not be 0"),
    ("vmalloc abc", "error: size 'abc' is not a number"),
    ("vmalloc 4K bogus", "error: usage: vmalloc SIZE [huge] | check ADDR | fail [N]"),
    ("vmalloc 64G", "error: vmalloc of 68719476736 bytes failed"),
    ("vmalloc 64G huge", "error: vmalloc_huge of 68719476736 bytes failed"),
    ("vmalloc check 0xffff800100000000", "error: 0xffff800100000000 does not start an area "
     "the vmalloc command made (vmallocinfo lists the areas)"),
    ("vmalloc fail x", "error: count 'x' is not a number"),
    ("vfree", "error: usage: vfree ADDR"),
    ("vfree 0x1234", "error: 0x1234 does not start an area the vmalloc command made "
     "(vmallocinfo lists the areas)"),
    ("vmallocinfo now", "error: usage: vmallocinfo"),
    ("set_memory ro 0x1000", "error: usage: set_memory ro|rw|nx|x ADDR NPAGES"),
    ("set_memory foo 0x1000 1", "error: usage: set_memory ro|rw|nx|x ADDR NPAGES"),
    ("set_memory ro 0xffff800100000000 1", "error: set_memory_ro: -EINVAL (not inside one "
     "vmalloc area, or part of a block or contiguous mapping)"),
]


def test_bad_input_one_error_line_nothing_changes(boot, granule):
    con = boot(granule)
    before = counts(con)
    for line, want in BAD:
        out = con.cmd(line, timeout=TIMEOUT)
        assert out.strip() == want and "\n" not in out.strip(), (line, out)
    assert counts(con) == before
    assert vmallocinfo(con)[1]["areas"] == 0
    assert con.poweroff() == 0


def test_vfree_of_an_inner_address_refused(boot, granule):
    con = boot(granule)
    a = vmalloc(con, 3 * PAGE[granule])
    out = con.cmd(f"vfree {a['addr'] + PAGE[granule]:#x}")
    assert out.startswith("error:") and "does not start" in out, out
    vfree(con, a["addr"])
    assert con.poweroff() == 0
