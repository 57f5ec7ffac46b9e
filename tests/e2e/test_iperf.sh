#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Unmodified iperf3 through folio-tapd -> Folio region -> folio-hostd ->
# net_af_packet -> veth: TCP both ways and UDP, each checked on the bytes
# that reached the receiver. Then the guest's and the kernel's error
# counters must all be zero.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/topo.sh"
path_up
log "peer reachable"
fail=0
run() { # name min_bytes iperf3 args...
	local name=$1 min=$2 j=$WORK/$1.json b; shift 2
	nsx "$NS_CVM" timeout 30 iperf3 -c "$PEER_IP" -t "${E2E_SECS:-3}" -J "$@" >"$j" 2>&1
	b=$(iperf_rx_bytes "$j" 2>/dev/null || echo 0)
	log "$name: $b bytes received, $(( $(iperf_bps "$j" 2>/dev/null || echo 0) / 1000000 )) Mbit/s"
	if [ "${b:-0}" -lt "$min" ]; then
		log "$name: too few bytes arrived"; sed -n 1,40p "$j" >&2; fail=1
	fi
}
run tcp 1000000
run tcp-reverse 1000000 -R
run udp 100000 -u -b 200M -l 1400
run udp-reverse 100000 -u -b 200M -l 1400 -R
stop_pid "$TAPD_PID"; TAPD_PID=
stop_pid "$HOSTD_PID"; HOSTD_PID=
cat "$WORK/tapd.log" "$WORK/hostd.1.log" | grep -E "exit|violation|lib\[" >&2
grep -q "folio-tapd: exit:.*violations=0" "$WORK/tapd.log" || { log "tapd saw violations"; fail=1; }
grep -q "guest 0 .*violations=0" "$WORK/hostd.1.log" || { log "hostd saw violations"; fail=1; }
for ns in "$NS_CVM" "$NS_PEER"; do
	c=$(csum_errors "$ns")
	[ "$c" -eq 0 ] || { log "$ns: $c checksum errors"; fail=1; }
done
[ $fail -eq 0 ] && log "PASS"
exit $fail
