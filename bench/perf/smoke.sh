#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Short folio-perf runs that must verify every frame with no violation, and
# that show the copies per frame on each side (trace build):
#   guest tx 1, guest rx 1 (its one copy), host tx 1, host rx 0 in place or
#   1 with --host-copy.
# Usage: smoke.sh BUILD_PERF_DIR
set -uo pipefail
dir=${1:?usage: smoke.sh DIR}
command -v python3 >/dev/null || { echo "smoke: python3 missing" >&2; exit 77; }
region=/dev/shm/folio-perf-smoke-$$
trap 'rm -f "$region"' EXIT
fail=0

check() { # name json python-condition...
	local name=$1 json=$2
	shift 2
	if python3 - "$json" "$@" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
side = {s["role"]: s for s in d["sides"]}
h, g, s = side.get("host"), side.get("guest"), d["summary"]
for cond in sys.argv[2:]:
    if not eval(cond):
        print(f"  failed: {cond}", file=sys.stderr)
        sys.exit(1)
PY
	then echo "ok: $name"; else echo "FAIL: $name" >&2; echo "$json" | head -c 2000 >&2; echo >&2; fail=1; fi
}

run() { "$@" --region "$region" -i 0 -J --timeout 40 || true; }

out=$(run "$dir/folio-perf-trace" --role both -n 50000 --dir both --verify full -l imix --host-rx peek)
check "bidirectional IMIX, full payload check, copies per frame" "$out" \
	's["ok"]' 'h["rx"]["frames"] == 50000 and g["rx"]["frames"] == 50000' \
	'h["violations"] == 0 and g["violations"] == 0' \
	'h["rx"]["bad"] == 0 and g["rx"]["bad"] == 0 and h["rx"]["lost"] == 0' \
	'g["copies"]["tx_per_frame"] == 1.0 and g["copies"]["rx_per_frame"] == 1.0' \
	'h["copies"]["tx_per_frame"] == 1.0 and h["copies"]["rx_per_frame"] == 0.0' \
	'g["copies"]["from_shared_bytes"] >= h["tx"]["bytes"]'

out=$(run "$dir/folio-perf-trace" --role both -n 20000 --host-copy --verify full -l 1518)
check "guest to host, host copies out: one copy on each side" "$out" \
	's["ok"]' 'h["rx"]["frames"] == 20000' \
	'g["copies"]["tx_per_frame"] == 1.0 and h["copies"]["rx_per_frame"] == 1.0'

out=$(run "$dir/folio-perf-unhardened" --role both -n 50000 --dir h2g -l 60 --verify full)
check "unhardened ring, host to guest" "$out" \
	's["ok"]' 'g["rx"]["frames"] == 50000' 'd["variant"] == "unhardened"'

out=$(run "$dir/folio-perf" --role both -P 2 -n 20000 --bidir -l 512)
check "two queues, both directions" "$out" \
	's["ok"]' 'h["rx"]["frames"] == 40000 and g["rx"]["frames"] == 40000'

out=$(run "$dir/folio-perf" --role both -n 2000 --latency)
check "ping-pong latency" "$out" \
	's["ok"]' 'g["latency_us"]["samples"] == 2000' \
	'0 < g["latency_us"]["p50"] <= g["latency_us"]["p99_9"]'

if "$dir/folio-perf" --role both -l 20 >/dev/null 2>&1; then
	echo "FAIL: a frame length below 60 was accepted" >&2; fail=1
else
	echo "ok: bad option refused"
fi
exit $fail
