#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Host receive with RTE_ETH_RX_OFFLOAD_SCATTER: each frame longer than 128
# bytes comes as a private copy of its first 128 bytes and a lent segment
# over exactly the rest of the frame. Stock dpdk-testpmd forwards (io)
# between two net_folio host ports with --enable-scatter, its transmit
# gathering the two segments; two folio-tapd guests exchange TCP data
# through it, sha256-checked both ways; `show rxq info` says scattered.
set -uo pipefail
PMD_SO=$1
. "$(dirname "$0")/lib.sh"
o_require
command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd not installed"
for n in 1 2; do o_config $n >/dev/null; at_exit "rm -f $(o_region $n)"; done
fifo=$OW/tp.in
mkfifo "$fifo"
timeout -s KILL 120 stdbuf -oL dpdk-testpmd -l 0,1 --no-huge --no-pci -m 512 \
	--file-prefix "split$OT" -d "$PMD_SO" \
	--vdev "net_folio1,role=host,config=$OW/g1.conf" \
	--vdev "net_folio2,role=host,config=$OW/g2.conf" -- -i --no-mlockall \
	--total-num-mbufs=16384 --disable-link-check --enable-scatter \
	--forward-mode=io <"$fifo" >"$OW/tp.log" 2>&1 &
tp=$!
track_pid "$tp"
at_exit "rm -rf /var/run/dpdk/split$OT"
exec {tpfd}>"$fifo"
for _ in $(seq 300); do grep -q "testpmd> " "$OW/tp.log" && break; sleep 0.1; done
grep -q "testpmd> " "$OW/tp.log" || fail "testpmd did not start: $(tail -5 "$OW/tp.log")"
echo "start" >&$tpfd
echo "show rxq info 0 0" >&$tpfd
o_guest 1
o_guest 2
G1=$(o_gns 1) G2=$(o_gns 2)
o_ping "$G1" "$(o_gip 2)" 40 || fail "g1 cannot reach g2 through testpmd"
grep -q "RX scattered packets: on" "$OW/tp.log" || fail "rxq info does not say scattered: $(grep -A12 'RX queue' "$OW/tp.log")"
o_xfer "$G1" "$G2" "$(o_gip 2)" 4000000 g1-g2 || fail "g1 -> g2 transfer"
o_xfer "$G2" "$G1" "$(o_gip 1)" 4000000 g2-g1 || fail "g2 -> g1 transfer"
log "iperf3 g1-g2: $(o_iperf "$G1" "$G2" "$(o_gip 2)" 2 ip-g1-g2) Mbit/s"
echo "show port xstats all" >&$tpfd
sleep 1
for k in q0_bad_index q0_bad_length q0_bad_header; do
	v=$(grep -E "^ *$k: " "$OW/tp.log" | awk '{ s += $2 } END { print s + 0 }')
	[ "$v" = 0 ] || fail "host $k = $v"
done
echo "quit" >&$tpfd
wait "$tp"; rc=$?
[ $rc = 0 ] || fail "testpmd exited with $rc: $(tail -5 "$OW/tp.log")"
echo PASS
