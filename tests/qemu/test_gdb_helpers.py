"""The GDB helpers (scripts/gdb/hotmm.py) against the console, in one boot.

Each test boots hotmm with QEMU's gdbstub listening (not waiting: the
kernel boots to its prompt as usual), asks the console, then attaches
gdb-multiarch in batch mode, which stops the CPU wherever it is, runs the
helper commands, and detaches. Nothing changes between the two views, so
every answer must be the console's, line for line:

- hotmm-pt vs pt: linear map, kernel image (text, rodata, data, bss),
  vmemmap (mapped and not), fixmap (a mapped slot and an empty one), I/O
  (the UART and the guard page after it), vmalloc, an unmapped hole, and a
  TTBR0 address (the same refusal). With both ways of reading physical
  memory (QEMU's physical mode and the linear map); -v adds only indented
  lines.
- hotmm-pfn / hotmm-page vs pfn (two NUMA nodes): free pages (the head of a
  block, inside it, its last page; on node 1), two
  allocated ones (unmovable, in the pageblock it stole; movable), a reserved
  kernel page, a memmap page, a page-table page, a page with no struct page,
  a pfn beyond the physical space.
- hotmm-sections, hotmm-memblock, hotmm-buddyinfo, hotmm-dmesg vs vmemmap,
  memblock, buddyinfo, dmesg (two NUMA nodes, a log that wrapped).
- The convenience functions and pretty-printers agree with the same facts.
- After `crash null` the kernel is halted and every helper still answers as
  before; hotmm-dmesg ends with the exception report the console showed.
- Hotplug (held RAM added in force mode, a geometry with padding):
  hotmm-memblocks and hotmm-altmap vs memblocks and altmap (also their
  refusals), hotmm-pfn vs pfn on a memmap, a padding, a free and an
  allocated page of the block and a reserved boot page, and the
  struct memory_block printer; once online, then offline and after `crash
  null`.
- The script `make gdb` runs loads the helpers; they answer at start_kernel,
  on the early tables, before the final ones exist.
"""

import functools
import re
import subprocess

import pytest

import dtutil
import hotmm
from test_gdb import GDB, elf, free_port, qemu, start_for_script, gdb as gdb_batch  # noqa: F401

HELPERS = f"{hotmm.ROOT}/scripts/gdb/hotmm.py"
MARK = "@@@@ "

pytestmark = pytest.mark.skipif(GDB is None, reason="gdb-multiarch is not installed")


def run_gdb(granule, port, commands, timeout=120, elf_path=None):
    """Attach to QEMU's gdbstub on port, run the commands; return each one's output.
    elf_path: another build's ELF (default: build/<granule>/hotmm.elf)."""
    cmd = [GDB, "-q", "-nx", "-batch", "-x", HELPERS, "-ex", f"target remote 127.0.0.1:{port}"]
    for i, c in enumerate(commands):
        cmd += ["-ex", f"echo \\n{MARK}{i}\\n", "-ex", c]
    cmd += ["-ex", f"echo \\n{MARK}end\\n", elf_path or elf(granule)]
    r = subprocess.run(cmd, cwd=hotmm.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    parts = re.split(rf"^{re.escape(MARK)}(\d+|end)\n", r.stdout, flags=re.M)
    outs = {}
    for i in range(1, len(parts) - 1, 2):
        if parts[i] != "end":
            outs[int(parts[i])] = parts[i + 1].rstrip("\n")
    assert len(outs) == len(commands) and f"{MARK}end" in r.stdout, \
        f"gdb did not run every command:\n{r.stdout}"
    # The echo before each command starts a new line: drop that blank line's leftover.
    return [outs[i] for i in range(len(commands))]


@functools.lru_cache(maxsize=None)
def layout(granule):
    """The ELF's vmcoreinfo and a few symbols, read by GDB from the file (no target)."""
    fields = ("page_shift", "page_offset", "kimage_vaddr", "vmalloc_start", "vmemmap_start",
              "io_start", "fixaddr_start")
    syms = ("start_kernel", "vmcoreinfo", "log_buf", "node_data")
    exprs = [(f, f"vmcoreinfo.{f}") for f in fields] + [(s, f"(unsigned long)&{s}") for s in syms]
    out = gdb_batch(granule, *[f"python print('{name}=%d' % int(gdb.parse_and_eval('{e}')))"
                               for name, e in exprs])
    lay = {k: int(v) for k, v in re.findall(r"^(\w+)=(\d+)$", out, re.M)}
    assert set(lay) == set(fields + syms), out
    lay["page"] = 1 << lay["page_shift"]
    return lay


def boot_for_gdb(boot, granule, *args):
    port = free_port()
    con = boot(granule, *args, "--", "-gdb", f"tcp:127.0.0.1:{port}")
    return con, port


def lines(text):
    return text.split("\n")


def pt_pa(text):
    m = re.search(r"^0x[0-9a-f]{16}: L\d \w+ \w+, pa (0x[0-9a-f]+),", text, re.M)
    return int(m.group(1), 16) if m else None


def pt_tables(text):
    return [int(t, 16) for t in re.findall(r"^L\d table (0x[0-9a-f]+) ", text, re.M)]


def struct_page(text):
    m = re.search(r"^  struct page (0x[0-9a-f]{16})$", text, re.M)
    return int(m.group(1), 16) if m else None


def pt_addresses(lay):
    """VA -> what it is, for hotmm-pt vs pt."""
    page = lay["page"]
    return {
        lay["page_offset"]: "linear map, first byte",
        lay["page_offset"] + 0x1234567: "linear map, inside",
        lay["start_kernel"]: "image text",
        lay["vmcoreinfo"]: "image rodata",
        lay["node_data"] + 8: "image data",
        lay["log_buf"] + 0x2345: "image bss",
        # vmemmap[pfn - memstart pfn]: RAM starts at memstart here.
        lay["vmemmap_start"] + 100: "vmemmap, RAM's first struct pages",
        lay["vmemmap_start"] + 64 * (2 << 30 >> lay["page_shift"]): "vmemmap, 2 GiB up: no RAM",
        lay["fixaddr_start"]: "fixmap, the earlycon slot (unmapped after boot)",
        lay["fixaddr_start"] + 6 * page: "fixmap, the DTB window",
        lay["io_start"] + 0x18: "I/O, the UART",
        lay["io_start"] + page: "I/O, the gap after the UART",
        lay["vmalloc_start"]: "vmalloc (nothing there yet)",
        0xFFFF800000000000: "the hole below the image",
        0x1000: "a TTBR0 address",
    }


def console_error(out):
    """A console error line without its "error: ", as GDB prints the same refusal."""
    assert out.startswith("error: "), out
    return out[len("error: "):]


def check_pt(con, granule, port, addrs):
    want = {va: con.cmd(f"pt {va:#x}") for va in addrs}
    cmds = [f"hotmm-pt {va:#x}" for va in addrs]
    cmds += ["set hotmm-phys-access linear"] + cmds + ["set hotmm-phys-access auto"]
    cmds += [f"hotmm-pt -v {va:#x}" for va in addrs]
    outs = run_gdb(granule, port, cmds)
    n = len(addrs)
    for i, va in enumerate(addrs):
        c = want[va]
        if c.startswith("error: "):
            c = console_error(c)
        assert outs[i] == c, f"hotmm-pt {va:#x} ({addrs[va]}):\n{outs[i]}\n--- console:\n{c}"
        assert outs[n + 1 + i] == c, f"hotmm-pt {va:#x} through the linear map:\n{outs[n + 1 + i]}"
        verbose = outs[2 * n + 2 + i]
        plain = [ln for ln in lines(verbose) if not ln.startswith("      ")]
        assert plain == lines(c), f"hotmm-pt -v {va:#x}:\n{verbose}"
        descs = re.findall(r"^L\d table \S+ \[\d+\] = (0x[0-9a-f]{16})  (\w+)$", c, re.M)
        decoded = [ln for ln in lines(verbose) if ln.startswith("      ")]
        assert len(decoded) == len(descs), verbose
        for (desc, kind), d in zip(descs, decoded):
            check_decoded(int(desc, 16), kind, d.strip())
    return want


def check_decoded(desc, kind, text):
    """-v's fields are the descriptor's bits."""
    if kind == "table":
        assert text == (f"next table {desc & 0xFFFFFFFFF000:#x}, PXNTable {desc >> 59 & 1}, "
                        f"UXNTable {desc >> 60 & 1}, APTable {desc >> 61 & 3}, "
                        f"NSTable {desc >> 63}"), text
    elif kind in ("block", "page"):
        for field, value in (("AttrIndx", desc >> 2 & 7), ("AP", desc >> 6 & 3),
                             ("AF", desc >> 10 & 1), ("nG", desc >> 11 & 1),
                             ("Cont", desc >> 52 & 1), ("PXN", desc >> 53 & 1),
                             ("UXN", desc >> 54 & 1)):
            assert re.search(rf"\b{field} {value}\b", text), f"{field} {value} not in {text!r}"
    else:
        assert text.startswith("invalid"), text


def pfn_cases(con, lay, pt):
    """pfn -> what it was when picked, found through the console. Allocates twice."""
    page_shift = lay["page_shift"]
    ram = 0x40000000 >> page_shift
    cases = {}
    for mib in (256, 128, 320, 64, 32):  # the first that is in a free block of order > 0
        n = ram + (mib << 20 >> page_shift)
        out = con.cmd(f"pfn {n:#x}")
        if m := re.search(r"^  free: inside the order-(\d+) block at pfn (0x[0-9a-f]+)", out,
                          re.M):
            n = int(m.group(2), 16)
        else:
            m = re.search(r"^  free: head of an order-(\d+) block", out, re.M)
        if m and int(m.group(1)) > 0:
            break
    assert m and int(m.group(1)) > 0, f"no free block of order > 0 found:\n{out}"
    cases[n] = "free, the head of a block"
    cases[n + 1] = "free, inside a block"
    # Found only by looking at the block's own order: no smaller alignment reaches the head.
    cases[n + (1 << int(m.group(1))) - 1] = "free, the last page of a block"
    # On node 1 (the tests boot with NUMA): the node and zone fields differ.
    cases[(0x40000000 + (384 << 20) + (64 << 20)) >> page_shift] = "free, on node 1"
    # Then allocations (which may split those blocks: both views see the same).
    for args, what in (("0", "allocated, in an Unmovable pageblock it stole"),
                       ("--movable 2", "allocated, movable")):
        m = re.fullmatch(r"id \d+: pfn (0x[0-9a-f]+), .*", con.cmd(f"alloc {args}"))
        cases[int(m.group(1), 16)] = what
    cases[0x40200000 >> page_shift] = "the kernel image (reserved)"
    memmap_pa = pt_pa(pt[lay["vmemmap_start"] + 100])
    cases[memmap_pa >> page_shift] = "memmap"
    table_pa = pt_tables(pt[lay["page_offset"]])[-1]
    cases[table_pa >> page_shift] = "a page-table page"
    cases[0x09000000 >> page_shift] = "no struct page (the UART)"
    cases[1 << 40 >> page_shift] = "beyond the physical space"
    return cases


def check_pfn(con, granule, port, cases):
    want = {n: con.cmd(f"pfn {n:#x}") for n in cases}
    memblock = {n: re.search(r"^  memblock: (.*)$", w, re.M) for n, w in want.items()}
    by_kind = {kind: n for n, kind in cases.items()}
    assert memblock[by_kind["memmap"]].group(1) == "reserved by memmap", want
    assert memblock[by_kind["a page-table page"]].group(1) == "reserved by pgtable", want
    pages = {n: struct_page(w) for n, w in want.items()}
    cmds = [f"hotmm-pfn {n:#x}" for n in cases]
    cmds += [f"hotmm-page {p:#x}" for p in pages.values() if p]
    cmds += [f"printf \"%#lx\\n\", $hotmm_pfn_to_page({n:#x})" for n in cases if pages[n]]
    cmds += [f"printf \"%#lx\\n\", $hotmm_page_to_pfn({p:#x})" for p in pages.values() if p]
    cmds += [f"print *$hotmm_pfn_to_page({n:#x})" for n in cases if pages[n]]
    outs = iter(run_gdb(granule, port, cmds))
    for n, kind in cases.items():
        got, c = next(outs), want[n]
        if c.startswith("error: "):
            c = console_error(c)
        assert got == c, f"hotmm-pfn {n:#x} ({kind}):\n{got}\n--- console:\n{c}"
    for n in cases:
        if pages[n]:
            got = next(outs)
            assert got == want[n], f"hotmm-page {pages[n]:#x}:\n{got}\n--- console:\n{want[n]}"
    for n in cases:
        if pages[n]:
            assert next(outs) == f"{pages[n]:#x}", f"$hotmm_pfn_to_page({n:#x})"
    for n in cases:
        if pages[n]:
            assert next(outs) == f"{n:#x}", f"$hotmm_page_to_pfn({pages[n]:#x})"
    for n in cases:
        if pages[n]:
            check_page_printer(next(outs), n, want[n])


def check_page_printer(got, n, console):
    """`print *page`: pfn, flag words, node, zone, refcount as `pfn` says them."""
    m = re.search(r"^  flags 0x[0-9a-f]{16}: (.*); node (\d+), zone \d+ \((\w+)\)$", console, re.M)
    r = re.search(r"^  refcount (\d+),", console, re.M)
    head = re.search(r"^  free: head of an order-(\d+) block", console, re.M)
    want = f"pfn {n:#x}: {m.group(1)}; node {m.group(2)}, zone {m.group(3)}, refcount {r.group(1)}"
    if head:
        want += f", free order {head.group(1)}"
    assert re.fullmatch(rf"\$\d+ = {re.escape(want)} = \{{flags = \d+, .*\}}", got, re.S), \
        f"print *$hotmm_pfn_to_page({n:#x}):\n{got}\nwant it to start: {want}"


def vmemmap_rows(out):
    """`vmemmap` without what hotmm-sections leaves out (explanations, timings)."""
    return [ln for ln in lines(out)
            if not ln.startswith(("a block (", "a contiguous run (", "memmap: populated"))]


TABLES = {"hotmm-sections": "vmemmap", "hotmm-memblock": "memblock",
          "hotmm-buddyinfo": "buddyinfo", "hotmm-dmesg": "dmesg", "hotmm-dmesg -r": "dmesg -r"}


def check_tables(con, granule, port):
    want = {}
    for helper, cmd in TABLES.items():
        out = con.cmd(cmd)
        want[helper] = vmemmap_rows(out) if cmd == "vmemmap" else lines(out)
    outs = run_gdb(granule, port, list(TABLES))
    for (helper, cmd), got in zip(TABLES.items(), outs):
        assert lines(got) == want[helper], f"{helper}:\n{got}\n--- console {cmd}:\n" + \
            "\n".join(want[helper])
    return want


# ---- the tests ----

def test_hotmm_pt_is_pt(boot, granule):
    con, port = boot_for_gdb(boot, granule)
    lay = layout(granule)
    addrs = pt_addresses(lay)
    pt = check_pt(con, granule, port, addrs)
    # The kinds of answer the addresses were picked for really occur.
    mapped = {addrs[va] for va, out in pt.items() if pt_pa(out) is not None}
    assert {"linear map, first byte", "image text", "image bss", "I/O, the UART",
            "vmemmap, RAM's first struct pages", "fixmap, the DTB window"} <= mapped, pt
    assert {"vmalloc (nothing there yet)", "vmemmap, 2 GiB up: no RAM",
            "I/O, the gap after the UART"}.isdisjoint(mapped), pt
    # $hotmm_pa() is the walk's output address; $hotmm_va() is __va().
    vas = [va for va in addrs if pt_pa(pt[va]) is not None]
    outs = run_gdb(granule, port, [f"printf \"%#lx\\n\", $hotmm_pa({va:#x})" for va in vas]
                   + ["printf \"%#lx\\n\", $hotmm_va(0x40001000)",
                      "printf \"%#lx\\n\", $hotmm_pa($hotmm_va(0x40001000))",
                      "print $hotmm_pa(0x1000)"])
    for va, got in zip(vas, outs):
        assert got == f"{pt_pa(pt[va]):#x}", f"$hotmm_pa({va:#x}) = {got}:\n{pt[va]}"
    assert outs[len(vas)] == f"{lay['page_offset'] + 0x1000:#x}", outs[len(vas)]
    assert outs[len(vas) + 1] == "0x40001000", outs[len(vas) + 1]
    assert outs[-1] == "0x1000 is not a kernel (TTBR1) address; TTBR0 is off", outs[-1]
    assert con.poweroff() == 0


NUMA = ("--numa", "384M,640M", "--smp", "2")


def test_hotmm_pfn_is_pfn(boot, granule):
    con, port = boot_for_gdb(boot, granule, *NUMA)
    lay = layout(granule)
    pt = {va: con.cmd(f"pt {va:#x}")
          for va in (lay["vmemmap_start"] + 100, lay["page_offset"])}
    check_pfn(con, granule, port, pfn_cases(con, lay, pt))
    assert con.poweroff() == 0


def test_hotmm_tables_are_the_console_tables(boot, granule):
    # Some test allocations first, so buddyinfo is not the boot's; a small
    # log that wrapped, so records straddle the ring's end and some were dropped.
    args = "log_buf_len=1K deferred_init=off " + " ".join(f"frob{i:02}" for i in range(30))
    con, port = boot_for_gdb(boot, granule, *NUMA, "--append", args)
    con.cmd("alloc 0 7")
    con.cmd("alloc --movable 3 2")
    want = check_tables(con, granule, port)
    assert re.fullmatch(r"\*\* \d+ printk messages dropped \*\*", want["hotmm-dmesg"][0]), want
    assert "warning: unknown boot argument 'frob29' ignored" in "\n".join(want["hotmm-dmesg"])
    # After dmesg -c nothing is left and nothing counts as dropped, in both views.
    con.cmd("dmesg -c")
    assert con.cmd("dmesg") == ""
    assert run_gdb(granule, port, ["hotmm-dmesg"]) == [""]
    assert con.poweroff() == 0


ALTMAP = (0x48000, 0x4FFFF, 0, 64, 2, 5)  # base_pfn end_pfn reserve free align alloc


def test_pretty_printers(boot, granule):
    # struct mem_section as `pfn` describes its section; memblock's
    # first reservation as `memblock` lists it; a vmem_altmap made in GDB
    # from bytes (none exists in the kernel yet).
    con, port = boot_for_gdb(boot, granule)
    n = 0x40000000 >> layout(granule)["page_shift"]
    p = con.cmd(f"pfn {n:#x}")
    sec = re.search(r"^  section (\d+) \(pfn (0x[0-9a-f]+)-(0x[0-9a-f]+)\), node (\d+): (.*)$",
                    p, re.M)
    nr, first, last, nid, states = sec.groups()
    base, size, name = dtutil.parse_memblock(con.cmd("memblock"))["reserved"][0]
    outs = run_gdb(granule, port, [
        f"print mem_section[{nr}]", "print mem_section[0]",
        "print memblock.reserved.regions[0]",
        "python import struct; print(gdb.Value(struct.pack('<6Q', *%r), "
        "gdb.lookup_type('struct vmem_altmap')))" % (ALTMAP,)])
    want = f"$1 = section {nr} (pfn {first}-{last}): {states}; node {nid} = {{"
    assert outs[0].startswith(want), f"{outs[0]}\nwant it to start: {want}\n--- pfn:\n{p}"
    sec_pages = int(last, 16) + 1 - int(first, 16)
    assert outs[1].startswith(f"$2 = section 0 (pfn 0x0-{sec_pages - 1:#x}): not present, "
                              "no memmap; node 0 = {"), outs[1]
    want = f"$3 = [{base:#x}-{base + size - 1:#x}] {size >> 10} KiB {name} = {{"
    assert outs[2].startswith(want), f"{outs[2]}\nwant it to start: {want}"
    assert outs[3] == ("pfn 0x48000-0x4ffff: reserve 0, free 64, align 2, alloc 5; "
                       "next pfn 0x48007, 57 free = {base_pfn = 294912, end_pfn = 327679, "
                       "reserve = 0, free = 64, align = 2, alloc = 5}"), outs[3]
    assert con.poweroff() == 0


def test_helpers_answer_after_crash(boot, granule):
    con, port = boot_for_gdb(boot, granule)
    lay = layout(granule)
    addrs = {va: what for va, what in pt_addresses(lay).items() if va != 0x1000}
    pt = {va: con.cmd(f"pt {va:#x}") for va in addrs}
    cases = pfn_cases(con, lay, pt)
    pfns = {n: con.cmd(f"pfn {n:#x}") for n in cases}
    tables = {helper: con.cmd(cmd) for helper, cmd in TABLES.items()}
    with con.expect_bad("exception"):
        con.send_line("crash null")
        con.expect("System halted\\.\r*\n")
    report = hotmm.normalize(con.transcript)
    report = report[report.rindex("\nUnhandled exception:"):].rstrip("\n").split("\n")
    cmds = [f"hotmm-pt {va:#x}" for va in addrs] + [f"hotmm-pfn {n:#x}" for n in cases]
    cmds += list(TABLES) + ["info symbol $pc"]
    outs = iter(run_gdb(granule, port, cmds))
    for va in addrs:
        assert next(outs) == pt[va], f"after the crash, hotmm-pt {va:#x}"
    for n in cases:
        c = pfns[n]
        assert next(outs) == (console_error(c) if c.startswith("error: ") else c), \
            f"after the crash, hotmm-pfn {n:#x}"
    for helper, cmd in TABLES.items():
        got = lines(next(outs))
        want = vmemmap_rows(tables[helper]) if cmd == "vmemmap" else lines(tables[helper])
        if helper.startswith("hotmm-dmesg"):
            # The log now ends with the report: the console's lines, stamped.
            tail = [re.sub(r"^(<\d>)?\[ *\d+\.\d{6}\] ", "", ln) for ln in got[len(want):]]
            assert tail == report, f"{helper} after the crash:\n" + "\n".join(got)
            got = got[:len(want)]
        assert got == want, f"after the crash, {helper}:\n" + "\n".join(got)
    assert re.match(r"halt \+ \d+ in section \.text", next(outs))


def test_make_gdb_script_loads_the_helpers(qemu, tmp_path, granule):
    # At start_kernel the early tables are live: one RWX image mapping that
    # boot/early_map.c made with the MMU off; the helpers walk them too.
    script = start_for_script(qemu, tmp_path, granule)
    out = gdb_batch(granule, "help hotmm", 'printf "pc=%#lx\\n", $pc', "hotmm-pt $pc",
                    script=script)
    assert "hotmm-pt [-v] VA" in out and "hotmm-pfn PFN" in out, out
    pc = int(re.search(r"^pc=(0x[0-9a-f]+)$", out, re.M).group(1), 16)
    m = re.search(r"^0x([0-9a-f]{16}): L\d (?:page|block) \w+, pa (0x[0-9a-f]+), RW x  normal",
                  out, re.M)
    assert m and int(m.group(1), 16) == pc, out
    assert int(m.group(2), 16) == pc - 0xFFFF800080200000 + 0x40200000, out


# ---- hotplug: memory blocks and altmaps ----

HELD = 0x60000000  # what mem=512M holds back of a 1 GiB machine
# granule: (block size, pageblock_order giving padding in force mode, memmap pages, padding)
HOTPLUG = {"4K": (128 << 20, 10, 512, 512), "16K": (128 << 20, 11, 32, 2016),
           "64K": (512 << 20, 5, 8, 24)}


def hotplug_cases(con, lay, bid, memmap, padding):
    """pfn -> what it is, in and around the hot-added block; allocates once in it."""
    start = HELD >> lay["page_shift"]
    end = start + (HOTPLUG[lay["granule"]][0] >> lay["page_shift"])
    usable = start + memmap + padding
    m = re.fullmatch(r"id \d+: pfn (0x[0-9a-f]+), .*", con.cmd("alloc --movable 0"))
    allocated = int(m.group(1), 16)
    assert usable <= allocated < end, allocated
    cases = {}
    for n, kind in ((start, "memmap"), (start + memmap - 1, "memmap, the last page"),
                    (start + memmap, "padding"), (usable - 1, "padding, the last page"),
                    (allocated, "allocated"), (usable, "usable, the first page"),
                    (allocated + 1, "usable, beside the allocation"),
                    (end - 1, "usable, the last page (free)"),
                    (0x40200000 >> lay["page_shift"], "the kernel image (reserved, boot block)")):
        cases.setdefault(n, kind)
    return cases


def hotplug_views(con, bid, cases):
    """(console command, its GDB twin) -> the console's answer."""
    pairs = [("memblocks", "hotmm-memblocks"), (f"altmap {bid}", f"hotmm-altmap {bid}"),
             ("altmap 8", "hotmm-altmap 8"), ("altmap 4095", "hotmm-altmap 4095")]
    pairs += [(f"pfn {n:#x}", f"hotmm-pfn {n:#x}") for n in cases]
    want = {}
    for c, g in pairs:
        out = con.cmd(c)
        want[(c, g)] = console_error(out) if out.startswith("error: ") else out
    return want


def check_hotplug_views(granule, port, want, printers):
    outs = run_gdb(granule, port, [g for _, g in want] + [p for p, _ in printers])
    for ((c, g), w), got in zip(want.items(), outs):
        assert got == w, f"{g}:\n{got}\n--- console {c}:\n{w}"
    for (p, w), got in zip(printers, outs[len(want):]):
        assert got.startswith(w + " = {"), f"{p}:\n{got}\nwant it to start: {w}"


def test_hotmm_hotplug_views_are_the_console(boot, granule):
    block, pbo, memmap, padding = HOTPLUG[granule]
    con, port = boot_for_gdb(boot, granule, "--append",
                             f"mem=512M memmap_on_memory=force pageblock_order={pbo}")
    lay = dict(layout(granule), granule=granule)
    bid = HELD // block
    out = con.cmd(f"mem add {HELD:#x} {block:#x}")
    assert f"({memmap} pages each, {padding} padding)" in out, out
    nr_boot = len(re.findall(r"  no \(boot\)$", con.cmd("memblocks"), re.M))
    cases = hotplug_cases(con, lay, bid, memmap, padding)
    want = hotplug_views(con, bid, cases)
    roles = {kind: re.search(r"^  in the block: (.*)$", want[(f"pfn {n:#x}", f"hotmm-pfn {n:#x}")],
                             re.M) for n, kind in cases.items()}
    assert roles["memmap"].group(1) == "memmap (the block's own struct pages)", want
    assert roles["padding, the last page"].group(1) == "padding of the memmap reservation", want
    assert roles["allocated"] is None and roles["usable, the last page (free)"] is None, want
    last = next(n for n, kind in cases.items() if kind.endswith("(free)"))
    assert "\n  free: inside the order-" in want[(f"pfn {last:#x}", f"hotmm-pfn {last:#x}")], want
    kernel = 0x40200000 >> lay["page_shift"]
    assert "memblock: reserved by kernel" in want[(f"pfn {kernel:#x}", f"hotmm-pfn {kernel:#x}")]
    assert want[("altmap 4095", "hotmm-altmap 4095")] == \
        "no memory block 4095 (memblocks lists them)", want
    start, last = HELD >> lay["page_shift"], (HELD + block >> lay["page_shift"]) - 1
    hot = f"block {bid} (pfn {start:#x}-{last:#x}): hot-added, %s, node 0; " \
          f"memmap {memmap}, padding {padding}, tables 0"
    per = block >> lay["page_shift"]
    first = 0x40000000 >> lay["page_shift"]
    boot0 = f"block {first // per} (pfn {first:#x}-{first + per - 1:#x}): boot memory, " \
            "online in Normal, node 0"
    check_hotplug_views(granule, port, want,
                        [(f"print memory_blocks[{nr_boot}]", "$1 = " + hot % "online in Movable"),
                         ("print memory_blocks[0]", "$2 = " + boot0)])
    # Offline: the block's states and its pages' flags change; then a halted kernel.
    con.cmd("free all")
    assert con.cmd(f"mem offline {bid}") == f"hotplug: block {bid} offline"
    want = hotplug_views(con, bid, cases)
    with con.expect_bad("exception"):
        con.send_line("crash null")
        con.expect("System halted\\.\r*\n")
    check_hotplug_views(granule, port, want,
                        [(f"print memory_blocks[{nr_boot}]", "$1 = " + hot % "offline")])
