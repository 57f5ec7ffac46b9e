#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# io forwarding between net_folio (host role) and net_af_packet on a veth.
# Two namespaces made here: A holds the host testpmd's veth end, B the peer
# end where a raw socket counts and sends frames. 198.18.0.0/15 only.
#  1. guest txonly (198.18.0.1 -> 198.18.0.2 UDP) -> folio -> af_packet ->
#     veth -> counted in B; the Folio channel itself drops nothing.
#  2. B sends marked frames -> veth -> af_packet -> folio -> guest rxonly.
set -uo pipefail
PMD_SO=$1
. "$(dirname "$0")/lib.sh"
tp_prereq
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "iproute2 missing"
python3 -c 'import socket; socket.AF_PACKET' 2>/dev/null || skip "python3 without AF_PACKET"

NSA=fpmdA$$ NSB=fpmdB$$ VA=fpa$$ VB=fpb$$
REGION=/dev/shm/$TP_TAG-region
at_exit "rm -f $REGION" "ip netns del $NSA" "ip netns del $NSB"
ip netns add "$NSA" || skip "cannot create a network namespace"
ip netns add "$NSB" || fail "cannot create namespace $NSB"
ip link add "$VA" netns "$NSA" type veth peer name "$VB" netns "$NSB" ||
	fail "cannot create the veth pair"
for ns in "$NSA" "$NSB"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
ip netns exec "$NSA" ip link set "$VA" up
ip netns exec "$NSB" ip link set "$VB" up
for pair in "$NSA $VA" "$NSB $VB"; do
	set -- $pair
	ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
done
MACB=$(ip netns exec "$NSB" cat /sys/class/net/"$VB"/address)

# Count (or send) frames on VB from namespace B.
cat >"$TP_DIR/peer.py" <<'PY'
import socket, struct, sys, time
mode, ifname = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((ifname, 0))
if mode == "count":
    secs = float(sys.argv[3]); end = time.time() + secs; n = 0
    s.settimeout(0.2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 24)
    while time.time() < end:
        try:
            f = s.recv(65535)
        except socket.timeout:
            continue
        # IPv4, UDP, 198.18.0.1 -> 198.18.0.2: testpmd txonly's frames
        if len(f) >= 34 and f[12:14] == b"\x08\x00" and f[23] == 17 and \
           f[26:30] == bytes([198, 18, 0, 1]) and f[30:34] == bytes([198, 18, 0, 2]):
            n += 1
    open(sys.argv[4], "w").write(f"{n}\n")
else:
    dst = bytes.fromhex(sys.argv[3].replace(":", "")); count = int(sys.argv[4])
    src = bytes.fromhex(open(f"/sys/class/net/{ifname}/address").read().strip().replace(":", ""))
    for i in range(count):
        s.send(dst + src + b"\x88\xb5" + struct.pack("!I", i) + b"folio-pmd-test" + bytes(42))
        if i % 50 == 49:
            time.sleep(0.01)
PY

info "1. guest txonly -> folio -> af_packet -> veth ($NSA/$VA -> $NSB/$VB)"
TP_PREFIX_CMD="ip netns exec $NSA" TP_VDEV2="net_af_packet0,iface=$VA,framecnt=4096" \
	tp_start host "-l 0,1" "net_folio0,role=host,path=$REGION" --forward-mode=io
tp_cmd host start
tp_start guest "-l 0,1 --main-lcore 1" "net_folio0,role=guest,path=$REGION" \
	--forward-mode=txonly --txpkts=64 --eth-peer="0,$MACB"
ip netns exec "$NSB" timeout 30 python3 "$TP_DIR/peer.py" count "$VB" 5 "$TP_DIR/count" &
CP=$!
track_pid "$CP"
sleep 1
tp_cmd guest start
sleep 2
tp_cmd guest stop
tp_wait_log guest "Done\." 20 || fail "guest did not stop"
wait "$CP" || fail "counter in $NSB failed"
sleep 0.5
tp_xstats guest 0 >"$TP_DIR/g.x"
tp_xstats host 0 >"$TP_DIR/h0.x"
tp_xstats host 1 >"$TP_DIR/h1.x"
sent=$(xget "$TP_DIR/g.x" q0_tx_frames)
took=$(xget "$TP_DIR/h0.x" q0_rx_frames)
afout=$(xget "$TP_DIR/h1.x" tx_good_packets)
seen=$(cat "$TP_DIR/count")
info "guest published $sent, host took $took, af_packet sent $afout, counted in $NSB: $seen"
[ "$sent" -gt 1000 ] || fail "guest published only $sent frames"
[ "$took" = "$sent" ] || fail "folio channel lost frames: $sent sent, $took taken"
[ "$seen" -ge 1000 ] || fail "only $seen frames came out of the veth"
[ "$seen" -le "$afout" ] || fail "counted $seen > af_packet sent $afout"
tp_no_violations "$TP_DIR/g.x" 0 guest
tp_no_violations "$TP_DIR/h0.x" 0 host

info "2. $NSB -> veth -> af_packet -> folio -> guest rxonly"
N=2000
tp_cmd guest "set fwd rxonly"
tp_cmd guest start
sleep 0.5
ip netns exec "$NSB" timeout 60 python3 "$TP_DIR/peer.py" send "$VB" 02:f0:00:00:00:01 $N ||
	fail "sender in $NSB failed"
sleep 1
tp_xstats guest 0 >"$TP_DIR/g2.x"
tp_xstats host 0 >"$TP_DIR/h02.x"
tp_xstats host 1 >"$TP_DIR/h12.x"
got=$(xget "$TP_DIR/g2.x" q0_rx_frames)
put=$(xget "$TP_DIR/h02.x" q0_tx_frames)
afin=$(xget "$TP_DIR/h12.x" rx_good_packets)
info "af_packet took $afin, host published $put into folio, guest received $got (sent $N from $NSB)"
[ "$got" = "$put" ] || fail "folio channel lost frames: $put published, $got received"
[ "$put" = "$afin" ] || fail "host forwarded $put of the $afin frames af_packet took"
# The kernel's packet ring may drop a burst while the shared CPUs are busy;
# the Folio channel may not (checked above).
[ "$got" -ge $((N / 2)) ] || fail "guest received only $got of $N frames"
tp_no_violations "$TP_DIR/g2.x" 0 guest
tp_no_violations "$TP_DIR/h02.x" 0 host
tp_cmd guest stop
tp_quit guest
tp_cmd host stop
tp_quit host
echo "PASS"
