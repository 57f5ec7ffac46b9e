#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run interop.py with Debian's python3, where python3-scapy is installed
# (another python3 may come first on PATH). usage: interop.sh TEST_SEAL PY
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || { echo "SKIP: no python3" >&2; exit 77; }
exec "$py" "$2" "$1"
