"""The transcripts in docs/tour.md and README.md, run: the documents cannot go stale.

A document is read as a series of sessions (the syntax is written down at
the end of docs/tour.md, "How this page is tested"):

- a ```sh block with a `./run-qemu.sh ...` line starts a session: QEMU is
  booted with those options, except that the console is the tests' raw
  serial (not `--serial mux`) and the gdbstub listens on a free port without
  stopping the CPU (not `--gdb`); `--page-size` and `--section-bits` pick the
  build (a session whose granule is not being tested is deselected);
- each ```console block's `hotmm> ` lines are typed at the console, each
  ```gdb block's `(gdb) ` lines run in one gdb-multiarch batch session
  attached to it (which stops the kernel, as Ctrl-C does, and lets it run
  again when it detaches), in the order the document gives them;
- the lines after a command, up to the next command or the end of the block,
  are its output, compared whole after masking: a line `...` stands for any
  number of lines, `<...>` inside a line for any text within that line.
  Nothing else is masked.

Other fenced blocks (plain ```, make commands) are prose and not run.
"""

import os
import re
import shlex
from dataclasses import dataclass, field

import pytest

import hotmm
from test_gdb import GDB, free_port
from test_gdb_helpers import run_gdb

DOCS = ("docs/tour.md", "README.md")
FENCE = re.compile(r"^```(\w*)\s*$")
PROMPTS = {"console": "hotmm> ", "gdb": "(gdb) "}
RUN_QEMU = re.compile(r"^(?:\$ )?\./run-qemu\.sh(?: (.*))?$")


@dataclass
class Step:
    kind: str          # "console" or "gdb"
    line: int          # where the block starts in the document (1-based)
    commands: list = field(default_factory=list)   # [(command, [expected lines])]


@dataclass
class Session:
    doc: str
    line: int
    args: list
    granule: str
    section_bits: str = None
    steps: list = field(default_factory=list)


def fenced_blocks(text):
    """(language, line of the opening fence, lines inside) for every fenced block."""
    lang, start, body = None, 0, []
    for n, line in enumerate(text.split("\n"), 1):
        m = FENCE.match(line)
        if lang is None and m:
            lang, start, body = m.group(1), n, []
        elif lang is not None and line == "```":
            yield lang, start, body
            lang = None
        elif lang is not None:
            body.append(line)
    assert lang is None, f"a fenced block opened at line {start} is never closed"


def session_args(doc, n, line):
    """A run-qemu.sh line -> Session (the console and gdbstub options are the test's)."""
    args, out, granule, bits = shlex.split(line), [], "4K", None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--gdb":
            i += 1
            continue
        if a == "--serial":
            i += 2
            continue
        if a == "--page-size":
            granule = args[i + 1]
        if a == "--section-bits":
            bits = args[i + 1]
        out.append(a)
        i += 1
    return Session(doc, n, out, granule, bits)


def parse_doc(doc):
    """The sessions of a document, in order."""
    with open(os.path.join(hotmm.ROOT, doc)) as f:
        text = f.read()
    sessions = []
    for lang, start, body in fenced_blocks(text):
        if lang == "sh":
            for line in body:
                if m := RUN_QEMU.match(line):
                    sessions.append(session_args(doc, start, m.group(1) or ""))
        elif lang in PROMPTS:
            assert sessions, f"{doc}:{start}: a {lang} block before any ./run-qemu.sh line"
            step = Step(lang, start)
            for i, line in enumerate(body):
                if line.startswith(PROMPTS[lang]):
                    step.commands.append((line[len(PROMPTS[lang]):], []))
                else:
                    assert step.commands, f"{doc}:{start + 1 + i}: output before a command"
                    step.commands[-1][1].append(line)
            sessions[-1].steps.append(step)
    return sessions


def expected_regex(lines):
    """The expected lines as one regex over the output (lines ending in "\\n")."""
    parts = []
    for line in lines:
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append("[^\\n]*".join(re.escape(p) for p in line.split("<...>")) + "\n")
    return re.compile("".join(parts))


def check_output(where, command, expected, got):
    text = got + "\n" if got else ""
    if not expected_regex(expected).fullmatch(text):
        pytest.fail(f"{where}: `{command}` printed:\n{got}\n--- the document says:\n"
                    + "\n".join(expected), pytrace=False)


SESSIONS = [s for doc in DOCS for s in parse_doc(doc)]


def test_masks():
    """`...` is any number of whole lines, `<...>` any text inside one line; the rest is exact."""
    def ok(expected, got):
        return bool(expected_regex(expected).fullmatch(got + "\n" if got else ""))
    assert ok(["a", "...", "z"], "a\nz") and ok(["a", "...", "z"], "a\nb\nc\nz")
    assert ok(["..."], "") and ok([], "") and not ok([], "x")
    assert ok(["[<...>] x <...>"], "[  1.000] x y z") and ok(["x<...>"], "x")
    assert not ok(["a <...> c"], "a b\nc") and not ok(["a"], "a\nb") and not ok(["a", "b"], "a")
    assert not ok(["a.c"], "abc") and not ok(["a"], "a ")


def test_docs_have_sessions():
    """The tour and the README's GDB section are there to be run (a renamed fence
    would silently test nothing)."""
    per_doc = {doc: [s for s in SESSIONS if s.doc == doc] for doc in DOCS}
    assert all(per_doc.values()), {doc: len(v) for doc, v in per_doc.items()}
    kinds = {st.kind for s in per_doc["docs/tour.md"] for st in s.steps}
    assert kinds == {"console", "gdb"}, kinds
    assert any(st.kind == "gdb" for s in per_doc["README.md"] for st in s.steps)


@pytest.mark.parametrize("doc_granule,session",
                         [(s.granule, s) for s in SESSIONS],
                         ids=[f"{s.doc}:{s.line}" for s in SESSIONS])
def test_transcript(boot, build_variant, doc_granule, session):
    elf = None
    if session.section_bits:
        build_variant(doc_granule, session.section_bits)
        elf = os.path.join(hotmm.ROOT, "build", f"{doc_granule}-s{session.section_bits}",
                           "hotmm.elf")
    port = free_port()
    extra = ["--"] if "--" not in session.args else []
    con = boot(doc_granule, *session.args, *extra, "-gdb", f"tcp:127.0.0.1:{port}")
    for step in session.steps:
        where = f"{session.doc}:{step.line}"
        if step.kind == "console":
            for command, expected in step.commands:
                check_output(where, command, expected, con.cmd(command, timeout=60))
        else:
            if GDB is None:
                pytest.skip("gdb-multiarch is not installed")
            outs = run_gdb(doc_granule, port, [c for c, _ in step.commands], elf_path=elf)
            for (command, expected), got in zip(step.commands, outs):
                check_output(where, command, expected, got)
    assert con.poweroff() == 0
