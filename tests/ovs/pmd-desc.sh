#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Descriptor counts are hints: the ring is fixed by the configuration.
#  1. A host asked for 2048 rx and 4096 tx descriptors (more than the ring's
#     256 entries; OVS asks 2048 by default) and a guest asked for 64 both
#     start; each logs the hint once; `show rxq/txq info` reports the
#     ring's real 256 entries; guest txonly -> host rxonly passes frames.
#  2. The queue count stays refused when it differs from the config.
set -uo pipefail
PMD_SO=$1
. "$(dirname "$0")/../pmd/lib.sh"
tp_prereq
REGION=/dev/shm/$TP_TAG-desc-region
at_exit "rm -f $REGION"
GEO="ring_entries=256"

tp_start host "-l 0,1" "net_folio0,role=host,path=$REGION,$GEO" \
	--forward-mode=rxonly --rxd=2048 --txd=4096
tp_cmd host start
tp_start guest "-l 0,1 --main-lcore 1" "net_folio0,role=guest,path=$REGION,$GEO" \
	--forward-mode=txonly --rxd=64 --txd=64
tp_cmd guest start
for who in host guest; do
	n=$(grep -c "descriptors asked; the ring has 256 entries" "$(tp_log $who)")
	[ "$n" = 1 ] || fail "$who: the descriptor hint was logged $n times, not once"
	rx=$(tp_query $who "show rxq info 0 0" | sed -n 's/.*Number of RXDs: *\([0-9]*\).*/\1/p')
	tx=$(tp_query $who "show txq info 0 0" | sed -n 's/.*Number of TXDs: *\([0-9]*\).*/\1/p')
	[ "$rx" = 256 ] && [ "$tx" = 256 ] ||
		fail "$who: rxq/txq info report $rx/$tx descriptors, the ring has 256"
done
info "hints 2048/4096 and 64/64 accepted, logged once, rxq/txq info say 256"
sleep 2
tp_cmd guest stop
tp_wait_log guest "Done\." 20 || fail "guest did not stop"
sleep 0.5
tp_xstats guest 0 >"$TP_DIR/g.x"
tp_xstats host 0 >"$TP_DIR/h.x"
sent=$(xget "$TP_DIR/g.x" q0_tx_frames) got=$(xget "$TP_DIR/h.x" q0_rx_frames)
info "guest sent $sent, host received $got"
[ "$sent" -gt 1000 ] && [ "$got" = "$sent" ] || fail "sent $sent, received $got"
tp_quit guest
tp_quit host

# ---- 2. the queue count is not a hint ----------------------------------------
rm -f "$REGION"
log=$TP_DIR/q2.log
timeout -s KILL 60 dpdk-testpmd -l 0,1 --no-huge --no-pci -m 256 --file-prefix "$TP_TAG-q2" \
	-d "$PMD_SO" --vdev "net_folio0,role=host,path=$REGION,$GEO" -- \
	--rxq=2 --txq=2 --no-mlockall --total-num-mbufs=4096 --disable-link-check \
	--forward-mode=rxonly --stats-period 1 </dev/null >"$log" 2>&1 &
pid=$!
track_pid "$pid"
# dev_info says 1 queue, so testpmd (or ethdev, or the PMD) refuses 2.
REFUSED="max_rx_queues (1)\|nb_rx_queues=2 > 1\|2 rx / 2 tx queues asked, the fixed config has 1"
for _ in $(seq 100); do
	grep -q "$REFUSED" "$log" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
grep -q "$REFUSED" "$log" ||
	fail "2 queues not refused: $(tail -5 "$log")"
info "2 queues refused"
echo PASS
