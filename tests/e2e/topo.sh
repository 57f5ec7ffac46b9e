# SPDX-License-Identifier: BSD-3-Clause
# Shared by the e2e tests and bench/e2e-iperf (sourced, not run).
#
# Topology, all created here and removed by topo_down, names unique per run:
#   netns cvm-$TAG : folio-tapd's TAP "ft$TAG" at 198.18.0.1/24
#   netns hst-$TAG : folio-hostd on veth end "vh$TAG" (net_af_packet)
#   netns peer-$TAG: veth end "vp$TAG" at 198.18.0.2/24, the iperf3 server
# The region is /dev/shm/folio-e2e-$TAG. Processes are stopped by PID.
# The generic helpers (log, fail/die, skip, stop_pid, nsx, wait_for,
# cleanup at exit) come from tests/lib.sh.

. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
TAG=${TAG:-$(printf 'f%05d' $(( $$ % 100000 )))}
T_TAG="e2e[$TAG]"
NS_CVM=cvm-$TAG
NS_HST=hst-$TAG
NS_PEER=peer-$TAG
TAPIF=ft$TAG
VETH_H=vh$TAG
VETH_P=vp$TAG
REGION=/dev/shm/folio-e2e-$TAG
CVM_IP=198.18.0.1
PEER_IP=198.18.0.2
[ -n "${WORK:-}" ] || work_dir WORK "e2e-$TAG"
CFG=$WORK/guest.conf
PIDS=()
HOSTD_PID=
TAPD_PID=
HOSTD_N=0
TOPO_UP=

# Exit 77 unless everything the e2e path needs is here.
topo_require() {
	need_root "network namespaces, TAP, veth"
	need_cmd ip ethtool iperf3 python3 taskset
	need_exec "${FOLIO_HOSTD:-}" "folio-hostd (needs libdpdk-dev)"
	need_exec "${FOLIO_TAPD:-}" "folio-tapd (needs liburing-dev)"
	[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
	netns_can || skip "cannot create network namespaces"
}

offloads_off() { nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; }

# Namespaces and the veth pair; the cvm side is made by whoever owns the TAP.
topo_up() {
	[ -n "$TOPO_UP" ] || at_exit topo_down
	TOPO_UP=1
	netns_add "$NS_CVM" "$NS_HST" "$NS_PEER"
	ip link add "$VETH_H" netns "$NS_HST" type veth peer name "$VETH_P" netns "$NS_PEER" ||
		die "cannot create veth pair"
	nsx "$NS_HST" sysctl -qw "net.ipv6.conf.$VETH_H.disable_ipv6=1" || true
	nsx "$NS_HST" ip link set "$VETH_H" up
	nsx "$NS_PEER" ip addr add "$PEER_IP/24" dev "$VETH_P"
	nsx "$NS_PEER" ip link set "$VETH_P" up
	offloads_off "$NS_HST" "$VETH_H"
	offloads_off "$NS_PEER" "$VETH_P"
}

# Everything topo_up and the start helpers made. Registered with at_exit
# by topo_up; a caller that installs its own EXIT trap calls it there.
topo_down() {
	local p
	for p in "${PIDS[@]}" $TAPD_PID $HOSTD_PID; do stop_pid "$p"; done
	for ns in "$NS_CVM" "$NS_HST" "$NS_PEER"; do ip netns del "$ns" 2>/dev/null; done
	rm -f "$REGION"
	rm -rf "/var/run/dpdk/fe2e$TAG" "/var/run/dpdk/tp$TAG"
	keep_work "$WORK" || rm -rf "$WORK"
}

write_config() { # file region guest_mac
	cat >"$1" <<-EOF
	# Fixed configuration, given to both sides.
	queues = 1
	ring_entries = ${RING_ENTRIES:-1024}
	slot_size = 2048
	mtu = 1500
	guest_mac = ${3:-02:f0:00:00:00:01}
	host_mac = 02:f0:00:00:00:02
	region = $2
	EOF
}

# folio-hostd on core 0 in the host namespace. Extra args: more --guest.
hostd_start() {
	HOSTD_N=$((HOSTD_N + 1))
	local out=$WORK/hostd.$HOSTD_N.log
	# Started directly (not through a shell function) so that $! is the
	# PID of folio-hostd itself: ip netns exec and taskset both exec.
	ip netns exec "$NS_HST" taskset -c 0 "$FOLIO_HOSTD" -l 0 --no-huge --no-pci -m 256 \
		--file-prefix "fe2e$TAG" --log-level=4 --vdev "net_af_packet0,iface=$VETH_H" -- \
		--guest "$CFG" "$@" >"$out" 2>&1 &
	HOSTD_PID=$!
	if wait_log "$out" "serving" 30 "$HOSTD_PID"; then
		log "hostd up (pid $HOSTD_PID)"
		return 0
	fi
	cat "$out" >&2
	kill -0 "$HOSTD_PID" 2>/dev/null || die "folio-hostd exited"
	die "folio-hostd did not come up"
}

tap_absent() { ! nsx "$1" ip link show "$2" >/dev/null 2>&1; }
# tap_present NS IFACE [PID]: the interface exists (true too once PID died,
# so that a wait on it ends early).
tap_present() {
	nsx "$1" ip link show "$2" >/dev/null 2>&1 && return 0
	[ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null
}

# folio-tapd on core 1 in the cvm namespace; the test assigns the address.
tapd_start() {
	# A folio-tapd killed a moment ago may still own the TAP: the kernel
	# drops its tun file (held by its io_uring too) asynchronously. Wait
	# for the stale interface to go, so that the check below sees the new
	# one and not the old one.
	wait_for 10 tap_absent "$NS_CVM" "$TAPIF" ||
		die "stale TAP $TAPIF still present after 10 s"
	ip netns exec "$NS_CVM" taskset -c 1 "$FOLIO_TAPD" -c "$CFG" --tap "$TAPIF" "$@" \
		>"$WORK/tapd.log" 2>&1 &
	TAPD_PID=$!
	wait_for 10 tap_present "$NS_CVM" "$TAPIF" "$TAPD_PID" ||
		{ kill -0 "$TAPD_PID" 2>/dev/null || { cat "$WORK/tapd.log" >&2; die "folio-tapd exited"; }; }
	nsx "$NS_CVM" ip addr add "$CVM_IP/24" dev "$TAPIF" || die "no TAP $TAPIF"
	offloads_off "$NS_CVM" "$TAPIF"
	log "tapd up (pid $TAPD_PID)"
}

# Wait until the cvm reaches the peer's iperf3 server through Folio (ARP,
# attach, handshake); bounded. A tiny real iperf3 run, so that the
# single-client server is left idle for the next one.
wait_reach() {
	for i in $(seq 1 20); do
		nsx "$NS_CVM" timeout 5 iperf3 -c "$PEER_IP" -n 10K >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

listening() { nsx "$1" ss -ltn 2>/dev/null | grep -q ":$2 "; }

iperf_server_start() {
	ip netns exec "$NS_PEER" iperf3 -s -B "$PEER_IP" >"$WORK/iperf3-server.log" 2>&1 &
	PIDS+=($!)
	wait_for 5 listening "$NS_PEER" 5201 || die "iperf3 server did not start"
}

# Bytes that reached the receiver, from iperf3 -J output.
iperf_rx_bytes() {
	python3 - "$1" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	e = d.get("end", {})
	if "error" in d:
	    print(0); sys.exit(0)
	if "sum_received" in e:
	    print(int(e["sum_received"]["bytes"]))
	elif "sum" in e:  # UDP: what the server counted
	    s = e["sum"]
	    print(int(s.get("bytes", 0) * (1 - s.get("lost_percent", 100) / 100)))
	else:
	    print(0)
	PY
}

iperf_bps() {
	python3 - "$1" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	e = d.get("end", {})
	s = e.get("sum_received") or e.get("sum") or {}
	print(int(s.get("bits_per_second", 0)))
	PY
}

# Kernel checksum-error counters of one namespace (must stay 0).
csum_errors() {
	nsx "$1" nstat -az 2>/dev/null |
		awk '/InCsumErrors/ { s += $2 } END { print s + 0 }'
}

# path_up [folio-tapd options]: the whole one-guest path of the iperf and
# restart tests: namespaces and veth, config, folio-hostd, folio-tapd, the
# peer's iperf3 server, and a first exchange through Folio.
path_up() {
	topo_require
	topo_up
	write_config "$CFG" "$REGION"
	hostd_start
	tapd_start "$@"
	iperf_server_start
	wait_reach || die "cvm cannot reach the peer through Folio"
}
