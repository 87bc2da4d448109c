"""`memblock`: the memory list is the DT's banks, the reserved list is exactly
the kernel image, the DTB, the page tables and the DT's own reservations.

- memory: the banks QEMU's DTB describes (base, size, node; -1 without
  NUMA, 0 when slots make QEMU add numa-node-id), split where a
  /reserved-memory no-map child marks a range "nomap".
- reserved, nothing else:
  "kernel"  at the image's load PA 0x40200000, size _end - _head (nm);
  "dtb"     where QEMU put the blob (`dt` says "totalsize: N bytes at PA"):
            -kernel Image: x0 (0x48000000 for 1G and up, 0x44000000 for
            128M), the header totalsize (rounded up to 8 by the kernel);
            ELF and firmware: 0x40000000, 1 MiB;
  "pgtable" page-aligned runs inside RAM: exactly the tables boot made from
            memblock, counted from `ptdump`'s leaves;
  "memmap" the boot memmap, exactly 64 bytes per page of each present section
           (pageblock flags live in it: nothing else is reserved for them);
  /memreserve/ entries as "memreserve", /reserved-memory children by node name.
- reservations that start and end inside a page (a DT written by the test):
  every page they touch stays reserved, counted exactly from that DT in
  meminfo; `pfn` names the reservation on its first and last page; the next
  page is free.
"""

import pytest

import dtutil
from dtutil import GiB, MiB, RAM_BASE, KERNEL_PA
from ptdump_parse import parse_ptdump, table_pages, table_spans

def check_pgtables(con, granule, reserved, banks):
    """The "pgtable" reservations: page-aligned runs in RAM, exactly the boot's tables.

    Every table allocated before memblock handed memory over came from memblock:
    all the tables ptdump's leaves need (ptdump_parse.table_pages()), less the
    fixmap's last level (linked from the image) and the I/O area's last level
    (ioremap() runs after the hand-over, from the buddy allocator).
    """
    page = dtutil.page_bytes(granule)
    pts = [r for r in reserved if r[2] == "pgtable"]
    assert pts, "no pgtable reservation"
    for base, size, _ in pts:
        assert base % page == 0 and size % page == 0, f"pgtable {base:#x}+{size:#x} not page aligned"
        assert any(b <= base and base + size <= b + s for b, s, _ in banks), (
            f"pgtable {base:#x}+{size:#x} outside RAM")
    total = sum(s for _, s, _ in pts)
    sections, _ = parse_ptdump(con.cmd("ptdump"))
    leaves = [r for rs in sections.values() for r in rs]
    fixmap = table_spans(granule, sections["fixmap"], 3)
    io = table_spans(granule, sections["I/O"], 3) - fixmap
    want = table_pages(granule, leaves) - len(fixmap) - len(io)
    assert total == want * page, f"pgtable reserved {total // page} pages, boot made {want} tables"
    return total


BOOKKEEPING = {"pgtable", "memmap"}
SECTION_BYTES = {"4K": 128 * MiB, "16K": 128 * MiB, "64K": 512 * MiB}


def check_memmap(granule, reserved, banks):
    """The boot memmap: 64 bytes per page of every section the banks touch."""
    section = SECTION_BYTES[granule]
    sections = set()
    for b, s, _ in banks:
        sections.update(range(b // section, (b + s - 1) // section + 1))
    want = 64 * (section // dtutil.page_bytes(granule)) * len(sections)
    got = sum(s for _, s, n in reserved if n == "memmap")
    assert got == want, f"memmap reserved {got:#x}, formula {want:#x}"
    assert not any(n == "pageblock flags" for _, _, n in reserved), reserved


def check_reserved_shape(reserved):
    """Sorted by base, no overlaps, every entry named."""
    for (b0, s0, n0), (b1, s1, n1) in zip(reserved, reserved[1:]):
        assert b0 + s0 <= b1, f"{n0} {b0:#x}+{s0:#x} overlaps or is after {n1} {b1:#x}"
    assert all(r[2] for r in reserved), reserved


def memblock_vs_qemu(boot, tmp_path, granule, *args):
    con = boot(granule, *args)
    dt = dtutil.parse_dt(con.cmd("dt"))
    text = con.cmd("memblock")
    mb = dtutil.parse_memblock(text)
    fdt = dtutil.parse_fdt(dtutil.dump_dtb(granule, *args, path=str(tmp_path / "qemu.dtb")))
    return con, dt, mb, fdt, text


CONFIGS = {
    "kernel-1G": ["--boot", "kernel", "--mem", "1G"],
    "kernel-128M": ["--boot", "kernel", "--mem", "128M"],
    "kernel-3G": ["--boot", "kernel", "--mem", "3G"],
    "kernel-el2-1000M": ["--boot", "kernel", "--el2", "--mem", "1000M"],
    "elf-1G": ["--boot", "elf", "--mem", "1G"],
    "elf-el2-1G": ["--boot", "elf", "--el2", "--mem", "1G"],
    "bios-1G": ["--boot", "bios", "--mem", "1G"],
    "bios-el2-1G": ["--boot", "bios", "--el2", "--mem", "1G"],
    "kernel-numa": ["--boot", "kernel", "--numa", "384M,640M", "--smp", "2"],
    "bios-slots": ["--boot", "bios", "--mem", "1G", "--slots", "8", "--maxmem", "16G"],
}


@pytest.mark.parametrize("args", list(CONFIGS.values()), ids=list(CONFIGS))
def test_memory_and_reserved(boot, tmp_path, granule, args):
    con, dt, mb, fdt, text = memblock_vs_qemu(boot, tmp_path, granule, *args)
    mode = args[args.index("--boot") + 1]
    mem = dtutil.size_bytes(args[args.index("--mem") + 1]) if "--mem" in args else GiB

    # memory: the DT's banks as QEMU made them, node ids included.
    banks = fdt.memory_banks()
    assert [(b, s, n) for b, s, n, _ in mb["memory"]] == banks, text
    assert not any(nomap for *_, nomap in mb["memory"]), text
    assert sum(s for _, s, _ in banks) == mem
    if "--numa" in args:
        assert banks == [(0x40000000, 384 * MiB, 0), (0x58000000, 640 * MiB, 1)]
    elif "--slots" in args:
        assert banks == [(RAM_BASE, mem, 0)]
    else:
        assert banks == [(RAM_BASE, mem, -1)]

    reserved = mb["reserved"]
    check_reserved_shape(reserved)
    names = [n for _, _, n in reserved]
    assert sorted(set(names) - BOOKKEEPING) == ["dtb", "kernel"], text
    assert names.count("kernel") == 1 and names.count("dtb") == 1, text

    kernel = next(r for r in reserved if r[2] == "kernel")
    assert kernel[:2] == (KERNEL_PA, dtutil.image_size(granule)), text

    dtb = next(r for r in reserved if r[2] == "dtb")
    assert dtb[0] == dt["dtb_pa"] == dtutil.kernel_dtb_pa(mode, mem), text
    assert dt["totalsize"] == fdt.totalsize == 1 * MiB
    if mode == "kernel":
        assert dtb[1] == fdt.totalsize, text
    else:
        assert dtb[1] == dtutil.BIOS_DTB_SIZE, text

    check_pgtables(con, granule, reserved, banks)
    check_memmap(granule, reserved, banks)


def dtb_with(granule, tmp_path, memreserve, children):
    """QEMU's own DTB (for --boot kernel) plus /memreserve/ entries [(base, size)]
    and /reserved-memory children [(name, base, size, nomap)]: the dts text is
    edited and rebuilt with dtc. Returns the new DTB's path."""
    blob = dtutil.dump_dtb(granule, "--boot", "kernel", path=str(tmp_path / "qemu.dtb"))
    dts = dtutil.dtc("-I", "dtb", "-O", "dts", input=blob).decode()
    assert dts.startswith("/dts-v1/;\n"), dts[:100]
    assert "/memreserve/" not in dts and "reserved-memory" not in dts
    head = "".join(f"/memreserve/ {b:#x} {s:#x};\n" for b, s in memreserve)
    dts = dts.replace("/dts-v1/;\n", f"/dts-v1/;\n\n{head}", 1)
    kids = "".join(f"""
		{name} {{
			reg = <{b >> 32:#x} {b & 0xffffffff:#x} {s >> 32:#x} {s & 0xffffffff:#x}>;{" no-map;" if nomap else ""}
		}};
""" for name, b, s, nomap in children)
    node = f"""
	reserved-memory {{
		#address-cells = <0x02>;
		#size-cells = <0x02>;
		ranges;
{kids}	}};
"""
    end = dts.rindex("};")  # the root node's end
    dts = dts[:end] + node + dts[end:]
    (tmp_path / "rsv.dts").write_text(dts)
    path = tmp_path / "rsv.dtb"
    path.write_bytes(dtutil.dtc("-I", "dts", "-O", "dtb", input=dts.encode()))
    return str(path)


def make_dtb_with_reservations(granule, tmp_path):
    """A /memreserve/ and a /reserved-memory node with a no-map child and a plain child."""
    return dtb_with(granule, tmp_path, [(0x50000000, 0x10000)],
                    [("carveout@60000000", 0x60000000, 0x200000, True),
                     ("plain@70000000", 0x70000000, 0x100000, False)])


def test_dt_reservations_and_nomap(boot, tmp_path, granule):
    dtb = make_dtb_with_reservations(granule, tmp_path)
    args = ["--boot", "kernel", "--mem", "1G", "--", "-dtb", dtb]
    con, dt, mb, fdt, text = memblock_vs_qemu(boot, tmp_path, granule, *args)

    # What QEMU handed over (it loads the file, redoes /memory, keeps the rest).
    assert fdt.memreserve == [(0x50000000, 0x10000)]
    assert fdt.reserved_memory() == [(0x60000000, 0x200000, "carveout@60000000", True),
                                     (0x70000000, 0x100000, "plain@70000000", False)]
    banks = fdt.memory_banks()
    assert banks == [(RAM_BASE, 1 * GiB, -1)]

    # dt: all three entries.
    assert dt["rsv"] == [
        (0x50000000, 0x10000, "memreserve", "", False),
        (0x60000000, 0x200000, "reserved-memory", "carveout@60000000", True),
        (0x70000000, 0x100000, "reserved-memory", "plain@70000000", False),
    ]
    assert dt["banks"] == banks
    assert dt["totalsize"] == fdt.totalsize  # QEMU grew the file's blob: (size + 10000) * 2

    # memory: the bank split around the no-map range, which alone is "nomap".
    assert mb["memory"] == [
        (RAM_BASE, 0x20000000, -1, False),
        (0x60000000, 0x200000, -1, True),
        (0x60200000, 0x80000000 - 0x60200000, -1, False),
    ], text

    # reserved: kernel, dtb, the three DT reservations, page tables; nothing else.
    reserved = mb["reserved"]
    check_reserved_shape(reserved)
    others = [r for r in reserved if r[2] not in BOOKKEEPING]
    assert others == [
        (KERNEL_PA, dtutil.image_size(granule), "kernel"),
        (0x48000000, fdt.totalsize, "dtb"),
        (0x50000000, 0x10000, "memreserve"),
        (0x60000000, 0x200000, "carveout@60000000"),
        (0x70000000, 0x100000, "plain@70000000"),
    ], text
    assert dt["dtb_pa"] == 0x48000000
    check_pgtables(con, granule, reserved, banks)
    check_memmap(granule, reserved, banks)


# Reservations that start and end inside a page: the pages they touch stay
# reserved, the first page after them is the buddy allocator's.
ODD_MEMRESERVE = [(0x50001234, 0x5000)]
ODD_CHILDREN = [("odd@70000800", 0x70000800, 0x20001, False),
                ("tail@74000000", 0x74000000, 0x100, False)]


def pages_touched(base, size, page):
    return set(range(base // page, -(-(base + size) // page)))


def test_odd_reservations_keep_partial_pages(boot, tmp_path, granule):
    from test_buddy import check_meminfo, parse_meminfo, pfn

    dtb = dtb_with(granule, tmp_path, ODD_MEMRESERVE, ODD_CHILDREN)
    con = boot(granule, "--boot", "kernel", "--mem", "1G", "--", "-dtb", dtb)
    text = con.cmd("memblock")
    reserved = dtutil.parse_memblock(text)["reserved"]
    page = dtutil.page_bytes(granule)

    # The DT's entries, to the byte, under their names.
    ours = [(b, s, "memreserve") for b, s in ODD_MEMRESERVE] + \
        [(b, s, n) for n, b, s, _ in ODD_CHILDREN]
    assert [r for r in reserved if r in ours] == ours, text
    # Pages they touch, from the DT alone: 6 + 33 + 1 on 4K, 2 + 9 + 1 on 16K, 1 + 3 + 1 on 64K.
    dt_pages = set()
    for b, s, _ in ours:
        dt_pages |= pages_touched(b, s, page)
    want = {4096: 40, 16384: 12, 65536: 5}[page]
    assert len(dt_pages) == want
    others = set()
    for r in reserved:
        if r not in ours:
            others |= pages_touched(r[0], r[1], page)
    assert not dt_pages & others, "the test's reservations share a page with another one"

    mi = parse_meminfo(con.cmd("meminfo"))
    kib = page >> 10
    ram = GiB // page
    assert mi["reserved_pages"] == len(dt_pages) + len(others), mi
    assert mi["MemTotal"] == (ram - len(dt_pages) - len(others)) * kib, mi
    check_meminfo(con, granule)

    # Each entry's first and last page: reserved, named; the page after went to the
    # buddy allocator: free, or allocated since boot (a page table may land there).
    for b, s, name in ours:
        first, last = b // page, (b + s - 1) // page
        for n in (first, last):
            p = pfn(con, granule, n)
            assert "reserved" in p["flags"] and p["free"] is None, p["text"]
            whole = b <= n * page and (n + 1) * page <= b + s
            assert p["memblock"] == f"reserved by {name}" + ("" if whole else " (part of the page)"), \
                p["text"]
        p = pfn(con, granule, last + 1)
        assert "reserved" not in p["flags"], p["text"]
        assert p["free"] is not None or p["refcount"] == 1, p["text"]
        assert p["memblock"] == "memory of node 0", p["text"]
    assert con.poweroff() == 0
