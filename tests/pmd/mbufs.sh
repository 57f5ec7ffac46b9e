#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# fp_mbufs (mbufs.c): what net_folio does to the application's mbufs, both
# roles in one process over two real shared regions: received mbufs are set
# field by field from a dirtied pool, and every sent mbuf goes back to its
# own pool exactly once (plain, second reference, clones, two pools,
# chained, fast free).
set -uo pipefail
PMD_SO=$1
PROG=$2
. "$(dirname "$0")/lib.sh"
tp_prereq
[ -x "$PROG" ] || skip "fp_mbufs not built"
RA=/dev/shm/$TP_TAG-a RB=/dev/shm/$TP_TAG-b
at_exit "rm -f $RA $RB"
timeout 60 "$PROG" "$RA" "$RB" -l 0 --no-huge --no-pci -m 256 \
	--file-prefix "$TP_TAG" -d "$PMD_SO" --log-level=pmd.net.folio:info \
	>"$TP_DIR/mbufs.log" 2>&1
rc=$?
cat "$TP_DIR/mbufs.log"
[ $rc = 77 ] && skip "fp_mbufs skipped"
[ $rc = 0 ] || fail "fp_mbufs exited $rc"
grep -q "checks passed" "$TP_DIR/mbufs.log" || fail "no summary line"
