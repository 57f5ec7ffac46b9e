#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# folio.ko (drivers/linux): the Kbuild tree of exactly the kernel that the VM
# test boots, i.e. the version that linux-image-amd64 (scripts/setup.d/60-vm.sh)
# installed, plus the compiler bits Kbuild needs. Debian archive only;
# idempotent and quiet.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=${SUDO:-}
apt_get() { $SUDO apt-get -o DPkg::Lock::Timeout=900 "$@"; }

# The kernel the VM boots: the newest /boot/vmlinuz-* that has its modules
# tree (tests/vm/run-vm.sh picks it the same way).
kver=""
for k in $(printf '%s\n' /boot/vmlinuz-* | sort -V); do
	v=${k#/boot/vmlinuz-}
	[ -f "/lib/modules/$v/modules.dep" ] && kver=$v
done
if [ -z "$kver" ]; then
	echo "setup: 65-kernel-headers: no kernel in /boot (60-vm.sh installs it); folio.ko tests will skip" >&2
	exit 0
fi
pkgs=("linux-headers-$kver" make gcc libc6-dev bc libelf-dev)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: 65-kernel-headers: installing ${missing[*]}"
	apt_get update -qq
	if ! apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
		echo "setup: 65-kernel-headers: WARNING: cannot install ${missing[*]}; folio.ko will not be built" >&2
		exit 0
	fi
fi
[ -d "/lib/modules/$kver/build" ] ||
	echo "setup: 65-kernel-headers: WARNING: /lib/modules/$kver/build missing after install" >&2
exit 0
