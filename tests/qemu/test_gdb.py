"""Stepping hotmm with GDB: a batch gdb-multiarch session against QEMU's gdbstub.

QEMU starts stopped (-S) with its gdbstub on a TCP port; gdb-multiarch loads
build/<granule>/hotmm.elf, breaks at start_kernel, continues, steps with
`next` and asks where it is. Then the same with scripts/gdb/hotmm.gdb (what
`make gdb` runs), and its `hotmm-phys` command, which loads the symbols at the
physical load address so MMU-off code can be stepped after a reset.

run-qemu.sh --gdb means -s -S, i.e. port 1234. So that runs in parallel and
a busy port 1234 do not matter, the tests give QEMU `-- -gdb tcp:...:PORT -S`
with a free port instead; the script test uses --gdb itself when 1234 is
free, and otherwise a copy of the script with the port rewritten.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

import hotmm

GDB = shutil.which("gdb-multiarch")
SCRIPT = os.path.join(hotmm.ROOT, "scripts", "gdb", "hotmm.gdb")
LINK_BASE = 0xFFFF800080200000  # the kernel image's link address (linker.ld)
LOAD_PA = 0x40200000  # where QEMU puts the Image: RAM base + text_offset

pytestmark = pytest.mark.skipif(GDB is None, reason="gdb-multiarch is not installed")


def elf(granule):
    return os.path.join(hotmm.ROOT, "build", granule, "hotmm.elf")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port):
    """Whether QEMU could listen on port (it binds all addresses, with SO_REUSEADDR)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("", port))
        except OSError:
            return False
        return True


def listening(port):
    """Whether something listens on TCP port (read from /proc, not by connecting:
    a connection that closes again would make QEMU's gdbstub resume the guest)."""
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(path) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
                    return True
    return False


class Qemu:
    """QEMU through run-qemu.sh, stopped for GDB; output to a log file."""

    def __init__(self, tmp_path, granule, *args, port):
        self.log = tmp_path / "qemu.log"
        self.port = port
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [hotmm.RUN_QEMU, "--page-size", granule, "--serial", "raw", *args],
                cwd=hotmm.ROOT, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not listening(port):
            if self.proc.poll() is not None:
                raise AssertionError(f"QEMU exited with {self.proc.returncode}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"QEMU does not listen on port {port}:\n{self.output()}")
            time.sleep(0.02)

    def output(self):
        return hotmm.normalize(self.log.read_bytes())

    def wait_output(self, text, timeout=5):
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return True

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdin.close()


@pytest.fixture
def qemu(tmp_path):
    started = []

    def _start(granule, *args, port):
        q = Qemu(tmp_path, granule, *args, port=port)
        started.append(q)
        return q

    yield _start
    for q in started:
        q.close()


def gdb(granule, *commands, script=None, timeout=60):
    """Run gdb-multiarch in batch mode on the granule's ELF; return its output."""
    cmd = [GDB, "-q", "-nx", "-batch"]
    if script:
        cmd += ["-x", str(script)]
    for c in commands:
        cmd += ["-ex", c]
    cmd.append(elf(granule))
    try:
        r = subprocess.run(cmd, cwd=hotmm.ROOT, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"gdb did not finish in {timeout} s:\n{e.stdout}\n{e.stderr}")
    return r.stdout + r.stderr


def check_start_kernel_then_steps(out):
    """The session stopped at start_kernel and stepped to later lines of main.c."""
    m = re.search(r"^Breakpoint 1, start_kernel \(\) at kernel/main\.c:(\d+)$", out, re.M)
    assert m, f"no stop at start_kernel:\n{out}"
    first = int(m.group(1))
    lines = [int(n) for n, _ in re.findall(r"^(\d+)\t(.*)$", out[m.end():], re.M)]
    assert lines and lines[0] == first, f"no source line after the stop:\n{out}"
    assert any(n > first for n in lines[1:]), f"next did not move on from line {first}:\n{out}"
    m = re.search(r'^Line (\d+) of "kernel/main\.c" starts at address 0x([0-9a-f]+) '
                  r"<start_kernel\+\d+>", out, re.M)
    assert m, f"info line *$pc is not in start_kernel:\n{out}"
    assert int(m.group(1)) > first, f"pc is still at line {m.group(1)} <= {first}:\n{out}"
    return first


def test_gdb_break_and_step(qemu, granule):
    port = free_port()
    q = qemu(granule, "--", "-gdb", f"tcp:127.0.0.1:{port}", "-S", port=port)
    # -S: the CPU has not run, so nothing is on the console yet.
    time.sleep(0.2)
    assert "hotmm version" not in q.output(), q.output()
    out = gdb(granule, f"target remote 127.0.0.1:{port}", "break start_kernel", "continue",
              "next", "next", "info line *$pc")
    check_start_kernel_then_steps(out)
    assert "Breakpoint 1 at 0x" in out and "file kernel/main.c" in out, out
    # gdb detached at the end of the batch: the kernel runs on to the prompt.
    assert q.wait_output("hotmm> "), q.output()
    assert q.output().count("hotmm version:") == 1, q.output()


def script_port():
    with open(SCRIPT) as f:
        m = re.search(r"^target remote (\S+):(\d+)\s*$", f.read(), re.M)
    assert m, f"{SCRIPT} has no 'target remote HOST:PORT' line"
    return m.group(1), int(m.group(2))


def start_for_script(qemu, tmp_path, granule):
    """QEMU waiting for hotmm.gdb; returns the script to run (the real one if it can)."""
    host, port = script_port()
    if port == 1234 and port_free(port):
        qemu(granule, "--gdb", port=port)
        return SCRIPT
    port = free_port()
    copy = tmp_path / "hotmm.gdb"
    with open(SCRIPT) as f:
        text = f.read()
    copy.write_text(re.sub(r"^target remote \S+$", f"target remote 127.0.0.1:{port}",
                           text, flags=re.M))
    qemu(granule, "--", "-gdb", f"tcp:127.0.0.1:{port}", "-S", port=port)
    return copy


def test_script_port_matches_run_qemu():
    # make debug (run-qemu.sh --gdb) and make gdb (hotmm.gdb) must meet.
    host, port = script_port()
    assert host in ("localhost", "127.0.0.1", ""), host
    r = subprocess.run([hotmm.RUN_QEMU, "--gdb", "--dry-run"], cwd=hotmm.ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    words = r.stderr.split()
    if "-s" in words:
        assert port == 1234, f"run-qemu.sh --gdb uses -s (port 1234), the script port {port}"
    else:
        m = re.search(r"-gdb \S*:(\d+)", r.stderr)
        assert m and int(m.group(1)) == port, r.stderr
    assert "-S" in words, f"run-qemu.sh --gdb does not stop the CPU (-S):\n{r.stderr}"


def test_gdb_script_stops_at_start_kernel(qemu, tmp_path, granule):
    script = start_for_script(qemu, tmp_path, granule)
    out = gdb(granule, "next", "next", "info line *$pc", script=script)
    check_start_kernel_then_steps(out)


def test_gdb_script_hotmm_phys(qemu, tmp_path, granule):
    # hotmm-phys loads the symbols at the physical address; after a reset the
    # MMU is off and early_setup can be stopped at by name.
    script = start_for_script(qemu, tmp_path, granule)
    out = gdb(granule, f"hotmm-phys {granule}", "info line early_setup", "break early_setup",
              "monitor system_reset", "continue", "p/x $pc", script=script)
    assert "error" not in out.lower(), f"hotmm-phys {granule} failed:\n{out}"
    link = int(re.search(r"^([0-9a-f]+) [Tt] early_setup$", subprocess.run(
        ["aarch64-linux-gnu-nm", elf(granule)], capture_output=True, text=True,
        check=True).stdout, re.M).group(1), 16)
    phys = link - LINK_BASE + LOAD_PA
    assert re.search(rf'^Line \d+ of "boot/early_map\.c" starts at address {phys:#x} '
                     r"<early_setup>", out, re.M), f"early_setup not at {phys:#x}:\n{out}"
    assert re.search(r"^Breakpoint 2(\.\d+)?, early_setup \(", out, re.M), \
        f"no stop in early_setup after the reset:\n{out}"
    assert re.search(rf"^\$1 = {phys:#x}$", out, re.M), out
