#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The VM test (tests/vm): QEMU, Debian's kernel with its modules (tun for the
# guest's TAP), a static busybox for the initramfs, and the tools that pack it.
# Debian archive only; idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
. "$(dirname "$0")/../apt-lib.sh"
apt_install 60-vm qemu-system-x86 linux-image-amd64 busybox-static cpio gzip kmod \
	iproute2 python3 pciutils
