#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# folio.ko (drivers/linux): the Kbuild tree of exactly the kernel that the VM
# test boots, i.e. the version that linux-image-amd64 (scripts/setup.d/60-vm.sh)
# installed, plus the compiler bits Kbuild needs. Debian archive only;
# idempotent and quiet.
set -euo pipefail
. "$(dirname "$0")/../apt-lib.sh"

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
if ! apt_install 65-kernel-headers "linux-headers-$kver" make gcc libc6-dev bc libelf-dev; then
	echo "setup: 65-kernel-headers: WARNING: cannot install the headers of $kver; folio.ko will not be built" >&2
	exit 0
fi
[ -d "/lib/modules/$kver/build" ] ||
	echo "setup: 65-kernel-headers: WARNING: /lib/modules/$kver/build missing after install" >&2
exit 0
