"""Boot rollback: fail_nth=N for every allocation boot makes.

fail_nth=N makes the Nth mm allocation after the argument fail, whatever its
site (mm/fault_inject.c). For N = 1, 2, ... each boot must end one of two
ways, never in a hang or an exception report:

- a panic whose report names the site of the failed allocation
  ("fail_nth: the failed allocation was at site S", S one of the sites);
- the prompt, with the banner line "fail_nth: an allocation at site S failed
  during boot; boot went on" (a fallback took over), and meminfo still
  consistent with memblock (test_buddy.check_meminfo).

The first N that boots without that banner line is past the last boot
allocation: the sweep stops there and says how many there were. `make test`
sweeps the default machine on every granule; `make soak` (HOTMM_SOAK=1) adds
NUMA nodes, 3 GiB, mem=, vmemmap=base (on 128 MiB) and firmware boot.
"""

import os
import re

import pytest

import hotmm
from test_buddy import check_meminfo

SITES = ("vmemmap_block", "vmemmap_cont", "vmemmap_page", "pgtable", "page_alloc", "memblock")
PANIC_RE = re.compile(rb"Kernel panic: ([^\r\n]*)\r*\n(?:fail_nth: the failed allocation was at "
                      rb"site (\w+)\r*\n)?System halted\.")
HANDLED_RE = re.compile(r"^fail_nth: an allocation at site (\w+) failed during boot; boot went on$",
                        re.M)
LOG_DIR = os.path.join(hotmm.ROOT, "build", "test-logs")
MAX_N = 2000  # far above any boot's allocation count: a sweep that gets here is broken

CONFIGS = {"default": []}
SOAK_CONFIGS = {
    "numa": ["--numa", "384M,640M", "--smp", "2"],
    "3G": ["--mem", "3G"],
    "mem512M": ["--append", "mem=512M"],
    # Base pages make one allocation per memmap page: 128 MiB keeps 4K at ~1000 boots.
    "vmemmap-base-128M": ["--mem", "128M", "--append", "vmemmap=base"],
    "bios": ["--boot", "bios"],
}
if os.environ.get("HOTMM_SOAK"):
    CONFIGS.update(SOAK_CONFIGS)


def with_fail_nth(args, n):
    """args plus fail_nth=n, joined to an --append already there."""
    args = list(args)
    if "--append" in args:
        i = args.index("--append") + 1
        args[i] = f"{args[i]} fail_nth={n}"
        return args
    return args + ["--append", f"fail_nth={n}"]


def boot_once(granule, args, n):
    """Boot with fail_nth=n; return ("panic", site, message) or ("prompt", site or None, con).

    A hang, an exception report, a reset or a panic that does not name the
    site fails the test (with the transcript, also kept in build/test-logs/).
    """
    con = hotmm.Console(granule, *with_fail_nth(args, n), boot=False)
    try:
        with con.expect_bad("panic"):
            i = con.expect([hotmm.PROMPT_RE, PANIC_RE], timeout=20)
        if i == 1:
            msg, site = (g.decode() if g else None for g in con.match.groups())
            assert site in SITES, f"fail_nth={n}: the panic does not name the site:\n{con.tail()}"
            con.close()
            return "panic", site, msg
        # As Console.wait_boot(): one banner, then watch for resets too.
        assert con.before.count(hotmm.BANNER_FIRST) == 1, con.tail()
        con._booted = True
        con.banner = hotmm.parse_banner(con.before)
        m = HANDLED_RE.search(con.before)
        con.wait_deferred(20)
        return "prompt", m.group(1) if m else None, con
    except BaseException:
        os.makedirs(LOG_DIR, exist_ok=True)
        with open(os.path.join(LOG_DIR, f"fail_nth-{granule}-{n}.log"), "wb") as f:
            f.write(con.transcript)
        con.close()
        raise


@pytest.mark.parametrize("config", list(CONFIGS))
def test_fail_nth_every_boot_allocation(granule, config):
    args = CONFIGS[config]
    panics, handled = {}, {}
    for n in range(1, MAX_N + 1):
        kind, site, what = boot_once(granule, args, n)
        if kind == "panic":
            panics[n] = (site, what)
            continue
        con = what
        try:
            if site is None:
                break
            handled[n] = site
            # A fallback took over: the memory accounting must still add up.
            check_meminfo(con, granule)
            assert con.poweroff() == 0
        finally:
            con.close()
    else:
        pytest.fail(f"fail_nth={MAX_N} still hits a boot allocation")
    boot_allocs = n - 1
    by_site = {}
    for site, _ in panics.values():
        by_site[site] = by_site.get(site, 0) + 1
    print(f"{granule} {config}: {boot_allocs} boot allocations; {len(panics)} panic "
          f"({by_site}), {len(handled)} handled ({sorted(set(handled.values()))})")
    assert boot_allocs >= 10 and panics[1][0] in SITES
