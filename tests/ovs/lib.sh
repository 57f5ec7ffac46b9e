# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/ovs/lib.sh - helpers of the ovs suite and bench/ovs-race (sourced).
#
# A private Open vSwitch: ovsdb-server and ovs-vswitchd (the DPDK build)
# with their own run directory, database and log under $OW, the switch in
# its own network namespace; net_folio host ports whose guests are
# folio-tapd processes, each in its own namespace; a net_af_packet port to
# a peer namespace over veth. Every name carries $OT (unique per run);
# everything is registered as it is made and removed by one EXIT trap,
# processes stopped by PID.
#
# Expects: PMD_SO (librte_net_folio.so), TAPD (folio-tapd), set before use.

OT=${OT:-o$(( $$ % 100000 ))}
T_TAG="ovs[$OT]"
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
work_dir OW "ovs-$OT"
chmod 755 "$OW"
OVS_VSWITCHD=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
NS_SW=osw-$OT
NS_PEER=opr-$OT
VETH_S=vs$OT
VETH_P=vp$OT
BR=br$OT
PEER_IP=198.18.7.254
PEER_MAC=02:f0:07:00:00:fe

# o_require: skip with a reason unless everything is here.
o_require() {
	[ "$(id -u)" = 0 ] || skip "needs root (namespaces, TAP, veth)"
	[ -x "$OVS_VSWITCHD" ] || skip "ovs-vswitchd-dpdk not installed (scripts/setup.d/40-ovs.sh installs openvswitch-switch-dpdk)"
	local t
	for t in ovsdb-server ovsdb-tool ovs-vsctl ovs-ofctl ovs-appctl iperf3 ip ping python3; do
		command -v "$t" >/dev/null || skip "$t not installed"
	done
	[ -f "${PMD_SO:-}" ] || skip "librte_net_folio.so not built"
	[ -x "${TAPD:-}" ] || skip "folio-tapd not built (needs liburing-dev)"
	[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
	ip netns add "$NS_SW" 2>/dev/null || skip "cannot create network namespaces"
	ip netns del "$NS_SW"
	# The plugin from a directory no one else may write to (not /tmp).
	safe_plugin PMD_SO
}

o_netns() { # NAME...
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || fail "ip netns add $ns"
		at_exit "ip netns del $ns"
		nsx "$ns" ip link set lo up
	done
}

o_offloads_off() { nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true; }

# The switch namespace and the peer namespace with a veth between them.
o_topo() {
	o_netns "$NS_SW" "$NS_PEER"
	ip link add "$VETH_S" netns "$NS_SW" type veth peer name "$VETH_P" netns "$NS_PEER" ||
		fail "cannot create the veth pair"
	nsx "$NS_SW" sysctl -qw "net.ipv6.conf.$VETH_S.disable_ipv6=1" || true
	nsx "$NS_SW" ip link set "$VETH_S" up
	nsx "$NS_PEER" ip link set "$VETH_P" address "$PEER_MAC"
	nsx "$NS_PEER" ip addr add "$PEER_IP/24" dev "$VETH_P"
	nsx "$NS_PEER" ip link set "$VETH_P" up
	o_offloads_off "$NS_SW" "$VETH_S"
	o_offloads_off "$NS_PEER" "$VETH_P"
}

vsctl() { ovs-vsctl --db="unix:$OW/db.sock" --timeout=30 "$@"; }
ofctl() { OVS_RUNDIR=$OW ovs-ofctl "$@"; }
appctl() { ovs-appctl -t "$OW/ovs-vswitchd.ctl" "$@"; }

# o_db: a fresh database and its ovsdb-server (foreground, our child).
o_db() {
	ovsdb-tool create "$OW/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
		fail "ovsdb-tool create"
	OVS_RUNDIR=$OW OVS_DBDIR=$OW OVS_LOGDIR=$OW ovsdb-server "$OW/conf.db" \
		--remote="punix:$OW/db.sock" --unixctl="$OW/ovsdb-server.ctl" \
		--pidfile="$OW/ovsdb-server.pid" --log-file="$OW/ovsdb-server.log" \
		-vconsole:off >/dev/null 2>&1 &
	O_DB_PID=$!
	track_pid "$O_DB_PID"
	local i
	for i in $(seq 100); do [ -S "$OW/db.sock" ] && break; sleep 0.1; done
	vsctl --no-wait init || fail "ovsdb-server did not come up: $(tail -3 "$OW/ovsdb-server.log")"
	# DPDK: no hugepages in the test (--legacy-mem, else OVS adds
	# --in-memory, which EAL refuses with --no-huge); the PMD as a plugin.
	vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-extra="--no-huge --legacy-mem -m ${OVS_MEM:-768} --no-pci --file-prefix ovs$OT -d $PMD_SO" \
		other_config:dpdk-lcore-mask=0x1 \
		other_config:pmd-cpu-mask="${OVS_PMD_MASK:-0x2}" \
		other_config:shared-mempool-config=1500
	at_exit "rm -rf /var/run/dpdk/ovs$OT"
}

# o_switch: start ovs-vswitchd (in the switch namespace) and wait for DPDK.
O_SW_N=0
o_switch() {
	O_SW_N=$((O_SW_N + 1))
	local log=$OW/ovs-vswitchd.log
	OVS_RUNDIR=$OW OVS_DBDIR=$OW OVS_LOGDIR=$OW ip netns exec "$NS_SW" \
		"$OVS_VSWITCHD" "unix:$OW/db.sock" --unixctl="$OW/ovs-vswitchd.ctl" \
		--pidfile="$OW/ovs-vswitchd.pid" --log-file="$log" -vconsole:off \
		-vfile:dpdk:info >/dev/null 2>"$OW/ovs-vswitchd.$O_SW_N.err" &
	O_SW_PID=$!
	track_pid "$O_SW_PID"
	local i
	# The log is appended to: wait for this start's line.
	for i in $(seq 600); do
		local up
		up=$(grep -c "DPDK Enabled - initialized" "$log" 2>/dev/null)
		[ "${up:-0}" -ge $O_SW_N ] &&
			[ -S "$OW/ovs-vswitchd.ctl" ] && return 0
		kill -0 "$O_SW_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$log" "$OW/ovs-vswitchd.$O_SW_N.err" >&2
	fail "ovs-vswitchd did not initialise DPDK"
}

o_switch_stop() { stop_pid "$O_SW_PID"; O_SW_PID=; }

o_bridge() {
	vsctl add-br "$BR" -- set bridge "$BR" datapath_type=netdev || fail "add-br"
	vsctl add-port "$BR" peer0 -- set Interface peer0 type=dpdk \
		options:dpdk-devargs="net_af_packet$OT,iface=$VETH_S" ofport_request=100 ||
		fail "cannot add the net_af_packet port: $(grep -i error "$OW/ovs-vswitchd.log" | tail -3)"
}

# Guest N: region, config, MAC 02:f0:07:00:00:N, address 198.18.7.N.
o_gmac() { printf '02:f0:07:00:00:%02x' "$1"; }
o_gip() { echo "198.18.7.$1"; }
o_region() { echo "/dev/shm/folio-ovs-$OT-g$1"; }

o_config() { # N: write the guest's fixed config, print its path
	local f=$OW/g$1.conf
	cat >"$f" <<-CFG
	queues = 1
	ring_entries = ${RING_ENTRIES:-1024}
	slot_size = 2048
	mtu = 1500
	guest_mac = $(o_gmac "$1")
	host_mac = 02:f0:07:00:01:$(printf %02x "$1")
	region = $(o_region "$1")
	CFG
	echo "$f"
}

# o_port N: the net_folio host port gN of guest N (OpenFlow port N).
o_port() {
	local n=$1 cfg
	cfg=$(o_config "$n")
	at_exit "rm -f $(o_region "$n")"
	vsctl add-port "$BR" "g$n" -- set Interface "g$n" type=dpdk \
		options:dpdk-devargs="net_folio$n,role=host,config=$cfg${O_DEVARGS:-}" \
		ofport_request="$n" ||
		fail "cannot add port g$n: $(grep -i -E 'error|folio' "$OW/ovs-vswitchd.log" | tail -5)"
}

# o_guest N: folio-tapd for guest N in namespace ogN-$OT, TAP ftN$OT.
o_guest() {
	local n=$1 ns=og$1-$OT tap=ft$1$OT i
	if ! ip netns list | grep -q "^$ns\b"; then
		o_netns "$ns"
	fi
	for i in $(seq 100); do # a killed tapd's TAP goes asynchronously
		nsx "$ns" ip link show "$tap" >/dev/null 2>&1 || break
		sleep 0.1
	done
	ip netns exec "$ns" "$TAPD" -c "$OW/g$n.conf" --tap "$tap" >>"$OW/tapd$n.log" 2>&1 &
	eval "O_TAPD_$n=$!"
	track_pid "$!"
	for i in $(seq 100); do
		nsx "$ns" ip link show "$tap" >/dev/null 2>&1 && break
		sleep 0.1
	done
	nsx "$ns" ip addr add "$(o_gip "$n")/24" dev "$tap" || fail "no TAP $tap"
	nsx "$ns" ip link set "$tap" up
	o_offloads_off "$ns" "$tap"
}
o_tapd_pid() { eval "echo \$O_TAPD_$1"; }
o_gns() { echo "og$1-$OT"; }

# o_ping NS IP [TRIES]: true once NS reaches IP.
o_ping() {
	local i
	for i in $(seq "${3:-20}"); do
		nsx "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1 && return 0
		sleep 0.3
	done
	return 1
}

O_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# o_xfer FROM-NS TO-NS TO-IP BYTES NAME: BYTES over TCP, true when the
# receiver's sha256 is the sender's (tests/ovs/xfer.py).
o_xfer() {
	local from=$1 to=$2 ip=$3 n=$4 name=$5 spid port=$((5300 + RANDOM % 500)) a b
	nsx "$to" python3 "$O_HERE/xfer.py" serve "$ip" $port >"$OW/$name.rx" 2>&1 &
	spid=$!
	track_pid "$spid"
	local i
	for i in $(seq 50); do nsx "$to" ss -ltn 2>/dev/null | grep -q ":$port " && break; sleep 0.1; done
	a=$(nsx "$from" timeout "${O_XFER_LIMIT:-60}" python3 "$O_HERE/xfer.py" send "$ip" $port "$n" $RANDOM 2>&1)
	[ -n "${O_XFER_LIMIT:-}" ] && stop_pid "$spid"
	wait "$spid" 2>/dev/null
	b=$(cat "$OW/$name.rx")
	[ "$a" = "$b" ] && [ "${a%% *}" = "$n" ] ||
		{ log "$name: sent '$a', received '$b'"; return 1; }
	log "$name: $n bytes, sha256 ${a#* }"
}

# o_iperf FROM-NS TO-NS TO-IP SECONDS NAME: iperf3 TCP; prints Mbit/s.
o_iperf() {
	local from=$1 to=$2 ip=$3 t=$4 name=$5 spid
	nsx "$to" iperf3 -s -1 -B "$ip" >"$OW/$name.srv" 2>&1 &
	spid=$!
	track_pid "$spid"
	local i
	for i in $(seq 50); do nsx "$to" ss -ltn 2>/dev/null | grep -q ":5201 " && break; sleep 0.1; done
	nsx "$from" timeout $((t + 30)) iperf3 -c "$ip" -t "$t" -J >"$OW/$name.json" 2>&1
	wait "$spid" 2>/dev/null
	python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["end"]; print(int(e["sum_received"]["bits_per_second"]/1e6))' \
		"$OW/$name.json" 2>/dev/null || echo 0
}

# o_flow_packets MATCH: n_packets of the flow whose dump contains MATCH.
o_flow_packets() {
	ofctl dump-flows "$BR" | grep -F -- "$1" | sed -n 's/.*n_packets=\([0-9]*\).*/\1/p' | head -1
}
