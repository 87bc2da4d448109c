#!/usr/bin/python3
"""Turn `nm -n` output into an assembly symbol table for hotmm's backtraces.

Only text symbols are kept: they lie before the table in the image, so their
addresses are the same in the first link (with an empty table) and the
second. Usage: kallsyms.py NM_OUTPUT|-  > kallsyms.S
"""
import sys


def text_symbols(lines):
    syms = []
    for line in lines:
        parts = line.split()
        if len(parts) != 3 or parts[1] not in ("t", "T"):
            continue
        addr, name = int(parts[0], 16), parts[2]
        if name.startswith("$") or name.startswith(".L"):
            continue
        syms.append((addr, name))
    syms.sort()
    return syms


def main():
    src = sys.argv[1]
    lines = sys.stdin if src == "-" else open(src)
    syms = text_symbols(lines)
    out = ['\t.section ".rodata.kallsyms", "a"', "\t.balign 8",
           "\t.globl kallsyms_num, kallsyms_addrs, kallsyms_offsets, kallsyms_names",
           "kallsyms_num:", f"\t.quad {len(syms)}", "kallsyms_addrs:"]
    out += [f"\t.quad 0x{a:x}" for a, _ in syms]
    out.append("kallsyms_offsets:")
    off = 0
    for _, name in syms:
        out.append(f"\t.long {off}")
        off += len(name) + 1
    out.append("kallsyms_names:")
    out += [f'\t.asciz "{n}"' for _, n in syms]
    print("\n".join(out))


if __name__ == "__main__":
    main()
