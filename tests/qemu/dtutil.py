"""Helpers for the DT, memblock, bootargs and selftest QEMU tests.

- parse_dt() / parse_memblock(): the kernel's `dt` and `memblock` output
  (kernel/cmd_dt.c) as plain data.
- qemu_command() / dump_dtb(): the QEMU command run-qemu.sh would run for some
  options (from --dry-run), and the DTB QEMU itself builds for them
  (`-machine dumpdtb=FILE` added; QEMU merges repeated -machine options).
- parse_fdt(): a small flattened-device-tree reader (header, /memreserve/
  block, nodes and properties), enough to pull out the memory banks and
  /reserved-memory children to compare with what the kernel printed.
- elf_symbols(): `aarch64-linux-gnu-nm` over build/<granule>/hotmm.elf.
- kernel_dtb_pa(): where QEMU puts the DTB for each boot mode.
"""

import os
import re
import shlex
import struct
import subprocess

import hotmm

ROOT = hotmm.ROOT
RUN_QEMU = hotmm.RUN_QEMU
NM = os.environ.get("NM", "aarch64-linux-gnu-nm")

RAM_BASE = 0x40000000
KERNEL_PA = 0x40200000  # _head's load PA: RAM base + 2 MiB (text_offset 0)
BIOS_DTB_SIZE = 1 << 20  # the blob QEMU puts at RAM base for -bios and ELF boots
MiB = 1 << 20
GiB = 1 << 30

_SIZE_RE = re.compile(r"^(\d+)([KMGT]?)$", re.I)


def size_bytes(text):
    """'384M' -> bytes (a bare number is MiB, as run-qemu.sh and QEMU's -m read it)."""
    m = _SIZE_RE.match(text)
    if not m:
        raise ValueError(f"bad size {text!r}")
    shift = {"": 20, "K": 10, "M": 20, "G": 30, "T": 40}[m.group(2).upper()]
    return int(m.group(1)) << shift


def align_up(x, a):
    return (x + a - 1) // a * a


def page_bytes(granule):
    return {"4K": 4096, "16K": 16384, "64K": 65536}[granule]


def build_path(granule, suffix="elf"):
    build = os.environ.get("HOTMM_BUILD_DIR", os.path.join(ROOT, "build"))
    return os.path.join(build, granule, f"hotmm.{suffix}")


def granules(config):
    """The granules the run covers: $HOTMM_GRANULES filtered by --granule (as conftest.py)."""
    env = os.environ.get("HOTMM_GRANULES", "4K 16K 64K").split()
    try:
        picked = config.getoption("--granule")
    except ValueError:
        picked = []
    return [g for g in env if g in picked] if picked else env


# ---- the kernel's output ----

# "  [0x0040000000-0x007fffffff]  1048576 KiB  node -1"
_RANGE_RE = re.compile(r"^  \[0x([0-9a-f]+)-0x([0-9a-f]+)\]\s+(\d+) KiB  (.*)$")


def _range(line):
    m = _RANGE_RE.match(line)
    if not m:
        return None
    base, last, kib, rest = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3)), m.group(4)
    size = last - base + 1
    assert kib == size >> 10, f"KiB column disagrees with the range: {line!r}"
    return base, size, rest


def parse_dt(text):
    """`dt` output -> dict.

    Keys: model, compatible, totalsize, dtb_pa, banks [(base, size, nid)],
    rsv [(base, size, kind, name, nomap)] (kind "memreserve" or
    "reserved-memory"; name "" for memreserve), stdout_path, gic, rng_seed.
    The bank and entry counts in the header lines are checked against the
    lines that follow.
    """
    lines = text.splitlines()
    out = {"banks": [], "rsv": []}
    i = 0
    nbanks = nrsv = None
    while i < len(lines):
        line = lines[i]
        i += 1
        if m := re.match(r"^model: (.*)$", line):
            out["model"] = m.group(1)
        elif m := re.match(r"^compatible: (.*)$", line):
            out["compatible"] = m.group(1)
        elif m := re.match(r"^totalsize: (\d+) bytes at 0x([0-9a-f]+)$", line):
            out["totalsize"], out["dtb_pa"] = int(m.group(1)), int(m.group(2), 16)
        elif m := re.match(r"^memory: (\d+) bank\(s\)$", line):
            nbanks = int(m.group(1))
            while i < len(lines) and (r := _range(lines[i])):
                nm = re.fullmatch(r"node (-?\d+)", r[2])
                assert nm, f"bad bank line {lines[i]!r}"
                out["banks"].append((r[0], r[1], int(nm.group(1))))
                i += 1
        elif m := re.match(r"^reserved: (\d+) entr(?:y|ies)$", line):
            nrsv = int(m.group(1))
            while i < len(lines) and (r := _range(lines[i])):
                desc = r[2]
                if desc == "memreserve":
                    out["rsv"].append((r[0], r[1], "memreserve", "", False))
                else:
                    rm = re.fullmatch(r"reserved-memory (\S*)( no-map)?", desc)
                    assert rm, f"bad reserved line {lines[i]!r}"
                    out["rsv"].append((r[0], r[1], "reserved-memory", rm.group(1),
                                       bool(rm.group(2))))
                i += 1
        elif m := re.match(r"^stdout-path: (.*)$", line):
            out["stdout_path"] = m.group(1)
        elif m := re.match(r"^gic: (.*)$", line):
            out["gic"] = m.group(1)
        elif m := re.match(r"^rng-seed: (\d+) bytes$", line):
            out["rng_seed"] = int(m.group(1))
    for key in ("totalsize", "dtb_pa"):
        assert key in out, f"no {key} in dt output:\n{text}"
    assert nbanks == len(out["banks"]), f"'memory: {nbanks} bank(s)' vs lines:\n{text}"
    assert nrsv == len(out["rsv"]), f"'reserved: {nrsv} entries' vs lines:\n{text}"
    return out


def parse_memblock(text):
    """`memblock` output -> {"memory": [(base, size, nid, nomap)], "reserved": [(base, size, name)]}.

    The region counts and KiB totals in the header lines are checked.
    """
    lines = text.splitlines()
    out = {}
    i = 0
    while i < len(lines):
        m = re.match(r"^(memory|reserved): (\d+) region\(s\), (\d+) KiB$", lines[i])
        i += 1
        if not m:
            continue
        kind, cnt, kib = m.group(1), int(m.group(2)), int(m.group(3))
        regions = []
        while i < len(lines) and (r := _range(lines[i])):
            if kind == "memory":
                nm = re.fullmatch(r"node (-?\d+)( nomap)?", r[2])
                assert nm, f"bad memory line {lines[i]!r}"
                regions.append((r[0], r[1], int(nm.group(1)), bool(nm.group(2))))
            else:
                regions.append((r[0], r[1], r[2]))
            i += 1
        assert len(regions) == cnt, f"'{kind}: {cnt} region(s)' vs lines:\n{text}"
        assert sum(r[1] for r in regions) >> 10 == kib, f"{kind} KiB total:\n{text}"
        out[kind] = regions
    assert set(out) == {"memory", "reserved"}, f"memblock output:\n{text}"
    return out


# ---- QEMU's own DTB ----

def qemu_command(granule, *args):
    """The QEMU argv run-qemu.sh builds for these options (its --dry-run line)."""
    # --dry-run goes first: everything after "--" is QEMU's.
    p = subprocess.run([RUN_QEMU, "--dry-run", "--page-size", granule, "--serial", "raw", *args],
                       cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, f"run-qemu.sh --dry-run failed: {p.stderr}"
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith("run-qemu: ")]
    assert len(lines) == 1, f"no single 'run-qemu: ' line in:\n{p.stderr}"
    return shlex.split(lines[0][len("run-qemu: "):])


def dump_dtb(granule, *args, path):
    """Run QEMU as run-qemu.sh would for args, plus -machine dumpdtb=path; return the blob.

    QEMU builds the machine, writes the DTB it would give the guest, and exits
    before any guest code runs. Extra QEMU options go after "--" in args, as
    for run-qemu.sh.
    """
    argv = qemu_command(granule, *args) + ["-machine", f"dumpdtb={path}"]
    if os.path.exists(path):
        os.unlink(path)
    p = subprocess.run(argv, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0 and os.path.exists(path), (
        f"dumpdtb failed ({p.returncode}): {shlex.join(argv)}\n{p.stdout}{p.stderr}")
    with open(path, "rb") as f:
        return f.read()


def dtc(*args, input=None):
    """Run dtc; return stdout (bytes)."""
    p = subprocess.run(["dtc", "-q", *args], input=input, capture_output=True, timeout=30)
    assert p.returncode == 0, f"dtc {' '.join(args)} failed: {p.stderr.decode()}"
    return p.stdout


FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END = 1, 2, 3, 4, 9


class Fdt:
    """A parsed flattened device tree.

    header: dict of the ten header fields; memreserve: [(base, size)];
    nodes: {path: {prop: bytes}} ("/" is the root; nodes NOP-ed out by QEMU
    are gone, as they are for libfdt).
    """

    def __init__(self, header, memreserve, nodes):
        self.header, self.memreserve, self.nodes = header, memreserve, nodes

    @property
    def totalsize(self):
        return self.header["totalsize"]

    def u32(self, path, prop, default=None):
        v = self.nodes.get(path, {}).get(prop)
        return default if v is None else struct.unpack(">I", v[:4])[0]

    def string(self, path, prop):
        v = self.nodes.get(path, {}).get(prop)
        return None if v is None else v.split(b"\0")[0].decode()

    def children(self, path):
        pre = path.rstrip("/") + "/"
        return [p for p in self.nodes if p.startswith(pre) and "/" not in p[len(pre):]]

    def reg(self, path, parent):
        """The (base, size) tuples of path's reg, in parent's cells."""
        ac = self.u32(parent, "#address-cells", 2)
        sc = self.u32(parent, "#size-cells", 1)
        raw = self.nodes[path].get("reg", b"")
        cells = struct.unpack(f">{len(raw) // 4}I", raw)
        out = []
        step = ac + sc
        for i in range(0, len(cells) - step + 1, step):
            base = size = 0
            for c in cells[i:i + ac]:
                base = base << 32 | c
            for c in cells[i + ac:i + step]:
                size = size << 32 | c
            out.append((base, size))
        return out

    def memory_banks(self):
        """[(base, size, nid)] of the root's memory nodes, sorted; nid -1 without numa-node-id."""
        banks = []
        for path in self.children("/"):
            name = path[1:]
            if not (name == "memory" or name.startswith("memory@")):
                continue
            if self.string(path, "device_type") != "memory":
                continue
            nid = self.u32(path, "numa-node-id", -1)
            banks += [(b, s, nid) for b, s in self.reg(path, "/") if s]
        return sorted(banks)

    def reserved_memory(self):
        """[(base, size, name, nomap)] of the enabled /reserved-memory children."""
        out = []
        for path in self.children("/reserved-memory"):
            if self.string(path, "status") not in (None, "okay", "ok"):
                continue
            nomap = "no-map" in self.nodes[path]
            name = path.rsplit("/", 1)[1]
            out += [(b, s, name, nomap) for b, s in self.reg(path, "/reserved-memory") if s]
        return out


def parse_fdt(blob):
    fields = ("magic", "totalsize", "off_dt_struct", "off_dt_strings", "off_mem_rsvmap",
              "version", "last_comp_version", "boot_cpuid_phys", "size_dt_strings",
              "size_dt_struct")
    header = dict(zip(fields, struct.unpack_from(">10I", blob, 0)))
    assert header["magic"] == FDT_MAGIC, f"bad FDT magic {header['magic']:#x}"
    assert header["totalsize"] <= len(blob), "FDT totalsize beyond the blob"
    memreserve = []
    off = header["off_mem_rsvmap"]
    while True:
        base, size = struct.unpack_from(">QQ", blob, off)
        off += 16
        if base == 0 and size == 0:
            break
        memreserve.append((base, size))
    strings = header["off_dt_strings"]
    off = header["off_dt_struct"]
    end = off + header["size_dt_struct"]
    nodes = {}
    stack = []
    while off < end:
        (tok,) = struct.unpack_from(">I", blob, off)
        off += 4
        if tok == FDT_BEGIN_NODE:
            nul = blob.index(b"\0", off)
            name = blob[off:nul].decode()
            off = align_up(nul + 1, 4)
            path = "/" if not stack else (stack[-1].rstrip("/") + "/" + name)
            stack.append(path)
            nodes[path] = {}
        elif tok == FDT_END_NODE:
            stack.pop()
        elif tok == FDT_PROP:
            length, nameoff = struct.unpack_from(">II", blob, off)
            off += 8
            pname = blob[strings + nameoff:blob.index(b"\0", strings + nameoff)].decode()
            nodes[stack[-1]][pname] = blob[off:off + length]
            off = align_up(off + length, 4)
        elif tok == FDT_NOP:
            continue
        elif tok == FDT_END:
            break
        else:
            raise AssertionError(f"bad FDT token {tok:#x} at {off - 4:#x}")
    assert not stack, "FDT structure ends inside a node"
    return Fdt(header, memreserve, nodes)


# ---- the image ----

def elf_symbols(granule):
    """{name: (address, type)} from nm over build/<granule>/hotmm.elf."""
    path = build_path(granule)
    if not os.path.exists(path):
        shown = os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path
        raise FileNotFoundError(f"{shown} not found: run make PAGE_SIZE={granule}")
    p = subprocess.run([NM, path], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, f"{NM} {path} failed: {p.stderr}"
    syms = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = (int(parts[0], 16), parts[1])
    return syms


def image_size(granule):
    """_end - _head: what the kernel reserves as "kernel"."""
    syms = elf_symbols(granule)
    return syms["_end"][0] - syms["_head"][0]


def selftest_names(granule):
    """The case names: the __selftest_<name> symbols, in address (= run) order."""
    syms = elf_symbols(granule)
    found = sorted((a, n[len("__selftest_"):]) for n, (a, _) in syms.items()
                   if n.startswith("__selftest_"))
    return [n for _, n in found]


def kernel_dtb_pa(mode, mem_bytes, image_end=KERNEL_PA):
    """Where QEMU puts the DTB: for -kernel Image, x0 =
    align_up(max(RAM + min(RAM size / 2, 128 MiB), image end), 2 MiB);
    for -bios and -kernel ELF, the RAM base."""
    if mode != "kernel":
        return RAM_BASE
    return align_up(max(RAM_BASE + min(mem_bytes // 2, 128 * MiB), image_end), 2 * MiB)
