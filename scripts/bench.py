#!/usr/bin/python3
"""`make bench`: boot hotmm and print figures as `name: value` lines.

Per granule:
- boot_to_prompt_us_<mode>: the kernel's own time from reset to the prompt
  (generic counter; QEMU's start-up is not in it), median of several boots;
- image_bytes: hotmm.bin;
- boot_to_prompt_us_<n>g_deferred_<on|off>: the same time (kernel boot) with
  n = 1, 4 and 16 GiB of RAM and deferred_init=on (only the first section
  of each node gets its struct pages at boot) or off (every struct page
  before the prompt), median of 3 boots;
  deferred_done_at_us_<n>g and deferred_work_us_<n>g from the deferred_init=on
  boots: "deferred init: done at N us" (the uptime when the last section was
  initialised) and the work time W of the same line (the idle slices and
  on-demand initialisation together), median of 3;
- memmap_<part>_us_per_gib_<touch>, on 4 GiB booted with deferred_init=off
  (so every struct page is initialised at boot and counted), per GiB of RAM:
  <part> populate: building the vmemmap (allocating and mapping it);
  struct_page_init: writing the struct pages (sparse_stats.init_ns only);
  populate_init: the two together;
  memset_memmap_bytes_us_<touch>: the in-guest time to write the same number
  of bytes (the memmap of 1 GiB, memmap_bytes_per_gib) into free RAM: the
  physical limit next to the figures above;
  memmap_init_over_memset_<touch>: struct_page_init / memset, the issue's
  target (memmap init <= 1.5x memset), and
  memmap_populate_init_over_memset_<touch>: populate_init / memset;
  <touch> first_touch: QEMU allocates guest RAM when first written (the
  memmap's pages and the memset's alike), prealloc: -mem-prealloc (RAM
  allocated before boot); medians of 5 boots each (the ratios are of the
  medians);
- vmemmap_table_pages_per_gib, vmemmap_leaf_entries_per_gib: on 4 GiB;
- vmalloc_<size>_<huge|base>_{leaf_entries,units,table_pages,alloc_us,vfree_us}:
  one vmalloc_huge() / vmalloc() of 64 MiB (and on 64K of 512 MiB, one
  block), on the smallest RAM where that granule has a free block (1 GiB,
  2 GiB for 64K); units count a contiguous run once; times are the median
  of 3;
- dimm_<mode>_add_ms_per_gib: a 2 GiB pc-dimm, from QMP device_add sent to
  QEMU's ACPI_DEVICE_OST for hotmm's _OST 0 (added and online), per GiB
  (QEMU's event timestamp against the host clock at the send), and
  dimm_<mode>_add_guest_us_per_gib: the same as hotmm measures it (slot
  read to _OST written, its summary line); dimm_<mode>_del_ms and
  dimm_<mode>_del_guest_us: device_del sent to DEVICE_DELETED, and hotmm's
  removal request to eject, for the same DIMM; <mode> is memmap_on_memory
  off (the memmap from boot memory) or force (from the DIMM where the
  geometry allows: 4K and 16K; 64K falls back to boot memory). QEMU
  allocates the DIMM's RAM on first touch; median of 3;
- hotplug_<on|force|force_pb2m>_{add_online_us_per_gib,offline_remove_us_per_gib,
  existing_bytes_per_gib,padding_pages_per_block,memmap_pages_per_block}:
  `bench hotplug` of 1 GiB of held RAM (a 2 GiB machine, mem=1G) in each
  memmap_on_memory mode (force_pb2m: force with 2 MiB pageblocks): add +
  online, offline + remove, the memory that was there before the add
  consumed (goal 0), padding and memmap pages per block;
  memset_hotplug_memmap_us_per_gib next to it: the in-guest time to write the
  memmap of 1 GiB, the physical limit of building it.
Timings vary by about +-30% between runs on these machines: compare figures
of the same run.

HOTMM_BENCH=group,... runs only those figure groups (default all): boot
(boot_to_prompt_us_<mode>), ram (boot_to_prompt_us_<n>g_*, deferred_*),
memmap (memmap_*, memset_memmap_*, vmemmap_*), vmalloc, hotplug, dimm;
image_bytes is always printed. E.g. HOTMM_BENCH=ram,memmap make bench.
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "qemu"))
import hotmm  # noqa: E402
from dimmutil import Machine, bios_args, qmp_socket  # noqa: E402

BOOTS = 5
GIB = 1 << 30
RAM_BASE = 0x40000000
PAGE = {"4K": 4096, "16K": 16384, "64K": 65536}


def boot_time_us(granule, mode):
    times = []
    for _ in range(BOOTS):
        con = hotmm.Console(granule, "--boot", mode)
        try:
            times.append(con.banner["boot_us"])
            con.poweroff()
        finally:
            con.close()
    return statistics.median(times)


MEMMAP_RE = re.compile(r"memmap: populated in (\d+) us, (\d+) struct pages initialised in "
                       r"(\d+) us at boot; (\d+) sections")
MEMMAP_BOOTS = 5


def memmap_figures(granule, extra):
    """populate, init and memset figures on 4 GiB with deferred_init=off, medians of
    MEMMAP_BOOTS boots: with deferred init on only the first section of a node
    would be initialised (and counted) at boot."""
    runs = []
    for _ in range(MEMMAP_BOOTS):
        con = hotmm.Console(granule, "--mem", "4G", "--append", "deferred_init=off", *extra,
                            timeout=120)
        try:
            out = con.cmd("vmemmap")
            m = MEMMAP_RE.search(out)
            pop_us, pages, init_us, waiting = map(int, m.groups())
            assert waiting == 0, out
            gib = pages * PAGE[granule] / GIB
            t = re.search(r"total: memmap (\d+) KiB, leaf entries (\d+) .*table pages (\d+)", out)
            memmap_per_gib = 64 * GIB // PAGE[granule]
            ms = con.cmd(f"bench memset {memmap_per_gib}")
            memset_us = int(re.search(r": (\d+) us", ms).group(1))
            con.poweroff()
        finally:
            con.close()
        runs.append({"populate": pop_us / gib, "init": init_us / gib,
                     "populate_init": (pop_us + init_us) / gib, "memset_us": memset_us,
                     "leaves_per_gib": int(t.group(2)) / gib,
                     "tables_per_gib": int(t.group(3)) / gib})
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


RAM_SIZES = (1, 4, 16)
RAM_BOOTS = 3
DEFERRED_DONE_RE = re.compile(r"done at (\d+) us: .* in (\d+) us$")


def ram_figures(granule):
    """Boot to prompt on 1, 4, 16 GiB with deferred_init=on and off, and when the
    deferred init of the on boots is done (and its work time); medians."""
    out = {}
    for gib in RAM_SIZES:
        for mode in ("on", "off"):
            boot, done, work = [], [], []
            for _ in range(RAM_BOOTS):
                con = hotmm.Console(granule, "--mem", f"{gib}G", "--append",
                                    f"deferred_init={mode}", timeout=600)
                try:
                    boot.append(con.banner["boot_us"])
                    if mode == "on":
                        m = DEFERRED_DONE_RE.search(con.banner["deferred_done"])
                        done.append(int(m.group(1)))
                        work.append(int(m.group(2)))
                    else:
                        assert "deferred init" not in con.banner, con.banner
                    con.poweroff()
                finally:
                    con.close()
            out[f"boot_to_prompt_us_{gib}g_deferred_{mode}"] = statistics.median(boot)
            if mode == "on":
                out[f"deferred_done_at_us_{gib}g"] = statistics.median(done)
                out[f"deferred_work_us_{gib}g"] = statistics.median(work)
    return out


VMALLOC_MEM = {"4K": "1G", "16K": "1G", "64K": "2G"}
VMALLOC_SIZES = {"4K": ["64M"], "16K": ["64M"], "64K": ["64M", "512M"]}
VMALLOC_RE = re.compile(r"vmalloc \d+ (huge|base): alloc (\d+) us, vfree (\d+) us, leaf entries (\d+) "
                        r"\(blocks (\d+), cont runs (\d+), pages (\d+)\), table pages (\d+)")


def vmalloc_figures(granule):
    con = hotmm.Console(granule, "--mem", VMALLOC_MEM[granule], timeout=120)
    out = {}
    try:
        for size in VMALLOC_SIZES[granule]:
            for kind in ("huge", "base"):
                runs = []
                for _ in range(3):
                    m = VMALLOC_RE.search(con.cmd(f"bench vmalloc {size} {kind}"))
                    runs.append(m)
                key = f"vmalloc_{size}_{kind}"
                out[f"{key}_leaf_entries"] = int(runs[0].group(4))
                # mapping units: blocks + contiguous runs + pages outside runs
                out[f"{key}_units"] = sum(int(runs[0].group(g)) for g in (5, 6, 7))
                out[f"{key}_table_pages"] = int(runs[0].group(8))
                out[f"{key}_alloc_us"] = statistics.median(int(r.group(2)) for r in runs)
                out[f"{key}_vfree_us"] = statistics.median(int(r.group(3)) for r in runs)
        con.poweroff()
    finally:
        con.close()
    return out


HOTPLUG_RE = re.compile(r"hotplug \d+: add\+online (\d+) us, offline\+remove (\d+) us, existing "
                        r"memory consumed (\d+) pages \((\d+) bytes\), blocks (\d+), memmap pages "
                        r"(\d+), padding pages (\d+)")


def hotplug_figures(granule):
    out = {}
    pb2m = (2 * (1 << 20) // PAGE[granule]).bit_length() - 1  # 2 MiB pageblocks
    for mode, args in (("on", ["memmap_on_memory=on"]), ("force", ["memmap_on_memory=force"]),
                       ("force_pb2m", ["memmap_on_memory=force", f"pageblock_order={pb2m}"])):
        con = hotmm.Console(granule, "--mem", "2G", "--append", " ".join(["mem=1G"] + args),
                            timeout=120)
        try:
            runs = [HOTPLUG_RE.search(con.cmd(f"bench hotplug {RAM_BASE + GIB:#x} 1G"))
                    for _ in range(3)]
            blocks = int(runs[0].group(5))
            key = f"hotplug_{mode}"
            out[f"{key}_add_online_us_per_gib"] = statistics.median(int(r.group(1)) for r in runs)
            out[f"{key}_offline_remove_us_per_gib"] = statistics.median(
                int(r.group(2)) for r in runs)
            out[f"{key}_existing_bytes_per_gib"] = int(runs[0].group(4))
            out[f"{key}_memmap_pages_per_block"] = int(runs[0].group(6)) / blocks
            out[f"{key}_padding_pages_per_block"] = int(runs[0].group(7)) / blocks
            if mode == "on":
                ms = con.cmd(f"bench memset {64 * GIB // PAGE[granule]}")
                out["memset_hotplug_memmap_us_per_gib"] = int(re.search(r": (\d+) us", ms).group(1))
            con.poweroff()
        finally:
            con.close()
    return out


DIMM = 2 << 30


def dimm_figures(granule, mode):
    sock = qmp_socket()
    con = hotmm.Console(granule, *bios_args(sock, 2, "8G"), "--append",
                        f"memmap_on_memory={mode}", timeout=60)
    m = Machine(con, sock)
    runs = []
    try:
        for _ in range(3):
            r = m.plug(DIMM)
            add_us = int(re.search(r"\((\d+) us\)$", r["line"]).group(1))
            u = m.unplug(r["id"])
            del_us = int(re.search(r"\((\d+) us\)$", u["line"]).group(1))
            assert r["ost"] == 0 and u["deleted"], (r, u)
            runs.append((r["seconds"], add_us, u["seconds"], del_us))
        con.poweroff()
    finally:
        m.close()
        con.close()
    gib = DIMM / GIB
    med = [statistics.median(run[i] for run in runs) for i in range(4)]
    return {f"dimm_{mode}_add_ms_per_gib": med[0] * 1000 / gib,
            f"dimm_{mode}_add_guest_us_per_gib": med[1] / gib,
            f"dimm_{mode}_del_ms": med[2] * 1000,
            f"dimm_{mode}_del_guest_us": med[3]}


GROUPS = ("boot", "ram", "memmap", "vmalloc", "hotplug", "dimm")


def main(granules):
    groups = [g for g in os.environ.get("HOTMM_BENCH", ",".join(GROUPS)).split(",") if g]
    unknown = set(groups) - set(GROUPS)
    if unknown:
        sys.exit(f"bench.py: HOTMM_BENCH: unknown group(s) {', '.join(sorted(unknown))}; "
                 f"groups: {', '.join(GROUPS)}")
    for g in granules:
        binary = os.path.join(hotmm.ROOT, "build", g, "hotmm.bin")
        print(f"granule: {g}", flush=True)
        print(f"  image_bytes: {os.path.getsize(binary)}")
        if "boot" in groups:
            for mode in ("kernel", "elf", "bios"):
                print(f"  boot_to_prompt_us_{mode}: {boot_time_us(g, mode):.0f}", flush=True)
        if "ram" in groups:
            for key, value in ram_figures(g).items():
                print(f"  {key}: {value:.0f}", flush=True)
        if "memmap" in groups:
            print(f"  memmap_bytes_per_gib: {64 * GIB // PAGE[g]}")
            first = memmap_figures(g, [])
            pre = memmap_figures(g, ["--", "-mem-prealloc"])
            for touch, f in (("first_touch", first), ("prealloc", pre)):
                for part in ("populate", "struct_page_init", "populate_init"):
                    value = f["init" if part == "struct_page_init" else part]
                    print(f"  memmap_{part}_us_per_gib_{touch}: {value:.0f}")
                print(f"  memset_memmap_bytes_us_{touch}: {f['memset_us']:.0f}")
                print(f"  memmap_init_over_memset_{touch}: {f['init'] / f['memset_us']:.2f}")
                print(f"  memmap_populate_init_over_memset_{touch}: "
                      f"{f['populate_init'] / f['memset_us']:.2f}")
            print(f"  vmemmap_table_pages_per_gib: {first['tables_per_gib']:.2f}")
            print(f"  vmemmap_leaf_entries_per_gib: {first['leaves_per_gib']:.2f}", flush=True)
        if "vmalloc" in groups:
            for key, value in vmalloc_figures(g).items():
                print(f"  {key}: {value:.0f}")
        if "hotplug" in groups:
            for key, value in hotplug_figures(g).items():
                print(f"  {key}: {value:.0f}")
        if "dimm" in groups:
            for mode in ("off", "force"):
                for key, value in dimm_figures(g, mode).items():
                    print(f"  {key}: {value:.1f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:] or ["4K", "16K", "64K"])
