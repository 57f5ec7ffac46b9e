#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run-model.sh <folio.pml> <current|old|hostile> - check the SPIN model of
# one queue exhaustively at 2 entries and 1 host restart (plus one guest
# restart). "current" and "hostile" must finish with no error; "old" (the
# restart rule before the epoch re-check after a burst's copies) must make
# SPIN find a torn or zeroed frame delivered: the model sees defect 1.
# Exit 0 pass, 1 fail, 77 skip (no spin or no C compiler).
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ $# -ne 2 ]; then
	echo "usage: $0 <folio.pml> <current|old|hostile>" >&2
	exit 2
fi
model=$(realpath "$1")
variant=$2
command -v spin >/dev/null || { echo "run-model: SKIP: spin not installed (scripts/setup.d/30-spin.sh)" >&2; exit 77; }
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "run-model: SKIP: no C compiler" >&2; exit 77; }
case $variant in
current) defs=() ;;
old) defs=(-DOLD) ;;
hostile) defs=(-DHOSTILE) ;;
*) echo "run-model: unknown variant $variant" >&2; exit 2 ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/folio-model-$variant-$$-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
spin -DENTRIES=2 -DRESTARTS=1 "${defs[@]}" -a "$model" >spin.log 2>&1 ||
	{ cat spin.log >&2; exit 1; }
"$cc" -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=1536 -o pan pan.c 2>cc.log ||
	{ cat cc.log >&2; exit 1; }
rc=0
./pan -m200000 >pan.log 2>&1 || rc=$?
grep -E "errors:|states, stored|assertion violated|total actual" pan.log || true
# An incomplete search proves nothing: refuse it.
if grep -qE "out of memory|max search depth too small|pan: reached -DMEMLIM" pan.log; then
	echo "run-model: FAIL: the search did not complete" >&2
	exit 1
fi
errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log | head -1)
case $variant in
current|hostile)
	[ "$errors" = 0 ] && { echo "run-model: $variant: exhaustive, no violation"; exit 0; }
	echo "run-model: FAIL: $variant rules violate a property; trail:" >&2
	spin -DENTRIES=2 -DRESTARTS=1 "${defs[@]}" -t -p "$model" 2>&1 | tail -40 >&2
	exit 1 ;;
old)
	if [ "${errors:-0}" != 0 ] && grep -q "assertion violated ((ca==cb)&&(ca!=0))" pan.log; then
		echo "run-model: old rule: SPIN finds a torn frame delivered (defect 1), as it must"
		exit 0
	fi
	echo "run-model: FAIL: the model no longer sees defect 1 in the old rule" >&2
	exit 1 ;;
esac
