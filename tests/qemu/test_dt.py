"""`dt` reports exactly the memory QEMU was given, and the blob QEMU made.

Each test boots hotmm, parses `dt`, and compares it with two things: what
the test asked run-qemu.sh for (the sizes and the NUMA split), and the DTB
QEMU itself builds for the same options (dumped with -machine dumpdtb=FILE
and read with dtutil.parse_fdt): memory banks with their numa-node-id, the
header totalsize, model, compatible, the /memreserve/ block and the
/chosen/rng-seed length. The DTB address must be where QEMU puts it for the
boot mode (notes/qemu-virt-platform.md §1).
"""

import pytest

import dtutil
from dtutil import GiB, MiB, RAM_BASE


def dt_vs_qemu(boot, tmp_path, granule, *args):
    """Boot with args, return (parsed `dt`, QEMU's Fdt for the same args)."""
    con = boot(granule, *args)
    text = con.cmd("dt")
    dt = dtutil.parse_dt(text)
    fdt = dtutil.parse_fdt(dtutil.dump_dtb(granule, *args, path=str(tmp_path / "qemu.dtb")))
    assert dt["banks"] == fdt.memory_banks(), text
    assert dt["totalsize"] == fdt.totalsize, text
    assert dt["model"] == fdt.string("/", "model"), text
    assert dt["compatible"] == fdt.string("/", "compatible"), text
    assert dt["rng_seed"] == len(fdt.nodes["/chosen"].get("rng-seed", b"")), text
    assert dt["rsv"] == [(b, s, "memreserve", "", False) for b, s in fdt.memreserve] + [
        (b, s, "reserved-memory", n, nomap) for b, s, n, nomap in fdt.reserved_memory()], text
    banner_mib = sum(s for _, s, _ in dt["banks"]) >> 20
    assert (con.banner.get("ram_mib"), con.banner.get("ram_banks")) == (
        banner_mib, len(dt["banks"])), con.banner_text
    return dt, fdt


@pytest.mark.parametrize("mem", ["128M", "1000M", "1G", "3G"])
def test_one_bank_is_exactly_mem(boot, tmp_path, granule, mem):
    size = dtutil.size_bytes(mem)
    dt, fdt = dt_vs_qemu(boot, tmp_path, granule, "--mem", mem)
    assert dt["banks"] == [(RAM_BASE, size, -1)]
    assert dt["rsv"] == []
    # -kernel Image: x0 = align_up(RAM + min(size/2, 128M), 2M).
    assert dt["dtb_pa"] == dtutil.kernel_dtb_pa("kernel", size)
    assert dt["dtb_pa"] == (0x44000000 if size == 128 * MiB else 0x48000000)


def test_two_numa_banks(boot, tmp_path, granule):
    dt, fdt = dt_vs_qemu(boot, tmp_path, granule, "--mem", "1G", "--numa", "384M,640M",
                         "--smp", "2")
    assert dt["banks"] == [(0x40000000, 384 * MiB, 0), (0x58000000, 640 * MiB, 1)]


def test_slots_give_node_zero(boot, tmp_path, granule):
    # With hotplug slots QEMU makes NUMA node 0 itself: numa-node-id = <0>.
    dt, fdt = dt_vs_qemu(boot, tmp_path, granule, "--mem", "1G", "--slots", "4",
                         "--maxmem", "8G")
    assert dt["banks"] == [(RAM_BASE, 1 * GiB, 0)]


@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
@pytest.mark.parametrize("mode", ["kernel", "elf", "bios"])
def test_every_boot_mode(boot, tmp_path, granule, mode, el2):
    args = ["--boot", mode, "--mem", "1G"] + (["--el2"] if el2 else [])
    dt, fdt = dt_vs_qemu(boot, tmp_path, granule, *args)
    assert dt["banks"] == [(RAM_BASE, 1 * GiB, -1)]
    # Image: x0 = 0x48000000; ELF and firmware: x0 = 0, the blob at RAM base.
    assert dt["dtb_pa"] == {"kernel": 0x48000000, "elf": RAM_BASE, "bios": RAM_BASE}[mode]
    assert dt["totalsize"] == 1 * MiB  # QEMU's own blob is always 1 MiB


def test_numa_in_bios_mode_with_gic3(boot, tmp_path, granule):
    dt, fdt = dt_vs_qemu(boot, tmp_path, granule, "--boot", "bios", "--gic", "3", "--mem",
                         "1G", "--numa", "384M,640M", "--smp", "2")
    assert dt["banks"] == [(0x40000000, 384 * MiB, 0), (0x58000000, 640 * MiB, 1)]
    assert dt["dtb_pa"] == RAM_BASE
    assert dt["gic"].startswith("v3 "), dt["gic"]


def test_dumpdtb_keeps_run_qemu_machine_options(tmp_path, granule):
    # run-qemu.sh passes -machine virt,gic-version=3,virtualization=on; the
    # extra -machine dumpdtb=FILE must merge with it, not replace it, or
    # every comparison above would be against some other machine.
    fdt = dtutil.parse_fdt(dtutil.dump_dtb(granule, "--gic", "3", "--el2",
                                           path=str(tmp_path / "q.dtb")))
    compat = [fdt.string(p, "compatible") for p in fdt.children("/")]
    assert "arm,gic-v3" in compat, compat
    assert fdt.string("/psci", "method") == "smc"  # virtualization=on
    assert fdt.memory_banks() == [(RAM_BASE, 1 * GiB, -1)]
