#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The fixed configuration is enforced: an unknown devarg or a bad value
# fails the probe with a message naming it; a guest whose configuration
# differs from the host's is refused at start; the MTU and the queue count
# cannot be changed from the application.
set -uo pipefail
PMD_SO=$1
. "$(dirname "$0")/lib.sh"
tp_prereq
REGION=/dev/shm/$TP_TAG-region
at_exit "rm -f $REGION"

# probe_fails NAME DEVARGS PATTERN [WHAT]: testpmd (which carries on
# without the port) must not crash, and the log must name the problem and
# show that the probe (or, with WHAT=start, the start) failed.
probe_fails() {
	local log="$TP_DIR/$1.log"
	timeout -s KILL 60 dpdk-testpmd -l 0,1 --no-huge --no-pci -m 512 \
		--file-prefix "$TP_TAG-$1" -d "$PMD_SO" --vdev "$2" -- --no-mlockall \
		--total-num-mbufs=4096 --disable-link-check </dev/null >"$log" 2>&1
	local rc=$?
	[ $rc -lt 128 ] || fail "$1: testpmd crashed (exit $rc)"
	grep -q -- "$3" "$log" || fail "$1: no message '$3': $(grep -i folio "$log" | head -3)"
	if [ "${4:-probe}" = probe ]; then
		grep -q "failed to initialize net_folio0" "$log" || fail "$1: the probe did not fail"
	else
		grep -q "Fail to start port 0" "$log" || fail "$1: the start did not fail"
	fi
	info "$1: refused ($3)"
}
probe_fails unknown "net_folio0,role=host,path=$REGION,bogus=1" "unknown devarg 'bogus'"
probe_fails badrole "net_folio0,role=peer,path=$REGION" "role must be guest or host"
probe_fails badentries "net_folio0,role=host,path=$REGION,ring_entries=1000" "ring_entries"
probe_fails nopath "net_folio0,role=host" "path="
probe_fails badreset "net_folio0,role=host,path=$REGION,reset_failed=soon" \
	"reset_failed must be 0..3600 seconds"
probe_fails badpark "net_folio0,role=host,path=$REGION,park=lazy" \
	"park must be membarrier or fence"

tp_start host "-l 0,1" "net_folio0,role=host,path=$REGION" --forward-mode=rxonly
tp_cmd host start
probe_fails mismatch "net_folio0,role=guest,path=$REGION,ring_entries=512" \
	"does not match the fixed config" start
out=$(tp_query host "port config mtu 0 1400")
echo "$out" | grep -q "MTU is fixed at 1500" || fail "MTU change not refused: $out"
info "mtu 1400 refused"
tp_cmd host stop
tp_cmd host "port stop 0"
# testpmd checks max_rx_queues from infos_get first; an application that
# does not is stopped by configure.
tp_query host "port config all rxq 2" >"$TP_DIR/start.out"
tp_query host "port start 0" >>"$TP_DIR/start.out"
grep -q "queues asked, the fixed config has 1\|greater than max_rx_queues (1)" \
	"$TP_DIR/start.out" || fail "2 queues not refused: $(tail -5 "$TP_DIR/start.out")"
info "2 queues refused"
tp_quit host
echo PASS
