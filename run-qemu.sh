#!/usr/bin/env bash
# run-qemu.sh: the one place that owns hotmm's QEMU flags, for people and
# tests alike (DESIGN §1, §6). It builds a qemu-system-aarch64 command line
# from the options below, prints it on stderr ("run-qemu: ...") and execs it.
# Every value is checked first; a bad one gives one line on stderr and exit
# status 2. Run with --help for the options.
set -euo pipefail

prog=run-qemu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
	cat <<'EOF'
usage: ./run-qemu.sh [options] [-- extra QEMU args]

Boots hotmm on qemu-system-aarch64 -machine virt.

Memory
  --mem SIZE          boot RAM (-m), default 1G
  --maxmem SIZE       top of RAM plus hot-pluggable memory (-m ...,maxmem=);
                      needs --slots, must be larger than --mem
  --slots N           hotplug slots, 1..256 (-m ...,slots=); needs --maxmem
  --dimm SIZE         cold-plug one pc-dimm of SIZE (a multiple of 2M);
                      repeatable: ids dimm0/d0, dimm1/d1, ...; needs --boot bios
                      (QEMU creates its memory hotplug controller only when it
                      boots firmware) and --slots/--maxmem
  --numa SPEC         NUMA nodes as a comma list of sizes, e.g. 384M,640M:
                      node i is backed by memory-backend-ram ri; the sizes must
                      add up to --mem; the CPUs are spread over the nodes in
                      order (node 0 gets the first ones); a size 0 makes a
                      node without memory, for DIMMs only (1G,0: node 1 is
                      empty until a DIMM with node=1 arrives; it gets no CPU)
  SIZE is an integer with a K, M, G or T suffix (powers of 1024, any case),
  as QEMU reads it; a bare number is MiB, as for QEMU's -m.

CPU and interrupts
  --cpu NAME          an AArch64 CPU: max, cortex-a35, cortex-a53, cortex-a57,
                      cortex-a72, cortex-a76, neoverse-n1, a64fx, with optional
                      ,prop=value; default max,pauth-impdef=on (max without a
                      pauth setting gets pauth-impdef=on: the architected PAC
                      algorithm is very slow under TCG)
                      note: cortex-a53/a57/a72 have no 16K granule
  --smp N             CPUs (-smp); the kernel leaves the secondaries off;
                      default 1; at most 8 with GICv2
  --gic 2|3           GIC version (-machine virt,gic-version=N), default 2
  --el2               start at EL2 (-machine virt,virtualization=on);
                      the kernel drops to EL1

Image and boot
  --page-size 4K|16K|64K   which build: build/<granule>/, default 4K
  --section-bits N    the build made with SECTION_SIZE_BITS=N:
                      build/<granule>-sN/ (make PAGE_SIZE=... SECTION_SIZE_BITS=N)
  --boot kernel|elf|bios   kernel: -kernel hotmm.bin (arm64 Image, default)
                           elf:    -kernel hotmm.elf
                           bios:   -bios hotmm.bin (firmware boot from flash;
                                   QEMU's memory hotplug controller exists)
  --append ARGS       kernel command line (-append; DTB /chosen/bootargs);
                      with --boot bios the image is also given as -kernel,
                      because QEMU refuses -append without -kernel

Console and control
  --serial MODE       mux (default): -serial mon:stdio, the serial console and
                        the QEMU monitor on the terminal (Ctrl-A c switches,
                        Ctrl-A x quits); for people
                      raw: stdio without mux and without signals (-monitor
                        none), so every byte value reaches the guest; for tests
                      socket:PATH: a unix socket server on PATH (wait=off: the
                        guest runs at once, output is dropped until a client
                        connects)
  --qmp PATH          QMP on a unix socket server at PATH (wait=off)
  --gdb               QEMU waits for GDB on localhost:1234 (-s -S);
                      attach with: make gdb PAGE_SIZE=<granule>
  --dry-run           print the QEMU command, do not run it
  -h, --help          this text
  -- ARGS...          everything after -- goes to QEMU as is, last

Environment
  QEMU                the QEMU binary, default qemu-system-aarch64
  HOTMM_BUILD_DIR     where the builds are, default build/ beside this script

Examples
  ./run-qemu.sh --boot bios --slots 8 --maxmem 16G
  ./run-qemu.sh --boot bios --slots 4 --maxmem 8G --dimm 512M --dimm 1G
  ./run-qemu.sh --numa 384M,640M --smp 2 --gic 3 --el2
  ./run-qemu.sh --serial raw --qmp /tmp/qmp.sock -- -d guest_errors
EOF
}

die() {
	echo "$prog: $*" >&2
	exit 2
}

# size_bytes NAME VALUE: the size in bytes on stdout, or a one-line error.
size_bytes() {
	local name=$1 v=$2 num unit
	[[ $v =~ ^([0-9]+)([KkMmGgTt]?)$ ]] ||
		die "$name: bad size '$v': use an integer with K, M, G or T (e.g. 512M)"
	num=${BASH_REMATCH[1]}
	unit=${BASH_REMATCH[2]:-M}
	# Leading zeros would make bash read the number as octal.
	num=$((10#$num))
	((num > 0)) || die "$name: size must not be zero"
	((num < 1 << 40)) || die "$name: size '$v' is too large"
	case $unit in
	K | k) echo $((num << 10)) ;;
	M | m) echo $((num << 20)) ;;
	G | g) echo $((num << 30)) ;;
	T | t) echo $((num << 40)) ;;
	esac
}

# qsize BYTES: the size in the largest unit that holds it exactly (QEMU syntax).
qsize() {
	local b=$1
	if ((b % (1 << 40) == 0)); then echo "$((b >> 40))T"
	elif ((b % (1 << 30) == 0)); then echo "$((b >> 30))G"
	elif ((b % (1 << 20) == 0)); then echo "$((b >> 20))M"
	else echo "$((b >> 10))K"
	fi
}

posint() {
	local name=$1 v=$2
	if ! [[ $v =~ ^[0-9]+$ ]] || ((10#$v == 0)); then
		die "$name: '$v' is not a positive integer"
	fi
	echo $((10#$v))
}

# quote WORD: WORD as a shell would need it, quoted only when it must be.
quote() {
	if [[ $1 =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
		printf '%s' "$1"
	else
		printf "'%s'" "${1//\'/\'\\\'\'}"
	fi
}

mem=1G maxmem='' slots='' numa='' cpu='' smp='' gic=2 el2=0 granule=4K section_bits='' boot=kernel
serial=mux qmp='' gdb=0 append='' have_append=0 dry_run=0
dimms=()
dimm_b=()
extra=()

while (($#)); do
	opt=$1
	val=
	has_val=0
	if [[ $opt == --*=* ]]; then
		val=${opt#*=}
		opt=${opt%%=*}
		has_val=1
	fi
	case $opt in
	--mem | --maxmem | --slots | --dimm | --numa | --cpu | --smp | --gic | \
		--page-size | --section-bits | --boot | --serial | --qmp | --append)
		if ((!has_val)); then
			(($# >= 2)) || die "$opt needs a value (see --help)"
			val=$2
			shift
		fi
		;;
	--el2 | --gdb | --dry-run | -h | --help)
		((!has_val)) || die "$opt takes no value"
		;;
	--)
		shift
		extra=("$@")
		break
		;;
	*)
		die "unknown option '$1' (see --help)"
		;;
	esac
	shift
	case $opt in
	--mem) mem=$val ;;
	--maxmem) maxmem=$val ;;
	--slots) slots=$val ;;
	--dimm) dimms+=("$val") ;;
	--numa) numa=$val ;;
	--cpu) cpu=$val ;;
	--smp) smp=$val ;;
	--gic) gic=$val ;;
	--el2) el2=1 ;;
	--page-size) granule=$val ;;
	--section-bits) section_bits=$val ;;
	--boot) boot=$val ;;
	--serial) serial=$val ;;
	--qmp) qmp=$val ;;
	--gdb) gdb=1 ;;
	--append) append=$val have_append=1 ;;
	--dry-run) dry_run=1 ;;
	-h | --help) usage; exit 0 ;;
	esac
done

# ---- check every value ----
case ${granule^^} in
4K | 16K | 64K) granule=${granule^^} ;;
*) die "--page-size: bad granule '$granule': use 4K, 16K or 64K" ;;
esac
[[ -z $section_bits || $section_bits =~ ^[0-9]+$ ]] ||
	die "--section-bits: '$section_bits' is not a number"
case $boot in
kernel | elf | bios) ;;
*) die "--boot: bad mode '$boot': use kernel, elf or bios" ;;
esac
case $gic in
2 | 3) ;;
*) die "--gic: bad version '$gic': use 2 or 3" ;;
esac

mem_b=$(size_bytes --mem "$mem")

if [[ -n $slots || -n $maxmem ]]; then
	[[ -n $slots ]] || die "--maxmem needs --slots: QEMU refuses maxmem without slots for hotplug"
	[[ -n $maxmem ]] || die "--slots needs --maxmem: QEMU refuses slots without a maximum size"
	slots=$(posint --slots "$slots")
	((slots <= 256)) || die "--slots: $slots is more than QEMU's 256"
	maxmem_b=$(size_bytes --maxmem "$maxmem")
	((maxmem_b > mem_b)) ||
		die "--maxmem $maxmem must be larger than --mem $mem (QEMU refuses slots with no room)"
fi

if ((${#dimms[@]})); then
	[[ $boot == bios ]] ||
		die "--dimm needs --boot bios: QEMU creates its memory hotplug controller only when booting firmware"
	[[ -n $slots ]] || die "--dimm needs --slots and --maxmem: a pc-dimm sits in a hotplug slot"
	((${#dimms[@]} <= slots)) || die "--dimm: ${#dimms[@]} DIMMs but only $slots slots"
	dimm_sum=0
	dimm_b=()
	for d in "${dimms[@]}"; do
		b=$(size_bytes --dimm "$d")
		((b % (2 << 20) == 0)) || die "--dimm: $d is not a multiple of 2M (QEMU's DIMM alignment)"
		dimm_b+=("$b")
		dimm_sum=$((dimm_sum + b))
	done
	((mem_b + dimm_sum <= maxmem_b)) ||
		die "--dimm: the DIMMs ($(qsize $dimm_sum)) do not fit between --mem $mem and --maxmem $maxmem"
fi

if [[ -n $smp ]]; then
	smp=$(posint --smp "$smp")
else
	smp=1
fi
((gic != 2 || smp <= 8)) || die "--smp: GICv2 takes at most 8 CPUs, use --gic 3 for $smp"

numa_b=()
if [[ -n $numa ]]; then
	IFS=, read -r -a numa_sizes <<<"$numa"
	((${#numa_sizes[@]})) || die "--numa: give one size per node, e.g. 384M,640M"
	sum=0
	for s in "${numa_sizes[@]}"; do
		if [[ $s =~ ^0+[KkMmGgTt]?$ ]]; then
			b=0
		else
			b=$(size_bytes --numa "$s")
		fi
		numa_b+=("$b")
		sum=$((sum + b))
	done
	((sum == mem_b)) ||
		die "--numa: the node sizes add up to $(qsize $sum), not --mem $mem"
fi

if [[ -z $cpu ]]; then
	cpu=max,pauth-impdef=on
fi
case ${cpu%%,*} in
max)
	[[ $cpu == *,pauth* ]] || cpu+=,pauth-impdef=on
	;;
cortex-a35 | cortex-a53 | cortex-a57 | cortex-a72 | cortex-a76 | neoverse-n1 | a64fx) ;;
*) die "--cpu: '${cpu%%,*}' is not an AArch64 CPU QEMU's virt has (see --help)" ;;
esac
[[ $cpu =~ ^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+=[A-Za-z0-9_.-]+)*$ ]] ||
	die "--cpu: bad CPU option list '$cpu'"

case $serial in
mux | raw) ;;
socket:?*) ;;
*) die "--serial: bad mode '$serial': use mux, raw or socket:PATH" ;;
esac
# QEMU splits options at commas; a path holding one cannot be passed.
[[ ${serial#socket:} != *,* ]] || die "--serial: the socket path must not contain a comma"
[[ $qmp != *,* ]] || die "--qmp: the socket path must not contain a comma"
((!have_append)) || [[ $append != *$'\n'* ]] || die "--append: the command line must be one line"

build=${HOTMM_BUILD_DIR:-$here/build}
suffix=bin
[[ $boot == elf ]] && suffix=elf
variant=$granule
make_args="PAGE_SIZE=$granule"
if [[ -n $section_bits ]]; then
	variant=$granule-s$section_bits
	make_args+=" SECTION_SIZE_BITS=$section_bits"
fi
image=$build/$variant/hotmm.$suffix
if ((!dry_run)) && [[ ! -f $image ]]; then
	shown=${image#"$here"/}
	die "$shown not found: run make $make_args"
fi

# ---- build the command ----
machine=virt
((gic == 2)) || machine+=,gic-version=$gic
((!el2)) || machine+=,virtualization=on

memopt=$(qsize "$mem_b")
[[ -z $slots ]] || memopt+=,slots=$slots,maxmem=$(qsize "$maxmem_b")

cmd=("${QEMU:-qemu-system-aarch64}" -machine "$machine" -cpu "$cpu" -smp "$smp" -m "$memopt")

# NUMA: node i has memdev ri; with k nodes that have memory, CPU j goes to
# the (j * k / smp)-th of them, so the CPUs go out in order and every such
# node gets some when there are enough. A node of size 0 has no memdev and
# no CPU (a node for DIMMs only).
nodes=${#numa_b[@]}
cpu_nodes=()
for ((i = 0; i < nodes; i++)); do
	((numa_b[i] == 0)) || cmd+=(-object "memory-backend-ram,id=r$i,size=$(qsize "${numa_b[i]}")")
	((numa_b[i] == 0)) || cpu_nodes+=("$i")
done
((!nodes || ${#cpu_nodes[@]})) || die "--numa: every node is empty; at least one needs memory"
for ((i = 0; i < nodes; i++)); do
	node="node,nodeid=$i"
	((numa_b[i] == 0)) || node+=",memdev=r$i"
	first=-1 last=-1
	for ((j = 0; j < smp; j++)); do
		if [[ ${cpu_nodes[j * ${#cpu_nodes[@]} / smp]} == "$i" ]]; then
			((first >= 0)) || first=$j
			last=$j
		fi
	done
	if ((first >= 0)); then
		if ((first == last)); then node+=",cpus=$first"; else node+=",cpus=$first-$last"; fi
	fi
	cmd+=(-numa "$node")
done

for i in "${!dimm_b[@]}"; do
	cmd+=(-object "memory-backend-ram,id=dimm$i,size=$(qsize "${dimm_b[i]}")"
		-device "pc-dimm,id=d$i,memdev=dimm$i")
done

case $boot in
kernel | elf) cmd+=(-kernel "$image") ;;
bios)
	cmd+=(-bios "$image")
	((!have_append)) || cmd+=(-kernel "$image")
	;;
esac
((!have_append)) || cmd+=(-append "$append")

cmd+=(-display none -nic none)
case $serial in
mux) cmd+=(-serial mon:stdio) ;;
raw) cmd+=(-chardev "stdio,id=con,mux=off,signal=off" -serial chardev:con -monitor none) ;;
socket:*)
	cmd+=(-chardev "socket,id=con,path=${serial#socket:},server=on,wait=off"
		-serial chardev:con -monitor none)
	;;
esac
[[ -z $qmp ]] || cmd+=(-qmp "unix:$qmp,server=on,wait=off")
((!gdb)) || cmd+=(-s -S)
cmd+=("${extra[@]}")

# One line, quoted so it can be pasted back into a shell.
line=
for w in "${cmd[@]}"; do
	line+="${line:+ }$(quote "$w")"
done
echo "$prog: $line" >&2
if ((dry_run)); then
	exit 0
fi
if ((gdb)); then
	echo "$prog: QEMU waits for GDB on localhost:1234: attach with 'make gdb PAGE_SIZE=$granule'" >&2
fi
exec "${cmd[@]}"
