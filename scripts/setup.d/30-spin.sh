#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The protocol model (tests/model): the SPIN model checker and a C compiler
# for the verifiers it generates. llvm-cov and llvm-profdata for
# scripts/coverage.sh come with clang-14 (llvm-14). Debian archive only;
# idempotent and quiet.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=${SUDO:-}

pkgs=(spin gcc llvm-14 clang-14)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: 30-spin: installing ${missing[*]}"
	$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		{ $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq &&
		  $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
