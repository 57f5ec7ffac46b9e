#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# pmd-cg, natively and short: every pair (net_folio copy and lend,
# net_memif, net_virtio_user/net_vhost) connects in one process and every
# counted call moves a full burst, so that bench/pmd-cg's per-packet
# figures divide by the right count.
#   pmd-cg-smoke.sh PMD_SO PMD_CG
set -uo pipefail
so=$1 bin=$2
[ -x "$bin" ] || { echo "SKIP: pmd-cg not built" >&2; exit 77; }
[ -f "$so" ] || { echo "SKIP: net_folio not built" >&2; exit 77; }
work=$(mktemp -d /tmp/pmd-cg-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
bursts=50 want=$((50 * 32)) fails=0
for pmd in folio folio-lend memif virtio; do
	for len in 64 1518; do
		timeout 60 "$bin" --no-huge --no-pci -m 256 -l 0 --file-prefix "pcgs$$" \
			-d "$so" --log-level=lib.eal:warning --log-level=lib.vhost.config:warning \
			-- --pmd "$pmd" --len "$len" --bursts $bursts --dir "$work" \
			>"$work/out" 2>"$work/err"
		rc=$?
		n=$(grep -c "^cg .* calls=$bursts packets=$want$" "$work/out")
		if [ $rc != 0 ] || [ "$n" != 6 ]; then
			echo "FAIL: $pmd $len B: exit $rc, $n of 6 wrappers moved full bursts" >&2
			cat "$work/out" >&2; tail -5 "$work/err" >&2
			fails=$((fails + 1))
		else
			echo "# $pmd $len B: 6 wrappers x $bursts full bursts"
		fi
	done
done
[ $fails = 0 ]
