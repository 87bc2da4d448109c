"""Real memory hotplug from QEMU: pc-dimm device_add/device_del over QMP,
through the ACPI GED and the memory hotplug controller (drivers/acpi_ged.c,
drivers/memhp.c), with scripts/qmp.py as the client.

Every test boots firmware (--boot bios: QEMU has the GED only then) with
hotplug slots and a QMP socket, and checks what QEMU says (ACPI_DEVICE_OST
with hotmm's _OST status, DEVICE_DELETED) against what hotmm says (its
summary line, `dimms`, `meminfo`, `memblock`):

- 1, 2 and 4 DIMMs (256 MiB to 2 GiB; on 64K whole 512 MiB blocks), with
  memmap_on_memory off, on and force: MemTotal grows by exactly the pages
  each block gives the buddy allocator (`altmap ID`), and device_del of each
  puts MemTotal, MemFree, PageTables, the zones and memblock's lists back;
- a DIMM that is not whole memory blocks is refused (_OST 0x82), changes
  nothing, and can still be unplugged;
- device_del of a DIMM holding unmovable pages is refused (_OST 0x82, no
  DEVICE_DELETED), the memory stays online and the patterns intact; after
  `free` it goes;
- events that pile up (two device_adds while a command runs, one scan) and
  events from before the boot (QEMU started paused): every slot is scanned;
- cold-plugged DIMMs and a reboot with DIMMs in: found by the boot scan;
- DIMMs arrive offline with memhp_default_state=offline (boot argument and
  `set`), on the node of their proximity domain, with a node-local memmap;
- a DIMM whose memory the console removed (and partly added back) is
  removed as it is; memory added across two DIMMs blocks the removal;
- 50 plug/unplug cycles end with the counters exact;
- no GED (kernel boot), no controller (no slots), acpi_ged=off and an
  explicit acpi_ged= address.
"""

import os
import re
import subprocess

import pytest

import hotmm
from dimmutil import EVENT_RE, BLOCK, GiB, MiB, Machine, bios_args, qmp, qmp_socket

QMP_PY = os.path.join(hotmm.ROOT, "scripts", "qmp.py")

OST_REFUSED = 0x82  # insert not supported / device busy


@pytest.fixture
def machine(boot):
    """machine(granule, *run_qemu_args): a booted hotmm with slots and QMP."""
    made = []

    def _machine(granule, *args, slots=4, maxmem="12G"):
        sock = qmp_socket()
        con = boot(granule, *bios_args(sock, slots, maxmem), *args)
        m = Machine(con, sock)
        made.append(m)
        return m

    yield _machine
    for m in made:
        m.close()


def block_mib(granule):
    return BLOCK[granule] // MiB


def in_dimm(r, pfn, granule):
    page = {"4K": 4096, "16K": 16384, "64K": 65536}[granule]
    return r["addr"] <= pfn * page < r["addr"] + r["size"]


def alloc_pfns(out):
    return [(int(i), int(p, 16)) for i, p in re.findall(r"^id (\d+): pfn (0x[0-9a-f]+),", out, re.M)]


# ---- plug and unplug, counted to the page ----

SIZES = {
    "4K": {1: ["1G"], 2: ["256M", "2G"], 4: ["256M", "512M", "1G", "2G"]},
    "16K": {1: ["1G"], 2: ["256M", "2G"], 4: ["256M", "512M", "1G", "2G"]},
    "64K": {1: ["512M"], 2: ["512M", "2G"], 4: ["512M", "1G", "512M", "2G"]},
}
MEMMAP = {1: "off", 2: "on", 4: "force"}


@pytest.mark.parametrize("n", [1, 2, 4])
def test_dimm_plug_unplug_counts(machine, granule, n):
    m = machine(granule, "--append", f"memmap_on_memory={MEMMAP[n]}")
    base = m.counters()
    plugged = []
    for size in SIZES[granule][n]:
        before = m.meminfo()["MemTotal"]
        r = m.plug(size)
        assert r["ost"] == 0 and " added: " in r["line"], r
        nblocks = r["size"] // BLOCK[granule]
        assert f"{nblocks} online" in r["line"], r
        assert m.meminfo()["MemTotal"] - before == m.expected_kb(r), r
        plugged.append(r)
    dimms = m.dimms()
    assert sorted(dimms) == sorted(r["slot"] for r in plugged), dimms
    for r in plugged:
        d = dimms[r["slot"]]
        first = r["addr"] // BLOCK[granule]
        last = first + r["size"] // BLOCK[granule] - 1
        assert (d["base"], d["size"], d["node"], d["state"]) == (r["addr"], r["size"], 0,
                                                                 "online"), d
        assert d["blocks"] == f"{first}-{last} ({last - first + 1} online)", d
    # Not in plug order: every other one first, then the rest.
    for r in plugged[1::2] + plugged[0::2]:
        u = m.unplug(r["id"])
        assert u["deleted"] and u["line"].endswith(")") and "removed and ejected" in u["line"], u
    assert m.q.memory_devices() == []
    assert m.counters() == base
    assert m.dimms() == {}
    assert m.con.poweroff() == 0


def test_dimm_not_whole_blocks_refused(machine, granule):
    """QEMU places DIMMs 2 MiB aligned: one that is not whole memory blocks
    (256 MiB on 64K, 130 MiB elsewhere) is refused as Linux refuses it,
    reported to QEMU, and changes nothing; it can be unplugged, and a good
    one then goes where it was."""
    m = machine(granule)
    base = m.counters()
    bad = "256M" if granule == "64K" else "130M"
    r = m.plug(bad)
    assert r["ost"] == OST_REFUSED, r
    assert "refused: not whole memory blocks" in r["line"], r
    assert f"(blocks of {block_mib(granule)} MiB); _OST status 0x82" in r["line"], r
    assert m.counters() == base
    assert m.dimms()[r["slot"]]["state"] == "refused"
    assert m.q.ospm_status()[r["id"]]["status"] == OST_REFUSED
    u = m.unplug(r["id"])
    assert u["deleted"] and "ejected, unused" in u["line"], u
    good = m.plug(f"{block_mib(granule)}M")
    assert good["ost"] == 0 and good["addr"] == r["addr"], good
    assert m.unplug(good["id"])["deleted"]
    assert m.counters() == base
    assert m.con.poweroff() == 0


# ---- removal that cannot be done ----

def test_dimm_unplug_refused_while_unmovable(machine, granule):
    """Node 1 has no memory but the DIMM, its first block onlined as kernel
    memory: `alloc --node 1` lands there. The removal offlines the second
    block (highest first), fails on the first and must put the second back
    online as it was. device_del is refused until those pages are freed."""
    m = machine(granule, "--numa", "1G,0")
    base = m.counters()
    m.cmd("set memhp_default_state offline")
    r = m.plug(f"{block_mib(granule) * 2}M", node=1)
    assert r["ost"] == 0 and "node 1 added" in r["line"] and ", 0 online" in r["line"], r
    assert m.dimms()[r["slot"]]["state"] == "offline"
    first = r["addr"] // BLOCK[granule]
    m.cmd(f"mem online {first} kernel")
    pinned = alloc_pfns(m.cmd("alloc --node 1 0 4"))
    m.cmd(f"mem online {first + 1} kernel")
    assert m.dimms()[r["slot"]]["state"] == "online"
    movable = alloc_pfns(m.cmd("alloc --node 1 --movable 0 4"))
    assert len(pinned) == 4 and len(movable) == 4
    assert all(in_dimm(r, pfn, granule) for _, pfn in pinned + movable), (pinned, movable)
    memblocks = m.cmd("memblocks")

    u = m.unplug(r["id"])
    assert not u["deleted"] and u["ost"] == OST_REFUSED, u
    assert "refused (-16)" in u["line"] and "memory kept; _OST status 0x82" in u["line"], u
    assert not [e for e in m.q.poll_events(0.5) if e["event"] == "DEVICE_DELETED"]
    assert m.dimms()[r["slot"]]["state"] == "online"
    assert m.cmd("memblocks") == memblocks
    assert r["id"] in [d["id"] for d in m.q.memory_devices()]
    # A second request while still pinned: refused again.
    m.cmd(f"free {pinned[0][0]}")
    assert not m.unplug(r["id"])["deleted"]

    out = m.cmd("free all")
    assert out.count("pattern intact") == 7 and "broken" not in out, out
    u = m.unplug(r["id"])
    assert u["deleted"] and "removed and ejected" in u["line"], u
    m.cmd("set memhp_default_state online")
    assert m.counters() == base
    assert m.con.poweroff() == 0


def test_dimm_unplug_migrates_movable(machine, granule):
    """Movable allocations in the DIMM move elsewhere and keep their data."""
    m = machine(granule, "--numa", "1G,0")
    r = m.plug(f"{block_mib(granule)}M", node=1)
    assert r["ost"] == 0
    movable = alloc_pfns(m.cmd("alloc --node 1 --movable 0 8"))
    assert all(in_dimm(r, pfn, granule) for _, pfn in movable), movable
    assert m.unplug(r["id"])["deleted"]
    out = m.cmd("free all")
    assert out.count("pattern intact") == 8, out
    pfns = [int(p, 16) for p in re.findall(r"freed pfn (0x[0-9a-f]+)", out)]
    assert not any(in_dimm(r, p, granule) for p in pfns), out
    assert m.con.poweroff() == 0


def test_dimm_changed_on_the_console(machine, granule):
    """The console may remove a DIMM's memory (`mem remove`) and add some of
    it back: device_del takes what is there. Memory added across two DIMMs
    makes the removal of either refused until the console removes it."""
    m = machine(granule)
    base = m.counters()
    blk = BLOCK[granule]
    a, b = m.plug(2 * blk), m.plug(2 * blk)
    assert b["addr"] == a["addr"] + 2 * blk
    m.cmd("mem offline all")
    for r in (a, b):
        m.cmd(f"mem remove {r['addr']:#x} {2 * blk:#x}")
        assert m.dimms()[r["slot"]]["state"] == "held"
    m.cmd(f"mem add {a['addr']:#x} {blk:#x}")
    d = m.dimms()[a["slot"]]
    assert d["state"] == "partly online" and d["blocks"].endswith("(1 added, 1 online)"), d
    assert m.unplug(a["id"])["deleted"]
    # b with only its second half added back.
    m.cmd(f"mem add {b['addr'] + blk:#x} {blk:#x}")
    u = m.unplug(b["id"])
    assert u["deleted"], u
    assert m.counters() == base
    # Two DIMMs held side by side, one range added across both: refused, then fine.
    a, b = m.plug(blk), m.plug(blk)
    m.cmd("mem offline all")
    for r in (a, b):
        m.cmd(f"mem remove {r['addr']:#x} {blk:#x}")
    m.cmd(f"mem add {a['addr']:#x} {2 * blk:#x}")
    u = m.unplug(a["id"])
    assert not u["deleted"] and u["ost"] == OST_REFUSED, u
    assert "added across the DIMM's boundary" in m.con.before, m.con.before
    m.cmd("mem offline all")
    m.cmd(f"mem remove {a['addr']:#x} {2 * blk:#x}")
    assert m.unplug(a["id"])["deleted"] and m.unplug(b["id"])["deleted"]
    assert m.counters() == base
    assert m.con.poweroff() == 0


# ---- every slot, every time ----

def test_dimm_events_pile_up(machine, granule):
    """Two device_adds while a command runs: the work runs once, after it,
    and one scan must find both slots; the same for two device_dels."""
    m = machine(granule)
    base = m.counters()
    size = BLOCK[granule]
    m.con.send_line("sleep 1500")
    m.con.expect(r"sleep 1500\r*\n")  # the command runs from here
    a = qmp.plug(m.q, size, wait=False)
    b = qmp.plug(m.q, 2 * size, wait=False)
    m.con.expect(r"hotmm> ", timeout=10)  # sleep done (its echo ended the line before)
    got = dict(m.event() for _ in range(2))
    assert sorted(got) == [a["slot"], b["slot"]] and all(" added: " in t for t in got.values())
    for r in (a, b):
        ev = m.q.wait_event(qmp.ost_event(r["id"], qmp.OST_DEVICE_CHECK))
        assert ev["data"]["info"]["status"] == 0
    m.con.send_line("sleep 1500")
    m.con.expect(r"sleep 1500\r*\n")
    for r in (a, b):
        m.q.command("device_del", id=r["id"])
    m.con.expect(r"hotmm> ", timeout=10)
    got = dict(m.event() for _ in range(2))
    assert all("removed and ejected" in t for t in got.values()), got
    for r in (a, b):
        m.q.wait_event(lambda e, i=r["id"]: e["event"] == "DEVICE_DELETED"
                       and e["data"].get("device") == i)
        m.q.command("object-del", id=r["memdev"])
    assert m.counters() == base
    assert m.con.poweroff() == 0


def test_dimm_events_before_boot(granule):
    """QEMU started paused: a device_add and a device_del (of a cold-plugged
    DIMM) happen before hotmm runs. Their interrupts are lost, the slot flags
    are not: the boot scan adds the new DIMM (and acknowledges it, _OST 0)
    and removes and ejects the other."""
    sock = qmp_socket()
    size = f"{block_mib(granule)}M"
    with hotmm.Console(granule, *bios_args(sock), "--dimm", size, "--", "-S",
                       boot=False) as con:
        q = qmp.QMP(sock)
        r = qmp.plug(q, 2 * BLOCK[granule], wait=False)
        q.command("device_del", id="d0")
        q.command("cont")
        con.wait_boot()
        text = con.banner_text
        assert re.search(r"memhp: slot 0: present at boot: DIMM \[0x[0-9a-f]+-0x[0-9a-f]+\] "
                         rf"{block_mib(granule)} MiB node 0 added", text), text
        assert "memhp: slot 0: DIMM" in text and "removed and ejected" in text, text
        assert re.search(rf"memhp: slot 1: DIMM \[.*\] {2 * block_mib(granule)} MiB node 0 "
                         r"added: .* 2 online", text), text
        q.wait_event(lambda e: e["event"] == "DEVICE_DELETED" and e["data"].get("device") == "d0")
        ev = q.wait_event(qmp.ost_event(r["id"], qmp.OST_DEVICE_CHECK))
        assert ev["data"]["info"]["status"] == 0
        assert [d["id"] for d in q.memory_devices()] == [r["id"]]
        con.poweroff()
        q.close()


# ---- cold plug, reboot, offline arrival, nodes ----

def test_dimm_coldplug_and_reboot(machine, granule):
    m = machine(granule, "--dimm", "512M", "--dimm", "1G")
    text = m.con.banner_text
    assert len(re.findall(r"memhp: slot \d: present at boot: DIMM .* added: ", text)) == 2, text
    dimms = m.dimms()
    assert [(d["size"], d["state"]) for d in dimms.values()] == [(512 * MiB, "online"),
                                                                 (GiB, "online")], dimms
    assert "present at boot" in m.cmd("dimms")
    r = m.plug(f"{block_mib(granule)}M")
    assert r["ost"] == 0
    # Reset: QEMU keeps the DIMMs (all acknowledged now); the boot scan finds all three.
    m.con.send_line("reboot")
    m.con.wait_boot(timeout=30)
    assert len(re.findall(r"present at boot: DIMM .* added: ", m.con.banner_text)) == 3
    for dimm_id in ("d0", r["id"], "d1"):
        u = m.unplug(dimm_id)
        assert u["deleted"] and "removed and ejected" in u["line"], u
    assert m.dimms() == {}
    assert m.con.poweroff() == 0


def test_dimm_arrives_offline(machine, granule):
    """memhp_default_state=offline on the command line: the DIMM's blocks stay
    offline (MemTotal unchanged) until `mem online`. (GICv3 here: the GED's
    SPI routed with GICD_IROUTER.)"""
    m = machine(granule, "--append", "memhp_default_state=offline", "--gic", "3")
    base = m.counters()
    r = m.plug(f"{2 * block_mib(granule)}M")
    assert ", 0 online" in r["line"], r
    assert m.meminfo()["MemTotal"] == base["meminfo"]["MemTotal"]
    assert m.dimms()[r["slot"]]["state"] == "offline"
    blocks = m.cmd("memblocks")
    assert len(re.findall(r"^\s*\d+\s+0x\S+\s+0x\S+\s+offline\b", blocks, re.M)) == 2, blocks
    first = r["addr"] // BLOCK[granule]
    m.cmd(f"mem online {first}")
    assert m.dimms()[r["slot"]]["state"] == "partly online"
    m.cmd("mem online all")
    assert m.dimms()[r["slot"]]["state"] == "online"
    assert m.meminfo()["MemTotal"] - base["meminfo"]["MemTotal"] == m.expected_kb(r)
    assert m.unplug(r["id"])["deleted"]
    assert m.counters() == base
    assert m.con.poweroff() == 0


def test_dimm_node_local_memmap(machine, granule):
    """A DIMM on node 1 gets node 1's memmap: from node 1's memory with
    memmap_on_memory off, from the DIMM itself where memmap_on_memory applies.
    (Entered at EL2 here: hotmm drops to EL1 and takes the GED there.)"""
    m = machine(granule, "--numa", "512M,512M", "--el2")
    base = m.counters()
    for mode in ("off", "on"):
        m.cmd(f"set memmap_on_memory {mode}")
        r = m.plug(f"{2 * block_mib(granule)}M", node=1)
        assert r["ost"] == 0 and "node 1 added" in r["line"], r
        out = m.cmd("vmemmap")
        first = r["addr"] >> {"4K": 27, "16K": 27, "64K": 29}[granule]
        for sec in range(first, first + 2):
            assert re.search(rf"^\s+{sec}\s+1\s", out, re.M), (sec, out)
        assert re.search(r"^node 1: struct pages \d+, off-node 0,", out, re.M), out
        alt = m.cmd(f"altmap {r['addr'] // BLOCK[granule]}")
        if "altmap: none" not in alt:
            assert mode == "on" and granule == "4K", alt
            base_pfn = int(re.search(r"^base_pfn: (0x[0-9a-f]+)$", alt, re.M).group(1), 16)
            assert in_dimm(r, base_pfn, granule)
        else:
            assert mode == "off" or granule != "4K", alt
        assert m.unplug(r["id"])["deleted"]
    assert m.counters() == base
    assert m.con.poweroff() == 0


# ---- many cycles ----

def test_dimm_50_cycles(machine, granule):
    """50 plug/unplug cycles, one or two blocks, node 0 or 1, memmap_on_memory
    off or on: every counter exact at the end."""
    m = machine(granule, "--numa", "512M,512M", slots=2)
    base = m.counters()
    for i in range(50):
        if i % 10 == 0:
            m.cmd(f"set memmap_on_memory {'on' if i % 20 else 'off'}")
        r = m.plug(BLOCK[granule] * (1 + i % 2), node=(i // 2) % 2)
        assert r["ost"] == 0 and " added: " in r["line"], (i, r)
        u = m.unplug(r["id"])
        assert u["deleted"], (i, u)
    m.cmd("set memmap_on_memory off")
    assert m.counters() == base
    assert m.cmd("dimms").endswith("0 DIMM(s) in 2 slots")
    assert m.con.poweroff() == 0


# ---- where there is no controller ----

@pytest.mark.parametrize("row_granule", ["4K"])
def test_dimm_no_controller(boot, row_granule):
    g = row_granule
    # -kernel: QEMU has no GED; a probe of its address faults and is caught.
    con = boot(g, "--slots", "2", "--maxmem", "4G")
    assert "acpi_ged: nothing at 0x9080000" in hotmm.normalize(con.transcript)
    assert con.cmd("dimms").startswith("no memory hotplug controller")
    assert con.poweroff() == 0
    # Firmware boot without slots: a GED, but no controller block.
    con = boot(g, "--boot", "bios")
    assert "memhp: no memory hotplug controller at 0x9070000" in con.banner_text
    assert con.cmd("dimms").startswith("no memory hotplug controller")
    assert con.poweroff() == 0
    # acpi_ged=off: nothing is probed.
    con = boot(g, "--boot", "bios", "--slots", "2", "--maxmem", "4G", "--append", "acpi_ged=off")
    assert "acpi_ged: off (acpi_ged=off)" in con.banner_text
    assert con.cmd("dimms").startswith("no memory hotplug controller")
    assert con.poweroff() == 0


@pytest.mark.parametrize("row_granule", ["4K"])
def test_dimm_acpi_ged_argument(machine, row_granule):
    m = machine(row_granule, "--append", "acpi_ged=0x9080000,41,0x9070000", slots=2)
    assert "acpi_ged: GED at 0x9080000, INTID 41 (edge), machine acpi_ged=" in m.con.banner_text
    assert re.search(r"^  acpi_ged\s+0x9080000,41,0x9070000\s+\(bootargs\)$", m.cmd("params"),
                     re.M)
    r = m.plug("256M")
    assert r["ost"] == 0 and m.unplug(r["id"])["deleted"]
    assert m.con.poweroff() == 0
    # A bad value: one warning, the table's address kept.
    m = machine(row_granule, "--append", "acpi_ged=0x9080000,7", slots=2)
    assert ("warning: boot argument acpi_ged=0x9080000,7: expected auto, off, or "
            "GED_BASE,INTID,MEMHP_BASE") in hotmm.normalize(m.con.transcript)
    assert "machine linux,dummy-virt" in m.con.banner_text
    assert m.plug("256M")["ost"] == 0
    assert m.con.poweroff() == 0


# ---- the command-line client ----

@pytest.mark.parametrize("row_granule", ["4K"])
def test_qmp_py_command_line(boot, row_granule):
    """scripts/qmp.py as a person runs it (QEMU takes one QMP client at a
    time: the test holds no connection of its own here)."""
    sock = qmp_socket()
    con = boot(row_granule, *bios_args(sock), "--numa", "1G,0")

    def run(*args):
        p = subprocess.run(["/usr/bin/python3", QMP_PY, "--socket", sock, *args],
                           capture_output=True, text=True, timeout=90)
        return p.returncode, p.stdout + p.stderr

    def event():
        con.expect(EVENT_RE)
        return con.match.group(2).decode()

    con.cmd("set memhp_default_state offline")
    rc, out = run("plug", "256M", "--node", "1")
    assert rc == 0 and re.fullmatch(r"dimm0: slot 0, 0x80000000, 256 MiB, node 1: added by the "
                                    r"guest \(\d+ ms\)\n", out), out
    assert "node 1 added" in event()
    rc, out = run("plug", "130M")
    assert rc == 1 and "dimm1: slot 1, 0x90000000, 130 MiB, node 0: insert not supported " \
                       "(refused)" in out, out
    assert "refused: not whole memory blocks" in event()
    rc, out = run("list")
    lines = out.splitlines()
    assert rc == 0 and len(lines) == 3, out
    assert re.match(r"dimm0\s+0\s+0x0000000080000000\s+256 MiB\s+1\s+mem0\s+hot\s+inserted$",
                    lines[1]), out
    assert lines[2].endswith("insert not supported (refused)"), out
    con.cmd("mem online all kernel")
    con.cmd("alloc --node 1 0 1")
    rc, out = run("unplug", "dimm0")
    assert rc == 1 and out.startswith("dimm0: eject refused: device busy; the DIMM stays"), out
    assert "refused (-16)" in event()
    assert "pattern intact" in con.cmd("free all")
    for dimm in ("dimm0", "dimm1"):
        rc, out = run("unplug", dimm)
        assert rc == 0 and re.fullmatch(rf"{dimm}: ejected, DEVICE_DELETED \(\d+ ms\); backend "
                                        r"deleted\n", out), out
        assert "ejected" in event()
    rc, out = run("list")
    assert (rc, out) == (0, "no DIMMs\n")
    rc, out = run("unplug", "dimm0")
    assert rc == 1 and "no DIMM with id 'dimm0'" in out, out
    rc, out = run("plug", "1X")
    assert rc == 2 and "bad size '1X'" in out, out
    assert con.poweroff() == 0
