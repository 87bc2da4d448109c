"""Memory hotplug on the console: mem add / online / offline / remove, memblocks, altmap.

Every figure is worked out here from the geometry, with Linux's formula for
memmap on memory (mm/memory_hotplug.c, written down in
tests/data/memmap-vectors.json's source notes), and compared to the page:

- adding a block of held RAM grows MemTotal by exactly the pages the buddy
  gets (the block, less its memmap and padding when the memmap lives on it,
  less page tables it hosts), ZONE_MOVABLE by the block, and takes no page of
  memory that was there before when memmap_on_memory applies;
- offlining migrates movable test allocations (their patterns checked after
  the move) and refuses with -EBUSY, naming the page, when an unmovable one
  is in the way: the block stays online, nothing is lost;
- removing gives back everything: meminfo, the memblock lists, the zones,
  the block table, exactly as before the add (also after 100 cycles);
- `altmap ID` prints the vectors' fields; each vector whose geometry a build
  and boot arguments can reach is booted, hot-added and compared;
- bad input: one error line, nothing changed.
"""

import json
import os
import re

import pytest

import dtutil
import hotmm
import ktap
from dtutil import MiB, GiB, RAM_BASE
from test_vmemmap import vmemmap
from test_buddy import ALLOC_RE, FREED_RE, MAX_ORDER, parse_held, parse_meminfo, parse_pfn, pfn

PAGE = {"4K": 4096, "16K": 16384, "64K": 65536}
SECTION = {"4K": 128 * MiB, "16K": 128 * MiB, "64K": 512 * MiB}
PMD = {"4K": 2 * MiB, "16K": 32 * MiB, "64K": 512 * MiB}
PAGEBLOCK_ORDER = {"4K": 9, "16K": 11, "64K": 13}
STRUCT_PAGE = 64
HELD = RAM_BASE + 512 * MiB  # what mem=512M holds back of a 1 GiB machine
VECTORS = os.path.join(hotmm.ROOT, "tests", "data", "memmap-vectors.json")


# ---- the model: Linux's memmap-on-memory arithmetic ----

def memmap_plan(page, block, pageblock_pages, mode, struct_page=STRUCT_PAGE, pmd=None):
    """Linux 6.12's numbers for one block, and whether the core checks pass
    (hotmm's verdict) and whether arm64 Linux allows it."""
    block_pages = block // page
    memmap_bytes = block_pages * struct_page
    memmap_pages = -(-memmap_bytes // page)
    reserved = memmap_pages
    if mode == "force":
        reserved = -(-memmap_pages // pageblock_pages) * pageblock_pages
    core = (memmap_bytes % page == 0 and reserved % pageblock_pages == 0
            and reserved < block_pages)
    linux = core and (pmd is None or memmap_bytes % pmd == 0)
    return {"block_pages": block_pages, "memmap_pages": memmap_pages, "reserved": reserved,
            "padding": reserved - memmap_pages, "usable": block_pages - reserved,
            "core_ok": core, "linux_allows": linux}


def geometry_plan(granule, mode, block=None, pageblock_order=None):
    pbo = PAGEBLOCK_ORDER[granule] if pageblock_order is None else pageblock_order
    return memmap_plan(PAGE[granule], block or SECTION[granule], 1 << pbo, mode,
                       pmd=PMD[granule])


# ---- console parsers ----

MEMBLOCK_RE = re.compile(r"\s*(\d+)  0x([0-9a-f]{16})  0x([0-9a-f]{16})  (\S+)\s+(\S+)\s+(\d+)"
                         r"\s+(\d+)\s+(\d+)\s+(\d+)  (.+)")


def memblocks(con):
    """`memblocks` -> {id: dict}."""
    out = con.cmd("memblocks")
    lines = out.split("\n")
    assert re.fullmatch(r"block size \d+ MiB; memmap_on_memory (off|on|force)", lines[0]), out
    assert lines[1].startswith("block  start"), out
    blocks = {}
    for line in lines[2:-1]:
        m = MEMBLOCK_RE.fullmatch(line)
        assert m, f"memblocks: {line!r}\n{out}"
        blocks[int(m.group(1))] = {
            "start": int(m.group(2), 16), "end": int(m.group(3), 16), "state": m.group(4),
            "zone": m.group(5), "node": int(m.group(6)), "memmap": int(m.group(7)),
            "padding": int(m.group(8)), "tables": int(m.group(9)), "removable": m.group(10)}
    assert lines[-1] == f"{len(blocks)} block(s)", out
    return blocks


def altmap(con, block_id):
    """`altmap ID` -> {key: value} of its "key: value" lines, and "reserved" [(first, last, use)]."""
    out = con.cmd(f"altmap {block_id}")
    fields, reserved = {}, []
    for line in out.split("\n"):
        if m := re.fullmatch(r"pfn (0x[0-9a-f]+)-(0x[0-9a-f]+): (.+) \((\d+)\)", line):
            first, last = int(m.group(1), 16), int(m.group(2), 16)
            assert last - first + 1 == int(m.group(4)), line
            reserved.append((first, last, m.group(3)))
        elif m := re.fullmatch(r"pfn (0x[0-9a-f]+): (.+) \(the block's end\)", line):
            reserved.append((int(m.group(1), 16), int(m.group(1), 16), m.group(2)))
        else:
            key, sep, value = line.partition(": ")
            assert sep, f"altmap: {line!r}\n{out}"
            fields[key] = value
    fields["reserved"] = reserved
    return fields


def snapshot(con):
    """Everything that must come back exactly once a hot-add is removed."""
    mi = parse_meminfo(con.cmd("meminfo"))
    keep = {k: mi[k] for k in ("MemTotal", "MemFree", "RAM", "Reserved", "Memmap", "PageTables",
                               "Hotplug", "tables", "zones", "items")}
    keep["hotplug"] = mi["hotplug"][:5]  # the last figure counts moves since boot
    text = con.cmd("memblock")
    mb = dtutil.parse_memblock(text)
    keep["memory"] = mb["memory"]
    keep["reserved"] = mb["reserved"]
    keep["held"] = parse_held(text)
    keep["blocks"] = memblocks(con)
    keep["buddyinfo"] = con.cmd("buddyinfo")
    return keep


def zone(mi, nid, name):
    return mi["zones"].get((nid, name), (0, 0, 0))


def block_id(granule, pa, block=None):
    return pa // (block or SECTION[granule])


def alloc_ids(out):
    got = []
    for line in out.split("\n"):
        m = ALLOC_RE.fullmatch(line)
        assert m, f"alloc: {line!r}\n{out}"
        got.append((int(m.group(1)), int(m.group(2), 16), int(m.group(3))))
    return got


def free_all(con):
    out = con.cmd("free all")
    for line in out.split("\n") if out else []:
        assert FREED_RE.fullmatch(line), f"free all: {line!r}\n{out}"


def boot_held(boot, granule, *append, mem="1G", keep="512M", extra=()):
    """A machine whose RAM above `keep` is held back for hotplug."""
    return boot(granule, "--mem", mem, *extra, "--append", " ".join((f"mem={keep}",) + append))


# ---- add, online, offline, remove ----

@pytest.mark.parametrize("mode", ["on", "force"])
def test_add_online_offline_remove(boot, granule, mode):
    con = boot_held(boot, granule, f"memmap_on_memory={mode}")
    page, block = PAGE[granule], SECTION[granule]
    plan = geometry_plan(granule, mode)
    before = snapshot(con)
    mi0 = parse_meminfo(con.cmd("meminfo"))
    bid = block_id(granule, HELD)

    out = con.cmd(f"mem add {HELD:#x} {block:#x}")
    lines = out.split("\n")
    assert lines[0].startswith(f"hotplug: added [{HELD:#x}-{HELD + block - 1:#x}] on node 0: "
                               f"blocks {bid}-{bid}"), out
    if plan["core_ok"]:
        assert f"memmap on the blocks themselves ({plan['memmap_pages']} pages each, " \
               f"{plan['padding']} padding)" in lines[0], out
    else:
        assert "memmap from existing memory (memmap_on_memory refused: " in lines[0], out
    assert lines[1].startswith(f"hotplug: block {bid} online in Movable of node 0"), out

    mi = parse_meminfo(con.cmd("meminfo"))
    blocks = memblocks(con)
    b = blocks[bid]
    assert (b["start"], b["end"], b["state"], b["zone"], b["node"]) == \
        (HELD, HELD + block - 1, "online", "Movable", 0), blocks
    # Nothing needs a new page table here (the held RAM shares its tables
    # with boot memory), so the buddy gets exactly Linux's usable pages.
    assert b["tables"] == 0 and mi["hotplug"][3:5] == (0, 0), mi["text"]
    if plan["core_ok"]:
        usable, consumed = plan["usable"], 0
        assert (b["memmap"], b["padding"]) == (plan["memmap_pages"], plan["padding"]), b
    else:
        usable, consumed = plan["block_pages"], plan["memmap_pages"]
        assert (b["memmap"], b["padding"]) == (0, 0), b
    kib = page >> 10
    assert mi["MemTotal"] == mi0["MemTotal"] + usable * kib, (mi0["text"], mi["text"])
    assert mi["MemFree"] == mi0["MemFree"] + (usable - consumed) * kib, mi["text"]
    assert zone(mi, 0, "Movable") == (plan["block_pages"], usable, usable), mi["text"]
    assert mi["Hotplug"] == block >> 10 and mi["hotplug"][:3] == (1, 1, 1), mi["text"]
    # `vmemmap` says where the new section's memmap lives.
    _, _, sections, _ = vmemmap(con)
    sec = next(x for x in sections if x["nr"] == HELD // SECTION[granule])
    assert sec["from"] == (f"block {bid}" if plan["core_ok"] else "buddy"), sections

    # Movable allocations land in the block (ZONE_MOVABLE comes first for them).
    got = alloc_ids(con.cmd("alloc --movable 3 4"))
    assert all(HELD // page <= p < (HELD + block) // page for _, p, _ in got), got
    # Offline: each is migrated out, its pattern moved with it.
    out = con.cmd(f"mem offline {bid}")
    moved = re.findall(r"id (\d+): moved from pfn (0x[0-9a-f]+) to pfn (0x[0-9a-f]+)", out)
    assert len(moved) == 4 and out.endswith(f"hotplug: block {bid} offline"), out
    for _, src, dst in moved:
        assert not HELD // page <= int(dst, 16) < (HELD + block) // page, out
    assert memblocks(con)[bid]["state"] == "offline"
    free_all(con)

    # Online again as kernel memory; unmovable allocations there keep it online.
    out = con.cmd(f"mem online {bid} kernel")
    assert out.startswith(f"hotplug: block {bid} online in Normal of node 0"), out
    assert memblocks(con)[bid]["zone"] == "Normal"
    # A block of the largest order steals from the newest free block: this one.
    inside = []
    for _ in range(4):
        got = alloc_ids(con.cmd(f"alloc --node 0 {MAX_ORDER[granule]}"))
        inside += [a for a in got if HELD // page <= a[1] < (HELD + block) // page]
        if inside:
            break
    assert inside, "no unmovable allocation landed in the block"
    out = con.cmd(f"mem offline {bid}")
    m = re.fullmatch(rf"error: mem offline: block {bid}: pfn (0x[0-9a-f]+) is not movable", out)
    assert m and int(m.group(1), 16) == min(a[1] for a in inside), out
    assert memblocks(con)[bid]["state"] == "online"
    free_all(con)   # each pattern checked: nothing was lost
    assert con.cmd(f"mem offline {bid}") == f"hotplug: block {bid} offline"

    out = con.cmd(f"mem remove {HELD:#x} {block:#x}")
    assert out == f"hotplug: removed [{HELD:#x}-{HELD + block - 1:#x}]", out
    assert snapshot(con) == before
    assert con.poweroff() == 0


def test_cycles_end_at_the_baseline(boot, granule):
    """100 add/online/offline/remove cycles: MemTotal, MemFree and the page tables exactly back."""
    con = boot_held(boot, granule, "memmap_on_memory=force")
    block = SECTION[granule]
    before = snapshot(con)
    bid = block_id(granule, HELD)
    for i in range(100):
        out = con.cmd(f"mem add {HELD:#x} {block:#x}")
        assert f"hotplug: block {bid} online" in out, f"cycle {i}: {out}"
        assert con.cmd(f"mem offline {bid}") == f"hotplug: block {bid} offline", f"cycle {i}"
        assert con.cmd(f"mem remove {HELD:#x} {block:#x}").startswith("hotplug: removed"), i
    assert snapshot(con) == before
    assert con.poweroff() == 0


def test_on_and_force_differ_as_linux_says(boot, granule):
    """The same block in `on` and `force` mode: the reservation, padding and usable pages."""
    con = boot_held(boot, granule, "memmap_on_memory=on")
    block = SECTION[granule]
    bid = block_id(granule, HELD)
    for mode in ("on", "force"):
        assert con.cmd(f"set memmap_on_memory {mode}") == ""
        con.cmd(f"mem add {HELD:#x} {block:#x}")
        plan = geometry_plan(granule, mode)
        a = altmap(con, bid)
        assert a["mode"] == {"on": "default", "force": "force"}[mode], a
        assert int(a["memmap_pages"]) == plan["memmap_pages"], a
        assert int(a["reserved_pages"]) == plan["reserved"], a
        assert int(a["padding_pages"]) == plan["padding"], a
        assert int(a["usable_pages"]) == plan["usable"], a
        assert a["hotmm_allows"] == str(plan["core_ok"]).lower(), a
        assert a["linux_allows"] == str(plan["linux_allows"]).lower(), a
        if plan["core_ok"]:
            assert int(a["free"]) == plan["reserved"] and int(a["alloc"]) == plan["memmap_pages"]
            uses = [(last - first + 1, use) for first, last, use in a["reserved"]]
            assert uses == [(plan["memmap_pages"], "memmap")] + (
                [(plan["padding"], "padding")] if plan["padding"] else []), a
        else:
            assert a["altmap"] == "none: the memmap came from existing memory", a
        assert con.cmd(f"mem offline {bid}") == f"hotplug: block {bid} offline"
        con.cmd(f"mem remove {HELD:#x} {block:#x}")
    assert con.poweroff() == 0


# ---- seed 003 and every reachable vector ----

def test_seed_003_example(boot, build_variant, granule):
    """64K pages, 256 MiB blocks (SECTION_SIZE_BITS=28), 2 MiB pageblocks, force:
    4 memmap + 28 padding = 32 reserved, 4064 usable; Linux (arm64) refuses, hotmm does it."""
    if granule != "64K":
        pytest.skip("seed 003's geometry is a 64K one")
    build_variant(granule, 28)
    con = boot(granule, "--section-bits", "28", "--append",
               "mem=512M pageblock_order=5 memmap_on_memory=force")
    bid = HELD // (256 * MiB)
    mi0 = parse_meminfo(con.cmd("meminfo"))
    out = con.cmd(f"mem add {HELD:#x} 256M")
    assert "memmap on the blocks themselves (4 pages each, 28 padding); Linux would refuse it" \
        in out, out
    a = altmap(con, bid)
    assert (a["memmap_pages"], a["reserved_pages"], a["padding_pages"], a["usable_pages"]) == \
        ("4", "32", "28", "4064"), a
    assert (a["linux_allows"], a["refusal_reason"], a["hotmm_allows"]) == \
        ("false", "arm64_generic_arch_check_memmap_not_PMD_aligned", "true"), a
    assert (a["free"], a["alloc"], a["reserve"], a["align"]) == ("32", "4", "0", "0"), a
    # A 256 MiB block needs a last-level table of the linear map (a level-2 entry maps
    # 512 MiB on 64K) whose span maps nothing else: it takes the last padding page, so the
    # add costs no page of memory that was there before.
    first = HELD // 65536
    assert a["reserved"] == [(first, first + 3, "memmap"), (first + 4, first + 30, "padding"),
                             (first + 31, first + 31, "page table")], a
    assert a["table_pages"] == "1 (1 in padding, 0 at the block's end)", a
    mi = parse_meminfo(con.cmd("meminfo"))
    assert mi["MemTotal"] - mi0["MemTotal"] == 4064 * 64, (mi0["text"], mi["text"])
    assert mi["MemFree"] - mi0["MemFree"] == 4064 * 64, (mi0["text"], mi["text"])
    assert mi["hotplug"][3:5] == (1, 0), mi["text"]
    # pfn names each kind of page of the block (this build's sections are 256 MiB:
    # parse_pfn, not test_buddy's pfn(), which checks the default geometry).
    roles = {}
    for n in (first, first + 4, first + 31, first + 32):
        out = con.cmd(f"pfn {n:#x}")
        roles[n] = dict(parse_pfn(out), text=out)
    assert roles[first]["block_role"] == "memmap (the block's own struct pages)"
    assert roles[first + 4]["block_role"] == "padding of the memmap reservation"
    assert roles[first + 31]["block_role"] == "a page table of the hot-add, hosted by the block"
    assert roles[first + 31]["flags"] == {"reserved", "pgtable"}, roles[first + 31]["text"]
    assert roles[first]["flags"] == {"reserved", "vmemmap"}, roles[first]["text"]
    assert "block_role" not in roles[first + 32]
    assert con.poweroff() == 0


def load_vectors():
    with open(VECTORS) as f:
        return json.load(f)


def vector_boot(v):
    """How to reach vector @v: (granule, section bits or None, --mem, mem=, boot arguments),
    or None when no build can (struct page is 64 bytes here)."""
    granule = {4096: "4K", 16384: "16K", 65536: "64K"}[v["page_size"]]
    if v["struct_page_size"] != STRUCT_PAGE:
        return None
    block, page = v["memory_block_size"], v["page_size"]
    section_bits = None
    if block < SECTION[granule]:
        section_bits = block.bit_length() - 1
    pbo = (v["pageblock_size"] // page).bit_length() - 1
    # held RAM of one block, aligned to it, above 512 MiB of boot RAM
    keep = max(512 * MiB, block) if block <= 512 * MiB else block // 2
    base = RAM_BASE + keep
    base = -(-base // block) * block
    mem = base + block - RAM_BASE
    args = [f"mem={keep >> 20}M", f"pageblock_order={pbo}", f"memory_block_size={block >> 20}M",
            "memmap_on_memory=" + {"default": "on", "force": "force"}[v["mode"]]]
    return granule, section_bits, f"{mem >> 20}M", base, args


VECTOR_IDS = [v["id"] for v in load_vectors()]


@pytest.mark.parametrize("vid", VECTOR_IDS)
def test_vector_booted(boot, build_variant, vid):
    v = next(x for x in load_vectors() if x["id"] == vid)
    how = vector_boot(v)
    if how is None:
        pytest.skip(f"vector {vid}: a {v['struct_page_size']}-byte struct page (host test only)")
    granule, bits, mem, base, args = how
    if granule not in os.environ.get("HOTMM_GRANULES", "4K 16K 64K").split():
        pytest.skip(f"{granule} not in HOTMM_GRANULES")
    extra = []
    if bits:
        build_variant(granule, bits)
        extra = ["--section-bits", str(bits)]
    con = boot(granule, *extra, "--mem", mem, "--append", " ".join(args))
    block = v["memory_block_size"]
    out = con.cmd(f"mem add {base:#x} {block:#x}")
    assert out.startswith(f"hotplug: added [{base:#x}-"), out
    a = altmap(con, base // block)
    for key in ("page_size", "memory_block_size", "pageblock_size", "mode", "memmap_pages",
                "reserved_pages", "padding_pages", "usable_pages"):
        assert a[key] == str(v[key]), (key, a, v)
    assert a["linux_allows"] == str(v["linux_allows"]).lower(), (a, v)
    assert a["refusal_reason"] == (v["refusal_reason"] or "none"), (a, v)
    assert a["hotmm_allows"] == str(v["linux_core_checks_pass"]).lower(), (a, v)
    if v["linux_core_checks_pass"]:
        assert int(a["free"]) == v["reserved_pages"] and int(a["alloc"]) == v["memmap_pages"], a
    mi = parse_meminfo(con.cmd("meminfo"))
    usable = v["usable_pages"] if v["linux_core_checks_pass"] else v["block_pages"]
    assert zone(mi, 0, "Movable") == (v["block_pages"], usable, usable), mi["text"]
    assert con.poweroff() == 0


# ---- page tables: hosted where the span is private, moved out when it is shared ----

def test_tables_hosted_then_moved_out(boot, granule):
    """4K: RAM in a new GiB needs a level-2 table of the linear map. The first block hosts it
    (its last page), so the add costs no page of memory that was there; a second block in the
    same GiB shares the span: the table moves to existing memory (counted). Removed in
    either order, everything is back."""
    if granule != "4K":
        pytest.skip("the level-2 table of a 4K linear map spans 1 GiB; larger granules share it")
    con = boot(granule, "--mem", "2G", "--append", "mem=1G memmap_on_memory=on")
    plan = geometry_plan(granule, "on")
    a, b = RAM_BASE + GiB, RAM_BASE + GiB + SECTION[granule]
    for order in ((a, b), (b, a)):
        before = snapshot(con)
        mi0 = parse_meminfo(con.cmd("meminfo"))
        con.cmd(f"mem add {a:#x} 128M")
        blocks = memblocks(con)
        mi = parse_meminfo(con.cmd("meminfo"))
        assert blocks[block_id(granule, a)]["tables"] == 1, blocks
        assert mi["hotplug"][3:5] == (1, 0), mi["text"]
        moved = mi["hotplug"][5]
        # The block's last page is the table: usable one page short, nothing else taken.
        assert mi["MemTotal"] - mi0["MemTotal"] == (plan["usable"] - 1) * 4, mi["text"]
        assert mi["MemFree"] - mi0["MemFree"] == (plan["usable"] - 1) * 4, mi["text"]
        last = (a + SECTION[granule]) // 4096 - 1
        assert pfn(con, granule, last)["block_role"] == \
            "a page table of the hot-add, hosted by the block"
        con.cmd(f"mem add {b:#x} 128M")
        mi = parse_meminfo(con.cmd("meminfo"))
        assert mi["hotplug"][3:6] == (0, 1, moved + 1), mi["text"]
        assert pfn(con, granule, last)["block_role"] == \
            "padding (a page table that moved out was here)"
        for base in order:
            out = con.cmd(f"mem offline {block_id(granule, base)}")
            assert out.endswith("offline"), out
            assert con.cmd(f"mem remove {base:#x} 128M").startswith("hotplug: removed")
        assert snapshot(con) == before
    assert con.poweroff() == 0


# ---- a NUMA node held back whole ----

def test_hold_node_adds_a_whole_node(boot, granule):
    """hold_node=1 keeps node 1's bank back; adding it brings node 1 online, memmap node-local."""
    # 64K: 2 MiB pageblocks, or force mode's reservation would be the whole block
    pbo = 5 if granule == "64K" else PAGEBLOCK_ORDER[granule]
    con = boot(granule, "--numa", "512M,512M", "--smp", "2", "--append",
               f"hold_node=1 memmap_on_memory=force pageblock_order={pbo}")
    node1 = RAM_BASE + 512 * MiB
    block = SECTION[granule]
    mi0 = parse_meminfo(con.cmd("meminfo"))
    assert not any(k[0] == 1 for k in mi0["zones"]), mi0["text"]
    out = con.cmd(f"mem add {node1:#x} {block:#x} 0")
    assert out == f"error: mem add: [{node1:#x}, {node1 + block:#x}) is RAM of node 1, not node 0"
    out = con.cmd(f"mem add {node1:#x} {block:#x}")
    assert f"on node 1: blocks {block_id(granule, node1)}" in out, out
    mi = parse_meminfo(con.cmd("meminfo"))
    plan = geometry_plan(granule, "force", pageblock_order=pbo)
    assert plan["core_ok"]
    assert zone(mi, 1, "Movable") == (plan["block_pages"], plan["usable"], plan["usable"]), \
        mi["text"]
    # The block's struct pages are on node 1's own memory (its altmap): none off-node.
    out = con.cmd("vmemmap")
    m = re.search(r"^node 1: struct pages (\d+), off-node (\d+), tables spanning nodes \d+$",
                  out, re.M)
    assert m and int(m.group(1)) == block // PAGE[granule] and int(m.group(2)) == 0, out
    bid = block_id(granule, node1)
    assert con.cmd(f"mem offline {bid}") == f"hotplug: block {bid} offline"
    assert con.cmd(f"mem remove {node1:#x} {block:#x}").startswith("hotplug: removed")
    mi = parse_meminfo(con.cmd("meminfo"))
    assert mi["zones"] == mi0["zones"] and mi["MemTotal"] == mi0["MemTotal"], mi["text"]
    assert con.poweroff() == 0


# ---- bad input: one error line, nothing changed ----

def test_bad_input_changes_nothing(boot, granule):
    con = boot_held(boot, granule, "memmap_on_memory=on")
    block = SECTION[granule]
    bid = block_id(granule, HELD)
    page = PAGE[granule]

    def refused(cases):
        before = snapshot(con)
        for line, want in cases:
            out = con.cmd(line)
            assert out.startswith("error: ") and "\n" not in out, f"{line}: {out!r}"
            if want:
                assert re.fullmatch(want, out), f"{line}: {out!r}"
        assert snapshot(con) == before

    common = [
        ("mem", r"error: usage: mem .*"),
        ("mem frob", r"error: mem frob: no such subcommand \(add, online, offline, remove\)"),
        ("mem add", r"error: usage: mem .*"),
        (f"mem add {HELD:#x}", r"error: usage: mem .*"),
        ("mem add x 128M", r"error: base 'x' is not a number"),
        (f"mem add {HELD:#x} 1 2 3", r"error: usage: mem .*"),
        (f"mem add {HELD + page:#x} {block:#x}", r"error: mem add: .* is not whole memory blocks .*"),
        (f"mem add {HELD:#x} {block - page:#x}", r"error: mem add: .* is not whole memory blocks .*"),
        (f"mem add {HELD:#x} 0", r"error: mem add: .* is not whole memory blocks .*"),
        (f"mem add {RAM_BASE:#x} {block:#x}", r"error: mem add: .* overlaps memory at .*"),
        (f"mem add {HELD - block:#x} {2 * block:#x}", r"error: mem add: .* overlaps memory at .*"),
        (f"mem add {RAM_BASE + GiB:#x} {block:#x}",
         r"error: mem add: .* is not RAM held back for hotplug .*"),
        (f"mem add {HELD:#x} {2 * GiB:#x}", r"error: mem add: .* is not RAM held back for hotplug .*"),
        ("mem add 0 0x40000000", r"error: mem add: .* is outside the linear map .*"),
        (f"mem add {1 << 40:#x} {block:#x}", r"error: mem add: .* beyond the 40-bit physical .*"),
        (f"mem add 0xffffffffffff0000 {block:#x}", r"error: mem add: .* is not whole memory blocks .*"),
        (f"mem add {HELD:#x} {block:#x} 8", r"error: node 8 is beyond MAX_NUMNODES \(8\)"),
        (f"mem add {HELD:#x} {block:#x} 1", r"error: mem add: .* is RAM of node 0, not node 1"),
        ("mem online", r"error: usage: mem .*"),
        ("mem online 99999", r"error: no memory block 99999 \(memblocks lists them\)"),
        (f"mem online {bid - 1} sideways", r"error: online as 'movable' or 'kernel', not 'sideways'"),
        (f"mem online {bid - 1}", rf"error: mem online: block {bid - 1} is online already"),
        (f"mem offline {bid - 1}",
         rf"error: mem offline: block {bid - 1} is boot memory, which arm64 never offlines"),
        ("mem offline x", r"error: block 'x' is not a number"),
        ("mem remove", r"error: usage: mem .*"),
        (f"mem remove {RAM_BASE:#x} {block:#x}", r"error: mem remove: .* is not a range mem add added"),
        ("altmap", r"error: usage: altmap ID"),
        ("altmap 99999", r"error: no memory block 99999 \(memblocks lists them\)"),
        (f"altmap {bid - 1}", rf"error: block {bid - 1} is boot memory: its memmap came from memblock"),
        ("memblocks x", r"error: usage: memblocks"),
    ]
    refused(common)
    # Added and online: adding again, removing while online, onlining twice.
    con.cmd(f"mem add {HELD:#x} {block:#x}")
    refused([
        (f"mem add {HELD:#x} {block:#x}", r"error: mem add: .* overlaps memory at .*"),
        (f"mem remove {HELD:#x} {block:#x}", rf"error: mem remove: block {bid} is online: offline it first"),
        (f"mem online {bid}", rf"error: mem online: block {bid} is online already"),
        (f"mem remove {HELD:#x} {2 * block:#x}", r"error: mem remove: .* is not a range mem add added"),
        (f"mem remove {HELD + page:#x} {block:#x}", r"error: mem remove: .* is not a range mem add added"),
    ] + common[:6])
    assert con.cmd(f"mem offline {bid}") == f"hotplug: block {bid} offline"
    # Offline: offlining twice.
    refused([(f"mem offline {bid}", rf"error: mem offline: block {bid} is offline")])
    assert con.cmd("mem offline all") == "no hot-added block is online"
    con.cmd(f"mem remove {HELD:#x} {block:#x}")
    refused([(f"mem remove {HELD:#x} {block:#x}", r"error: mem remove: .* is not a range mem add added"),
             (f"mem offline {bid}", rf"error: no memory block {bid} \(memblocks lists them\)")])
    assert con.poweroff() == 0


# ---- the bookkeeping under injected failures (in-kernel, every allocation) ----

# held RAM in a span boot memory shares (no new page table), and where the add needs
# new tables (4K: a new GiB of linear map; 16K: a new 8 GiB of vmemmap; 64K never does)
FAIL_CONFIGS = {
    "shared-span": {"4K": ("1G", "512M"), "16K": ("1G", "512M"), "64K": ("1G", "512M")},
    "new-span": {"4K": ("2G", "1G"), "16K": ("8G", "7G")},
}


@pytest.mark.parametrize("config", list(FAIL_CONFIGS))
def test_every_failure_rolls_back(boot, granule, config):
    """selftest hotplug_fail_nth_rolls_back: every allocation an add makes fails in turn (in
    each memmap_on_memory mode); each failed add returns an error and leaves every counter as
    it was. hotplug_offline_without_memory_to_migrate_to: a failed migration keeps the block."""
    if granule not in FAIL_CONFIGS[config]:
        pytest.skip(f"{granule}: held RAM never needs a new table")
    mem, keep = FAIL_CONFIGS[config][granule]
    con = boot_held(boot, granule, mem=mem, keep=keep)
    out = con.cmd("selftest hotplug_fail_nth_rolls_back hotplug_offline_without_memory_to_migrate_to",
                  timeout=600)
    rep = ktap.parse_report(out)
    assert rep.problems == [] and len(rep.results) == 2, out
    assert all(r.ok and not r.skip for r in rep.results), out
    m = re.search(r"^# (\d+) failed adds, each rolled back$", out, re.M)
    assert m and int(m.group(1)) >= (4 if config == "new-span" else 2), out
    assert con.poweroff() == 0


# ---- vmalloc on hot-added memory ----

def test_vmalloc_uses_hot_added_memory_and_pins_it(boot, granule):
    """Online as kernel memory, a hot-added block backs vmalloc (unmovable pages): offline
    then refuses, naming a vmalloc page, with the contents intact; after vfree it goes."""
    con = boot_held(boot, granule, "memmap_on_memory=force")
    block, page = SECTION[granule], PAGE[granule]
    bid = block_id(granule, HELD)
    con.cmd("set memhp_default_state offline")
    assert con.cmd(f"mem add {HELD:#x} {block:#x}").startswith("hotplug: added")
    assert con.cmd(f"mem online {bid} kernel").startswith(f"hotplug: block {bid} online in Normal")
    mi = parse_meminfo(con.cmd("meminfo"))
    # More than boot memory has free: part of it must come from the block.
    size = mi["MemFree"] * 1024 - 16 * MiB
    out = con.cmd(f"vmalloc {size:#x}", timeout=120)
    m = re.match(r"(0x[0-9a-f]{16}): ", out)
    assert m, out
    addr = m.group(1)
    out = con.cmd(f"mem offline {bid}")
    m = re.fullmatch(rf"error: mem offline: block {bid}: pfn (0x[0-9a-f]+) is not movable", out)
    assert m, out
    p = pfn(con, granule, int(m.group(1), 16))
    assert p["flags"] == set() and p["refcount"] == 1, p["text"]   # an allocated vmalloc page
    assert p["block"][:3] == (bid, "hot-added", "online"), p["text"]
    assert con.cmd(f"vfree {addr}") == f"{addr}: freed, pattern intact"
    assert con.cmd(f"mem offline {bid}") == f"hotplug: block {bid} offline"
    assert con.cmd(f"mem remove {HELD:#x} {block:#x}").startswith("hotplug: removed")
    assert con.poweroff() == 0
