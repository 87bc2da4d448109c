"""The kernel log: `dmesg` (kernel/cmd_dmesg.c) over kernel/printk.c's ring.

- After boot the log is exactly the guest's boot output, line for line, each
  line stamped "[seconds.micros] " from the generic counter, in order: boot
  warnings (bad arguments), the vmemmap's mapping decision, the banner; then
  the one line deferred struct page init prints when it is done (the
  console waits for it).
  `dmesg -r` adds Linux's "<level>" (4 for warnings, 6 for pr_info()).
- A shell command's output, its errors and unknown commands are console
  output, not kernel messages: the log does not grow.
- With log_buf_len=1K and thirty warnings the ring wraps: dmesg says how
  many messages were dropped and shows the newest lines, exactly the longest
  run of the newest boot lines that fits in 1 KiB of records (a 16-byte
  struct printk_log header each, then the text).
- `dmesg -c` prints, then clears: the next dmesg is empty and says nothing
  about dropped messages; `dmesg -C` only clears; other options are refused.
- Every hotplug event is in the log, exactly as the console showed it, with
  its level: add, online, offline, remove (<6>) and each refusal with its
  reason (<3>: overlap, not held RAM, remove while online, boot memory,
  online twice, offline twice, a pageblock isolated already, not an added
  range). What the console alone answers (usage errors, tables, `isolate`)
  is not.
"""

import re

import hotmm

STAMP = re.compile(r"^(?:<(\d)>)?\[ *(\d+)\.(\d{6})\] (.*)$")
DROPPED = re.compile(r"^\*\* (\d+) printk messages dropped \*\*$")
RECORD_HEADER = 16  # sizeof(struct printk_log)


def boot_lines(con):
    """The guest's lines before the first prompt (run-qemu.sh's own line left out)."""
    text = hotmm.normalize(con.transcript)
    head = text[:text.index("\n" + hotmm.PROMPT) + 1]
    return [ln for ln in head.split("\n")[:-1] if not ln.startswith("run-qemu: ")]


def logged_lines(con):
    """boot_lines() and, once deferred init is done, its report line."""
    done = con.banner.get("deferred_done")
    return boot_lines(con) + ([done] if done else [])


def parse_dmesg(out):
    """dmesg output -> (dropped, [(level or None, microseconds, text)])."""
    dropped, records = 0, []
    lines = out.split("\n") if out else []
    if lines and (m := DROPPED.match(lines[0])):
        dropped = int(m.group(1))
        assert dropped > 0, out
        lines = lines[1:]
    for ln in lines:
        m = STAMP.match(ln)
        assert m, f"not a log line: {ln!r}\n{out}"
        level = int(m.group(1)) if m.group(1) else None
        records.append((level, int(m.group(2)) * 1000000 + int(m.group(3)), m.group(4)))
    stamps = [us for _, us, _ in records]
    assert stamps == sorted(stamps), f"timestamps go backwards:\n{out}"
    return dropped, records


def texts(records):
    return [t for _, _, t in records]


def test_dmesg_is_the_boot_output(boot, granule):
    con = boot(granule, "--append", "frob vmemmap=foo")
    boot_out = boot_lines(con)
    want = logged_lines(con)
    assert want[-1].startswith("deferred init: done at "), want
    assert want[:2] == ["warning: unknown boot argument 'frob' ignored",
                        "warning: boot argument vmemmap=foo: expected one of auto, section, base; "
                        "default kept"], want
    assert re.fullmatch(r"vmemmap: sections \d+-\d+, node 0: \d+ blocks, \d+ cont leaves, "
                        r"\d+ base pages, \d+ table pages \(mode auto\)", want[2]), want
    out = con.cmd("dmesg")
    dropped, records = parse_dmesg(out)
    assert dropped == 0 and texts(records) == want, out
    # "boot to prompt: N us" is stamped when it was printed, after N.
    n = int(re.fullmatch(r"boot to prompt: (\d+) us", boot_out[-1]).group(1))
    assert n <= records[len(boot_out) - 1][1] < n + 1000000, out
    # The deferred init report: stamped when it was done ("done at N us"), after the prompt.
    n = int(re.match(r"deferred init: done at (\d+) us", want[-1]).group(1))
    assert records[len(boot_out) - 1][1] <= n <= records[-1][1], out
    # -r: the same lines with their levels.
    dropped, raw = parse_dmesg(con.cmd("dmesg -r"))
    assert [(lv, t) for lv, _, t in raw] == [(4, want[0]), (4, want[1])] + \
        [(6, t) for t in want[2:]], raw
    # Commands, their errors and unknown commands are not kernel messages.
    for line in ("memblock", "pt 0", "pfn zz", "no-such-command", "help dmesg"):
        con.cmd(line)
    assert con.cmd("dmesg") == out
    # -C clears without printing; then there is nothing to show.
    assert con.cmd("dmesg -C") == ""
    assert con.cmd("dmesg") == ""
    assert con.cmd("dmesg -x") == "error: usage: dmesg [-c|-C] [-r]"
    assert con.poweroff() == 0


def test_dmesg_wrap_keeps_newest_and_counts_dropped(boot, granule):
    args = "log_buf_len=1K " + " ".join(f"unknown{i:02}" for i in range(30))
    con = boot(granule, "--append", args)
    want = logged_lines(con)
    assert len([w for w in want if w.startswith("warning: unknown boot argument")]) == 30, want
    # The ring keeps the longest run of newest lines that fits.
    kept, used = 0, 0
    while kept < len(want) and used + RECORD_HEADER + len(want[-1 - kept]) <= 1024:
        used += RECORD_HEADER + len(want[-1 - kept])
        kept += 1
    assert 0 < kept < len(want), want
    out = con.cmd("dmesg")
    dropped, records = parse_dmesg(out)
    assert (dropped, texts(records)) == (len(want) - kept, want[-kept:]), out
    # -c prints the same, then clears: nothing left, nothing "dropped".
    assert con.cmd("dmesg -c") == out
    assert con.cmd("dmesg") == ""
    assert con.cmd("dmesg -c") == ""
    assert con.poweroff() == 0


HELD = 0x40000000 + (512 << 20)  # what mem=512M holds back of 1 GiB
BLOCK = {"4K": 128 << 20, "16K": 128 << 20, "64K": 512 << 20}
PAGE_SHIFT = {"4K": 12, "16K": 14, "64K": 16}


def test_dmesg_has_every_hotplug_event(boot, granule):
    con = boot(granule, "--append", "mem=512M memmap_on_memory=on")
    block, s = BLOCK[granule], PAGE_SHIFT[granule]
    bid, end = HELD // block, HELD + block - 1
    far = 0x40000000 + (1 << 30)
    first_boot = 0x40000000 // block
    con.cmd("dmesg -C")
    # (command, whether its lines are kernel messages, the exact lines wanted)
    steps = [
        (f"mem add {HELD:#x} {block:#x}", True, None),
        (f"mem add {HELD:#x} {block:#x}", True,
         [f"error: mem add: [{HELD:#x}, {end + 1:#x}) overlaps memory at "
          f"[{HELD:#x}, {end + 1:#x})"]),
        (f"mem add {far:#x} {block:#x}", True,
         [f"error: mem add: [{far:#x}, {far + block:#x}) is not RAM held back for hotplug "
          "(memblock lists what mem=, hold_node= and DIMMs hold)"]),
        (f"mem remove {HELD:#x} {block:#x}", True,
         [f"error: mem remove: block {bid} is online: offline it first"]),
        (f"mem offline {first_boot}", True,
         [f"error: mem offline: block {first_boot} is boot memory, which arm64 never offlines"]),
        (f"mem online {bid}", True, [f"error: mem online: block {bid} is online already"]),
        (f"isolate {(HELD >> s) + (block >> s) - 1:#x}", False, None),
        (f"mem offline {bid}", True,
         [f"error: mem offline: block {bid}: cannot isolate its pageblocks: -16"]),
        (f"unisolate {(HELD >> s) + (block >> s) - 1:#x}", False, None),
        (f"mem offline {bid}", True, [f"hotplug: block {bid} offline"]),
        (f"mem offline {bid}", True, [f"error: mem offline: block {bid} is offline"]),
        ("memblocks", False, None),
        ("mem frob", False, ["error: mem frob: no such subcommand (add, online, offline, remove)"]),
        (f"mem remove {HELD:#x} {block:#x}", True, [f"hotplug: removed [{HELD:#x}-{end:#x}]"]),
        (f"mem remove {HELD:#x} {block:#x}", True,
         [f"error: mem remove: [{HELD:#x}, +{block:#x}) is not a range mem add added"]),
    ]
    logged = []
    for line, kernel, want in steps:
        out = con.cmd(line).split("\n")
        if want is not None:
            assert out == want, f"{line}: {out}"
        if kernel:
            logged += out
    assert logged[0].startswith(f"hotplug: added [{HELD:#x}-{end:#x}] on node 0: "
                                f"blocks {bid}-{bid}, memmap "), logged
    assert logged[1].startswith(f"hotplug: block {bid} online in Movable of node 0: "), logged
    dropped, records = parse_dmesg(con.cmd("dmesg -r"))
    assert dropped == 0
    assert [(lv, t) for lv, _, t in records] == \
        [(3 if t.startswith("error: ") else 6, t) for t in logged], records
    assert con.poweroff() == 0
