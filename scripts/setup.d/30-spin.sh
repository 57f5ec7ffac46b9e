#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The protocol model (tests/model): the SPIN model checker and a C compiler
# for the verifiers it generates. llvm-cov and llvm-profdata for
# scripts/coverage.sh come with clang-14 (llvm-14). Debian archive only;
# idempotent and quiet.
set -euo pipefail
. "$(dirname "$0")/../apt-lib.sh"
apt_install 30-spin spin gcc llvm-14 clang-14
