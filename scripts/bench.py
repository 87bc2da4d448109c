#!/usr/bin/python3
"""`make bench`: boot hotmm and print figures as `name: value` lines.

Per granule: the kernel's own boot-to-prompt time (generic counter, from
reset), the median over several boots of each boot mode, and the image
size. In-guest times come from the guest's counter; QEMU's start-up is not
in them. Timings vary by about +-30% between runs on these machines: compare
figures from the same run.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "qemu"))
import hotmm  # noqa: E402

BOOTS = 5


def boot_time_us(granule, mode):
    times = []
    for _ in range(BOOTS):
        con = hotmm.Console(granule, "--boot", mode)
        try:
            times.append(con.banner["boot_us"])
            con.poweroff()
        finally:
            con.close()
    return statistics.median(times)


def main(granules):
    for g in granules:
        binary = os.path.join(hotmm.ROOT, "build", g, "hotmm.bin")
        print(f"granule: {g}")
        print(f"  image_bytes: {os.path.getsize(binary)}")
        for mode in ("kernel", "elf", "bios"):
            print(f"  boot_to_prompt_us_{mode}: {boot_time_us(g, mode):.0f}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["4K", "16K", "64K"])
