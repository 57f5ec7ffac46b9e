#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The sealed channel's tests: scapy's 802.1AE code as an independent
# reference (tests/seal/interop.py), and libssl-dev for lib/seal.c (setup.sh
# installs it already; listed so this file stands alone). Debian archive
# only; idempotent and quiet.
set -euo pipefail
. "$(dirname "$0")/../apt-lib.sh"
apt_install 50-seal libssl-dev python3-scapy python3-cryptography iproute2
