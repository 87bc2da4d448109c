#!/bin/sh
# Install what hotmm needs from Debian, and fetch the arm64 libfdt it links.
#
# Silent and quick when everything is present. Host packages come from the
# system's apt; the arm64 libfdt-dev package is downloaded with a private apt
# state under build/deps/ so the system's dpkg architectures never change.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"
fdt_dir="$deps/libfdt"

need_pkgs=""
check() {	# check PACKAGE: queue it for install unless dpkg has it
	if ! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; then
		need_pkgs="$need_pkgs $1"
	fi
}

for p in make gcc gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu \
	 qemu-system-arm gdb-multiarch device-tree-compiler libcmocka-dev \
	 libfdt-dev python3 python3-pytest python3-pexpect git; do
	check "$p"
done

apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	apt-get update -qq >&2
	apt_updated=1
}

if [ -n "$need_pkgs" ]; then
	echo "deps: installing$need_pkgs" >&2
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq $need_pkgs >/dev/null 2>&1; then
		apt_update
		apt-get install -y -qq $need_pkgs >&2
	fi
fi

# The kernel links Debian's arm64 libfdt.a: fetch the .deb with a private
# apt state (arm64 lists only) and unpack it; dpkg is not involved.
if [ ! -f "$fdt_dir/usr/include/libfdt.h" ] ||
   [ ! -f "$fdt_dir/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
	echo "deps: fetching arm64 libfdt-dev into build/deps" >&2
	mkdir -p "$deps/apt/lists/partial" "$deps/apt/cache/archives/partial"
	aptopts="-oAPT::Architecture=arm64 -oAPT::Architectures=arm64
		 -oDir::State::Lists=$deps/apt/lists
		 -oDir::State::Status=/dev/null
		 -oDir::Cache=$deps/apt/cache
		 -oDebug::NoLocking=1"
	# The private lists are filled once; a failed download refreshes them.
	if ! ls "$deps"/apt/lists/*Packages* >/dev/null 2>&1; then
		apt-get $aptopts update -qq >&2
	fi
	cd "$deps"
	rm -f libfdt-dev_*_arm64.deb
	if ! apt-get $aptopts download libfdt-dev:arm64 >/dev/null 2>&1; then
		apt-get $aptopts update -qq >&2
		apt-get $aptopts download libfdt-dev:arm64 >&2
	fi
	rm -rf "$fdt_dir"
	dpkg-deb -x libfdt-dev_*_arm64.deb "$fdt_dir"
	test -f "$fdt_dir/usr/lib/aarch64-linux-gnu/libfdt.a"
fi
