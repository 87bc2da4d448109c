"""Interrupts really are interrupts: the GIC counts them, on GICv2 and GICv3.

`interrupts` prints the count per INTID. Input comes in through the PL011's
receive interrupt (INTID 33, SPI 1) into a ring buffer, and time passes on
the EL1 virtual timer's tick (INTID 27, PPI 11) at HZ=100. A kernel that
polled the UART or the counter would show counts that do not move, so the
tests type bytes one at a time and sleep, and watch both counts rise.
"""

import re

import pytest

TIMER_INTID = 27
UART_INTID = 33
HZ = 100

GICS = pytest.mark.parametrize("gic", [2, 3], ids=["gic2", "gic3"])


def interrupts(con, gic):
    """`interrupts` as {intid: (count, what)}; checks the header lines."""
    out = con.cmd("interrupts")
    lines = out.split("\n")
    assert lines[0] == f"GICv{gic}", out
    assert re.fullmatch(r"\s+INTID\s+count\s+what", lines[1]), out
    counts = {}
    for line in lines[2:]:
        m = re.fullmatch(r"\s+(\d+)\s+(\d+)\s*(.*)", line)
        if m:
            counts[int(m.group(1))] = (int(m.group(2)), m.group(3))
        else:
            assert re.fullmatch(r"  uart receive overruns: 0", line), out
    assert counts.get(TIMER_INTID, (0, ""))[1] == "EL1 virtual timer", out
    assert counts.get(UART_INTID, (0, ""))[1] == "PL011 UART receive", out
    return {i: c for i, (c, _) in counts.items()}


def uptime(con):
    """`uptime` as (microseconds, jiffies)."""
    out = con.cmd("uptime")
    m = re.fullmatch(r"uptime: (\d+)\.(\d{6}) s \((\d+) us\), jiffies (\d+) \(HZ=(\d+)\)", out)
    assert m, out
    us = int(m.group(3))
    assert int(m.group(1)) * 1000000 + int(m.group(2)) == us, out
    assert int(m.group(5)) == HZ, out
    return us, int(m.group(4))


@GICS
def test_banner_names_the_gic(boot, granule, gic):
    con = boot(granule, "--gic", str(gic))
    assert con.banner.get("gic", "").startswith(f"GICv{gic}, "), con.banner_text
    assert f"timer: INTID {TIMER_INTID}" in con.banner["gic"], con.banner_text
    assert f"uart: INTID {UART_INTID}" in con.banner["gic"], con.banner_text
    assert con.poweroff() == 0


@GICS
def test_uart_receive_is_an_interrupt(boot, granule, gic):
    con = boot(granule, "--gic", str(gic))
    before = interrupts(con, gic)[UART_INTID]
    # One byte at a time, each after the echo of the one before: each byte
    # arrives in an empty FIFO, so each one is its own receive interrupt.
    typed = "qwertyuiop"
    for ch in typed:
        con.send_bytes(ch)
        con.expect(re.escape(ch), timeout=5)
    con.send_bytes("\x15")  # Ctrl-U: forget the line
    after = interrupts(con, gic)[UART_INTID]
    # The bytes above, plus at least one for the "interrupts" line itself.
    assert after - before >= len(typed) + 1, (before, after)
    # Without typing, the count stays where it is (no interrupt storm).
    again = interrupts(con, gic)[UART_INTID]
    assert again - after <= len("interrupts\r"), (after, again)
    assert con.poweroff() == 0


@GICS
def test_timer_ticks_at_hz(boot, granule, gic):
    con = boot(granule, "--gic", str(gic))
    us0, j0 = uptime(con)
    t0 = interrupts(con, gic)[TIMER_INTID]
    assert con.cmd("sleep 100") == ""
    t1 = interrupts(con, gic)[TIMER_INTID]
    us1, j1 = uptime(con)
    ticks = t1 - t0
    elapsed_us = us1 - us0
    assert elapsed_us >= 100000, (us0, us1)
    # sleep 100 at HZ=100 is ~10 ticks; the commands around it add a few.
    assert ticks >= 5, f"{ticks} timer interrupts over sleep 100 ({elapsed_us} us)"
    # Every tick advances jiffies once, and the tick follows the counter: at
    # most one tick per 10 ms of uptime (and one for rounding), so a storm
    # or a tick that is not re-armed shows.
    assert ticks <= j1 - j0, (ticks, j0, j1)
    assert j1 - j0 <= elapsed_us * HZ // 1000000 + 2, (j0, j1, elapsed_us)
    assert con.poweroff() == 0


@GICS
def test_uptime_advances(boot, granule, gic):
    con = boot(granule, "--gic", str(gic))
    us0, j0 = uptime(con)
    us1, j1 = uptime(con)
    assert us1 > us0 and j1 >= j0, (us0, us1, j0, j1)
    assert con.cmd("sleep 30") == ""
    us2, j2 = uptime(con)
    assert us2 - us1 >= 30000, (us1, us2)
    assert j2 - j1 >= 2, (j1, j2)
    # uptime counts from reset: the boot took less than it says.
    assert us0 >= con.banner["boot_us"], (us0, con.banner_text)
    assert con.poweroff() == 0
