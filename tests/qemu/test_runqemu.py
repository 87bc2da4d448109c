"""Tests of run-qemu.sh itself: the QEMU command it builds (--dry-run), the
checks it makes, and that QEMU accepts what it builds. No kernel needed."""

import json
import os
import shlex
import shutil
import socket
import subprocess
import time

import pytest

import hotmm

RUN = hotmm.RUN_QEMU


def run(*args, env=None, script=RUN):
    # The caller's HOTMM_BUILD_DIR or QEMU would change the command under test.
    e = {k: v for k, v in os.environ.items() if k not in ("HOTMM_BUILD_DIR", "QEMU")}
    e.update(env or {})
    return subprocess.run([script, *args], capture_output=True, text=True, env=e,
                          timeout=30)


def dry(*args, env=None):
    """The argv run-qemu.sh would exec for args."""
    p = run("--dry-run", *args, env=env)
    assert p.returncode == 0, p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("run-qemu: "), p.stderr
    assert p.stdout == ""
    return shlex.split(lines[0][len("run-qemu: "):])


def opt(argv, flag):
    """Every value given to flag in argv."""
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == flag]


def refused(*args, want, script=RUN):
    """Check args are refused: status 2, one line on stderr that says want."""
    p = run(*args, script=script)
    assert p.returncode == 2, (args, p.returncode, p.stderr)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("run-qemu: "), p.stderr
    assert want in lines[0], lines[0]
    return lines[0]


def image(g, ext="bin"):
    return os.path.join(hotmm.ROOT, "build", g, "hotmm." + ext)


def test_default_command():
    argv = dry()
    assert argv[0] == "qemu-system-aarch64"
    assert opt(argv, "-machine") == ["virt"]
    assert opt(argv, "-cpu") == ["max,pauth-impdef=on"]
    assert opt(argv, "-m") == ["1G"]
    assert opt(argv, "-smp") == ["1"]
    assert opt(argv, "-kernel") == [image("4K")]
    assert opt(argv, "-serial") == ["mon:stdio"]
    assert opt(argv, "-display") == ["none"]
    assert "-bios" not in argv and "-append" not in argv
    assert "-no-reboot" not in argv and "-S" not in argv


@pytest.mark.parametrize("boot, kernel, bios", [
    ("kernel", image("16K"), None),
    ("elf", image("16K", "elf"), None),
    ("bios", None, image("16K")),
])
def test_boot_modes(boot, kernel, bios):
    argv = dry("--boot", boot, "--page-size", "16K")
    assert opt(argv, "-kernel") == ([kernel] if kernel else [])
    assert opt(argv, "-bios") == ([bios] if bios else [])


def test_append_with_kernel_boot():
    argv = dry("--append", "mem=512M vmemmap=base")
    assert opt(argv, "-append") == ["mem=512M vmemmap=base"]
    assert opt(argv, "-kernel") == [image("4K")]


def test_append_with_bios_boot_also_passes_kernel():
    # QEMU refuses -append without -kernel; with -bios it only publishes the
    # -kernel image in fw_cfg, and puts the text in /chosen/bootargs.
    argv = dry("--boot", "bios", "--append", "memhp_default_state=offline", "--page-size", "64k")
    assert opt(argv, "-bios") == [image("64K")]
    assert opt(argv, "-kernel") == [image("64K")]
    assert opt(argv, "-append") == ["memhp_default_state=offline"]


def test_empty_append_is_passed():
    assert opt(dry("--append", ""), "-append") == [""]


@pytest.mark.parametrize("args, machine", [
    (["--gic", "2"], "virt"),
    (["--gic", "3"], "virt,gic-version=3"),
    (["--el2"], "virt,virtualization=on"),
    (["--gic", "3", "--el2"], "virt,gic-version=3,virtualization=on"),
])
def test_machine(args, machine):
    assert opt(dry(*args), "-machine") == [machine]


@pytest.mark.parametrize("cpu, want", [
    ("max", "max,pauth-impdef=on"),
    ("max,sve=off", "max,sve=off,pauth-impdef=on"),
    ("max,pauth=off", "max,pauth=off"),
    ("max,pauth-impdef=on", "max,pauth-impdef=on"),
    ("cortex-a57", "cortex-a57"),
    ("cortex-a76", "cortex-a76"),
    ("neoverse-n1", "neoverse-n1"),
])
def test_cpu(cpu, want):
    assert opt(dry("--cpu", cpu), "-cpu") == [want]


@pytest.mark.parametrize("cpu", ["cortex-a15", "cortex-a7", "cortex-m3", "host", "max,=x"])
def test_cpu_refuses_non_aarch64(cpu):
    refused("--cpu", cpu, want="--cpu")


def test_memory_sizes():
    argv = dry("--mem", "1536m", "--slots", "8", "--maxmem", "16G")
    assert opt(argv, "-m") == ["1536M,slots=8,maxmem=16G"]
    assert opt(dry("--mem", "2048"), "-m") == ["2G"]  # a bare number is MiB, as for -m
    assert opt(dry("--mem", "524288K"), "-m") == ["512M"]


def test_slots_and_maxmem_go_together():
    refused("--slots", "4", want="--slots needs --maxmem")
    refused("--maxmem", "8G", want="--maxmem needs --slots")
    refused("--slots", "4", "--maxmem", "1G", want="must be larger than --mem")
    refused("--slots", "257", "--maxmem", "8G", want="256")
    refused("--slots", "0", "--maxmem", "8G", want="positive integer")


def test_dimm_needs_bios_boot():
    line = refused("--slots", "4", "--maxmem", "8G", "--dimm", "512M",
                   want="--dimm needs --boot bios")
    assert "hotplug controller" in line
    refused("--boot", "elf", "--slots", "4", "--maxmem", "8G", "--dimm", "512M",
            want="--dimm needs --boot bios")


def test_dimm_needs_slots():
    refused("--boot", "bios", "--dimm", "512M", want="--dimm needs --slots and --maxmem")


def test_dimm_cold_plug():
    argv = dry("--boot", "bios", "--slots", "4", "--maxmem", "8G",
               "--dimm", "512M", "--dimm", "1g")
    assert opt(argv, "-object") == ["memory-backend-ram,id=dimm0,size=512M",
                                    "memory-backend-ram,id=dimm1,size=1G"]
    assert opt(argv, "-device") == ["pc-dimm,id=d0,memdev=dimm0",
                                    "pc-dimm,id=d1,memdev=dimm1"]


def test_dimm_checks():
    base = ["--boot", "bios", "--slots", "2", "--maxmem", "4G"]
    refused(*base, "--dimm", "3M", want="multiple of 2M")
    refused(*base, "--dimm", "2M", "--dimm", "2M", "--dimm", "2M", want="only 2 slots")
    refused(*base, "--dimm", "2G", "--dimm", "2G", want="do not fit")


def test_numa_two_nodes():
    argv = dry("--numa", "384M,640M")
    assert opt(argv, "-object") == ["memory-backend-ram,id=r0,size=384M",
                                    "memory-backend-ram,id=r1,size=640M"]
    assert opt(argv, "-numa") == ["node,nodeid=0,memdev=r0,cpus=0",
                                  "node,nodeid=1,memdev=r1"]
    assert opt(argv, "-m") == ["1G"]
    assert opt(argv, "-smp") == ["1"]


@pytest.mark.parametrize("smp, cpus", [
    (2, ["cpus=0", "cpus=1"]),
    (4, ["cpus=0-1", "cpus=2-3"]),
    (3, ["cpus=0-1", "cpus=2"]),
])
def test_numa_spreads_cpus(smp, cpus):
    argv = dry("--numa", "512M,512M", "--smp", str(smp))
    nodes = opt(argv, "-numa")
    assert [n.split(",")[-1] for n in nodes] == cpus
    assert opt(argv, "-smp") == [str(smp)]


def test_numa_sizes_must_add_up_to_mem():
    refused("--numa", "384M,512M", want="add up to 896M, not --mem 1G")
    refused("--numa", "384M,x", want="bad size")


def test_numa_empty_node_for_dimms():
    """A size 0 is a node with no memory and no CPU: QEMU's node for DIMMs only."""
    argv = dry("--numa", "512M,0,512M", "--smp", "2")
    assert opt(argv, "-object") == ["memory-backend-ram,id=r0,size=512M",
                                    "memory-backend-ram,id=r2,size=512M"]
    assert opt(argv, "-numa") == ["node,nodeid=0,memdev=r0,cpus=0", "node,nodeid=1",
                                  "node,nodeid=2,memdev=r2,cpus=1"]
    refused("--numa", "0,0", want="add up to")
    refused("--mem", "0", "--numa", "0", want="must not be zero")


def test_numa_with_hotplug():
    argv = dry("--mem", "2G", "--numa", "1G,1G", "--slots", "2", "--maxmem", "4G",
               "--boot", "bios", "--dimm", "1G")
    assert opt(argv, "-m") == ["2G,slots=2,maxmem=4G"]
    assert len(opt(argv, "-numa")) == 2 and len(opt(argv, "-device")) == 1


def test_smp_and_gic2_limit():
    assert opt(dry("--smp", "4"), "-smp") == ["4"]
    refused("--smp", "9", want="GICv2 takes at most 8")
    assert opt(dry("--smp", "9", "--gic", "3"), "-smp") == ["9"]


def test_serial_modes():
    argv = dry("--serial", "mux")
    assert opt(argv, "-serial") == ["mon:stdio"] and "-monitor" not in argv
    argv = dry("--serial", "raw")
    assert opt(argv, "-chardev") == ["stdio,id=con,mux=off,signal=off"]
    assert opt(argv, "-serial") == ["chardev:con"]
    assert opt(argv, "-monitor") == ["none"]
    argv = dry("--serial", "socket:/tmp/hotmm con.sock")
    assert opt(argv, "-chardev") == ["socket,id=con,path=/tmp/hotmm con.sock,server=on,wait=off"]
    assert opt(argv, "-serial") == ["chardev:con"]
    assert opt(argv, "-monitor") == ["none"]


def test_qmp_gdb_and_extra_args():
    argv = dry("--qmp", "/tmp/q.sock", "--gdb", "--", "-d", "guest_errors", "-D", "x y")
    assert opt(argv, "-qmp") == ["unix:/tmp/q.sock,server=on,wait=off"]
    assert "-s" in argv and "-S" in argv
    assert argv[-4:] == ["-d", "guest_errors", "-D", "x y"]


def test_option_equals_form():
    argv = dry("--mem=2G", "--boot=elf", "--page-size=64K")
    assert opt(argv, "-m") == ["2G"]
    assert opt(argv, "-kernel") == [image("64K", "elf")]


@pytest.mark.parametrize("args, want", [
    (["--bogus"], "unknown option '--bogus'"),
    (["--mem", "1.5G"], "bad size '1.5G'"),
    (["--mem", "12Q"], "bad size"),
    (["--mem", "0"], "must not be zero"),
    (["--mem"], "--mem needs a value"),
    (["--page-size", "8K"], "bad granule '8K'"),
    (["--boot", "uefi"], "bad mode 'uefi'"),
    (["--gic", "4"], "bad version '4'"),
    (["--serial", "tcp"], "bad mode 'tcp'"),
    (["--serial", "socket:"], "bad mode"),
    (["--serial", "socket:/tmp/a,b"], "comma"),
    (["--smp", "two"], "not a positive integer"),
    (["--el2=1"], "takes no value"),
    (["positional"], "unknown option 'positional'"),
])
def test_bad_values_exit_2_with_one_line(args, want):
    refused("--dry-run", *args, want=want)


def test_missing_image(tmp_path):
    # A copy of the script beside an empty tree: its build/ has no images.
    script = tmp_path / "run-qemu.sh"
    shutil.copy(RUN, script)
    line = refused("--page-size", "16K", want="", script=str(script))
    assert line == "run-qemu: build/16K/hotmm.bin not found: run make PAGE_SIZE=16K"
    line = refused("--boot", "elf", want="", script=str(script))
    assert line == "run-qemu: build/4K/hotmm.elf not found: run make PAGE_SIZE=4K"


def test_help_documents_every_option():
    p = run("--help")
    assert p.returncode == 0 and p.stderr == ""
    for o in ("--mem", "--maxmem", "--slots", "--dimm", "--numa", "--cpu", "--smp", "--gic",
              "--page-size", "--boot", "--serial", "--qmp", "--gdb", "--append", "--el2",
              "--dry-run", "--help", "-- ARGS"):
        assert o in p.stdout, o


# ---- QEMU accepts what run-qemu.sh builds ----
# QEMU starts paused (-S) on a dummy image; being able to talk QMP to it
# means it took the whole command line.

def qemu_accepts(tmp_path, *args):
    build = tmp_path / "build"
    for g in ("4K", "16K", "64K"):
        (build / g).mkdir(parents=True, exist_ok=True)
        for ext in ("bin", "elf"):
            (build / g / f"hotmm.{ext}").write_bytes(b"\0" * 4096)
    qmp = str(tmp_path / "qmp.sock")
    env = {k: v for k, v in os.environ.items() if k != "QEMU"}
    env["HOTMM_BUILD_DIR"] = str(build)
    p = subprocess.Popen([RUN, "--qmp", qmp, *args, "--", "-S"], env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while p.poll() is None and time.monotonic() < deadline:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(5)
                    s.connect(qmp)
                    f = s.makefile("rw")
                    assert "QMP" in json.loads(f.readline())
                    f.write('{"execute": "qmp_capabilities"}\n{"execute": "quit"}\n')
                    f.flush()
                    p.wait(timeout=5)
                    return
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.05)
        out, err = p.communicate(timeout=5) if p.poll() is not None else ("", "")
        pytest.fail(f"QEMU did not come up for {args}: status {p.returncode}\n{err}")
    finally:
        if p.poll() is None:
            p.kill()
        p.wait()
        p.stdout.close()
        p.stderr.close()


@pytest.mark.parametrize("args", [
    [],
    ["--serial", "raw"],
    ["--boot", "elf", "--el2", "--gic", "3"],
    ["--boot", "bios", "--append", "mem=512M", "--page-size", "16K"],
    ["--boot", "bios", "--slots", "4", "--maxmem", "8G", "--dimm", "512M", "--dimm", "2M"],
    ["--numa", "384M,640M", "--smp", "3", "--slots", "2", "--maxmem", "4G"],
    ["--smp", "9", "--gic", "3", "--cpu", "cortex-a57"],
], ids=["default", "raw", "elf-el2-gic3", "bios-append", "bios-dimms", "numa", "smp9"])
def test_qemu_accepts_the_command(tmp_path, args):
    qemu_accepts(tmp_path, *args)


def test_qemu_accepts_socket_serial(tmp_path):
    qemu_accepts(tmp_path, "--serial", f"socket:{tmp_path}/con.sock")
