"""`bootargs` prints /chosen/bootargs, which is exactly run-qemu.sh's --append.

Every boot mode (-kernel Image, -kernel ELF, -bios; run-qemu.sh adds
-kernel for -bios so QEMU takes -append), at EL1 and EL2. The text goes to
QEMU as one argv word (no shell), so spaces, both quote characters, '=' and
shell metacharacters must come back byte for byte. Without --append (or
with an empty one, which QEMU drops) there is no bootargs property: the
command says "(none)" and the banner has no "bootargs:" line.
"""

import pytest

MODES = [(m, el2) for m in ("kernel", "elf", "bios") for el2 in (False, True)]
MODE_IDS = [f"{m}-{'el2' if e else 'el1'}" for m, e in MODES]


def long_args():
    head = ('console=ttyAMA0 root="/dev/vda1 ro" init=\'/sbin/my init\' a=b=c '
            'key="x = y" quiet $HOME;`ls` \\n 100% ')
    pad = "x0123456789=abcdefghij "
    s = head
    while len(s) < 200:
        s += pad
    s = s[:199] + "Z"  # 200 characters, no trailing space
    assert len(s) == 200
    return s


LONG = long_args()


def mode_args(mode, el2):
    return ["--boot", mode] + (["--el2"] if el2 else [])


def bootargs(con):
    out = con.cmd("bootargs")
    assert out.count("\n") == 0, f"more than one line: {out!r}"
    assert out.startswith("bootargs: "), out
    return out[len("bootargs: "):]


@pytest.mark.parametrize("mode, el2", MODES, ids=MODE_IDS)
def test_long_append_comes_back_exactly(boot, granule, mode, el2):
    con = boot(granule, *mode_args(mode, el2), "--append", LONG)
    assert bootargs(con) == LONG
    assert con.banner.get("bootargs") == LONG, con.banner_text
    assert con.banner.get("boot mode") == mode


@pytest.mark.parametrize("mode", ["kernel", "elf", "bios"])
def test_no_append_is_none(boot, granule, mode):
    con = boot(granule, "--boot", mode)
    assert bootargs(con) == "(none)"
    assert "bootargs" not in con.banner, con.banner_text


@pytest.mark.parametrize("text", ["console=ttyAMA0", "a", "x=\"1 2\" y='3'", "%s %d %%"],
                         ids=["simple", "one-char", "quotes", "percent"])
def test_short_append(boot, granule, text):
    con = boot(granule, "--append", text)
    assert bootargs(con) == text


def test_empty_append_is_none(boot, granule):
    # QEMU sets bootargs only for a non-empty -append.
    con = boot(granule, "--boot", "bios", "--append", "")
    assert bootargs(con) == "(none)"
