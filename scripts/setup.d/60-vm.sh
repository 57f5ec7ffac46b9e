#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The VM test (tests/vm): QEMU, Debian's kernel with its modules (tun for the
# guest's TAP), a static busybox for the initramfs, and the tools that pack it.
# Debian archive only; idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=${SUDO:-}

pkgs=(qemu-system-x86 linux-image-amd64 busybox-static cpio gzip kmod
      iproute2 python3 pciutils)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: 60-vm: installing ${missing[*]}"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
