"""Boot hotmm every way QEMU can start it and check what it says.

Per granule: -kernel Image, -kernel ELF and -bios firmware boot, each at EL1
and at EL2 (virtualization=on, the kernel drops to EL1), each with GICv2 and
GICv3. One QEMU per test: the banner is checked, then `poweroff` must end
QEMU with status 0 (PSCI SYSTEM_OFF).
"""

import pytest

MIDR_MAX = 0x000F0510  # -cpu max under QEMU 7.2 TCG

MODES = [
    ("kernel", False),
    ("kernel", True),
    ("elf", False),
    ("elf", True),
    ("bios", False),
    ("bios", True),
]


def run_args(mode, el2, gic):
    args = ["--boot", mode, "--gic", str(gic)]
    return args + ["--el2"] if el2 else args


@pytest.mark.parametrize("gic", [2, 3], ids=["gic2", "gic3"])
@pytest.mark.parametrize("mode, el2", MODES,
                         ids=[f"{m}-{'el2' if e else 'el1'}" for m, e in MODES])
def test_banner_and_poweroff(boot, granule, mode, el2, gic):
    con = boot(granule, *run_args(mode, el2, gic))
    b = con.banner
    assert b.get("hotmm version"), con.banner_text
    assert b.get("granule") == granule, con.banner_text
    want_el = "EL2, dropped to EL1" if el2 else "EL1"
    assert b.get("entered") == want_el, con.banner_text
    assert b.get("boot mode") == mode, con.banner_text
    assert b.get("midr") == MIDR_MAX, con.banner_text
    assert (b.get("ram_mib"), b.get("ram_banks")) == (1024, 1), con.banner_text
    assert isinstance(b.get("boot_us"), int), con.banner_text
    assert con.poweroff() == 0


@pytest.mark.parametrize("mode", ["kernel", "bios"])
def test_reboot(boot, granule, mode):
    # `reboot` is PSCI SYSTEM_RESET: QEMU resets the machine (no -no-reboot)
    # and the kernel boots again from the same image.
    con = boot(granule, "--boot", mode)
    first = con.banner
    con.send_line("reboot")
    second = con.wait_boot()
    for key in ("hotmm version", "granule", "entered", "boot mode"):
        assert second.get(key) == first.get(key), key
    assert con.poweroff() == 0


def test_ram_size_follows_mem(boot, granule):
    con = boot(granule, "--mem", "512M")
    assert (con.banner.get("ram_mib"), con.banner.get("ram_banks")) == (512, 1), con.banner_text
    assert con.poweroff() == 0
