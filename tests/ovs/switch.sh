#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# net_folio as a port of the stock ovs-vswitchd-dpdk. A private OVS
# (tests/ovs/lib.sh): one netdev bridge with three net_folio host ports g1,
# g2, g3 and a net_af_packet port to a peer namespace over veth; g1 and g2
# are folio-tapd guests in their own namespaces.
#  1. TCP transfers, sha256-checked, both ways guest<->guest and
#     guest<->peer, and an iperf3 rate each way.
#  2. OpenFlow: a drop rule for g2's IP traffic to the peer holds while
#     g2<->g1 still passes; a source-MAC rule on g1 drops its frames once
#     the guest spoofs its MAC, and passes them again once it stops.
#  3. Header rewrite: a guest (fp_rewrite on g3's region) publishes UDP
#     frames to an allowed port and flips the port of frames it has
#     already published to a denied one. Not one frame to the denied port
#     may reach the peer.
set -uo pipefail
# shellcheck disable=SC2034 # used by lib.sh
PMD_SO=$1
. "$(dirname "$0")/lib.sh"
o_require
[ -x "${FP_REWRITE:-}" ] || skip "fp_rewrite not built"
o_topo
o_db
o_switch
o_bridge
for n in 1 2 3; do o_port $n; done
o_guest 1
o_guest 2
G1=$(o_gns 1) G2=$(o_gns 2)
o_ping "$G1" "$(o_gip 2)" 40 || fail "g1 cannot reach g2 through OVS"
o_ping "$G1" "$PEER_IP" 20 || fail "g1 cannot reach the peer through OVS"
o_ping "$G2" "$PEER_IP" 20 || fail "g2 cannot reach the peer through OVS"
log "all reachable through $BR"

# ---- 1. transfers ------------------------------------------------------------
SZ=${OVS_XFER_BYTES:-4000000}
o_xfer "$G1" "$G2" "$(o_gip 2)" "$SZ" g1-g2 || fail "g1 -> g2 transfer"
o_xfer "$G2" "$G1" "$(o_gip 1)" "$SZ" g2-g1 || fail "g2 -> g1 transfer"
o_xfer "$G1" "$NS_PEER" "$PEER_IP" "$SZ" g1-peer || fail "g1 -> peer transfer"
o_xfer "$NS_PEER" "$G1" "$(o_gip 1)" "$SZ" peer-g1 || fail "peer -> g1 transfer"
for d in "$G1 $G2 $(o_gip 2) g1-g2" "$G1 $NS_PEER $PEER_IP g1-peer" "$NS_PEER $G1 $(o_gip 1) peer-g1"; do
	set -- $d
	log "iperf3 $4: $(o_iperf "$1" "$2" "$3" 2 "ip-$4") Mbit/s"
done

# ---- 2. OpenFlow rules -------------------------------------------------------
ofctl add-flow "$BR" "priority=100,ip,in_port=2,nw_dst=$PEER_IP,actions=drop" || fail "add-flow"
ofctl add-flow "$BR" "priority=110,in_port=1,dl_src=$(o_gmac 1),actions=NORMAL"
ofctl add-flow "$BR" "priority=105,in_port=1,actions=drop"
nsx "$G2" ping -c 3 -W 1 -q "$PEER_IP" >/dev/null 2>&1 && fail "g2 reached the peer past the drop rule"
if O_XFER_LIMIT=4 o_xfer "$G2" "$NS_PEER" "$PEER_IP" 100000 g2-peer-denied 2>/dev/null; then
	fail "a TCP transfer g2 -> peer passed the drop rule"
fi
d=$(o_flow_packets "nw_dst=$PEER_IP")
[ "${d:-0}" -gt 0 ] || fail "the drop rule counted no packets"
o_xfer "$G2" "$G1" "$(o_gip 1)" 1000000 g2-g1-allowed || fail "g2 -> g1 stopped passing"
log "drop rule g2 -> peer holds ($d packets dropped), g2 -> g1 passes"
o_ping "$G1" "$PEER_IP" 5 || fail "g1 with its own MAC no longer passes"
tap1=ft1$OT
nsx "$G1" ip neigh flush dev "$tap1"
nsx "$NS_PEER" ip neigh flush dev "$VETH_P"
before=$(o_flow_packets "priority=105")
nsx "$G1" ip link set "$tap1" address 02:f0:07:00:00:99
nsx "$G1" ping -c 3 -W 1 -q "$PEER_IP" >/dev/null 2>&1 && fail "spoofed frames from g1 reached the peer"
after=$(o_flow_packets "priority=105")
[ "$after" -gt "$before" ] || fail "the anti-spoofing rule counted no frames ($before -> $after)"
nsx "$NS_PEER" ip neigh show | grep -q "02:f0:07:00:00:99" && fail "the peer learned the spoofed MAC"
nsx "$G1" ip link set "$tap1" address "$(o_gmac 1)"
o_ping "$G1" "$PEER_IP" 10 || fail "g1 does not pass again with its own MAC"
log "anti-spoofing: $((after - before)) spoofed frames dropped, the real MAC passes"

# ---- 3. header rewrite after publication -------------------------------------
ALLOW=9 DENY=7
ofctl add-flow "$BR" "priority=200,udp,in_port=3,tp_dst=$ALLOW,actions=output:100"
ofctl add-flow "$BR" "priority=190,in_port=3,actions=drop"
SECS=${OVS_REWRITE_SECS:-4}
nsx "$NS_PEER" python3 "$(dirname "$0")/udpcount.py" "$VETH_P" "$(o_gip 3)" $((SECS + 3)) \
	$ALLOW $DENY >"$OW/count.out" 2>"$OW/count.err" &
cpid=$!
track_pid "$cpid"
for _ in $(seq 50); do grep -q ready "$OW/count.err" && break; sleep 0.1; done
"$FP_REWRITE" --region "$(o_region 3)" --seconds "$SECS" --src-mac "$(o_gmac 3)" \
	--dst-mac "$PEER_MAC" --src-ip "$(o_gip 3)" --dst-ip "$PEER_IP" \
	--allow-port $ALLOW --deny-port $DENY >"$OW/rewrite.out" 2>&1 ||
	fail "fp_rewrite: $(cat "$OW/rewrite.out")"
wait "$cpid"
log "$(cat "$OW/rewrite.out"); at the peer: $(cat "$OW/count.out")"
passed=$(sed -n "s/.*$DENY=\([0-9]*\).*/\1/p" "$OW/count.out")
allowed=$(sed -n "s/.*$ALLOW=\([0-9]*\).*/\1/p" "$OW/count.out")
[ "${allowed:-0}" -gt 100 ] || fail "only ${allowed:-0} allowed frames reached the peer"
[ "${passed:-1}" = 0 ] || fail "$passed frames to the denied port passed the drop rule"
kill -0 "$O_SW_PID" || fail "ovs-vswitchd died"
log "header rewrite: $allowed allowed frames passed, 0 to the denied port"
echo PASS
