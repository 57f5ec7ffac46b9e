#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Stock dpdk-testpmd on both sides of a net_folio channel:
#  1. guest txonly -> host rxonly, then the guest is killed (SIGKILL): the
#     host keeps running, and every frame the guest published was received;
#  2. host txonly -> guest rxonly; the host quits, a new host starts on the
#     same region, is killed (SIGKILL), and a third one starts: the guest
#     re-attaches each time (attach = 1, 2, 3) and has received every frame
#     the hosts published, with no crash and no violation anywhere.
# Counters come from `show port stats` / `show port xstats` of each testpmd.
set -uo pipefail
PMD_SO=$1
. "$(dirname "$0")/lib.sh"
tp_prereq
SEGS=${2:-64}   # testpmd --txpkts: one size, or segment sizes "a,b" (gathered)
SIZE=$(( ${SEGS//,/+} ))
HOSTARGS=${3:+,$3} # extra host devargs, e.g. zc_min=4096 (copy mode)
REGION=/dev/shm/$TP_TAG-region
at_exit "rm -f $REGION"
FWD_RX="-l 0,1"              # forwarding lcore 1
FWD_TX="-l 0,1 --main-lcore 1" # forwarding lcore 0

# ---- 1. guest txonly -> host rxonly ----------------------------------------
info "guest txonly -> host rxonly, $SIZE B"
tp_start hostrx "$FWD_RX" "net_folio0,role=host,path=$REGION$HOSTARGS" --forward-mode=rxonly
tp_cmd hostrx start
tp_start guesttx "$FWD_TX" "net_folio0,role=guest,path=$REGION" \
	--forward-mode=txonly --txpkts="$SEGS"
tp_cmd guesttx start
sleep 3
tp_cmd guesttx stop
tp_wait_log guesttx "Done\." 20 || fail "guesttx did not stop"
tp_xstats guesttx 0 >"$TP_DIR/g1.x"
tp_kill guesttx
sleep 1 # the receiver drains what is left in the ring
tp_xstats hostrx 0 >"$TP_DIR/h1.x"
sent=$(xget "$TP_DIR/g1.x" q0_tx_frames)
got=$(xget "$TP_DIR/h1.x" q0_rx_frames)
pkts=$(xget "$TP_DIR/h1.x" rx_good_packets)
info "guest published $sent frames, host received $got (rx_good_packets $pkts)"
[ "$sent" -gt 1000 ] || fail "guest published only $sent frames"
[ "$got" = "$sent" ] || fail "channel lost frames: sent $sent, received $got"
[ "$pkts" = "$got" ] || fail "ethdev stats ($pkts) differ from folio counters ($got)"
[ "$(xget "$TP_DIR/h1.x" rx_good_bytes)" = $((sent * SIZE)) ] ||
	fail "byte count: $(xget "$TP_DIR/h1.x" rx_good_bytes) != $((sent * SIZE))"
tp_no_violations "$TP_DIR/g1.x" 0 guest
tp_no_violations "$TP_DIR/h1.x" 0 host
[ "$(xget "$TP_DIR/h1.x" q0_state)" = 1 ] || fail "host queue not ready"
kill -0 "$(tp_pid hostrx)" || fail "host died when the guest exited"
tp_quit hostrx

# ---- 2. host txonly -> guest rxonly, host restart ----------------------------
info "host txonly -> guest rxonly, $SIZE B, with a host restart"
rm -f "$REGION"
# The guest starts first: the region does not exist yet; it must not block.
tp_start guestrx "$FWD_RX" "net_folio0,role=guest,path=$REGION" --forward-mode=rxonly
tp_cmd guestrx start
total_sent=0
for round in 1 2 3; do
	tp_start "hosttx$round" "$FWD_TX" "net_folio0,role=host,path=$REGION$HOSTARGS" \
		--forward-mode=txonly --txpkts="$SEGS"
	tp_cmd "hosttx$round" start
	sleep 3
	tp_cmd "hosttx$round" stop
	tp_wait_log "hosttx$round" "Done\." 20 || fail "hosttx$round did not stop"
	tp_xstats "hosttx$round" 0 >"$TP_DIR/h2$round.x"
	tp_no_violations "$TP_DIR/h2$round.x" 0 "host round $round"
	s=$(xget "$TP_DIR/h2$round.x" q0_tx_frames)
	[ "$s" -gt 1000 ] || fail "host round $round published only $s frames"
	total_sent=$((total_sent + s))
	sleep 1 # the guest drains the ring before the host goes away
	if [ $round = 2 ]; then tp_kill "hosttx$round"; else tp_quit "hosttx$round"; fi
	sleep 0.5
	kill -0 "$(tp_pid guestrx)" || fail "guest died when the host exited"
	tp_xstats guestrx 0 >"$TP_DIR/g2$round.x"
	tp_no_violations "$TP_DIR/g2$round.x" 0 "guest after round $round"
	got=$(xget "$TP_DIR/g2$round.x" q0_rx_frames)
	att=$(xget "$TP_DIR/g2$round.x" q0_attach)
	info "round $round: hosts published $total_sent, guest received $got, attach $att"
	[ "$got" = "$total_sent" ] || fail "round $round: sent $total_sent, received $got"
	[ "$att" = "$round" ] || fail "guest attached $att times after round $round"
done
tp_quit guestrx
echo "PASS"
