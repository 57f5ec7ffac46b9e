#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Host-restart drill: SIGKILL folio-hostd while traffic flows, start it
# again on the same region, and check that, without restarting folio-tapd
# or the applications:
#  - the TCP flows (iperf3, each direction) finish and carry data after
#    the restart;
#  - a self-verifying UDP stream (host -> guest, the ring the host wipes
#    on restart) delivers datagrams after the restart and none corrupt;
#  - folio-tapd stayed up, re-attached (attach >= 2), counted no
#    violation; the kernel counted no checksum error in either namespace.
# Then the guest side restarts from zero and gets its channel back.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/topo.sh"
path_up --stats 1
fail=0
bad() { log "$*"; fail=1; }

drill() { # name iperf3-args...
	local name=$1 j=$WORK/$1.json ip up kill_t restart_t rx sent_before; shift
	local secs=${DRILL_SECS:-12}
	ip netns exec "$NS_CVM" iperf3 -c "$PEER_IP" -t "$secs" -i 1 -J "$@" >"$j" 2>&1 &
	ip=$!
	local t0; t0=$(date +%s.%N)
	sleep 3
	kill_t=$(date +%s.%N)
	log "$name: SIGKILL folio-hostd (pid $HOSTD_PID)"
	kill -KILL "$HOSTD_PID"; wait "$HOSTD_PID" 2>/dev/null; HOSTD_PID=
	sleep 2
	hostd_start
	restart_t=$(date +%s.%N)
	wait_gone $((secs + 30)) "$ip"
	stop_pid "$ip"
	wait "$ip"; local rc=$?
	[ $rc -eq 0 ] || bad "$name: iperf3 exited $rc: $(grep -m1 '"error"' "$j")"
	kill -0 "$TAPD_PID" 2>/dev/null || bad "$name: folio-tapd died"
	# Bytes the receiver got beyond everything sent up to the kill: data
	# that crossed the restarted host (a TCP window is far below 20 MB).
	read -r rx sent_before < <(python3 - "$j" "$t0" "$kill_t" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1])); k = float(sys.argv[3]) - float(sys.argv[2])
	rx = d.get("end", {}).get("sum_received", {}).get("bytes", 0)
	sb = sum(i["sum"]["bytes"] for i in d.get("intervals", []) if i["sum"]["start"] < k + 1)
	print(int(rx), int(sb))
	PY
	)
	log "$name: received $rx bytes, at most $sent_before moved before the kill"
	[ "${rx:-0}" -gt $(( ${sent_before:-0} + 20000000 )) ] ||
		bad "$name: traffic did not resume after the restart"
	RESTART_T=$restart_t
}

# Drill 1: host -> guest TCP plus the verified UDP stream, same direction.
ip netns exec "$NS_CVM" python3 "$here/udpcheck.py" recv "$CVM_IP" 5301 17 "$WORK/udp.json" &
PIDS+=($!)
ip netns exec "$NS_PEER" python3 "$here/udpcheck.py" send "$CVM_IP" 5301 14 5000 >"$WORK/udp-send.json" &
PIDS+=($!)
drill tcp-host-to-guest -R
wait_for 20 test -s "$WORK/udp.json"
python3 - "$WORK/udp.json" "$RESTART_T" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1])); r = float(sys.argv[2])
after = sum(1 for t in d["good_times"] if t > r) * 100
print(f"e2e: udp verified: good={d['good']} corrupt={d['bad']} good_after_restart>={after}",
      file=sys.stderr)
sys.exit(0 if d["bad"] == 0 and after > 0 else 1)
PY
# Drill 2: guest -> host TCP.
drill tcp-guest-to-host

stop_pid "$TAPD_PID"; TAPD_PID=
tl=$(grep "folio-tapd: exit:" "$WORK/tapd.log")
# Drill 3: the guest side restarts from zero (SIGKILL folio-tapd, start a
# new one: a rebooted VM). Its indices start again at 0, which the host
# sees as a violation on that channel; hostd recreates the channel with a
# new epoch (--reset-failed) and the new folio-tapd attaches to it.
mv "$WORK/tapd.log" "$WORK/tapd-1.log"
tapd_start
log "guest-restart: SIGKILL folio-tapd (pid $TAPD_PID) while iperf3 runs"
ip netns exec "$NS_CVM" iperf3 -c "$PEER_IP" -t 4 >/dev/null 2>&1 &
ip=$!
sleep 1.5
kill -KILL "$TAPD_PID"; wait "$TAPD_PID" 2>/dev/null; TAPD_PID=
stop_pid "$ip"
mv "$WORK/tapd.log" "$WORK/tapd-2.log"
tapd_start
wait_reach && log "guest-restart: the new folio-tapd reaches the peer" ||
	bad "guest-restart: no traffic after folio-tapd restarted"
stop_pid "$TAPD_PID"; TAPD_PID=
stop_pid "$HOSTD_PID"; HOSTD_PID=
log "${tl#folio-tapd: }"
[[ "$tl" == *" violations=0"* ]] || bad "folio-tapd counted violations"
att=$(sed -n 's/.* attach=\([0-9]*\).*/\1/p' <<<"$tl")
[ "${att:-0}" -ge 3 ] || bad "folio-tapd attached ${att:-0} times, expected 3 (start + 2 restarts)"
for f in "$WORK"/hostd.*.log; do
	grep -q "violations=[1-9]" "$f" && bad "$(basename "$f"): host counted violations"
done
for ns in "$NS_CVM" "$NS_PEER"; do
	c=$(csum_errors "$ns")
	[ "$c" -eq 0 ] || bad "$ns: $c checksum errors"
done
[ $fail -eq 0 ] && log "PASS"
exit $fail
