"""Drive hotmm's serial console under QEMU, as U-Boot's test/py drives U-Boot.

A Console boots the kernel through run-qemu.sh with ``--serial raw`` (stdio
with no monitor mux and no signals, so every byte value reaches the guest)
under pexpect, waits for the prompt and parses the banner. Each command's
output is returned as text, and every wait watches for bad patterns (an
exception report, a panic, a BUG, a second banner = an unexpected reset): one
of these fails the test at once instead of at a timeout. A test that wants one
says so in ``with con.expect_bad("panic"):``.

Output is read as bytes. Text handed back (``cmd()``, ``before``, ``banner``)
is decoded as latin-1, so no byte is lost, with "\\r\\n" turned into "\\n".
The host pty adds a "\\r" before each "\\n" the guest sends, so the kernel's
"\\r\\n" arrives as "\\r\\r\\n"; both read as "\\n".
"""

import atexit
import contextlib
import io
import os
import re
import time
import weakref

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_QEMU = os.path.join(ROOT, "run-qemu.sh")

PROMPT = "hotmm> "
# The prompt starts a line; anchoring on the newline keeps a command's
# output that merely contains the text from ending it.
PROMPT_RE = re.compile(rb"\r*\n" + re.escape(PROMPT.encode()))
BANNER_FIRST = "hotmm version:"

# name -> regex on the raw output. Any of these fails the test unless the
# test turned it off with expect_bad(name).
BAD_PATTERNS = {
    "exception": rb"Unhandled exception",
    "panic": rb"\bpanic\b",
    "bug": rb"\bBUG\b",
    # A banner line, not the same words inside a line (`dmesg` shows the banner).
    "reset": rb"(?:\A|\n)" + re.escape(BANNER_FIRST.encode()),
}

DEFAULT_TIMEOUT = float(os.environ.get("HOTMM_TIMEOUT", "10"))

_live = weakref.WeakSet()


class ConsoleError(AssertionError):
    """The console did not do what the test waited for (timeout, EOF)."""


class BadPatternError(ConsoleError):
    """A bad pattern (exception, panic, BUG, reset) appeared on the console."""


def normalize(data):
    """Bytes from the console as text: latin-1, line ends as "\\n"."""
    return re.sub(rb"\r+\n", b"\n", data).decode("latin-1")


def parse_banner(text):
    """The banner (text before the first prompt) as a dict.

    Every "key: value" line from the "hotmm version:" line on becomes an
    entry; other lines are ignored. Derived entries, when the lines are
    there: "el" (1 or 2, the EL the CPU entered at), "boot_us" (int),
    "ram_mib" and "ram_banks" (int), "midr" (int).
    """
    start = text.find(BANNER_FIRST)
    if start >= 0:
        text = text[start:]
    banner = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key and not key.startswith(" ") and value.startswith(" "):
            banner.setdefault(key.strip(), value.strip())
    m = re.match(r"EL(\d)", banner.get("entered", ""))
    if m:
        banner["el"] = int(m.group(1))
    m = re.match(r"(\d+) us", banner.get("boot to prompt", ""))
    if m:
        banner["boot_us"] = int(m.group(1))
    m = re.match(r"(\d+) MiB in (\d+) bank", banner.get("ram", ""))
    if m:
        banner["ram_mib"], banner["ram_banks"] = int(m.group(1)), int(m.group(2))
    m = re.match(r"MIDR (0x[0-9a-fA-F]+)", banner.get("cpu", ""))
    if m:
        banner["midr"] = int(m.group(1), 16)
    return banner


class Console:
    """One QEMU running hotmm, driven over its serial console.

    Console(granule, *run_qemu_args) starts QEMU and waits for the first
    prompt (wait_boot()); close() must follow, and the conftest `boot`
    fixture makes sure it does.

    Attributes:
      banner        dict from parse_banner(), set by wait_boot()
      banner_text   the banner as text
      before        text before the last match of expect()/wait_prompt()
      after         the text of the last match
      match         the last re.Match (on bytes)
      transcript    everything QEMU wrote so far (bytes)
      qemu_cmdline  the command run-qemu.sh printed
      exitstatus    QEMU's exit status once it has ended (None before)

    With settle=True (the default) wait_boot() also waits for deferred
    struct page init to finish (wait_deferred()).
    """

    def __init__(self, granule="4K", *args, timeout=None, boot=True, env=None, settle=True):
        self.granule = granule
        self.settle = settle
        self.args = ["--page-size", granule, "--serial", "raw", *args]
        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self._disabled = []  # stack of sets of disabled bad-pattern names
        self._booted = False
        self.banner = {}
        self.banner_text = ""
        self.before = self.after = ""
        self.match = None
        self.exitstatus = None
        self.qemu_cmdline = None
        self._log = io.BytesIO()
        self.child = pexpect.spawn(
            RUN_QEMU,
            self.args,
            cwd=ROOT,
            env=env,
            encoding=None,
            timeout=self.timeout,
            logfile=None,
            echo=False,
            dimensions=(50, 200),
        )
        self.child.logfile_read = self._log
        self.child.delaybeforesend = None
        _live.add(self)
        if boot:
            try:
                self.wait_boot()
            except BaseException:
                self.close()
                raise

    # ---- low level ----
    @property
    def transcript(self):
        return self._log.getvalue()

    def tail(self, n=2000):
        """The last n characters of the transcript as text, for messages."""
        return normalize(self.transcript[-n:])

    def _bad(self):
        """The bad patterns in force now: name -> bytes regex."""
        off = set().union(*self._disabled) if self._disabled else set()
        if "*" in off:
            return {}
        bad = {k: v for k, v in BAD_PATTERNS.items() if k not in off}
        if not self._booted:
            bad.pop("reset", None)  # the first banner is expected
        return bad

    def _drain(self, quiet=0.3, limit=2.0):
        """Read what the guest still prints (a backtrace after a panic)."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            try:
                self.child.read_nonblocking(65536, timeout=quiet)
            except (pexpect.TIMEOUT, pexpect.EOF):
                break

    def _wait(self, patterns, timeout):
        """Wait for one of patterns (compiled bytes regexes); return its index.

        Bad patterns are watched at the same time and raise BadPatternError;
        a timeout or EOF raises ConsoleError. Both messages carry the tail of
        the transcript.
        """
        bad = self._bad()
        names = list(bad)
        plist = list(patterns) + [re.compile(bad[n]) for n in names]
        plist += [pexpect.TIMEOUT, pexpect.EOF]
        t = self.timeout if timeout is None else timeout
        i = self.child.expect_list(plist, timeout=t)
        n = len(patterns)
        if i < n:
            self.before = normalize(self.child.before)
            self.after = normalize(self.child.after)
            self.match = self.child.match
            return i
        if i < n + len(names):
            name = names[i - n]
            self._drain()
            raise BadPatternError(
                f"bad pattern '{name}' on the console (use expect_bad('{name}') "
                f"if the test wants it):\n{self.tail()}")
        want = " or ".join("the prompt" if p is PROMPT_RE else repr(p.pattern.decode("latin-1"))
                           for p in patterns)
        if plist[i] is pexpect.TIMEOUT:
            raise ConsoleError(f"timeout: {t} s waiting for {want}:\n{self.tail()}")
        self._reap()
        raise ConsoleError(f"QEMU exited (status {self.exitstatus}) while waiting for {want}:"
                           f"\n{self.tail()}")

    @staticmethod
    def _compile(pattern):
        if isinstance(pattern, re.Pattern):
            return pattern if isinstance(pattern.pattern, bytes) else re.compile(
                pattern.pattern.encode("latin-1"), pattern.flags & ~re.UNICODE)
        if isinstance(pattern, str):
            pattern = pattern.encode("latin-1")
        return re.compile(pattern)

    # ---- public API ----
    @contextlib.contextmanager
    def expect_bad(self, *names):
        """Turn off the named bad patterns (all if none named) in the block.

        Names: "exception", "panic", "bug", "reset".
        """
        unknown = set(names) - set(BAD_PATTERNS)
        if unknown:
            raise ValueError(f"unknown bad pattern(s) {sorted(unknown)}")
        self._disabled.append(set(names) if names else {"*"})
        try:
            yield self
        finally:
            self._disabled.pop()

    def expect(self, pattern, timeout=None):
        """Wait for pattern (a regex: str, bytes or compiled, or a list of them).

        Returns the index of the pattern that matched (0 for a single one);
        sets before, after and match. Text is matched as raw bytes: write
        "\\r?\\n" for a line end.
        """
        pats = pattern if isinstance(pattern, (list, tuple)) else [pattern]
        return self._wait([self._compile(p) for p in pats], timeout)

    def wait_prompt(self, timeout=None):
        """Wait for the next prompt; return the text before it."""
        self._wait([PROMPT_RE], timeout)
        return self.before

    def wait_boot(self, timeout=None):
        """Wait for a boot (or a reboot) to reach the prompt; parse the banner.

        Returns the banner dict. The text before the prompt must hold exactly
        one "hotmm version:" line, and no bad pattern in force.
        """
        self._booted = False
        self._wait([PROMPT_RE], timeout)
        text = self.before
        if self.qemu_cmdline is None:
            m = re.search(r"^run-qemu: (.*)$", text, re.M)
            self.qemu_cmdline = m.group(1) if m else None
        # run-qemu.sh's own line (which may hold -append text) is not guest output.
        text = re.sub(r"^run-qemu: .*\n", "", text, flags=re.M)
        self._booted = True
        count = text.count(BANNER_FIRST)
        if count != 1 and "reset" in self._bad():
            raise BadPatternError(
                f"{count} '{BANNER_FIRST}' lines before the prompt "
                f"(0: no banner, 2 or more: a reset):\n{text[-2000:]}")
        start = text.find(BANNER_FIRST)
        self.banner_text = text[start:] if start >= 0 else text
        self.banner = parse_banner(self.banner_text)
        if self.settle:
            self.wait_deferred(timeout)
        return self.banner

    def wait_deferred(self, timeout=None):
        """Wait until deferred struct page init is done, when the banner says the
        idle loop has it to do: the kernel then prints its one report line
        and the prompt again. Tests that count pages to the page see a
        settled machine this way; Console(..., settle=False) leaves it
        running. Returns the report line, or None when there was nothing to
        wait for."""
        if "wait for the idle loop" not in self.banner.get("deferred init", ""):
            return None
        # The whole line, but not its end: PROMPT_RE needs that newline
        # before the prompt the shell redraws.
        self._wait([re.compile(rb"\ndeferred init: done at [^\r\n]*(?=\r*\n)")], timeout)
        line = self.after.strip()
        self._wait([PROMPT_RE], timeout)
        self.banner["deferred_done"] = line
        return line

    def send_bytes(self, data):
        """Write raw bytes to the guest's UART."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.child.send(data)

    def send_line(self, line):
        """Type line and Enter ("\\r"), without waiting."""
        self.send_bytes(line + "\r" if isinstance(line, str) else line + b"\r")

    def cmd(self, line, timeout=None):
        """Run one shell command; return its output.

        Sends line + "\\r", waits for the next prompt (timeout: the
        console's, 10 s unless HOTMM_TIMEOUT says otherwise) and returns the
        text between the echoed line and the prompt, lines ending in "\\n"
        (none after the last line). Bad patterns in the output raise
        BadPatternError.
        """
        self.send_line(line)
        self._wait([PROMPT_RE], timeout)
        text = self.before
        # The first line is the echo of what was typed.
        _, _, out = text.partition("\n")
        return out

    def poweroff(self, timeout=None):
        """Type "poweroff", wait for QEMU to end; return its exit status.

        A QEMU killed by a signal gives -signal. Bad patterns are watched
        until the end.
        """
        self.send_line("poweroff")
        bad = self._bad()
        names = list(bad)
        plist = [pexpect.EOF] + [re.compile(bad[n]) for n in names] + [pexpect.TIMEOUT]
        t = self.timeout if timeout is None else timeout
        i = self.child.expect_list(plist, timeout=t)
        if i == 0:
            self.before = normalize(self.child.before)
            return self._reap()
        if i <= len(names):
            self._drain()
            raise BadPatternError(f"bad pattern '{names[i - 1]}' at poweroff:\n{self.tail()}")
        raise ConsoleError(f"QEMU still runs {t} s after poweroff:\n{self.tail()}")

    def _reap(self):
        """Collect QEMU's exit status after EOF."""
        if self.exitstatus is not None:
            return self.exitstatus
        # pexpect's close() kills a child still alive 0.1 s after the pty
        # closes; give QEMU time to finish exiting first.
        deadline = time.monotonic() + 5
        while self.child.isalive() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.child.close(force=True)
        if self.child.signalstatus is not None:
            self.exitstatus = -self.child.signalstatus
        else:
            self.exitstatus = self.child.exitstatus
        _live.discard(self)
        return self.exitstatus

    def close(self):
        """Kill QEMU if it still runs and reap it. Safe to call twice."""
        if self.child.closed:
            return self.exitstatus
        if self.child.isalive():
            self.child.terminate(force=True)
        return self._reap()

    @property
    def alive(self):
        return not self.child.closed and self.child.isalive()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@atexit.register
def _kill_leftovers():
    for con in list(_live):
        with contextlib.suppress(Exception):
            con.close()
