"""The shell on the serial console: help, bad input, line editing, every byte value.

kernel/shell.c promises that any input gets a sensible answer: a known
command runs, anything else gets one "error:" line, and the prompt comes
back; the line editor handles backspace (0x7f, 0x08), Ctrl-U, Ctrl-C and the
history on ESC [ A / ESC [ B. ShellModel below is that line editor written
again in Python, so a test can send any bytes and know exactly what the
console must show (echo, one output line, prompt) for each line.

One QEMU per test, every granule.
"""

import re

import pytest

COMMANDS = ("help", "version", "dt", "memblock", "bootargs", "interrupts", "uptime",
            "sleep", "selftest", "poweroff", "reboot", "crash", "ptdump", "pt", "vmemmap",
            "meminfo", "buddyinfo", "pagetypeinfo", "pfn", "alloc", "free", "params", "bench",
            "dmesg", "vmallocinfo", "vmalloc", "vfree", "set_memory", "mem", "memblocks",
            "altmap", "set", "dimms", "workqueue", "memmap", "isolate", "unisolate")

LINE_MAX = 256  # kernel/shell.c: a line holds at most LINE_MAX - 1 characters
TOO_LONG = f"error: line too long (at most {LINE_MAX - 1} characters)"


def unknown(name):
    return f"error: unknown command '{name}' (try 'help')"


def not_printable(byte):
    return f"error: input byte 0x{byte:02x} is not printable ASCII; line ignored"


class ShellModel:
    """kernel/shell.c's read_line()/run_line() for lines that run no command.

    feed(data) returns one (text, kind) per line the bytes end: kind is
    "enter" or "cancel" (Ctrl-C); text is what the console shows between one
    prompt and the next (as hotmm.Console.wait_prompt() returns it): the echo,
    then for Enter the output. A line that would run a real command raises
    ValueError: the tests only send lines whose answer the model knows.
    Bytes after the last line end stay in the model (a pending line).
    """

    def __init__(self, history=()):
        self.history = list(history)
        self._reset()
        self.hist_pos = len(self.history)
        self.prev = 0
        self.esc = 0  # bytes of an escape sequence seen so far (0: none)

    def _reset(self):
        self.buf = []
        self.overflow = False
        self.bad = None
        self.echo = ""

    def _set(self, s):
        self.echo += "\b \b" * len(self.buf)
        self._reset_keep_echo()
        self.buf = list(s)
        self.echo += s

    def _reset_keep_echo(self):
        echo = self.echo
        self._reset()
        self.echo = echo

    def _run(self):
        if self.overflow:
            return TOO_LONG
        if self.bad is not None:
            return not_printable(self.bad)
        line = "".join(self.buf)
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
        words = line.split()
        if not words:
            return None
        if words[0] in COMMANDS:
            raise ValueError(f"the model does not run commands: {line!r}")
        return unknown(words[0])

    def feed(self, data):
        events = []
        for c in data:
            if self.esc == 1:
                self.esc = 2 if c == ord("[") else 0
                continue
            if self.esc == 2:
                self.esc = 0
                if c == ord("A") and self.hist_pos > 0:
                    self.hist_pos -= 1
                    self._set(self.history[self.hist_pos])
                elif c == ord("B") and self.hist_pos < len(self.history):
                    self.hist_pos += 1
                    self._set(self.history[self.hist_pos]
                              if self.hist_pos < len(self.history) else "")
                continue
            if c == 0x0A and self.prev == 0x0D:
                self.prev = 0
                continue
            self.prev = c
            if c in (0x0D, 0x0A):
                out = self._run()
                events.append((self.echo + ("\n" + out if out is not None else ""), "enter"))
                self._reset()
                self.hist_pos = len(self.history)
            elif c in (0x7F, 0x08):
                if self.buf and not self.overflow:
                    self.buf.pop()
                    self.echo += "\b \b"
            elif c == 0x15:
                self._set("")
            elif c == 0x03:
                events.append((self.echo + "^C", "cancel"))
                self._reset()
                self.hist_pos = len(self.history)
            elif c == 0x1B:
                self.esc = 1
            else:
                printable = 0x20 <= c <= 0x7E
                if not printable and self.bad is None:
                    self.bad = c
                if len(self.buf) + 1 >= LINE_MAX:
                    self.overflow = True
                    continue
                self.buf.append(chr(c))
                self.echo += chr(c) if printable else "?"
        return events


def check_against_model(con, data, model=None, what=""):
    """Send data; every line it ends must show exactly what the model says."""
    model = model or ShellModel()
    events = model.feed(data)
    assert events, "the test must end at least one line"
    con.send_bytes(data)
    for i, (want, kind) in enumerate(events):
        got = con.wait_prompt(timeout=5)
        assert got == want, (f"{what}line {i + 1} of {len(events)} ({kind}) after "
                             f"sending {data[:80]!r}: got {got!r}, want {want!r}")
        lines = got.split("\n")
        if kind == "enter" and len(lines) > 1:
            assert len(lines) == 2 and lines[1].startswith("error: "), got
    return model


def help_list(out):
    """`help` output as {command: description}; every line must be one command."""
    found = {}
    for line in out.splitlines():
        m = re.fullmatch(r"  (\S+) +(\S.*)", line)
        assert m, f"help line {line!r} is not '  NAME  description'"
        assert m.group(1) not in found, f"{m.group(1)} listed twice"
        found[m.group(1)] = m.group(2)
    return found


def test_model_knows_the_shell():
    # The model itself, without QEMU: a few lines worked out by hand.
    with pytest.raises(ValueError):
        ShellModel().feed(b"help\r")
    ev = ShellModel().feed(b"ab\x01c\rx\x03ab\x1bcd\r\x1b[A\r")
    assert ev == [
        ("ab?c\n" + not_printable(1), "enter"),
        ("x^C", "cancel"),
        ("abd\n" + unknown("abd"), "enter"),
        ("abd\n" + unknown("abd"), "enter"),
    ]
    ev = ShellModel().feed(b"x" * 300 + b"\x7f\r")
    assert ev == [("x" * 255 + "\n" + TOO_LONG, "enter")]


def test_help_lists_every_command(boot, granule):
    con = boot(granule)
    listed = help_list(con.cmd("help"))
    missing = [c for c in COMMANDS if c not in listed]
    assert not missing, f"help does not list {missing}:\n{listed}"
    for name, desc in listed.items():
        out = con.cmd(f"help {name}")
        lines = out.split("\n")
        assert len(lines) == 2, f"help {name}: {out!r}"
        assert re.fullmatch(rf"usage: {re.escape(name)}( .*)?", lines[0]), out
        assert lines[1] == "  " + desc, f"help {name} and help disagree: {out!r}"
    assert con.cmd("help sleep") == "usage: sleep MS\n  sleep MS milliseconds on the timer interrupt"
    assert con.cmd("help nosuch") == unknown("nosuch")
    assert con.cmd("help sleep uptime") == "error: usage: help [COMMAND]"
    assert con.poweroff() == 0


def test_unknown_command(boot, granule):
    con = boot(granule)
    assert con.cmd("frobnicate") == unknown("frobnicate")
    assert con.cmd("frobnicate now please") == unknown("frobnicate")
    assert con.cmd("HELP") == unknown("HELP")
    assert con.cmd("   help-me  ") == unknown("help-me")
    assert con.cmd("") == ""
    assert con.cmd("     ") == ""
    assert con.poweroff() == 0


@pytest.mark.parametrize("arg, want", [
    ("abc", "error: milliseconds 'abc' is not a number"),
    ("99999999999999999999999", "error: milliseconds '99999999999999999999999' is out of range"),
    ("-1", "error: milliseconds '-1' is not a number"),
    ("12x", None),
    ("0x", None),
    ("600001", "error: at most 600000 ms"),
], ids=["abc", "huge", "negative", "trailing-junk", "bare-0x", "over-limit"])
def test_sleep_bad_number(boot, granule, arg, want):
    con = boot(granule)
    out = con.cmd(f"sleep {arg}")
    assert "\n" not in out and out.startswith("error: "), out
    if want:
        assert out == want
    assert con.cmd("sleep") == "error: usage: sleep MS"
    # Good numbers still work: 0x and suffix forms, no output.
    assert con.cmd("sleep 0x0a") == ""
    assert con.cmd("sleep 0") == ""
    assert con.poweroff() == 0


def test_8k_line_is_refused(boot, granule):
    con = boot(granule)
    data = b"x" * 8192 + b"\r"
    model = check_against_model(con, data)
    # The shell still works, and the refused line is not in the history.
    assert con.cmd("help uptime").startswith("usage: uptime")
    check_against_model(con, b"\x1b[A\x1b[A\x15zz\r", ShellModel(model.history + ["help uptime"]))
    assert "uart receive overruns: 0" in con.cmd("interrupts")
    assert con.poweroff() == 0


def test_every_byte_value(boot, granule):
    # Each byte value in the middle of a line: "ab" BYTE "c" Enter.
    con = boot(granule)
    model = ShellModel()
    for b in range(256):
        data = b"ab" + bytes([b]) + b"c\r"
        check_against_model(con, data, model, what=f"byte 0x{b:02x}: ")
    # What the shell answered, spelled out for the interesting bytes.
    for b in list(range(0x20)) + list(range(0x80, 0x100)):
        if b in (0x03, 0x08, 0x0A, 0x0D, 0x15, 0x1B):
            continue
        assert ShellModel().feed(b"ab" + bytes([b]) + b"c\r") == [
            ("ab?c\n" + not_printable(b), "enter")]
    assert con.cmd("help version").startswith("usage: version")
    assert con.poweroff() == 0


def test_all_bytes_in_one_burst(boot, granule):
    con = boot(granule)
    model = ShellModel()
    forward = bytes(range(256)) + b"\r"
    events = ShellModel().feed(forward)
    # Ctrl-C (0x03), LF (0x0a), CR (0x0d) and the final Enter end lines.
    assert [e[1] for e in events] == ["cancel", "enter", "enter", "enter"]
    check_against_model(con, forward, model, what="0..255: ")
    check_against_model(con, bytes(range(255, -1, -1)) + b"\r", model, what="255..0: ")
    check_against_model(con, bytes(range(256)) * 4 + b"\r", model, what="4 x 0..255: ")
    out = con.cmd("interrupts")
    assert "uart receive overruns: 0" in out, out
    assert con.cmd("help version").startswith("usage: version")
    assert con.poweroff() == 0


def test_backspace_edits(boot, granule):
    con = boot(granule)
    want_help = con.cmd("help")
    for bs in (b"\x7f", b"\x08"):
        con.send_bytes(b"hx" + bs + b"elp\r")
        got = con.wait_prompt()
        echo, _, out = got.partition("\n")
        assert echo == "hx\b \belp", got
        assert out == want_help
    # Backspace on an empty line does nothing; past the start neither.
    con.send_bytes(b"\x7f\x7fh\x7f\x7f\x7fhelp sleep\r")
    _, _, out = con.wait_prompt().partition("\n")
    assert out.startswith("usage: sleep MS"), out
    assert con.poweroff() == 0


def test_ctrl_u_erases_the_line(boot, granule):
    con = boot(granule)
    con.send_bytes(b"frobnicate\x15help uptime\r")
    got = con.wait_prompt()
    echo, _, out = got.partition("\n")
    assert echo == "frobnicate" + "\b \b" * len("frobnicate") + "help uptime", got
    assert out.startswith("usage: uptime"), got
    # Ctrl-U also forgets a bad byte typed before it.
    con.send_bytes(b"x\x01y\x15help dt\r")
    _, _, out = con.wait_prompt().partition("\n")
    assert out.startswith("usage: dt"), out
    assert con.poweroff() == 0


def test_ctrl_c_abandons_the_line(boot, granule):
    con = boot(granule)
    con.send_bytes(b"poweroff\x03")
    assert con.wait_prompt() == "poweroff^C"
    # The abandoned line neither ran nor went into the history.
    assert con.cmd("uptime").startswith("uptime: ")
    con.send_bytes(b"\x1b[A\x1b[A\r")
    got = con.wait_prompt()
    assert got.startswith("uptime\nuptime: "), got
    assert con.poweroff() == 0


def test_history_arrows(boot, granule):
    con = boot(granule)
    first = con.cmd("help sleep")
    second = con.cmd("help uptime")
    # Up: the previous command, again.
    con.send_bytes(b"\x1b[A\r")
    got = con.wait_prompt()
    assert got == "help uptime\n" + second, got
    # Up, up: the one before (the repeat above was not stored twice).
    con.send_bytes(b"\x1b[A\x1b[A\r")
    echo, _, out = con.wait_prompt().partition("\n")
    assert echo.endswith("help sleep") and out == first, echo
    # Up, down: back to an empty line, which runs nothing.
    con.send_bytes(b"\x1b[A\x1b[B\r")
    echo, sep, out = con.wait_prompt().partition("\n")
    assert out == "" and echo.replace("\b \b", "") == "help sleep", repr(echo)
    # Up past the oldest entry stays on it; unknown sequences are ignored.
    con.send_bytes(b"\x1b[A" * 10 + b"\x1b[C\x1bOx\r")
    _, _, out = con.wait_prompt().partition("\n")
    assert out == unknown("sleepx"), out
    assert con.poweroff() == 0
