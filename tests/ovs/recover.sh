#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# net_folio ports of ovs-vswitchd-dpdk when guests and the switch come and
# go. A private OVS (tests/ovs/lib.sh), one netdev bridge, net_folio host
# ports g1, g2, g3, a net_af_packet port to a peer; folio-tapd guests on g1
# and g2.
#  1. Guest restart: g1's folio-tapd is killed (SIGKILL) and a new one
#     started; the port's watch (reset_failed) re-creates the region and g1
#     passes traffic again, with no OVS command.
#  2. Hostile guest: fp_hostile attacks g3's region (random writes into
#     every guest-owned field, attaching again to each new epoch) while g1
#     and g2 pass sha256-checked traffic; OVS keeps running, only g3 fails.
#  3. ovs-vswitchd restart (SIGTERM, then a new one on the same database)
#     with both guests running: they re-attach and pass traffic.
set -uo pipefail
# shellcheck disable=SC2034 # used by lib.sh
PMD_SO=$1
. "$(dirname "$0")/lib.sh"
o_require
[ -x "${FP_HOSTILE:-}" ] || skip "fp_hostile not built"
o_topo
o_db
o_switch
o_bridge
for n in 1 2 3; do o_port $n; done
o_guest 1
o_guest 2
G1=$(o_gns 1) G2=$(o_gns 2)
LOG=$OW/ovs-vswitchd.log
o_ping "$G1" "$(o_gip 2)" 40 || fail "g1 cannot reach g2 through OVS"
o_ping "$G1" "$PEER_IP" 20 || fail "g1 cannot reach the peer through OVS"
SZ=${OVS_XFER_BYTES:-2000000}

# ---- 1. guest restart ----------------------------------------------------------
old=$(grep -c "net_folio1: guest left or failed; region .* re-created" "$LOG")
kill -KILL "$(o_tapd_pid 1)"
wait "$(o_tapd_pid 1)" 2>/dev/null
o_guest 1
t0=$SECONDS
o_ping "$G1" "$PEER_IP" 40 || fail "g1 does not pass traffic after its restart"
log "g1 restarted: passing again after $((SECONDS - t0)) s"
o_xfer "$G1" "$NS_PEER" "$PEER_IP" "$SZ" restart-g1-peer || fail "g1 -> peer after restart"
o_xfer "$G2" "$G1" "$(o_gip 1)" "$SZ" restart-g2-g1 || fail "g2 -> g1 after restart"
new=$(grep -c "net_folio1: guest left or failed; region .* re-created" "$LOG")
[ "$new" -gt "$old" ] || fail "no region re-creation logged for g1"

# ---- 2. hostile guest on g3 --------------------------------------------------
"$FP_HOSTILE" --region "$(o_region 3)" --queues 1 --entries 1024 --phase random \
	--seconds "${OVS_HOSTILE_SECS:-6}" --follow >"$OW/hostile.out" 2>&1 &
hpid=$!
track_pid "$hpid"
sleep 1
n=0
while kill -0 "$hpid" 2>/dev/null; do
	o_xfer "$G1" "$G2" "$(o_gip 2)" "$SZ" "hostile-g1-g2-$n" || fail "g1 -> g2 under attack on g3"
	o_xfer "$NS_PEER" "$G2" "$(o_gip 2)" "$SZ" "hostile-peer-g2-$n" || fail "peer -> g2 under attack on g3"
	n=$((n + 1))
done
wait "$hpid" || fail "fp_hostile: $(cat "$OW/hostile.out")"
kill -0 "$O_SW_PID" || fail "ovs-vswitchd died under the attack"
log "$(cat "$OW/hostile.out"); $((2 * n)) transfers on g1/g2 meanwhile"
[ $n -ge 1 ] || fail "no transfer ran during the attack"
fails=$(grep -c "net_folio3: guest left or failed; region .* re-created" "$LOG")
[ "$fails" -ge 1 ] || fail "g3 was never failed and re-created: $(grep net_folio3 "$LOG" | tail -3)"
[ "$(grep -c "net_folio1: guest left or failed" "$LOG")" = "$new" ] ||
	fail "g1's port was re-created during the attack on g3"
grep -q "net_folio2: guest left or failed" "$LOG" && fail "g2's port was failed by the attack on g3"
log "g3 failed and re-created $fails times; g1 and g2 unaffected"

# ---- 3. ovs-vswitchd restart -------------------------------------------------
o_switch_stop
o_switch
t0=$SECONDS
o_ping "$G1" "$(o_gip 2)" 60 || fail "g1 cannot reach g2 after the ovs-vswitchd restart"
o_ping "$G2" "$PEER_IP" 20 || fail "g2 cannot reach the peer after the ovs-vswitchd restart"
log "ovs-vswitchd restarted: guests passing again after $((SECONDS - t0)) s"
o_xfer "$G1" "$G2" "$(o_gip 2)" "$SZ" after-g1-g2 || fail "g1 -> g2 after the switch restart"
o_xfer "$NS_PEER" "$G1" "$(o_gip 1)" "$SZ" after-peer-g1 || fail "peer -> g1 after the switch restart"
for g in 1 2; do
	kill -0 "$(o_tapd_pid $g)" || fail "folio-tapd of g$g exited"
done
echo PASS
