"""Rules of the house that the build alone does not enforce.

mm/ is generic over the granule: no granule #if and no literal geometry
(the page-table issue's list: 512, 0x1ff, SZ_2M, SZ_512M); it reaches the
architecture only through include/arch/.
"""
import glob
import os
import re

import hotmm

MM_FILES = sorted(glob.glob(os.path.join(hotmm.ROOT, "mm", "*.[ch]")) +
                  glob.glob(os.path.join(hotmm.ROOT, "include", "mm", "*.h")))


def code_lines(path):
    """Lines of @path with comments removed, numbered."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return [(n + 1, re.sub(r"//.*", "", line)) for n, line in enumerate(text.splitlines())]


def test_mm_files_exist():
    assert any(p.endswith("pgtable.c") for p in MM_FILES)


def test_mm_has_no_literal_geometry():
    bad = []
    for path in MM_FILES:
        for n, line in code_lines(path):
            if re.search(r"\b512\b|\b0x1ff\b|\bSZ_2M\b|\bSZ_512M\b", line, re.I):
                bad.append(f"{path}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_mm_has_no_granule_conditionals():
    bad = []
    for path in MM_FILES:
        for n, line in code_lines(path):
            if re.search(r"#\s*if.*(PAGE_SHIFT|PAGE_SIZE|CONFIG_PAGE)", line) or \
                    re.search(r"PAGE_SHIFT\s*==|PAGE_SIZE\s*==", line):
                bad.append(f"{path}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_mm_includes_no_arch_private_headers():
    bad = [f"{p}:{n}" for p in MM_FILES for n, line in code_lines(p)
           if re.search(r"#\s*include\s*<asm/", line)]
    assert not bad, bad
