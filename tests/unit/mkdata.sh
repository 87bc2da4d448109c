#!/bin/sh
# mkdata.sh DIR: make the device trees the fdt unit test reads into DIR.
#
# QEMU's own DTBs (dumped with -machine virt,dumpdtb=) and tests/unit/dts/*.dts
# compiled by dtc. A file is remade only when missing or older than its
# source (this script for the QEMU dumps), so a second run costs nothing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: mkdata.sh DIR}
mkdir -p "$dir"

# stale OUT SRC...: true if OUT is missing or older than one of SRC.
stale() {
	out=$1
	shift
	[ -f "$out" ] || return 0
	for src; do
		[ "$src" -nt "$out" ] && return 0
	done
	return 1
}

# qemu_dtb NAME MACHINE-OPTS [QEMU ARGS...]: dump virt's DTB as NAME.dtb.
# A dummy 4 KiB image stands in for the firmware or the kernel: QEMU exits
# right after writing the DTB, before running anything.
qemu_dtb() {
	name=$1
	mopts=$2
	shift 2
	out="$dir/$name.dtb"
	stale "$out" "$0" || return 0
	[ -f "$dir/dummy.img" ] || head -c 4096 /dev/zero > "$dir/dummy.img"
	qemu-system-aarch64 -machine "virt,$mopts,dumpdtb=$out.tmp" \
		-cpu cortex-a57 -nographic -display none "$@" 2>"$dir/$name.log" ||
		{ cat "$dir/$name.log" >&2; exit 1; }
	rm -f "$dir/$name.log"
	mv "$out.tmp" "$out"
}

qemu_dtb qemu-virt "gic-version=2" -m 1G -bios "$dir/dummy.img"
qemu_dtb qemu-gic3 "gic-version=3" -m 1G -bios "$dir/dummy.img"
qemu_dtb qemu-numa "gic-version=2" -bios "$dir/dummy.img" \
	-m 1G,slots=4,maxmem=8G -smp 2 \
	-object memory-backend-ram,id=r0,size=512M \
	-object memory-backend-ram,id=r1,size=512M \
	-numa node,nodeid=0,memdev=r0,cpus=0 \
	-numa node,nodeid=1,memdev=r1,cpus=1
# -kernel and -append give /chosen/bootargs; virtualization=on gives PSCI smc.
qemu_dtb qemu-el2 "virtualization=on" -m 1G -kernel "$dir/dummy.img" \
	-append 'console=ttyAMA0 hotmm.test="a b"'

for src in "$here"/dts/*.dts; do
	[ -f "$src" ] || continue
	out="$dir/$(basename "$src" .dts).dtb"
	stale "$out" "$src" || continue
	# -q: some trees are odd on purpose (e.g. a memory node named
	# without device_type), and dtc's warnings would only be noise.
	dtc -q -I dts -O dtb -o "$out.tmp" "$src"
	mv "$out.tmp" "$out"
done

# memmap-vectors.json (Linux's numbers for memmap on memory) as one line per
# vector that C reads with sscanf: the inputs, then Linux's answers.
vec="$here/../data/memmap-vectors.json"
out="$dir/memmap-vectors.txt"
if stale "$out" "$vec" "$0"; then
	/usr/bin/python3 - "$vec" > "$out.tmp" <<'PY'
import json, sys
for v in json.load(open(sys.argv[1])):
    print(v["id"], v["page_size"], v["memory_block_size"], v["struct_page_size"],
          v["pageblock_size"], v["mode"], v["block_pages"], v["memmap_bytes"],
          v["memmap_pages"], v["reserved_pages"], v["padding_pages"], v["usable_pages"],
          v["arm64_pmd_size"], int(v["linux_core_checks_pass"]), int(v["linux_allows"]),
          v["refusal_reason"] or "none", v["linux_effective_reserved_pages"],
          v["linux_effective_usable_pages"])
PY
	mv "$out.tmp" "$out"
fi
