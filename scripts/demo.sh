#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The end of './folio demo': a short guest<->host run of folio-perf, two
# processes over one shared region, guest to host then host to guest.
# Usage: scripts/demo.sh BUILDDIR
set -euo pipefail
BUILD=${1:-build}
perf="$BUILD/bench/perf/folio-perf"
if [ ! -x "$perf" ]; then
	echo "demo: $perf not found; build first (./folio build)" >&2
	exit 1
fi
region="/dev/shm/folio-demo-$(id -u)-$$"
trap 'rm -f "$region"' EXIT

ncpu=$(nproc)
pin=()
[ "$ncpu" -ge 2 ] && pin=(-A 0,1)

run() {
	local dir=$1 out
	if ! out=$("$perf" --role both --region "$region" -t 1.5 -i 0 -l 64 \
		--dir "$dir" "${pin[@]}" -J); then
		echo "demo: folio-perf --dir $dir failed:" >&2
		echo "$out" >&2
		return 1
	fi
	python3 - "$dir" "$out" <<'PY'
import json, sys
d = json.loads(sys.argv[2])
s = d["summary"]
names = {"g2h": "guest -> host", "h2g": "host -> guest"}
print(f"  {names[sys.argv[1]]:14s} 64 B frames: {s['rx_fps'] / 1e6:7.2f} Mfr/s "
      f"{s['rx_gbps']:6.2f} Gbit/s, {s['rx_frames']} frames verified, "
      f"{'no errors' if s['ok'] else 'ERRORS'}")
sys.exit(0 if s["ok"] and s["rx_frames"] > 0 else 1)
PY
}

echo "Folio demo: a host and a guest process share $region"
run g2h
run h2g
echo "More: $perf --help, and bench/run for the full comparison."
