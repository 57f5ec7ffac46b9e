#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The sealed channel end to end, in network namespaces made here (the
# topology of tests/e2e/topo.sh):
#   cvm : folio-tapd, sealing in userspace with libfolio (guest config)
#   hst : folio-hostd on veth vh, configured with the wire MTU (mtu + 32)
#   peer: veth vp, under a Linux macsec0 with static keys (macsec mode)
#
#   test_macsec.sh canary  the host's view: a canary sent by the cvm is seen
#                          by a capture of the host's wire and in the region in a plain
#                          run (the scan works), and never in a sealed run
#   test_macsec.sh macsec  interop with the kernel's macsec, GCM-AES-128 and
#                          GCM-AES-256: ping, TCP with sha256-checked payloads
#                          both ways (carrying the canary, captured on the wire:
#                          0 hits), iperf3 both ways; the kernel's counters
#                          and folio-tapd's agree: no ICV failure, no replay
# Exit 77 with the reason when not root, tools are missing, or the kernel
# has no macsec (CONFIG_MACSEC).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=${1:-macsec}
TAG=$(printf 's%05d' $(( $$ % 100000 )))
. "$here/../e2e/topo.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NT="$PY $here/nettool.py"
CANARY=FOLIO-SEAL-CANARY-5e1d
GKEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
PKEY=f0e0d0c0b0a090807060504030201000ffeeddccbbaa99887766554433221100
GMAC=02:f0:00:00:00:01
fail=0
bad() { log "FAIL: $*"; fail=1; }

topo_require
topo_up
HCFG=$WORK/host.conf
# The host carries the wire MTU: 1500 inside, + 32 of SecTAG and ICV.
RING_ENTRIES=1024 write_config "$HCFG" "$REGION"
sed -i 's/^mtu = .*/mtu = 1532/' "$HCFG"
for ns_if in "$NS_HST $VETH_H" "$NS_PEER $VETH_P"; do
	set -- $ns_if; nsx "$1" ip link set "$2" mtu 1532
done
PEER_MAC=$(nsx "$NS_PEER" cat "/sys/class/net/$VETH_P/address")
if [ "$mode" = macsec ]; then
	nsx "$NS_PEER" ip link add link "$VETH_P" name ms-probe type macsec port 9 2>/dev/null ||
		skip "the kernel has no macsec (CONFIG_MACSEC / macsec.ko not available)"
	nsx "$NS_PEER" ip link del ms-probe
fi
CFG=$HCFG hostd_start

guest_config() { # file seal-mode(off|gcm-aes-128|gcm-aes-256)
	install -m 600 /dev/null "$WORK/g.key"; install -m 600 /dev/null "$WORK/p.key"
	local n=32; [ "$2" = gcm-aes-256 ] && n=64
	echo "${GKEY:0:$n}" >"$WORK/g.key"
	echo "${PKEY:0:$n}" >"$WORK/p.key"
	write_config "$1" "$REGION"
	if [ "$2" = off ]; then
		sed -i 's/^mtu = .*/mtu = 1532/' "$1"
		return
	fi
	cat >>"$1" <<-EOF2
	seal = $2
	seal_key = $WORK/g.key
	seal_peer_key = $WORK/p.key
	seal_peer_sci = $PEER_MAC/1
	EOF2
}

tapd_run() { # seal-mode
	guest_config "$WORK/guest-$1.conf" "$1"
	CFG=$WORK/guest-$1.conf tapd_start --stats 1
	cp "$WORK/tapd.log" "$WORK/tapd-prev.log" 2>/dev/null || true
}

tapd_stop() { # name [seal]: stop it and check its exit line
	local ex k i n; n=$(grep -c "channel reset" "$WORK/hostd.1.log")
	stop_pid "$TAPD_PID"; TAPD_PID=
	# folio-hostd re-creates the channel of a guest that left: wait for
	# that, so the next guest does not attach to the epoch being retired.
	for i in $(seq 100); do
		[ "$(grep -c "channel reset" "$WORK/hostd.1.log")" -gt "$n" ] && break
		sleep 0.1
	done
	ex=$(grep "folio-tapd: exit:" "$WORK/tapd.log" | tail -n1)
	log "$1: ${ex#*exit: }"
	echo "$ex" | grep -q "violations=0 " || bad "$1: folio-tapd counted ring violations"
	[ -n "${2:-}" ] || return 0
	for k in seal_bad_frame seal_unknown_sci seal_bad_icv seal_replay; do
		echo "$ex" | grep -q " $k=0" || bad "$1: folio-tapd: $k is not 0"
	done
}

# Capture of what the host puts on the wire and takes from it, while "$@"
# runs: on vp, the far end of the host's veth (net_af_packet sends with
# PACKET_QDISC_BYPASS, which a capture on vh itself does not see).
capture() { # out-file command...
	local out=$1; shift
	ip netns exec "$NS_PEER" $NT sniff "$VETH_P" 6 "$CANARY" >"$out" &
	local sp=$!
	for i in $(seq 50); do grep -q ready "$out" 2>/dev/null && break; sleep 0.1; done
	"$@"
	wait "$sp"
}

canary_run() { # seal-mode: prints "capture-hits region-hits"
	tapd_run "$1"
	nsx "$NS_CVM" ip neigh replace "$PEER_IP" lladdr "$PEER_MAC" dev "$TAPIF"
	capture "$WORK/cap-$1" nsx "$NS_CVM" $NT udp "$PEER_IP" 9 200 "$CANARY"
	local c r f
	c=$(sed -n 's/.*hits=\([0-9]*\).*/\1/p' "$WORK/cap-$1")
	f=$(sed -n 's/frames=\([0-9]*\).*/\1/p' "$WORK/cap-$1")
	[ "${f:-0}" -ge 150 ] || bad "seal=$1: the capture saw only ${f:-0} frames of 200 sent"
	r=$($NT scan "$REGION" "$CANARY" | sed 's/hits=//')
	log "canary, seal=$1: $c capture hits ($(sed -n 's/frames=\([0-9]*\).*/\1/p' "$WORK/cap-$1") frames), $r region hits" >&2
	tapd_stop "canary seal=$1"
	echo "${c:-0} ${r:-0}"
}

if [ "$mode" = canary ]; then
	set -- $(canary_run off)
	[ "$1" -ge 1 ] && [ "$2" -ge 1 ] || bad "plain run: canary not found (capture $1, region $2): the scan is broken"
	for s in gcm-aes-128 gcm-aes-256; do
		set -- $(canary_run "$s")
		[ "$1" -eq 0 ] && [ "$2" -eq 0 ] || bad "$s: the host saw the canary (capture $1, region $2)"
	done
	[ $fail -eq 0 ] && log PASS
	exit $fail
fi

# ---- interop with Linux macsec ------------------------------------------------
nsx "$NS_PEER" ip addr del "$PEER_IP/24" dev "$VETH_P"
# vp itself must stay silent: its own IPv6 frames would reach the guest in
# clear and be counted as seal_bad_frame. Everything goes through macsec0.
nsx "$NS_PEER" sysctl -qw "net.ipv6.conf.$VETH_P.disable_ipv6=1"
head -c 1500000 /dev/urandom >"$WORK/payload"
for i in $(seq 200); do printf '%s' "$CANARY" >>"$WORK/payload"; head -c 500 /dev/zero >>"$WORK/payload"; done
want=$(sha256sum "$WORK/payload" | cut -d' ' -f1)
iperf_up=0
for s in gcm-aes-128 gcm-aes-256; do
	n=32; [ "$s" = gcm-aes-256 ] && n=64
	nsx "$NS_PEER" ip link add link "$VETH_P" name macsec0 type macsec port 1 \
		encrypt on cipher "$s" || { bad "$s: ip link add macsec0"; continue; }
	nsx "$NS_PEER" ip macsec add macsec0 tx sa 0 pn 1 on key 01 "${PKEY:0:$n}"
	nsx "$NS_PEER" ip macsec add macsec0 rx port 1 address "$GMAC"
	nsx "$NS_PEER" ip macsec add macsec0 rx port 1 address "$GMAC" sa 0 pn 1 on key 02 "${GKEY:0:$n}"
	nsx "$NS_PEER" ip addr add "$PEER_IP/24" dev macsec0
	nsx "$NS_PEER" ip link set macsec0 up
	offloads_off "$NS_PEER" macsec0
	tapd_run "$s"
	ok=0
	for i in $(seq 10); do nsx "$NS_CVM" ping -c 1 -W 1 "$PEER_IP" >/dev/null 2>&1 && { ok=1; break; }; done
	[ $ok -eq 1 ] && nsx "$NS_CVM" ping -c 5 -i 0.2 -W 2 "$PEER_IP" >"$WORK/ping-$s" 2>&1 ||
		{ bad "$s: ping through Linux macsec failed"; cat "$WORK/ping-$s" >&2; }
	# TCP, sha256-checked, both ways, captured on the host's veth.
	for dir in up down; do
		if [ $dir = up ]; then srv=$NS_PEER sip=$PEER_IP cli=$NS_CVM; else srv=$NS_CVM sip=$CVM_IP cli=$NS_PEER; fi
		ip netns exec "$srv" $NT recv "$sip" 7001 "$WORK/got-$dir" 20 >"$WORK/recv-$dir" 2>&1 &
		rp=$!
		for i in $(seq 50); do grep -q ready "$WORK/recv-$dir" && break; sleep 0.1; done
		capture "$WORK/tcpcap-$s-$dir" nsx "$cli" timeout 25 $NT send "$sip" 7001 "$WORK/payload" >/dev/null
		wait "$rp"
		got=$(tail -n1 "$WORK/recv-$dir")
		[ "$got" = "$want" ] && log "$s: TCP $dir: 1.6 MB, sha256 matches" ||
			bad "$s: TCP $dir: sha256 $got, want $want"
		h=$(sed -n 's/.*hits=\([0-9]*\).*/\1/p' "$WORK/tcpcap-$s-$dir")
		[ "${h:-1}" -eq 0 ] || bad "$s: TCP $dir: the host's capture saw the canary ($h)"
	done
	[ $iperf_up -eq 1 ] || { iperf_server_start; iperf_up=1; }
	for r in "" -R; do
		j=$WORK/iperf-$s$r.json
		nsx "$NS_CVM" timeout 20 iperf3 -c "$PEER_IP" -t 2 -J $r >"$j" 2>&1
		b=$(iperf_rx_bytes "$j" 2>/dev/null || echo 0)
		log "$s: iperf3 ${r:-(cvm->peer)}: $b bytes, $(( $(iperf_bps "$j" 2>/dev/null || echo 0) / 1000000 )) Mbit/s"
		[ "${b:-0}" -gt 100000 ] || bad "$s: iperf3 $r carried too little"
	done
	nsx "$NS_PEER" ip -s macsec show macsec0 >"$WORK/ms-$s"
	$NT macsec-stats <"$WORK/ms-$s" >"$WORK/ms-$s.kv"
	for c in InPktsBadTag InPktsNoSCI InPktsUnknownSCI InPktsNotValid InPktsInvalid InPktsLate InPktsNotUsingSA; do
		v=$(awk -F= -v k="$c" '$1 == k { s += $2 } END { print s + 0 }' "$WORK/ms-$s.kv")
		[ "$v" -eq 0 ] || bad "$s: kernel macsec counted $c=$v"
	done
	okp=$(awk -F= '$1 == "InPktsOK" { s += $2 } END { print s + 0 }' "$WORK/ms-$s.kv")
	log "$s: kernel macsec InPktsOK=$okp"
	[ "$okp" -gt 0 ] || { bad "$s: kernel macsec validated no frame"; cat "$WORK/ms-$s" >&2; }
	tapd_stop "$s" seal
	nsx "$NS_PEER" ip link del macsec0
done
[ $fail -eq 0 ] && log PASS
exit $fail
