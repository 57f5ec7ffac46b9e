#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two guests behind one folio-hostd port: the MAC switch and the isolation
# of a guest that breaks the protocol.
#  - each guest reaches the peer; a frame for an unknown MAC reaches
#    neither guest (hostd counts no_dest); a guest that sends with a source
#    MAC other than its own gets nothing out (hostd counts bad_src);
#  - while guest A runs iperf3, guest B's region is scribbled on (its
#    guest-owned producer index and lengths): hostd fails B's channel only,
#    A's transfer completes and A's channel counts no error; then hostd
#    recreates B's channel (--reset-failed) and B reaches the peer again
#    without a restart of its folio-tapd.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/topo.sh"
topo_require
NS_CVM2=cvm2-$TAG
TAPIF2=fu$TAG
REGION2=/dev/shm/folio-e2e-$TAG-b
CFG2=$WORK/guest-b.conf
CVM2_IP=198.18.0.3
topo_up
netns_add "$NS_CVM2"
rm_at_exit "$REGION2"
write_config "$CFG" "$REGION"
write_config "$CFG2" "$REGION2" 02:f0:00:00:00:03
hostd_start --guest "$CFG2" --stats 1 --reset-failed 1
tapd_start
ip netns exec "$NS_CVM2" taskset -c 1 "$FOLIO_TAPD" -c "$CFG2" --tap "$TAPIF2" \
	>"$WORK/tapd-b.log" 2>&1 &
PIDS+=($!)
wait_for 10 tap_present "$NS_CVM2" "$TAPIF2" "$!"
nsx "$NS_CVM2" ip addr add "$CVM2_IP/24" dev "$TAPIF2" || die "no TAP $TAPIF2"
offloads_off "$NS_CVM2" "$TAPIF2"
iperf_server_start
ip netns exec "$NS_PEER" iperf3 -s -B "$PEER_IP" -p 5202 >"$WORK/iperf3-b.log" 2>&1 &
PIDS+=($!)
fail=0
bad() { log "$*"; fail=1; }
reach() { # ns port
	for i in $(seq 1 20); do
		nsx "$1" timeout 5 iperf3 -c "$PEER_IP" -p "$2" -n 10K >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}
last_stat() { # guest-index key: from hostd's latest stats line
	grep "folio-hostd: guest $1 " "$WORK/hostd.1.log" | tail -1 |
		sed -n "s/.* $2=\([0-9]*\).*/\1/p"
}
stat_wait() { # guest key min: wait for the next stats lines to show it
	local v
	for i in $(seq 1 40); do
		v=$(last_stat "$1" "$2"); [ "${v:-0}" -ge "$3" ] && return 0
		sleep 0.25
	done
	return 1
}
reach "$NS_CVM" 5201 || bad "guest A cannot reach the peer"
reach "$NS_CVM2" 5202 || bad "guest B cannot reach the peer"
log "both guests reach the peer"

# A MAC that no guest owns: hostd must drop it.
nsx "$NS_PEER" ip neigh replace 198.18.0.9 lladdr 02:f0:00:00:00:99 dev "$VETH_P"
nsx "$NS_PEER" python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(50): s.sendto(b"x"*100, ("198.18.0.9", 9))'
for i in $(seq 1 40); do
	v=$(grep "folio-hostd: stats:" "$WORK/hostd.1.log" | tail -1 | sed -n 's/.*no_dest=\([0-9]*\).*/\1/p')
	[ "${v:-0}" -ge 50 ] && break; sleep 0.25
done
[ "${v:-0}" -ge 50 ] && log "unknown MAC dropped: no_dest=$v" || bad "frames for an unknown MAC were not dropped (no_dest=${v:-0})"

# Guest B sends with a source MAC that is not its own.
nsx "$NS_CVM2" ip link set "$TAPIF2" address 02:f0:00:00:00:77
nsx "$NS_CVM2" timeout 3 iperf3 -c "$PEER_IP" -p 5202 -n 10K >/dev/null 2>&1 &&
	bad "guest B reached the peer with a spoofed MAC"
stat_wait 1 bad_src 1 && log "spoofed source MAC dropped: bad_src=$(last_stat 1 bad_src)" ||
	bad "hostd did not count bad_src"
nsx "$NS_CVM2" ip link set "$TAPIF2" address 02:f0:00:00:00:03

# Isolation: A transfers while B's region is scribbled on.
ip netns exec "$NS_CVM" iperf3 -c "$PEER_IP" -t 6 -J >"$WORK/a.json" 2>&1 &
ipa=$!
sleep 1
python3 "$here/hostile.py" "$REGION2" 2 1024 >/dev/null || bad "hostile writer failed"
wait "$ipa" || bad "guest A's iperf3 failed while B was hostile"
b=$(iperf_rx_bytes "$WORK/a.json")
log "guest A received $b bytes while B was hostile"
[ "${b:-0}" -gt 1000000 ] || bad "guest A's transfer suffered"
stat_wait 1 peer_err 1 && log "guest B's channel failed: peer_err=$(last_stat 1 peer_err)" ||
	bad "hostd did not fail guest B's channel"
[ "$(last_stat 0 peer_err)" = 0 ] || bad "guest A's channel saw errors"
stat_wait 1 resets 1 || bad "hostd did not recreate guest B's channel"
reach "$NS_CVM2" 5202 && log "guest B reaches the peer again" ||
	bad "guest B did not recover after the channel reset"
grep "folio-hostd: guest" "$WORK/hostd.1.log" | tail -2 >&2
[ $fail -eq 0 ] && log "PASS"
exit $fail
