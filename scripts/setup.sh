#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what Folio needs on Debian 12, from Debian's archive only.
# Idempotent: packages already present are not fetched again. Each file in
# scripts/setup.d/ adds what one part of the project needs (PMD SDK headers,
# the VM test's kernel, ...) and is run in name order.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then SUDO=sudo; else
		echo "setup: needs root (or sudo) to install packages" >&2; exit 1; fi
fi
. "$here/apt-lib.sh"
export DEBIAN_FRONTEND=noninteractive

pkgs=(build-essential pkg-config meson ninja-build libcmocka-dev libnuma-dev
      clang-14 libclang-rt-14-dev valgrind
      dpdk dpdk-dev libdpdk-dev liburing-dev libssl-dev
      iperf3 iproute2 ethtool gnuplot-nox python3)

apt_install base "${pkgs[@]}"

for f in "$here"/setup.d/*.sh; do
	[ -e "$f" ] || continue
	echo "setup: $(basename "$f")"
	SUDO="$SUDO" bash "$f"
done
