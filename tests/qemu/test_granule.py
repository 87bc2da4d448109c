"""CPUs and exception levels hotmm refuses, and the ones it runs on.

boot/early_map.c checks ID_AA64MMFR0_EL1 before the MMU goes on: a CPU
without the build's granule (cortex-a53/a57/a72 have no 16K) gets a message
and PSCI SYSTEM_OFF, so QEMU exits with status 0 instead of hanging.
boot/entry.S refuses EL3 (firmware boot with secure=on): one line, then WFI.
"""

import re
import time

import pexpect
import pytest

import hotmm
import ktap

MMFR0_RE = r"0x([0-9a-f]{16})"


def tgran_supported(mmfr0, granule):
    """The granule's ID_AA64MMFR0_EL1 field says it is there (as early_map.c reads it)."""
    if granule == "4K":
        return (mmfr0 >> 28) & 0xF != 0xF
    if granule == "16K":
        return (mmfr0 >> 20) & 0xF != 0
    return (mmfr0 >> 24) & 0xF != 0xF


@pytest.fixture
def console():
    """Consoles that do not wait for a prompt; all closed (QEMU killed) at the end."""
    started = []

    def _start(granule, *args):
        con = hotmm.Console(granule, *args, boot=False)
        started.append(con)
        return con

    yield _start
    for con in started:
        con.close()


def wait_exit(con, timeout=5):
    """Wait for QEMU to end by itself; return its exit status."""
    try:
        con.child.expect(pexpect.EOF, timeout=timeout)
    except pexpect.TIMEOUT:
        raise AssertionError(f"QEMU still runs {timeout} s later:\n{con.tail()}") from None
    deadline = time.monotonic() + 5
    while con.child.isalive() and time.monotonic() < deadline:
        time.sleep(0.02)
    return con.close()


def boot_and_selftest(con, granule):
    assert con.banner.get("granule") == granule, con.banner_text
    out = con.cmd("selftest", timeout=60)
    rep = ktap.parse_report(out)
    assert rep.results and not rep.problems, out
    assert ktap.failures(rep.results) == [], out
    assert con.poweroff() == 0


CPUS_WITHOUT_16K = [("cortex-a57", False), ("cortex-a57", True),
                    ("cortex-a53", False), ("cortex-a72", False)]


@pytest.mark.parametrize("cpu, el2", CPUS_WITHOUT_16K,
                         ids=[f"{c}-{'el2' if e else 'el1'}" for c, e in CPUS_WITHOUT_16K])
def test_cpu_without_16k(boot, console, granule, cpu, el2):
    """16K is refused with a message and SYSTEM_OFF (HVC at EL1, SMC at EL2); 4K and 64K boot."""
    args = ["--cpu", cpu] + (["--el2"] if el2 else [])
    if granule != "16K":
        con = boot(granule, *args)
        assert con.banner.get("entered") == ("EL2, dropped to EL1" if el2 else "EL1")
        assert (con.banner["midr"] >> 4) & 0xFFF in (0xD07, 0xD03, 0xD08), con.banner_text
        boot_and_selftest(con, granule)
        return
    con = console(granule, *args)
    t0 = time.monotonic()
    con.expect(r"hotmm: this CPU does not support the 16K translation granule "
               rf"\(ID_AA64MMFR0_EL1 = {MMFR0_RE}\)\.\r*\n", timeout=5)
    mmfr0 = int(con.match.group(1), 16)
    assert not tgran_supported(mmfr0, "16K"), hex(mmfr0)
    assert tgran_supported(mmfr0, "4K") and tgran_supported(mmfr0, "64K"), hex(mmfr0)
    con.expect(r"hotmm: use a CPU that does \(e\.g\. --cpu max\) or another PAGE_SIZE\. "
               r"Powering off\.", timeout=5)
    status = wait_exit(con)
    assert status == 0, f"QEMU exit status {status} (PSCI SYSTEM_OFF gives 0):\n{con.tail()}"
    assert time.monotonic() - t0 < 5
    assert hotmm.BANNER_FIRST.encode() not in con.transcript, con.tail()


def test_cortex_a76_runs_every_granule(boot, granule):
    # cortex-a76 has all three granules (16K included).
    con = boot(granule, "--cpu", "cortex-a76")
    assert (con.banner["midr"] >> 4) & 0xFFF == 0xD0B, con.banner_text
    assert con.banner.get("entered") == "EL1", con.banner_text
    boot_and_selftest(con, granule)


def test_el3_is_refused(console, granule):
    # -bios with secure=on: the CPU starts at EL3, where only firmware belongs.
    con = console(granule, "--boot", "bios", "--", "-machine", "secure=on")
    con.expect(r"hotmm: entered at EL3; hotmm runs at EL1 or EL2 \(drop secure=on\)\. "
               r"Halted\.\r*\n", timeout=5)
    # Halted: nothing more, no banner, QEMU still there until killed.
    with pytest.raises(hotmm.ConsoleError, match="timeout"):
        con.expect(r"\S", timeout=0.5)
    assert con.alive
    assert hotmm.BANNER_FIRST.encode() not in con.transcript, con.tail()
    con.send_bytes(b"help\r")
    with pytest.raises(hotmm.ConsoleError, match="timeout"):
        con.expect(re.escape(hotmm.PROMPT), timeout=0.3)
