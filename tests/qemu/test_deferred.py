"""Deferred struct page init (mm/deferred_init.c) on the console, every granule.

The model: each node's first PAGES_PER_SECTION pages of memory, rounded up
to whole sections, are initialised at boot; every later boot section waits,
and its free pages (memblock memory no reservation touches) are the
deferred count. It is worked out here from the machine's own `memblock` and
`dt`, per section, and a deferred_init=off boot of the same machine is the
oracle for everything else: once nothing waits, every counter (meminfo,
buddyinfo, vmemmap's table) equals the off boot's, to the page: boot memory
goes to the tail of the free lists, as in Linux, so the page the kernel
allocates at boot comes from the lowest free memory on either boot.

- demand mode (nothing moves while the console waits): meminfo, its node
  lines, vmemmap and the banner give the model's count; allocating
  everything (`alloc` until -ENOMEM, the largest order first) gets as many
  blocks of each order as the off boot's buddyinfo has, so no false
  -ENOMEM while pages waited; at the end nothing waits and the machine
  equals the off boot that did the same, and again after `free all`;
- on mode, settled: equal to the off boot;
- `pfn N` in a deferred section initialises that section first (says so
  once), prints what the off boot prints, and meminfo's count drops by
  exactly that section's free pages;
- hot-add while sections wait (held RAM, and a hole of a deferred boot
  section via the sparse self-test): after `set deferred_init off` the
  machine equals the off boot that did the same;
- typing while the idle loop works: each key echoes before the done line,
  the line is redrawn after it and still runs;
- scale: 16 GiB on every granule and 64 GiB (guest RAM without a host
  reservation) to the prompt; counts against the model, the done line's
  pages against the banner's.
"""

import bisect
import os
import re

import pytest

import hotmm
from dtutil import MiB, GiB, RAM_BASE
from test_buddy import (ALLOC_RE, FREED_RE, MAX_ORDER, SECTION_BITS, Layout, parse_buddyinfo,
                        parse_meminfo, pfn)

PAGE_SHIFT = {"4K": 12, "16K": 14, "64K": 16}
NR_HANDLES = 256
# Machines for alloc-all: room for deferred sections, few enough blocks for 256 handles.
MEM = {"4K": "512M", "16K": "1G", "64K": "1G"}
# Hot-add: (RAM, mem=) so that boot memory has deferred sections and RAM is held above it.
HELD = {"4K": ("1G", 512 * MiB), "16K": ("1G", 512 * MiB), "64K": ("2G", 1 * GiB)}
LOG_DIR = os.path.join(hotmm.ROOT, "build", "test-logs")

BANNER_RE = re.compile(r"(\d+) pages in (\d+) sections wait for (demand|the idle loop)")
DONE_RE = re.compile(r"deferred init: done at (\d+) us: (\d+) pages of (\d+) sections \((\d+) in "
                     r"(\d+) idle slices, (\d+) on demand\) in (\d+) us")
VMEMMAP_RE = re.compile(r"memmap: populated in \d+ us, (\d+) struct pages initialised in \d+ us "
                        r"at boot; (\d+) sections \((\d+) free pages\) wait for deferred init")
JUST_NOW = "  deferred: its section's struct pages were initialised just now"


def sec_pages(granule):
    return 1 << (SECTION_BITS[granule] - PAGE_SHIFT[granule])


# ---- the model ----

def deferred_model(lay, granule):
    """{section nr: free pages waiting} by Linux's rule, from memblock's lists."""
    per = sec_pages(granule)
    mem = {}  # section -> {nid: [pfns]}
    for nid in lay.nodes():
        for s, e in lay.node_pfns(nid):
            for nr in range(s // per, -(-e // per)):
                lo, hi = max(s, nr * per), min(e, (nr + 1) * per)
                mem.setdefault(nr, {}).setdefault(nid, []).append((lo, hi))
    rsv = sorted(lay.rsv_pfns)

    def free(lo, hi):
        return hi - lo - (bisect.bisect_left(rsv, hi) - bisect.bisect_left(rsv, lo))

    done, model = {}, {}
    for nr in sorted(mem):
        pages = {nid: sum(hi - lo for lo, hi in r) for nid, r in mem[nr].items()}
        if all(done.get(nid, 0) >= per for nid in pages):
            model[nr] = sum(free(lo, hi) for r in mem[nr].values() for lo, hi in r)
        else:
            for nid, n in pages.items():
                done[nid] = done.get(nid, 0) + n
    return model


def counters(mi):
    """What must equal the off boot's, to the page, once nothing waits."""
    keep = {k: mi[k] for k in ("MemTotal", "MemFree", "RAM", "NoMap", "Reserved", "reserved_pages",
                               "items", "Memmap", "PageTables", "tables", "Hotplug", "VmallocUsed",
                               "zones")}
    keep["hotplug"] = mi["hotplug"][:5]
    keep["deferred"] = (mi["deferred"]["pages"], mi["deferred"]["sections"],
                        mi.get("node_deferred", {}))
    return keep


def meminfo(con):
    text = con.cmd("meminfo")
    mi = parse_meminfo(text)
    mi["text"] = text
    return mi


def vmemmap_state(con):
    """`vmemmap`: (its table and totals, which must equal the off boot's; the last line's
    (boot-initialised struct pages, sections waiting, free pages waiting))."""
    out = con.cmd("vmemmap")
    lines = out.split("\n")
    m = VMEMMAP_RE.fullmatch(lines[-1])
    assert m, out
    return "\n".join(lines[:-1]), tuple(int(g) for g in m.groups())


def check_waiting(con, granule, model, mi=None):
    """meminfo, its node lines and vmemmap all give the model's count."""
    mi = mi or meminfo(con)
    n, s = sum(model.values()), len(model)
    d = mi["deferred"]
    assert (d["pages"], d["sections"]) == (n, s), f"model {n} pages in {s} sections\n{mi['text']}"
    assert mi["Deferred"] == n << PAGE_SHIFT[granule] >> 10, mi["text"]
    if n:
        first = min(nr for nr, v in model.items() if v) * sec_pages(granule)
        assert mi["node_deferred"] == {0: (n, first)}, mi["text"]
    else:
        assert "node_deferred" not in mi, mi["text"]
    _, (_, vs, vn) = vmemmap_state(con)
    assert (vs, vn) == (s, n), f"vmemmap says {vs} sections, {vn} pages; model {s}, {n}"
    return mi


# ---- alloc everything, free everything ----

def alloc_all(con, granule):
    """`alloc` the largest order until -ENOMEM, then each smaller one; returns
    ({order: blocks}, [meminfo at each -ENOMEM], [done lines: deferred init finished
    by an allocation prints its report where it happens])."""
    got, ids, at_enomem, done = {}, 0, [], []
    for order in range(MAX_ORDER[granule], -1, -1):
        want = NR_HANDLES - ids
        assert want > 0, f"out of handles before order {order}: {got}"
        out = con.cmd(f"alloc {order} {want}", timeout=120)
        lines = out.split("\n") if out else []
        m = re.fullmatch(rf"error: out of memory after (\d+) of {want} allocation\(s\) "
                         rf"of order {order}", lines[-1] if lines else "")
        assert m, f"alloc {order} {want} did not end at -ENOMEM:\n{out[-2000:]}"
        n = int(m.group(1))
        done += [ln for ln in lines if DONE_RE.fullmatch(ln)]
        lines = [ln for ln in lines if not DONE_RE.fullmatch(ln)]
        assert len(lines) == n + 1 and all(ALLOC_RE.fullmatch(ln) for ln in lines[:-1]), out
        got[order] = n
        ids += n
        mi = meminfo(con)
        assert mi["deferred"]["pages"] == 0, \
            f"false -ENOMEM at order {order}: pages still wait\n{mi['text']}"
        at_enomem.append(mi)
    return got, at_enomem, done


def free_all(con):
    out = con.cmd("free all", timeout=120)
    lines = out.split("\n") if out else []
    assert lines and all(FREED_RE.fullmatch(ln) for ln in lines), out[-2000:]
    assert con.cmd("free") == f"0 allocation(s), 0 pages, {NR_HANDLES} handles free"


def state(con, granule):
    return counters(meminfo(con)), parse_buddyinfo(con.cmd("buddyinfo"), granule)


def assert_same(got, want, granule):
    """state() of a machine with nothing waiting against the off boot's."""
    assert got[0] == want[0], f"counters differ:\n{got[0]}\n{want[0]}"
    assert got[1] == want[1], f"buddyinfo {got[1]}, off boot {want[1]}"


class Oracle:
    """One deferred_init=off boot per granule (MEM[granule]), read once."""

    def __init__(self, granule):
        self.granule = granule
        con = hotmm.Console(granule, "--mem", MEM[granule], "--append", "deferred_init=off")
        try:
            assert "deferred init" not in con.banner, con.banner_text
            self.lay = Layout(con, granule)
            self.model = deferred_model(self.lay, granule)
            self.mi = meminfo(con)
            self.counters = counters(self.mi)
            self.buddy = parse_buddyinfo(con.cmd("buddyinfo"), granule)
            self.vmemmap, self.vm_last = vmemmap_state(con)
            self.pfns = self.probe_pfns(con)
            self.alloc, self.at_enomem, done = alloc_all(con, granule)
            assert done == [], done
            self.full = state(con, granule)
            free_all(con)
            self.after = state(con, granule)
        finally:
            con.close()
            os.makedirs(LOG_DIR, exist_ok=True)
            with open(os.path.join(LOG_DIR, f"test_deferred_oracle_{granule}.log"), "wb") as f:
                f.write(con.transcript)

    def probe_pfns(self, con):
        """{pfn: what `pfn` prints here}: a free page of the first deferred section and
        one of the last, each inside a free block of MAX_PAGE_ORDER (one order less on
        64K, where a section is one such block and the last one's top holds the memmap),
        and the last page of RAM (reserved)."""
        per = sec_pages(self.granule)
        # 64K: a section is one MAX_PAGE_ORDER block, and its top holds the memmap.
        order = MAX_ORDER[self.granule] - (1 if self.granule == "64K" else 0)
        end = max(e for _, e in self.lay.node_pfns())
        out = {end - 1: con.cmd(f"pfn {end - 1:#x}")}
        for nr in (min(self.model), max(self.model)):
            for p in range(nr * per + 7, min((nr + 1) * per, end), 1 << order):
                text = con.cmd(f"pfn {p:#x}")
                m = re.search(r"^  free: inside the order-(\d+) block", text, re.M)
                if m and int(m.group(1)) >= order and ": Movable\n" in text:
                    out.setdefault(p, text)
                    break
            else:
                raise AssertionError(f"no whole free block in section {nr}")
        assert len(out) == 3 or min(self.model) == max(self.model), out
        return out


@pytest.fixture(scope="module")
def oracles():
    cache = {}

    def get(granule):
        if granule not in cache:
            cache[granule] = Oracle(granule)
        return cache[granule]

    return get


def demand_boot(boot, granule, *args, mem=None, append=()):
    return boot(granule, "--mem", mem or MEM[granule], *args,
                "--append", " ".join(("deferred_init=demand",) + tuple(append)))


def banner_count(con, how):
    m = BANNER_RE.fullmatch(con.banner.get("deferred init", ""))
    assert m and m.group(3) == how, con.banner_text
    return int(m.group(1)), int(m.group(2))


# ---- 1. demand: the count, then allocate everything ----

def test_demand_counts_and_alloc_all(boot, granule, oracles):
    o = oracles(granule)
    assert len(o.model) >= 1, f"no deferred section in the model of {MEM[granule]}"
    # The model without deferral: what off gives equals RAM less the reservations.
    kib = 1 << PAGE_SHIFT[granule] >> 10
    assert o.mi["MemTotal"] == (o.lay.pages() - o.lay.reserved_pages()) * kib, o.mi["text"]
    # Greedy by order from a fully merged free set takes exactly buddyinfo's blocks.
    want = {k: sum(c[k] for c in o.buddy.values()) for k in range(MAX_ORDER[granule] + 1)}
    assert o.alloc == want, f"off boot's alloc-all {o.alloc}, its buddyinfo {want}"
    assert o.after == (o.counters, o.buddy), "off boot: free all did not restore"

    con = demand_boot(boot, granule)
    n, s = sum(o.model.values()), len(o.model)
    assert banner_count(con, "demand") == (n, s)
    lay = Layout(con, granule)
    assert deferred_model(lay, granule) == o.model, "memblock differs from the off boot's"
    mi = check_waiting(con, granule, o.model)
    # Everything else is the off boot's, the waiting pages aside.
    assert mi["MemTotal"] + n * kib == o.mi["MemTotal"], (mi["text"], o.mi["text"])
    assert mi["MemFree"] + n * kib == o.mi["MemFree"], (mi["text"], o.mi["text"])
    (p0, m0, f0), (p1, m1, f1) = mi["zones"][(0, "Normal")], o.mi["zones"][(0, "Normal")]
    assert (p0, m0 + n, f0 + n) == (p1, m1, f1), (mi["text"], o.mi["text"])
    for k in ("RAM", "NoMap", "Reserved", "items", "Memmap", "PageTables"):
        assert mi[k] == o.mi[k], k
    vm_table, _ = vmemmap_state(con)
    assert vm_table == o.vmemmap

    got, at_enomem, done = alloc_all(con, granule)
    # No false -ENOMEM: every order got as many blocks as the off boot, and
    # by the first -ENOMEM nothing waited any more.
    assert got == o.alloc, f"demand alloc-all {got}, off {o.alloc}"
    first = at_enomem[0]
    assert (first["deferred"]["pages"], first["deferred"]["sections"]) == (0, 0), first["text"]
    assert first["deferred"]["demand"] == s, first["text"]
    assert len(done) == 1, done
    m = DONE_RE.fullmatch(done[0])
    assert [int(m.group(g)) for g in (2, 3, 4, 5, 6)] == [n, s, 0, 0, s], done[0]
    assert_same(state(con, granule), o.full, granule)
    free_all(con)
    assert_same(state(con, granule), o.after, granule)
    assert con.poweroff() == 0


# ---- 2. on: settled, equal to off ----

def test_on_settled_equals_off(boot, granule, oracles):
    o = oracles(granule)
    con = boot(granule, "--mem", MEM[granule])
    n, s = banner_count(con, "the idle loop")
    assert (n, s) == (sum(o.model.values()), len(o.model))
    m = DONE_RE.fullmatch(con.banner["deferred_done"])
    assert m and (int(m.group(2)), int(m.group(3))) == (n, s), con.banner["deferred_done"]
    mi = meminfo(con)
    assert mi["deferred"]["mode"] == "on"
    assert_same(state(con, granule), (o.counters, o.buddy), granule)
    vm_table, (boot_pages, vs, vn) = vmemmap_state(con)
    assert vm_table == o.vmemmap and (vs, vn) == (0, 0)
    assert con.poweroff() == 0


# ---- 3. pfn N initialises its section first ----

def test_pfn_initialises_its_section(boot, granule, oracles):
    o = oracles(granule)
    con = demand_boot(boot, granule)
    per = sec_pages(granule)
    left = dict(o.model)
    for p in o.pfns:
        nr = p // per
        fresh = nr in left
        out = con.cmd(f"pfn {p:#x}")
        lines = out.split("\n")
        assert (JUST_NOW in lines) == fresh, \
            f"section {nr} {'waited' if fresh else 'was done'}:\n{out}"
        # The last section done prints the report where it happens.
        done = [ln for ln in lines if DONE_RE.fullmatch(ln)]
        if fresh and len(left) == 1:
            m = DONE_RE.fullmatch(done[0]) if len(done) == 1 else None
            assert m and [int(m.group(g)) for g in (2, 3, 4, 6)] == \
                [sum(o.model.values()), len(o.model), 0, len(o.model)], out
        else:
            assert done == [], out
        assert [ln for ln in lines if ln != JUST_NOW and not DONE_RE.fullmatch(ln)] == \
            o.pfns[p].split("\n"), f"demand:\n{out}\noff:\n{o.pfns[p]}"
        left.pop(nr, None)
        check_waiting(con, granule, left)
        # Asked again: nothing to initialise, the same page.
        again = con.cmd(f"pfn {p:#x}")
        assert again.split("\n") == o.pfns[p].split("\n"), again
    pfn(con, granule, list(o.pfns)[0])   # and test_buddy's geometry checks
    assert con.poweroff() == 0


# ---- 4. hot-add while sections wait ----

def hot_add(con, granule):
    ram, keep = HELD[granule]
    base, size = RAM_BASE + keep, 1 << SECTION_BITS[granule]
    out = con.cmd(f"mem add {base:#x} {size:#x}")
    assert out.startswith(f"hotplug: added [{base:#x}-{base + size - 1:#x}] on node 0"), out
    assert "online in Movable of node 0" in out, out


def test_hot_add_while_deferred(boot, granule):
    ram, keep = HELD[granule]
    off = boot(granule, "--mem", ram, "--append", f"mem={keep >> 20}M deferred_init=off")
    model = deferred_model(Layout(off, granule), granule)
    assert model, "no deferred section to hot-add beside"
    hot_add(off, granule)
    want = state(off, granule)
    assert off.poweroff() == 0

    con = demand_boot(boot, granule, mem=ram, append=(f"mem={keep >> 20}M",))
    check_waiting(con, granule, model)
    hot_add(con, granule)
    # The add needed none of the waiting sections.
    check_waiting(con, granule, model)
    out = con.cmd("set deferred_init off")
    m = DONE_RE.fullmatch(out)
    assert m and [int(m.group(g)) for g in (2, 3, 4, 6)] == \
        [sum(model.values()), len(model), 0, len(model)], out
    check_waiting(con, granule, {})
    assert_same(state(con, granule), want, granule)
    assert con.poweroff() == 0


def test_hot_add_into_hole_of_deferred_section(boot, granule):
    # 1000M ends inside a section: its hole can take memory (test_buddy's
    # test_hot_add_into_boot_hole); here that section still waits.
    off = boot(granule, "--mem", "1000M", "--append", "deferred_init=off")
    lay = Layout(off, granule)
    model = deferred_model(lay, granule)
    hole_nr = (RAM_BASE + 1000 * MiB) >> SECTION_BITS[granule]
    assert hole_nr in model, f"the section with the hole (#{hole_nr}) is not deferred: {model}"
    assert "ok 1 sparse_add_into_boot_hole" in off.cmd("selftest sparse_add_into_boot_hole")
    want = state(off, granule)
    assert off.poweroff() == 0

    con = demand_boot(boot, granule, mem="1000M")
    check_waiting(con, granule, model)
    out = con.cmd("selftest sparse_add_into_boot_hole")
    assert re.search(r"^ok 1 sparse_add_into_boot_hole$", out, re.M), out
    # The add initialised the section with the hole first, that one only.
    check_waiting(con, granule, {k: v for k, v in model.items() if k != hole_nr})
    con.cmd("set deferred_init off")
    check_waiting(con, granule, {})
    assert_same(state(con, granule), want, granule)
    assert con.poweroff() == 0


# ---- 5. typing while the idle loop works ----

@pytest.mark.parametrize("only_granule", ["4K"])
def test_typing_echoes_before_done(boot, only_granule):
    granule = only_granule
    con = boot(granule, "--mem", "16G", settle=False, timeout=60)
    n, s = banner_count(con, "the idle loop")
    done = re.compile(rb"\ndeferred init: done at [^\r\n]*(?=\r*\n)")
    for ch in "vers":
        con.send_bytes(ch)
        # Right after what was read so far comes the echo, not the done line.
        i = con.expect([re.compile(rb"\A" + ch.encode()), done])
        assert i == 0, f"{ch!r} echoed after the done line:\n{con.tail()}"
    con.expect(done, timeout=60)
    m = DONE_RE.fullmatch(con.after.strip())
    assert m and (int(m.group(2)), int(m.group(3))) == (n, s), con.after
    assert int(m.group(5)) > 1, f"done in one idle slice: {con.after}"
    # The prompt and the line typed so far come back; it still runs.
    con.expect(re.compile(rb"\A\r*\n" + re.escape(hotmm.PROMPT.encode()) + rb"vers\Z"))
    con.send_line("ion")
    out = con.wait_prompt()
    assert re.match(r"ion\nhotmm \S+, 4K granule, built for QEMU virt\n", out), out
    check_waiting(con, granule, {})
    assert con.poweroff() == 0


# ---- 6. scale ----

@pytest.mark.parametrize("size", ["16G", "64G"])
def test_scale_boots(boot, granule, size):
    gib = int(size[:-1])
    extra = ()
    if gib > 16:
        # More than the host has: guest RAM without a reservation (lazily backed).
        extra = ("--", "-object", f"memory-backend-ram,id=bigram,size={size},reserve=off",
                 "-machine", "memory-backend=bigram")
    con = boot(granule, "--mem", size, *extra, timeout=180)
    n, s = banner_count(con, "the idle loop")
    lay = Layout(con, granule)
    model = deferred_model(lay, granule)
    assert (n, s) == (sum(model.values()), len(model))
    assert s == gib * GiB // (1 << SECTION_BITS[granule]) - 1
    m = DONE_RE.fullmatch(con.banner["deferred_done"])
    assert m and (int(m.group(2)), int(m.group(3)), int(m.group(6))) == (n, s, 0), \
        con.banner["deferred_done"]
    mi = check_waiting(con, granule, {})
    kib = 1 << PAGE_SHIFT[granule] >> 10
    assert mi["RAM"] == gib << 20
    assert mi["MemTotal"] == (lay.pages() - lay.reserved_pages()) * kib, mi["text"]
    assert mi["zones"][(0, "Normal")][1] * kib == mi["MemTotal"], mi["text"]
    assert con.poweroff() == 0
