#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Run every suite through meson and end with one plain summary line.
# A test that skips (exit 77: no root, no qemu, ...) is counted as skipped.
set -uo pipefail
BUILD=${1:-build}
meson test -C "$BUILD" --print-errorlogs --num-processes 1 ${FOLIO_TEST_ARGS:-}
rc=$?
python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(f"{p} passed, {f} failed, {s} skipped")
PY
exit $rc
