"""The kernel's page tables as `ptdump` and `pt` show them.

W^X holds on every granule; the linear map is exactly the DT's memory,
mapped with the largest leaves that fit (checked against a model of the
rule); `pt` walks a linear-map, image, I/O and unmapped address; meminfo's
PageTables is exactly the table pages the dumped leaves need.
"""
import re
import subprocess

import pytest

import hotmm
from ptdump_parse import (MEMSTART_ALIGN, PAGE_OFFSET, level_size, merge, model_leaves,
                          parse_ptdump, table_pages, table_spans)
from test_buddy import parse_meminfo

BANKS = {
    "1000M": (["--mem", "1000M"], [(0x40000000, 1000 << 20)]),
    "1G": (["--mem", "1G"], [(0x40000000, 1 << 30)]),
    "3G": (["--mem", "3G"], [(0x40000000, 3 << 30)]),
    "numa-384M-640M": (["--numa", "384M,640M", "--smp", "2"],
                       [(0x40000000, 384 << 20), (0x58000000, 640 << 20)]),
}


def symbol(granule, name):
    out = subprocess.run(["aarch64-linux-gnu-nm", f"{hotmm.ROOT}/build/{granule}/hotmm.elf"],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        addr, _, sym = line.split()
        if sym == name:
            return int(addr, 16)
    raise KeyError(name)


def test_ptdump_wx_zero_and_image_protections(boot, granule):
    con = boot(granule)
    sections, wx = parse_ptdump(con.cmd("ptdump"))
    assert wx == 0
    image = sections["kernel image"]
    assert not any(r["write"] and r["exec"] for rs in sections.values() for r in rs)
    text, etext = symbol(granule, "_text"), symbol(granule, "_etext")
    rodata, end_rodata = symbol(granule, "__start_rodata"), symbol(granule, "__end_rodata")
    guard = symbol(granule, "init_stack_guard")
    for r in image:
        if r["start"] < etext:
            assert (r["write"], r["exec"]) == (False, True) and r["end"] <= etext, r
        elif r["start"] < end_rodata:
            assert (r["write"], r["exec"]) == (False, False) and r["end"] <= end_rodata, r
        else:
            assert (r["write"], r["exec"]) == (True, False), r
        assert not (r["start"] <= guard < r["end"]), "stack guard page is mapped"
    assert image[0]["start"] == text == 0xFFFF800080200000
    assert rodata == etext
    assert con.poweroff() == 0


@pytest.mark.parametrize("case", list(BANKS))
def test_linear_map_is_the_dt_memory_with_largest_leaves(boot, granule, case):
    args, banks = BANKS[case]
    con = boot(granule, *args)
    sections, _ = parse_ptdump(con.cmd("ptdump"))
    memstart = banks[0][0] - banks[0][0] % MEMSTART_ALIGN[granule]
    want = merge([leaf for b, s in banks for leaf in model_leaves(granule, b, s, memstart)])
    got = [{k: r[k] for k in ("start", "end", "level", "cont", "entries")}
           for r in sections["linear map"]]
    assert got == want
    for r in sections["linear map"]:
        assert r["pa"] == r["start"] - PAGE_OFFSET + memstart
        assert (r["write"], r["exec"], r["device"]) == (True, False, False)
    assert con.poweroff() == 0


def test_linear_map_has_no_block_past_a_bank_end(boot, granule):
    con = boot(granule, "--mem", "1000M")
    sections, _ = parse_ptdump(con.cmd("ptdump"))
    last = sections["linear map"][-1]
    assert last["end"] == PAGE_OFFSET + (1000 << 20)
    # 1000M is no multiple of the largest block on any granule: the tail uses smaller leaves.
    assert last["level"] > 1
    assert con.poweroff() == 0


def parse_pt(text):
    m = re.search(r"^0x([0-9a-f]{16}): L(\d) (page|block) (\S+), pa 0x([0-9a-f]+), "
                  r"(RW|ro) (x |NX) (normal|device)(, cont)?$", text, re.M)
    if not m:
        return None
    return {"level": int(m.group(2)), "kind": m.group(3), "pa": int(m.group(5), 16),
            "write": m.group(6) == "RW", "exec": m.group(7) == "x ",
            "device": m.group(8) == "device"}


def test_pt_walks_linear_image_io_and_unmapped(boot, granule):
    con = boot(granule, "--mem", "1000M")
    sections, _ = parse_ptdump(con.cmd("ptdump"))

    lin = sections["linear map"][0]
    va = lin["start"] + 3 * level_size(granule, 3) + 8
    r = parse_pt(con.cmd(f"pt {va:#x}"))
    assert r and r["level"] == lin["level"] and r["pa"] == va - PAGE_OFFSET + 0x40000000
    assert (r["write"], r["exec"], r["device"]) == (True, False, False)
    # Every level from the root down is listed.
    out = con.cmd(f"pt {va:#x}")
    start = 1 if granule == "64K" else 0
    assert [int(x) for x in re.findall(r"^L(\d) table", out, re.M)] == \
        list(range(start, r["level"] + 1))

    sk = symbol(granule, "start_kernel")
    r = parse_pt(con.cmd(f"pt {sk:#x}"))
    assert r and r["level"] == 3 and (r["write"], r["exec"], r["device"]) == (False, True, False)
    assert r["pa"] == sk - 0xFFFF800080200000 + 0x40200000

    io = sections["I/O"][0]
    r = parse_pt(con.cmd(f"pt {io['start']:#x}"))
    assert r and r["level"] == 3 and r["device"] and not r["exec"] and r["pa"] == 0x09000000

    out = con.cmd("pt 0xffff800100000000")
    assert "not mapped" in out
    out = con.cmd("pt 0x40000000")
    assert out.strip().startswith("error:") and len(out.strip().splitlines()) == 1
    out = con.cmd("pt nonsense")
    assert out.strip().startswith("error:") and len(out.strip().splitlines()) == 1
    assert con.poweroff() == 0


@pytest.mark.parametrize("case", list(BANKS))
def test_page_tables_counted_exactly(boot, granule, case):
    """meminfo's PageTables = the tables ptdump's leaves need, less the fixmap's last level.

    The fixmap's last-level tables sit in the image (the early pool) and are
    linked, not allocated; every other table came from an allocator and
    counts. A leaked table (allocated, in no walk) or one freed while in use
    makes the two differ.
    """
    args, _ = BANKS[case]
    con = boot(granule, *args)
    sections, _ = parse_ptdump(con.cmd("ptdump"))
    leaves = [r for rs in sections.values() for r in rs]
    fixmap_tables = len(table_spans(granule, sections["fixmap"], 3))
    assert fixmap_tables >= 1
    want = table_pages(granule, leaves) - fixmap_tables
    mi = parse_meminfo(con.cmd("meminfo"))
    kernel, vmemmap, vmalloc = mi["tables"]
    page_kib = level_size(granule, 3) >> 10
    assert kernel + vmemmap + vmalloc == want, (mi["tables"], want)
    assert mi["PageTables"] == want * page_kib
    # The same after tables come and go: the self-tests map and unmap scratch ranges.
    out = con.cmd("selftest pgtable_split_block_by_partial_unmap pgtable_cont_run_broken_by_partial_protect")
    assert "0 fail" in out, out
    assert parse_meminfo(con.cmd("meminfo"))["tables"] == (kernel, vmemmap, vmalloc)
    assert con.poweroff() == 0
