"""Helpers for the DIMM hotplug tests and the bench: a hotmm console plus a
QMP connection to the same QEMU.

- Machine(con, qmp): plug()/unplug() do the QMP conversation
  (scripts/qmp.py, the client people use) and wait for hotmm's summary line
  on the console ("memhp: slot N: ..."); counters() is what must come back
  after removal (meminfo totals and zones, the memblock lists);
  expected_pages() works out from `altmap ID` how many pages a block gives
  the buddy allocator.
- qmp_socket(): a fresh socket path under /tmp (a unix socket path must be
  short), removed at exit.
- bios_args(): the run-qemu.sh options for a machine with hotplug slots.
"""

import atexit
import os
import re
import shutil
import sys
import tempfile

import hotmm

sys.path.insert(0, os.path.join(hotmm.ROOT, "scripts"))
import qmp  # noqa: E402  (scripts/qmp.py: the same client people use)

MiB = 1 << 20
GiB = 1 << 30
PAGE = {"4K": 4096, "16K": 16384, "64K": 65536}
BLOCK = {"4K": 128 * MiB, "16K": 128 * MiB, "64K": 512 * MiB}  # memory_block_size, default

# The driver's one summary line per slot and event (refusals are pr_err()).
EVENT_RE = re.compile(rb"(?:error: )?memhp: slot (\d+): ([^\r\n]*)\r*\n")


def qmp_socket():
    d = tempfile.mkdtemp(prefix="hotmm-qmp-")
    atexit.register(shutil.rmtree, d, True)
    return os.path.join(d, "qmp.sock")


def bios_args(sock, slots=4, maxmem="12G", *extra):
    return ("--boot", "bios", "--slots", str(slots), "--maxmem", maxmem, "--qmp", sock, *extra)


def size_bytes(size):
    return qmp.parse_size(size) if isinstance(size, str) else size


class Machine:
    def __init__(self, con, sock):
        self.con = con
        self.granule = con.granule
        self.q = qmp.QMP(sock)

    def close(self):
        self.q.close()

    # ---- console ----
    def event(self, timeout=None):
        """The next driver summary line: (slot, text)."""
        self.con.expect(EVENT_RE, timeout)
        m = self.con.match
        return int(m.group(1)), m.group(2).decode("latin-1")

    def cmd(self, line, timeout=None):
        return self.con.cmd(line, timeout)

    # ---- QMP + console ----
    def plug(self, size, node=None, timeout=20.0):
        """device_add a DIMM, wait for hotmm's _OST and its console line.
        Returns qmp.plug()'s dict with "line" (the console's summary)."""
        r = qmp.plug(self.q, size, node=node, timeout=timeout)
        slot, text = self.event(timeout)
        assert slot == r["slot"], f"slot {slot} answered, {r['slot']} was plugged: {text}"
        r["line"] = text
        return r

    def unplug(self, dimm_id, timeout=20.0):
        """device_del, wait for DEVICE_DELETED or hotmm's refusal, and its console line."""
        slot = next(d["slot"] for d in self.q.memory_devices() if d.get("id") == dimm_id)
        r = qmp.unplug(self.q, dimm_id, timeout=timeout)
        got, text = self.event(timeout)
        assert got == slot, f"slot {got} answered, {slot} was unplugged: {text}"
        r["line"] = text
        return r

    # ---- what must come back ----
    def meminfo(self):
        text = self.cmd("meminfo")
        out = {}
        for key in ("MemTotal", "MemFree", "PageTables"):
            m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
            assert m, f"no {key} in meminfo:\n{text}"
            out[key] = int(m.group(1))
        out["zones"] = tuple(re.findall(r"^Node \d+, zone .*$", text, re.M))
        return out

    def counters(self):
        """Everything a hot-add changes and a removal must put back."""
        return {"meminfo": self.meminfo(), "memblock": self.cmd("memblock")}

    def dimms(self):
        """`dimms` as {slot: {"base", "size", "node", "state", "blocks"}}."""
        out = {}
        for m in re.finditer(r"^\s*(\d+)  0x([0-9a-f]+)\s+(\d+) MiB\s+(\d+)  (\S+(?: online)?)\s+"
                             r"(\S.*)$", self.cmd("dimms"), re.M):
            out[int(m.group(1))] = {"base": int(m.group(2), 16), "size": int(m.group(3)) * MiB,
                                    "node": int(m.group(4)), "state": m.group(5),
                                    "blocks": m.group(6)}
        return out

    def block_pages_to_buddy(self, block_id):
        """Pages block @block_id gives the buddy allocator when online: the
        whole block, less its memmap reservation (altmap free) and the table
        pages taken from its end, per `altmap ID`."""
        text = self.cmd(f"altmap {block_id}")
        block = int(re.search(r"^memory_block_size: (\d+)$", text, re.M).group(1))
        pages = block // PAGE[self.granule]
        if "altmap: none" in text:
            return pages
        free = int(re.search(r"^free: (\d+)$", text, re.M).group(1))
        tail = int(re.search(r"^table_pages: \d+ \(\d+ in padding, (\d+) at the block's end\)$",
                             text, re.M).group(1))
        return pages - free - tail

    def expected_kb(self, r):
        """kB a DIMM plugged as r (qmp.plug()'s dict) adds to MemTotal when online."""
        first = r["addr"] // BLOCK[self.granule]
        n = r["size"] // BLOCK[self.granule]
        pages = sum(self.block_pages_to_buddy(first + i) for i in range(n))
        return pages * PAGE[self.granule] // 1024
