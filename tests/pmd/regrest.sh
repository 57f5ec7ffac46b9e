#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A guest that restarts against a running host. The first guest is killed
# (it cannot withdraw its ack); the second refuses the epoch the first one
# acked and withdraws the ack, so the host sees the guest leave (peer_left,
# FOLIO_EGONE), not a violation, and carries nothing. A host port restart
# (port stop / port start) starts a new epoch, the new guest attaches and its
# frames flow. No process may crash.
set -uo pipefail
PMD_SO=$1
. "$(dirname "$0")/lib.sh"
tp_prereq
REGION=/dev/shm/$TP_TAG-region
TP_CLEAN+=("rm -f $REGION")

tp_start host "-l 0,1" "net_folio0,role=host,path=$REGION" --forward-mode=rxonly
tp_cmd host start
for g in 1 2; do
	tp_start "guest$g" "-l 0,1 --main-lcore 1" "net_folio0,role=guest,path=$REGION" \
		--forward-mode=txonly --txpkts=64
	tp_cmd "guest$g" start
	sleep 2
	tp_cmd "guest$g" stop
	tp_wait_log "guest$g" "Done\." 20 || tp_fail "guest$g did not stop"
	[ $g = 2 ] || tp_kill guest1
done
tp_xstats host 0 >"$TP_DIR/h1.x"
tp_xstats guest2 0 >"$TP_DIR/g1.x"
tp_info "after the guest restart: host q0 state $(xget "$TP_DIR/h1.x" q0_state), peer_left $(xget "$TP_DIR/h1.x" q0_peer_left), guest2 tx_frames $(xget "$TP_DIR/g1.x" q0_tx_frames)"
[ "$(xget "$TP_DIR/h1.x" q0_state)" != 1 ] || tp_fail "host queue still ready after the guest left"
[ "$(xget "$TP_DIR/h1.x" q0_peer_left)" -ge 1 ] || tp_fail "the guest leaving was not counted"
[ "$(xget "$TP_DIR/g1.x" q0_tx_frames)" = 0 ] || tp_fail "guest2 sent into the old epoch"
tp_no_violations "$TP_DIR/h1.x" 0 host
old=$(xget "$TP_DIR/h1.x" q0_epoch)

tp_cmd host stop
tp_cmd host "port stop 0"
tp_cmd host "port start 0"
tp_cmd host start
tp_xstats guest2 0 >"$TP_DIR/g0.x"
tp_cmd guest2 start
sleep 2
tp_cmd guest2 stop
tp_wait_log guest2 "Done\." 20 2 || tp_fail "guest2 did not stop"
tp_xstats guest2 0 >"$TP_DIR/g2.x"
sleep 1
tp_xstats host 0 >"$TP_DIR/h2.x"
sent=$(( $(xget "$TP_DIR/g2.x" q0_tx_frames) - $(xget "$TP_DIR/g0.x" q0_tx_frames) ))
got=$(xget "$TP_DIR/h2.x" q0_rx_frames)
tp_info "after the host port restart: epoch $old -> $(xget "$TP_DIR/h2.x" q0_epoch), guest sent $sent, host got $got"
[ "$(xget "$TP_DIR/h2.x" q0_state)" = 1 ] || tp_fail "host queue not ready after the restart"
[ "$sent" -gt 1000 ] || tp_fail "guest sent only $sent frames after the host restart"
[ "$got" = "$sent" ] || tp_fail "sent $sent, host received $got"
tp_no_violations "$TP_DIR/g2.x" 0 guest2
tp_quit guest2
tp_cmd host stop
tp_quit host
echo PASS
