#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The sealed channel's tests: scapy's 802.1AE code as an independent
# reference (tests/seal/interop.py), and libssl-dev for lib/seal.c (setup.sh
# installs it already; listed so this file stands alone). Debian archive
# only; idempotent and quiet.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=${SUDO:-}

pkgs=(libssl-dev python3-scapy python3-cryptography iproute2)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: 50-seal: installing ${missing[*]}"
	$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null ||
		{ $SUDO apt-get update -qq && $SUDO apt-get -o DPkg::Lock::Timeout=900 \
			install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
