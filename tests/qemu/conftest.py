"""pytest fixtures for hotmm's QEMU tests.

granule   parametrized from HOTMM_GRANULES (space separated, default
          "4K 16K 64K"); `--granule G` (repeatable) picks some of them. A
          case fixed to one granule (a parameter named *granule) outside
          that list is deselected.
build_variant  factory: build_variant(granule, section_bits) makes the
          build/<granule>-s<bits>/ kernel (once per session) for a test that
          boots it with "--section-bits", bits.
boot      factory: boot(granule, *run_qemu_args, **console_kwargs) starts
          QEMU through run-qemu.sh, waits for the prompt and returns a
          hotmm.Console. Every console a test booted is closed (QEMU killed
          and reaped) when the test ends, pass or fail; the transcript is
          written to build/test-logs/ and, on failure, shown in the report.
"""

import os
import re
import subprocess

import pytest

import hotmm

GRANULES = ("4K", "16K", "64K")
LOG_DIR = os.path.join(hotmm.ROOT, "build", "test-logs")


def pytest_addoption(parser):
    parser.addoption(
        "--granule", action="append", default=[], choices=GRANULES,
        help="run the QEMU tests for this granule only (repeatable; "
             "default: $HOTMM_GRANULES or all three)")


def granules(config):
    env = os.environ.get("HOTMM_GRANULES", " ".join(GRANULES)).split()
    bad = [g for g in env if g not in GRANULES]
    if bad:
        raise pytest.UsageError(f"HOTMM_GRANULES: unknown granule(s) {bad}; use {GRANULES}")
    picked = config.getoption("--granule")
    return [g for g in env if g in picked] if picked else env


def pytest_generate_tests(metafunc):
    if "granule" in metafunc.fixturenames:
        metafunc.parametrize("granule", granules(metafunc.config))


def pytest_collection_modifyitems(config, items):
    """A case written for one granule (a parameter named *granule, e.g. a table
    row's row_granule) is deselected unless that granule is in the list: its
    build may not exist."""
    wanted = set(granules(config))
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        off = any(k.endswith("granule") and v not in wanted for k, v in params.items())
        (drop if off else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so fixtures can see a failure.
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture
def boot(request):
    consoles = []

    def _boot(granule, *args, **kwargs):
        con = hotmm.Console(granule, *args, boot=False, **kwargs)
        consoles.append(con)
        con.wait_boot()
        return con

    yield _boot

    failed = any(getattr(request.node, "rep_" + w, None) is not None
                 and getattr(request.node, "rep_" + w).failed for w in ("setup", "call"))
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1]).strip("_")
    os.makedirs(LOG_DIR, exist_ok=True)
    for i, con in enumerate(consoles):
        con.close()
        path = os.path.join(LOG_DIR, f"{name}-{i}.log")
        with open(path, "wb") as f:
            f.write(con.transcript)
        if failed:
            print(f"---- console {i} ({path}), exit status {con.exitstatus} ----")
            print(hotmm.normalize(con.transcript[-8000:]))


@pytest.fixture(scope="session")
def build_variant():
    built = set()

    def _build(granule, section_bits):
        if (granule, section_bits) not in built:
            subprocess.run(["make", "-s", "--no-print-directory", f"PAGE_SIZE={granule}",
                            f"SECTION_SIZE_BITS={section_bits}", "all"],
                           cwd=hotmm.ROOT, check=True, stdout=subprocess.DEVNULL)
            built.add((granule, section_bits))

    return _build
