"""The in-kernel self-tests, one pytest item per case and granule.

As U-Boot's generate_ut_subtest: at collection time the case names are read
from build/<granule>/hotmm.elf (every SELFTEST(name) leaves a
`__selftest_<name>` symbol in the .selftests section; nm lists them), and
each (granule, name) becomes test_case[<granule>-<name>], which runs
`selftest <name>` and checks its KTAP (tests/qemu/ktap.py). A missing ELF
becomes one failing item per granule saying which `make` to run, so the rest
of the run still goes on.

The cases of one granule share one QEMU (module-scoped `consoles`); a case
that breaks the console (exception, panic, reset, timeout) makes the next
one boot a fresh QEMU.
"""

import os
import re

import pytest

import dtutil
import hotmm
import ktap

LOG_DIR = os.path.join(hotmm.ROOT, "build", "test-logs")
STRUCT_SELFTEST_SIZE = 16  # struct selftest { const char *name; int (*fn)(void); }
TIMEOUT = 30


def pytest_generate_tests(metafunc):
    if "case" not in metafunc.fixturenames:
        return
    params, ids = [], []
    for g in dtutil.granules(metafunc.config):
        try:
            names = dtutil.selftest_names(g)
            problem = None if names else f"no __selftest_ symbols in build/{g}/hotmm.elf"
        except FileNotFoundError as e:
            names, problem = [], str(e)
        if problem:
            params.append((g, None, problem))
            ids.append(f"{g}-no-selftests")
        params += [(g, n, None) for n in names]
        ids += [f"{g}-{n}" for n in names]
    metafunc.parametrize("case", params, ids=ids)


class Consoles:
    """One booted hotmm.Console per granule, booted on first use."""

    def __init__(self):
        self._cons = {}
        self._n = 0

    def get(self, granule):
        con = self._cons.get(granule)
        if con is not None and (getattr(con, "broken", False) or not con.alive):
            self._close(granule)
            con = None
        if con is None:
            con = hotmm.Console(granule, timeout=TIMEOUT)
            con.broken = False
            self._cons[granule] = con
        return con

    def run(self, granule, line):
        """Run line on granule's console; a console error marks it broken."""
        con = self.get(granule)
        try:
            return con.cmd(line)
        except BaseException:
            con.broken = True
            raise

    def _close(self, granule):
        con = self._cons.pop(granule)
        con.close()
        os.makedirs(LOG_DIR, exist_ok=True)
        self._n += 1
        with open(os.path.join(LOG_DIR, f"test_selftest_{granule}-{self._n}.log"), "wb") as f:
            f.write(con.transcript)

    def close_all(self):
        for g in list(self._cons):
            self._close(g)


@pytest.fixture(scope="module")
def consoles():
    c = Consoles()
    yield c
    c.close_all()


def names_or_fail(granule):
    try:
        names = dtutil.selftest_names(granule)
    except FileNotFoundError as e:
        pytest.fail(str(e))
    assert names, f"no __selftest_ symbols in build/{granule}/hotmm.elf"
    return names


def test_case(consoles, case):
    granule, name, problem = case
    if problem:
        pytest.fail(problem)
    out = consoles.run(granule, f"selftest {name}")
    rep = ktap.parse_report(out)
    assert rep.problems == [], f"{rep.problems}\n{out}"
    assert (rep.version, rep.plan, len(rep.results)) == (1, 1, 1), out
    res = rep.results[0]
    assert (res.number, res.name) == (1, name), out
    if res.skip:
        pytest.skip(f"{name}: SKIP {res.reason}".rstrip())
    assert res.ok and not res.failed, f"{name} failed:\n{out}"
    assert re.search(r"^# selftest: 1 pass, 0 fail, 0 skip$", out, re.M), out


def test_symbols_cover_the_section(granule):
    # nm must see every entry of .selftests: one symbol per struct selftest.
    names = names_or_fail(granule)
    syms = dtutil.elf_symbols(granule)
    start, stop = syms["__start_selftests"][0], syms["__stop_selftests"][0]
    assert (stop - start) // STRUCT_SELFTEST_SIZE == len(names) > 0
    addrs = sorted(syms[f"__selftest_{n}"][0] for n in names)
    assert addrs == list(range(start, stop, STRUCT_SELFTEST_SIZE))


def test_all_cases_in_one_run(consoles, granule):
    names = names_or_fail(granule)
    out = consoles.run(granule, "selftest")
    rep = ktap.parse_report(out)
    assert rep.problems == [], f"{rep.problems}\n{out}"
    assert rep.version == 1 and rep.plan == len(names), out
    assert [r.name for r in rep.results] == names, out  # section (= address) order
    assert [r.number for r in rep.results] == list(range(1, len(names) + 1)), out
    assert ktap.failures(rep.results) == [], out
    skipped = sum(r.skip for r in rep.results)
    assert re.search(rf"^# selftest: {len(names) - skipped} pass, 0 fail, {skipped} skip$",
                     out, re.M), out


def test_two_names_run_those_two(consoles, granule):
    names = names_or_fail(granule)
    if len(names) < 2:
        pytest.skip("fewer than two cases")
    pick = [names[-1], names[0]]
    out = consoles.run(granule, "selftest " + " ".join(pick))
    rep = ktap.parse_report(out)
    assert rep.problems == [] and rep.plan == 2, out
    assert [r.name for r in rep.results] == [names[0], names[-1]], out  # run in section order


def test_unknown_name_is_one_error_line(consoles, granule):
    out = consoles.run(granule, "selftest nosuch")
    assert out == "error: no self-test named 'nosuch'", repr(out)
    # The console still works afterwards.
    assert consoles.run(granule, "bootargs") == "bootargs: (none)"


def test_unknown_name_among_known_runs_nothing(consoles, granule):
    names = names_or_fail(granule)
    out = consoles.run(granule, f"selftest {names[0]} nosuch")
    assert out == "error: no self-test named 'nosuch'", repr(out)
