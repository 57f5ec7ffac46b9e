#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A hostile guest against the host role inside the stock dpdk-testpmd (io
# forwarding, 5 queues): boundary values in every guest-owned field, then a
# port restart (a new epoch re-arms the failed queues) and random writes.
# reset_failed=0: the failed queues stay failed until the port restart, so
# that the test can read them latched.
# testpmd must neither crash nor hang, and its xstats must count each
# violation on the queue it hit.
set -uo pipefail
PMD_SO=$1 HOSTILE=$2
. "$(dirname "$0")/lib.sh"
tp_prereq
REGION=/dev/shm/$TP_TAG-region
at_exit "rm -f $REGION"
Q=5 E=64

tp_start host "-l 0,1" "net_folio0,role=host,path=$REGION,queues=$Q,ring_entries=$E,reset_failed=0" \
	--forward-mode=io --rxq=$Q --txq=$Q
tp_cmd host start
"$HOSTILE" --region "$REGION" --queues $Q --entries $E --phase boundary ||
	fail "hostile boundary phase did not run"
sleep 1
kill -0 "$(tp_pid host)" || fail "testpmd died under boundary values"
tp_xstats host 0 >"$TP_DIR/x1"
expect() { # queue counter
	local v
	v=$(xget "$TP_DIR/x1" "q$1_$2")
	info "q$1: $2 = $v, state = $(xget "$TP_DIR/x1" "q$1_state"), rx_frames = $(xget "$TP_DIR/x1" "q$1_rx_frames")"
	[ "$v" -ge 1 ] || fail "q$1: $2 not counted"
	[ "$(xget "$TP_DIR/x1" "q$1_state")" = 2 ] || fail "q$1 not latched failed"
	[ "$(xget "$TP_DIR/x1" "q$1_rx_frames")" -ge 16 ] || fail "q$1 took no honest frames"
}
expect 0 bad_index
expect 1 bad_length
expect 2 bad_length
expect 3 bad_index
expect 4 bad_index
ierr=$(tp_query host "show port stats 0" | sed -n 's/.*RX-errors: *\([0-9]*\).*/\1/p' | tail -1)
[ "${ierr:-0}" -ge 5 ] || fail "RX-errors ($ierr) do not count the violations"
old=$(xget "$TP_DIR/x1" q0_epoch)

info "port restart, then random writes"
tp_cmd host stop
tp_cmd host "port stop 0"
tp_cmd host "port start 0"
tp_cmd host start
"$HOSTILE" --region "$REGION" --queues $Q --entries $E --phase random \
	--seconds 3 --seed "$((RANDOM * 65536 + RANDOM))" --old-epoch "$old" ||
	fail "hostile random phase did not run"
sleep 0.5
kill -0 "$(tp_pid host)" || fail "testpmd died under random writes"
tp_xstats host 0 >"$TP_DIR/x2"
new=$(xget "$TP_DIR/x2" q0_epoch)
[ "$new" != "$old" ] || fail "port restart did not start a new epoch"
# The counters carry over the port restart: count what the random phase
# added.
viol=0
for q in $(seq 0 $((Q - 1))); do
	for k in bad_index bad_length bad_header; do
		viol=$((viol + $(xget "$TP_DIR/x2" "q${q}_$k") - $(xget "$TP_DIR/x1" "q${q}_$k")))
	done
done
info "epoch $old -> $new, violations counted under random writes: $viol"
[ "$viol" -ge 1 ] || fail "random writes produced no counted violation"
tp_cmd host stop
tp_quit host

# The default reset_failed=1: the host's watch gives the hostile guest a new
# region each second, which it attacks again at once (--follow). The watch
# parks and re-creates under load from the forwarding lcore; testpmd must
# survive every round and quit cleanly, and the counters must add up across
# the rounds.
info "reset_failed=1: random writes against the host's watch"
rm -f "$REGION"
tp_start host2 "-l 0,1" "net_folio0,role=host,path=$REGION,queues=$Q,ring_entries=$E" \
	--forward-mode=io --rxq=$Q --txq=$Q
tp_cmd host2 start
"$HOSTILE" --region "$REGION" --queues $Q --entries $E --phase random --follow \
	--seconds 5 --seed "$((RANDOM * 65536 + RANDOM))" >"$TP_DIR/follow.out" ||
	fail "hostile follow phase did not run"
kill -0 "$(tp_pid host2)" || fail "testpmd died while its watch re-created regions"
tp_xstats host2 0 >"$TP_DIR/x3"
restarts=$(xget "$TP_DIR/x3" restarts)
viol=0
for q in $(seq 0 $((Q - 1))); do
	for k in bad_index bad_length bad_header; do
		viol=$((viol + $(xget "$TP_DIR/x3" "q${q}_$k")))
	done
done
info "$(cat "$TP_DIR/follow.out"); restarts $restarts, violations $viol"
[ "$restarts" -ge 2 ] || fail "the watch re-created the region $restarts times in 5 s of attacks"
[ "$viol" -ge "$restarts" ] || fail "$restarts restarts but only $viol violations counted"
tp_cmd host2 stop
tp_quit host2
echo "PASS"
