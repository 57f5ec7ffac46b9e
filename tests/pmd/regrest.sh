#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# regrest.sh PMD_SO manual|auto|auto-fence: a guest that restarts against a running
# host. The first guest is killed (it cannot withdraw its ack); the second
# refuses the epoch the first one acked and withdraws the ack, so the host
# sees the guest leave (peer_left, FOLIO_EGONE), not a violation.
#   manual  reset_failed=0: the host carries nothing until a port restart
#           (port stop / port start) starts a new epoch.
#   auto    the default reset_failed=1: the host's watch re-creates the
#           region by itself, the new guest attaches and its frames flow,
#           with no command given to the host.
#   auto-fence  the same with park=fence: bursts fence themselves instead
#           of relying on the watch's membarrier(2).
# Either way the counters carry over, no frame is lost after the new epoch,
# and no process may crash.
set -uo pipefail
PMD_SO=$1 MODE=${2:-manual}
. "$(dirname "$0")/lib.sh"
tp_prereq
REGION=/dev/shm/$TP_TAG-region
at_exit "rm -f $REGION"
case "$MODE" in
manual) HOSTARG=",reset_failed=0" ;;
auto) HOSTARG="" ;;
auto-fence) HOSTARG=",park=fence" ;;
*) fail "mode must be manual, auto or auto-fence, not '$MODE'" ;;
esac

tp_start host "-l 0,1" "net_folio0,role=host,path=$REGION$HOSTARG" --forward-mode=rxonly
tp_cmd host start
tp_start guest1 "-l 0,1 --main-lcore 1" "net_folio0,role=guest,path=$REGION" \
	--forward-mode=txonly --txpkts=64
tp_cmd guest1 start
sleep 2
tp_cmd guest1 stop
tp_wait_log guest1 "Done\." 20 || fail "guest1 did not stop"
tp_xstats guest1 0 >"$TP_DIR/g1.x"
tp_kill guest1
sleep 0.5
tp_xstats host 0 >"$TP_DIR/h0.x"
sent1=$(xget "$TP_DIR/g1.x" q0_tx_frames)
got1=$(xget "$TP_DIR/h0.x" q0_rx_frames)
old=$(xget "$TP_DIR/h0.x" q0_epoch)
info "guest1 sent $sent1, host got $got1 in epoch $old"
[ "$sent1" -gt 1000 ] && [ "$got1" = "$sent1" ] || fail "guest1: sent $sent1, host got $got1"

# guest2: a restarted guest. It refuses the epoch guest1 acked.
tp_start guest2 "-l 0,1 --main-lcore 1" "net_folio0,role=guest,path=$REGION" \
	--forward-mode=txonly --txpkts=64
if [ "$MODE" = manual ]; then
	tp_cmd guest2 start
	sleep 2
	tp_cmd guest2 stop
	tp_wait_log guest2 "Done\." 20 || fail "guest2 did not stop"
	tp_xstats host 0 >"$TP_DIR/h1.x"
	tp_xstats guest2 0 >"$TP_DIR/g2a.x"
	info "with reset_failed=0: host q0 state $(xget "$TP_DIR/h1.x" q0_state), peer_left $(xget "$TP_DIR/h1.x" q0_peer_left), guest2 tx_frames $(xget "$TP_DIR/g2a.x" q0_tx_frames)"
	[ "$(xget "$TP_DIR/h1.x" q0_state)" != 1 ] || fail "host queue still ready after the guest left"
	[ "$(xget "$TP_DIR/h1.x" q0_peer_left)" -ge 1 ] || fail "the guest leaving was not counted"
	[ "$(xget "$TP_DIR/h1.x" q0_epoch)" = "$old" ] || fail "the host changed epoch with reset_failed=0"
	[ "$(xget "$TP_DIR/h1.x" restarts)" = 0 ] || fail "the host restarted with reset_failed=0"
	[ "$(xget "$TP_DIR/g2a.x" q0_tx_frames)" = 0 ] || fail "guest2 sent into the old epoch"
	tp_no_violations "$TP_DIR/h1.x" 0 host
	tp_cmd host stop
	tp_cmd host "port stop 0"
	tp_cmd host "port start 0"
	tp_cmd host start
fi
# The new epoch: manual after the port restart, auto from the watch. A
# guest that is not attached yet keeps its frames (txonly retries).
tp_xstats guest2 0 >"$TP_DIR/g2b.x"
tp_cmd guest2 start
sleep 3
tp_cmd guest2 stop
tp_wait_log guest2 "Done\." 20 "$([ "$MODE" = manual ] && echo 2 || echo 1)" ||
	fail "guest2 did not stop"
tp_xstats guest2 0 >"$TP_DIR/g2c.x"
sleep 1
tp_xstats host 0 >"$TP_DIR/h2.x"
sent=$(( $(xget "$TP_DIR/g2c.x" q0_tx_frames) - $(xget "$TP_DIR/g2b.x" q0_tx_frames) ))
got=$(( $(xget "$TP_DIR/h2.x" q0_rx_frames) - got1 ))
new=$(xget "$TP_DIR/h2.x" q0_epoch)
info "$MODE: epoch $old -> $new, restarts $(xget "$TP_DIR/h2.x" restarts), peer_left $(xget "$TP_DIR/h2.x" q0_peer_left), guest2 sent $sent, host got $got"
[ "$(xget "$TP_DIR/h2.x" q0_state)" = 1 ] || fail "host queue not ready in the new epoch"
[ "$new" != "$old" ] || fail "no new epoch"
[ "$sent" -gt 1000 ] || fail "guest2 sent only $sent frames in the new epoch"
[ "$got" = "$sent" ] || fail "guest2 sent $sent, host received $got"
[ "$(xget "$TP_DIR/h2.x" q0_peer_left)" -ge 1 ] || fail "the counters did not carry over (peer_left)"
if [ "$MODE" != manual ]; then
	[ "$(xget "$TP_DIR/h2.x" restarts)" -ge 1 ] || fail "the watch did not count its restart"
	grep -q "re-created, epoch $new" "$TP_DIR/host.log" || fail "no log line for the restart"
fi
tp_no_violations "$TP_DIR/h2.x" 0 host
tp_no_violations "$TP_DIR/g2c.x" 0 guest2
tp_quit guest2
tp_cmd host stop
tp_quit host
echo PASS
