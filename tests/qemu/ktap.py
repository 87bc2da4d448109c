"""Parse KTAP version 1 (Linux Documentation/dev-tools/ktap.rst).

    KTAP version 1
    1..2
      KTAP version 1
      1..2
      # a diagnostic line, about the next result
      ok 1 case_a
      not ok 2 case_b # SKIP no 16K granule
    ok 1 suite
    not ok 2 other

A result line is "ok N name" or "not ok N name", optionally followed by
"# DIRECTIVE reason" (SKIP, TODO, XFAIL, TIMEOUT, ERROR) or "# comment".
Subtests repeat the version and plan lines, indented (two spaces per level;
any deeper indentation is taken as one level down), and their parent's result
line follows them. Diagnostic lines ("# ...") belong to the next result at
their level. Any other line (console output sharing the UART) is ignored, as
the spec allows; "\\r" is dropped.

parse(text) returns the top-level results, each with its subtests;
flatten() walks them with qualified names ("suite.case_a").
"""

import dataclasses
import re

DIRECTIVES = ("SKIP", "TODO", "XFAIL", "TIMEOUT", "ERROR")

_VERSION = re.compile(r"^(?:KTAP|TAP) version (\d+)\s*$")
_PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#.*)?$")
_RESULT = re.compile(r"^(ok|not ok)\s+(\d+)\b\s*(?:-\s+)?(.*?)\s*$")
_DIAG = re.compile(r"^#\s?(.*?)\s*$")


@dataclasses.dataclass
class Result:
    """One KTAP result line and what belongs to it."""

    name: str
    ok: bool
    number: int
    directive: str = None  # "SKIP", "TODO", ... or None
    reason: str = ""  # text after the directive, or the "# comment"
    diagnostics: list = dataclasses.field(default_factory=list)
    subtests: list = dataclasses.field(default_factory=list)
    plan: int = None  # the subtests' plan, when it has subtests

    @property
    def skip(self):
        return self.directive == "SKIP"

    @property
    def failed(self):
        """Not ok and not skipped (a failed child makes its parent not ok)."""
        return not self.ok and not self.skip


@dataclasses.dataclass
class Report:
    """A whole KTAP document: version, top-level plan, results, problems."""

    version: int = None
    plan: int = None
    results: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)


def _result(m, diagnostics):
    ok = m.group(1) == "ok"
    number = int(m.group(2))
    rest = m.group(3)
    name, sep, comment = rest.partition("#")
    name = name.strip()
    directive, reason = None, comment.strip()
    if sep:
        word, _, tail = reason.partition(" ")
        if word.upper() in DIRECTIVES:
            directive, reason = word.upper(), tail.strip()
    return Result(name=name, ok=ok, number=number, directive=directive,
                  reason=reason, diagnostics=diagnostics)


class _Level:
    def __init__(self, indent):
        self.indent = indent
        self.plan = None
        self.results = []
        self.pending = []  # diagnostics waiting for the next result
        self.done = []  # closed subtest levels waiting for their parent result


def parse_report(text):
    """Parse KTAP text into a Report (see the module doc)."""
    report = Report()
    stack = [_Level(0)]
    for raw in text.replace("\r", "").split("\n"):
        stripped = raw.lstrip(" ")
        if not stripped:
            continue
        indent = len(raw) - len(stripped)
        version = _VERSION.match(stripped)
        plan = _PLAN.match(stripped)
        result = _RESULT.match(stripped)
        diag = _DIAG.match(stripped)
        if not (version or plan or result or diag):
            continue  # unknown line
        # A deeper line opens a subtest level; a shallower one returns.
        if indent > stack[-1].indent:
            stack.append(_Level(indent))
        while len(stack) > 1 and indent < stack[-1].indent:
            child = stack.pop()
            stack[-1].done.append(child)
        level = stack[-1]
        if version:
            if len(stack) == 1 and report.version is None:
                report.version = int(version.group(1))
        elif plan:
            level.plan = int(plan.group(1))
            if len(stack) == 1 and report.plan is None:
                report.plan = level.plan
        elif result:
            res = _result(result, level.pending)
            level.pending = []
            for child in level.done:
                res.subtests += child.results
                res.plan = child.plan if res.plan is None else res.plan
                # Diagnostics left after the children's last result are about
                # the parent.
                res.diagnostics = child.pending + res.diagnostics
                _check_plan(child, res.name, report.problems)
            level.done = []
            level.results.append(res)
        else:
            level.pending.append(diag.group(1))
    # Close levels left open at the end (a crash mid-suite, say): their
    # results hang off no parent, so they are reported at the top.
    while len(stack) > 1:
        child = stack.pop()
        report.problems.append(f"subtests without a parent result: "
                               f"{[r.name for r in child.results]}")
        stack[-1].results += child.results
    top = stack[0]
    for child in top.done:
        report.problems.append(f"subtests without a parent result: "
                               f"{[r.name for r in child.results]}")
        top.results += child.results
    report.results = top.results
    _check_plan(top, "<top>", report.problems)
    if report.version is None:
        report.problems.append("no 'KTAP version' line")
    return report


def _check_plan(level, name, problems):
    if level.plan is not None and level.plan != len(level.results):
        problems.append(f"{name}: plan 1..{level.plan} but {len(level.results)} results")
    for i, r in enumerate(level.results, 1):
        if r.number != i:
            problems.append(f"{name}: result {r.name!r} numbered {r.number}, expected {i}")
            break


def parse(text):
    """The top-level results of KTAP text, each with its subtests."""
    return parse_report(text).results


def flatten(results, prefix=""):
    """Yield (qualified name, Result) for every result, parents after children."""
    for r in results:
        name = f"{prefix}{r.name}"
        yield from flatten(r.subtests, name + ".")
        yield name, r


def failures(results):
    """Qualified names of the leaf results that failed."""
    return [n for n, r in flatten(results) if r.failed and not r.subtests]
