"""Boot arguments (kernel/params.c) and the `params` command.

- `params` lists every argument hotmm knows, one line each, with its value
  and "(default)" or "(bootargs)"; without -append every value is the
  default (pageblock_order 9/11/13, memory_block_size one section).
- A valid argument shows up as "(bootargs)" with its value, gives no
  warning, and has its effect where a command can show it: pageblock_order
  in pagetypeinfo and `pfn`, vmemmap= in `vmemmap`'s totals, mem= in
  memblock and meminfo, vmemmap_fail_block= in the blocks that fell back,
  fail_nth= as one allocation failure (at boot: a panic naming the site).
- An invalid value or an unknown name produces exactly one "warning: ..."
  line, before the banner, saying what was expected; the value stays the
  default.

One QEMU per test, every granule.
"""

import re

import pytest

import dtutil
import hotmm
from dtutil import MiB, GiB, RAM_BASE
from test_buddy import (MAX_ORDER, PAGEBLOCK_ORDER, SECTION_BITS, Layout, alloc,
                        check_buddy, check_meminfo, free_all_checked, parse_held, pfn)

# Every argument README.md documents, plus earlycon (accepted as Linux's).
NAMES = ("mem", "hold_node", "memmap_on_memory", "memmap_on_memory_check", "vmemmap",
         "altmap_fallback", "memhp_default_state", "pageblock_order", "memory_block_size",
         "vmemmap_fail_block", "vmalloc_fail_block", "fail_nth", "acpi_ged", "log_buf_len",
         "deferred_init",
         "earlycon")
CHOICES = {
    "vmemmap": ("auto", "section", "base"),
    "altmap_fallback": ("none", "basepages"),
    "memmap_on_memory": ("off", "on", "force"),
    "memmap_on_memory_check": ("hotmm", "linux"),
    "memhp_default_state": ("online", "offline"),
    "deferred_init": ("off", "on", "demand"),
}
# What `set` may change after boot.
RUNTIME = ("memmap_on_memory", "memmap_on_memory_check", "altmap_fallback", "memhp_default_state",
           "vmemmap_fail_block", "vmalloc_fail_block", "fail_nth", "deferred_init")


def section_mib(granule):
    return (1 << SECTION_BITS[granule]) >> 20


def pageblock_text(granule, order):
    return f"{order} ({(dtutil.page_bytes(granule) << order) >> 10} KiB)"


def defaults(granule):
    return {
        "mem": "no limit",
        "hold_node": "none",
        "memmap_on_memory": "off",
        "memmap_on_memory_check": "hotmm",
        "vmemmap": "auto",
        "altmap_fallback": "none",
        "memhp_default_state": "online",
        "pageblock_order": pageblock_text(granule, PAGEBLOCK_ORDER[granule]),
        "memory_block_size": f"{section_mib(granule)} MiB",
        "vmemmap_fail_block": "0",
        "vmalloc_fail_block": "0",
        "fail_nth": "0",
        "acpi_ged": "auto",
        "log_buf_len": "16 KiB",
        "deferred_init": "on",
        "earlycon": "pl011 (always)",
    }


def params(con):
    """`params` -> {name: (value, "bootargs"|"default"|"set")}, in the order printed."""
    out = con.cmd("params")
    got = {}
    for line in out.split("\n"):
        m = re.fullmatch(r"  (\S+) +(\S.*?) +\((bootargs|default|set)\)", line)
        assert m, f"params: unexpected line {line!r}\n{out}"
        name, value, src = m.groups()
        assert line == f"  {name:<22} {value:<24} ({src})", f"params columns: {line!r}"
        assert name not in got, f"{name} listed twice:\n{out}"
        got[name] = (value, src)
    assert tuple(got) == NAMES, f"params lists {tuple(got)}, want {NAMES}"
    return got


def early_lines(con):
    """The guest's lines before the banner (run-qemu.sh's own line left out)."""
    text = hotmm.normalize(con.transcript)
    head = text[:text.index(hotmm.BANNER_FIRST)]
    return [ln for ln in head.split("\n") if ln and not ln.startswith("run-qemu: ")]


def warnings(con):
    """The warning lines before the banner; none may come after it."""
    text = hotmm.normalize(con.transcript)
    after = text[text.index(hotmm.BANNER_FIRST):]
    assert "warning" not in after, f"a warning after the banner:\n{after}"
    return [ln for ln in early_lines(con) if ln.startswith("warning")]


def check_params(con, granule, given):
    """params shows the given {name: value} as (bootargs), everything else as the default."""
    got = params(con)
    want = defaults(granule)
    for name in NAMES:
        if name in given:
            assert got[name] == (given[name], "bootargs"), f"{name}: {got[name]}"
        else:
            assert got[name] == (want[name], "default"), f"{name}: {got[name]}"


def vmemmap_totals(con):
    out = con.cmd("vmemmap")
    m = re.search(r"^mode (\S+), altmap_fallback (\S+),", out, re.M)
    t = re.search(r"^total: memmap (\d+) KiB, leaf entries (\d+) \(blocks (\d+), cont (\d+), "
                  r"base (\d+)\), table pages (\d+)$", out, re.M)
    assert m and t, out
    kib, leaves, blocks, cont, base, tables = (int(x) for x in t.groups())
    assert leaves == blocks + cont + base, out
    return {"mode": m.group(1), "fallback": m.group(2), "memmap_kib": kib, "leaves": leaves,
            "blocks": blocks, "cont": cont, "base": base, "tables": tables, "text": out}


# ---- defaults ----

def test_params_defaults(boot, granule):
    con = boot(granule)
    assert warnings(con) == []
    check_params(con, granule, {})
    out = con.cmd("params now")
    # (shell_usage() prints "usage: NAME USAGE": a trailing blank for an empty USAGE.)
    assert out.rstrip() == "error: usage: params" and "\n" not in out, out
    assert con.poweroff() == 0


def test_valid_arguments_together(boot, granule):
    args = {"vmemmap": "section", "altmap_fallback": "basepages", "pageblock_order": "5",
            "memory_block_size": "1G", "mem": "512M", "fail_nth": "1000000",
            "vmemmap_fail_block": "3", "vmalloc_fail_block": "2", "memmap_on_memory": "force",
            "memhp_default_state": "offline", "earlycon": None}
    cmdline = " ".join(k if v is None else f"{k}={v}" for k, v in args.items())
    con = boot(granule, "--append", cmdline)
    assert warnings(con) == [], early_lines(con)
    assert con.banner.get("bootargs") == cmdline
    check_params(con, granule, {
        "vmemmap": "section", "altmap_fallback": "basepages",
        "pageblock_order": pageblock_text(granule, 5), "memory_block_size": "1024 MiB",
        "mem": "512 MiB", "fail_nth": "1000000", "vmemmap_fail_block": "3",
        "vmalloc_fail_block": "2", "memmap_on_memory": "force", "memhp_default_state": "offline",
        "earlycon": "pl011 (always)"})
    assert con.poweroff() == 0


# ---- each valid argument, and its effect ----

@pytest.mark.parametrize("arg, value", [
    ("memmap_on_memory=force", "force"),
    ("memmap_on_memory=on", "on"),
    ("memmap_on_memory=off", "off"),
    ("memmap_on_memory_check=linux", "linux"),
    ("memmap_on_memory_check=hotmm", "hotmm"),
    ("memhp_default_state=offline", "offline"),
    ("memhp_default_state=online", "online"),
    ("memory_block_size=1G", "1024 MiB"),
    ("memory_block_size=2048M", "2048 MiB"),
    ("memory_block_size=64G", "65536 MiB"),
    ("vmemmap=auto", "auto"),
    ("fail_nth=0", "0"),
    ("vmemmap_fail_block=0", "0"),
    ("log_buf_len=1K", "1 KiB"),
    ("acpi_ged=off", "off"),
    ("deferred_init=off", "off"),
    ("deferred_init=demand", "demand"),
    ("deferred_init=on", "on"),
    ("earlycon", "pl011 (always)"),
])
def test_valid_argument_shows_in_params(boot, granule, arg, value):
    con = boot(granule, "--append", arg)
    assert warnings(con) == [], early_lines(con)
    check_params(con, granule, {arg.partition("=")[0]: value})
    assert con.poweroff() == 0


def test_memory_block_size_256M(boot, granule):
    # 256M is two sections on 4K and 16K, half of one on 64K: too small there.
    con = boot(granule, "--append", "memory_block_size=256M")
    if section_mib(granule) <= 256:
        assert warnings(con) == [], early_lines(con)
        check_params(con, granule, {"memory_block_size": "256 MiB"})
    else:
        assert warnings(con) == [
            "warning: boot argument memory_block_size=256M: expected a power of two from the "
            f"section size ({section_mib(granule)} MiB) to 64 GiB; default kept"]
        check_params(con, granule, {})
    assert con.poweroff() == 0


@pytest.mark.parametrize("order", ["1", "5", "max"])
def test_pageblock_order(boot, granule, order):
    n = MAX_ORDER[granule] if order == "max" else int(order)
    con = boot(granule, "--mem", "1G", "--append", f"pageblock_order={n}")
    assert warnings(con) == [], early_lines(con)
    check_params(con, granule, {"pageblock_order": pageblock_text(granule, n)})
    lay = Layout(con, granule)
    mi = check_meminfo(con, granule, lay)
    # pagetypeinfo's order, pages per block and block counts, buddyinfo agreeing.
    check_buddy(con, granule, mi, lay, pageblock_order=n)
    # Pageblock flags live in the struct page of each pageblock's first pfn:
    # no memory is reserved for them, whatever the order.
    assert "pageblock flags" not in mi["items"], mi["text"]
    # pfn shows the pageblock around a page (free, and the kernel's).
    page = dtutil.page_bytes(granule)
    for pa in (RAM_BASE + 256 * MiB + 5 * page, dtutil.KERNEL_PA + 3 * page):
        pfn(con, granule, pa // page, pageblock_order=n)
    # Allocations still work with these pageblocks; the movable ones in Movable blocks.
    bigger = min(n + 1, MAX_ORDER[granule] - 3)
    got = alloc(con, "0 3") + alloc(con, "--movable 3 2") + alloc(con, f"{bigger}")
    for a in got[:2]:
        pfn(con, granule, a[1], pageblock_order=n)
    free_all_checked(con, got)
    assert check_meminfo(con, granule, lay)["MemFree"] == mi["MemFree"]
    assert con.poweroff() == 0


@pytest.mark.parametrize("mode", ["auto", "section", "base"])
def test_vmemmap_mode(boot, granule, mode):
    # 2G: enough for contiguous runs of memmap on 16K and 64K, blocks on 4K.
    args = ("--mem", "2G") if mode == "auto" else ("--mem", "2G", "--append", f"vmemmap={mode}")
    con = boot(granule, *args)
    assert warnings(con) == []
    check_params(con, granule, {} if mode == "auto" else {"vmemmap": mode})
    v = vmemmap_totals(con)
    page = dtutil.page_bytes(granule)
    assert v["mode"] == mode and v["fallback"] == "none", v["text"]
    assert v["memmap_kib"] == 64 * (2 * GiB // page) >> 10, v["text"]
    if mode == "base":
        assert (v["blocks"], v["cont"], v["base"]) == (0, 0, v["memmap_kib"] * 1024 // page), v["text"]
    elif mode == "section":
        # Block or base pages, never contiguous runs.
        assert v["cont"] == 0, v["text"]
        assert (v["blocks"] > 0) == (granule == "4K"), v["text"]
    else:
        # auto: blocks on 4K, contiguous runs where a block cannot be had.
        assert v["blocks"] > 0 if granule == "4K" else v["cont"] > 0, v["text"]
        assert v["base"] == 0, v["text"]
    check_buddy(con, granule, check_meminfo(con, granule), Layout(con, granule))
    assert con.poweroff() == 0


def test_altmap_fallback(boot, granule):
    con = boot(granule, "--append", "altmap_fallback=basepages")
    assert warnings(con) == []
    check_params(con, granule, {"altmap_fallback": "basepages"})
    v = vmemmap_totals(con)
    assert (v["mode"], v["fallback"]) == ("auto", "basepages"), v["text"]
    assert con.poweroff() == 0


def test_vmemmap_fail_block(boot, granule):
    con = boot(granule, "--mem", "1G", "--append", "vmemmap_fail_block=2")
    assert warnings(con) == []
    check_params(con, granule, {"vmemmap_fail_block": "2"})
    v = vmemmap_totals(con)
    if granule == "4K":
        # 8 blocks wanted, every second one fails and falls back to contiguous runs.
        assert v["blocks"] == 4 and v["cont"] == 4 * 2 * MiB // 4096, v["text"]
    else:
        # No block-sized memmap chunk at 1G: nothing was asked for, nothing failed.
        assert v["blocks"] == 0, v["text"]
    check_buddy(con, granule, check_meminfo(con, granule), Layout(con, granule))
    assert con.poweroff() == 0


def test_fail_nth_fails_one_allocation(boot, granule):
    # The count starts at the argument; boot takes a few dozen allocations, so
    # the 150th is one of the first few rounds of 64 test allocations.
    con = boot(granule, "--append", "fail_nth=150")
    assert warnings(con) == []
    check_params(con, granule, {"fail_nth": "150"})
    mi = check_meminfo(con, granule)
    failures = 0
    for _ in range(4):
        out = con.cmd("alloc 0 64")
        errs = [ln for ln in out.split("\n") if ln.startswith("error")]
        ids = [ln for ln in out.split("\n") if ln.startswith("id ")]
        assert len(errs) + len(ids) == len(out.split("\n")), out
        if errs:
            failures += 1
            assert errs == [f"error: out of memory after {len(ids)} of 64 allocation(s) of order 0"]
            assert out.split("\n")[-1] == errs[0], out
        else:
            assert len(ids) == 64, out
        freed = con.cmd("free all").split("\n")
        assert len(freed) == len(ids) and all(ln.endswith("pattern intact") for ln in freed)
        if failures and not errs:
            break
    assert failures == 1, "fail_nth=150 must fail exactly one allocation"
    assert check_meminfo(con, granule)["MemFree"] == mi["MemFree"]
    assert con.poweroff() == 0


def test_fail_nth_at_boot_panics(boot, granule):
    # The first mm allocation after the argument is the kernel's root table.
    with pytest.raises(hotmm.BadPatternError) as e:
        boot(granule, "--append", "fail_nth=1")
    assert "Kernel panic: paging_init: no memory for the kernel's root table" in str(e.value)


def test_mem_limit(boot, granule):
    con = boot(granule, "--mem", "1G", "--append", "mem=512M")
    assert warnings(con) == []
    check_params(con, granule, {"mem": "512 MiB"})
    assert con.banner["ram_mib"] == 512, con.banner_text
    text = con.cmd("memblock")
    mb = dtutil.parse_memblock(text)
    assert [(b, s) for b, s, _, _ in mb["memory"]] == [(RAM_BASE, 512 * MiB)], text
    assert [(b, s) for b, s, _ in parse_held(text)] == [(RAM_BASE + 512 * MiB, 512 * MiB)], text
    mi = check_meminfo(con, granule)
    assert mi["RAM"] == 512 * 1024 and mi["MemTotal"] < 512 * 1024
    assert con.poweroff() == 0


def test_mem_limit_two_nodes(boot, granule):
    """mem=512M over nodes of 384M and 640M keeps 384M of node 0 and 128M of node 1, exactly."""
    con = boot(granule, "--numa", "384M,640M", "--smp", "2", "--append", "mem=512M")
    assert warnings(con) == []
    assert con.banner["ram_mib"] == 512, con.banner_text
    text = con.cmd("memblock")
    mb = dtutil.parse_memblock(text)
    node1 = RAM_BASE + 384 * MiB
    assert mb["memory"] == [(RAM_BASE, 384 * MiB, 0, False), (node1, 128 * MiB, 1, False)], text
    assert parse_held(text) == [(RAM_BASE + 512 * MiB, 512 * MiB, 1)], text
    mi = check_meminfo(con, granule)
    page = dtutil.page_bytes(granule)
    assert mi["RAM"] == 512 * 1024, mi["text"]
    assert mi["zones"][(0, "Normal")][0] == 384 * MiB // page, mi["text"]
    assert mi["zones"][(1, "Normal")][0] == 128 * MiB // page, mi["text"]
    # The first held page and the last kept one, as `pfn` sees them.
    assert "memblock: memory held back for hotplug (node 1)" in con.cmd(
        f"pfn {(RAM_BASE + 512 * MiB) // page:#x}")
    assert "; node 1, zone 0" in con.cmd(f"pfn {(RAM_BASE + 512 * MiB) // page - 1:#x}")
    assert con.poweroff() == 0


# ---- invalid values and unknown names ----

def expected_warning(granule, arg):
    name, eq, val = arg.partition("=")
    if not eq:
        return f"warning: boot argument {name} needs a value; default kept"
    why = {
        "pageblock_order": f"an order from 1 to {MAX_ORDER[granule]} (MAX_PAGE_ORDER)",
        "memory_block_size": "a power of two from the section size "
                             f"({section_mib(granule)} MiB) to 64 GiB",
        "mem": f"a size of at least one section ({section_mib(granule)} MiB)",
        "fail_nth": "a count (0 turns it off)",
        "vmemmap_fail_block": "a count (0 turns it off)",
        "log_buf_len": "a power of two from 1 to 64 KiB",
        "vmalloc_fail_block": "a count (0 turns it off)",
        "hold_node": "node numbers below 8, separated by commas",
        "acpi_ged": "auto, off, or GED_BASE,INTID,MEMHP_BASE (an SPI, 4-byte aligned bases)",
    }.get(name)
    return None if why is None else f"warning: boot argument {name}={val}: expected {why}; default kept"


INVALID = ["pageblock_order=0", "pageblock_order=99", "pageblock_order=abc", "pageblock_order=max+1",
           "pageblock_order=-1", "pageblock_order=",
           "memory_block_size=100M", "memory_block_size=1K", "memory_block_size=384M",
           "memory_block_size=128G", "memory_block_size=abc",
           "mem=1K", "mem=abc", "mem=", "mem",
           "fail_nth=x", "fail_nth=-1", "vmemmap_fail_block=abc", "vmemmap_fail_block",
           "vmalloc_fail_block=x", "vmalloc_fail_block",
           "vmemmap=foo", "vmemmap=BASE", "vmemmap=", "altmap_fallback=y",
           "memmap_on_memory=maybe", "memhp_default_state=x", "log_buf_len=3K",
           "hold_node=8", "hold_node=1,x", "hold_node=", "memmap_on_memory_check=arm64",
           "log_buf_len=128K", "acpi_ged=0x9080000,7", "deferred_init=maybe", "deferred_init="]


@pytest.mark.parametrize("arg", INVALID)
def test_invalid_value_warns_once(boot, granule, arg):
    arg = arg.replace("max+1", str(MAX_ORDER[granule] + 1))
    con = boot(granule, "--append", arg)
    warns = warnings(con)
    assert len(warns) == 1, f"{arg}: want one warning, got {warns}"
    w = warns[0]
    want = expected_warning(granule, arg)
    name, eq, val = arg.partition("=")
    if want is not None:
        assert w == want, w
    else:
        # A choice: the warning says which values are allowed.
        m = re.fullmatch(rf"warning: boot argument {re.escape(name)}={re.escape(val)}: "
                         r"expected (.*); default kept", w)
        assert m, w
        missing = [c for c in CHOICES[name] if not re.search(rf"\b{c}\b", m.group(1))]
        assert not missing, f"{w!r} does not name the allowed values {CHOICES[name]}"
    check_params(con, granule, {})
    assert con.poweroff() == 0


@pytest.mark.parametrize("arg", ["frob", "frob=1", "Mem=512M", "pageblock-order=5"])
def test_unknown_argument_warns_once(boot, granule, arg):
    con = boot(granule, "--append", arg)
    name = arg.partition("=")[0]
    assert warnings(con) == [f"warning: unknown boot argument '{name}' ignored"]
    check_params(con, granule, {})
    assert con.poweroff() == 0


def test_each_bad_argument_one_warning_good_ones_kept(boot, granule):
    # Good and bad mixed: one warning per bad one, in order, before the banner.
    args = ["pageblock_order=0", "vmemmap=base", "frob", "memory_block_size=1K",
            "memhp_default_state=offline", "mem=abc"]
    con = boot(granule, "--append", " ".join(args))
    warns = warnings(con)
    assert len(warns) == 4, warns
    assert warns[0] == expected_warning(granule, "pageblock_order=0")
    assert warns[1] == "warning: unknown boot argument 'frob' ignored"
    assert warns[2] == expected_warning(granule, "memory_block_size=1K")
    assert warns[3] == expected_warning(granule, "mem=abc")
    check_params(con, granule, {"vmemmap": "base", "memhp_default_state": "offline"})
    assert con.poweroff() == 0


# ---- help lists every command, as params lists every argument ----

def test_help_lists_every_shell_cmd(boot, granule):
    import glob
    import os

    import test_console

    names = set()
    for path in glob.glob(os.path.join(hotmm.ROOT, "kernel", "*.c")):
        with open(path) as f:
            names.update(re.findall(r"^SHELL_CMD\((\w+),", f.read(), re.M))
    con = boot(granule)
    listed = set(test_console.help_list(con.cmd("help")))
    assert listed == names, (f"help lists {sorted(listed - names)} that no SHELL_CMD defines, "
                             f"and not {sorted(names - listed)}")
    assert set(test_console.COMMANDS) == names, (
        f"test_console.COMMANDS lacks {sorted(names - set(test_console.COMMANDS))}")
    assert con.poweroff() == 0


def test_set_changes_run_time_settings_only(boot, granule):
    con = boot(granule)
    before = params(con)
    for name, value in (("memmap_on_memory", "force"), ("memmap_on_memory_check", "linux"),
                        ("memhp_default_state", "offline"), ("altmap_fallback", "basepages"),
                        ("deferred_init", "demand")):
        assert con.cmd(f"set {name} {value}") == ""
        assert params(con)[name] == (value, "set")
    # Boot-only settings, bad values, unknown names: one error line each, nothing changed.
    now = params(con)
    assert con.cmd("set mem 512M") == "error: mem is set at boot only (--append mem=...)"
    assert con.cmd("set pageblock_order 5") == (
        "error: pageblock_order is set at boot only (--append pageblock_order=...)")
    assert con.cmd("set memmap_on_memory maybe") == (
        "error: memmap_on_memory maybe: expected one of off, on, force")
    assert con.cmd("set nosuch 1") == "error: no setting named 'nosuch' (params lists them)"
    for bad in ("set", "set memmap_on_memory", "set a b c"):
        out = con.cmd(bad)
        assert out.startswith("error: usage: set") and "\n" not in out, out
    assert params(con) == now
    assert set(before) == set(now)
    assert con.poweroff() == 0
