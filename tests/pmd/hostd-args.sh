#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# folio-hostd refuses bad numbers on its command line with an error that
# names the option, and exits 2 without serving: seconds that are huge
# (1e30 used to become near zero), negative, NaN or junk; a port id past
# the last DPDK port (65536 used to serve port 0, -1 to become 65535).
# A good command line still serves and exits 0 after --duration.
# Usage: hostd-args.sh FOLIO_HOSTD
set -u
HOSTD=${1:-}
. "$(dirname "$0")/../lib.sh"
need_exec "$HOSTD" "folio-hostd (needs libdpdk-dev)"
TAG="hostd-args-$$"
work_dir DIR "$TAG"
REGION=/dev/shm/$TAG
rm_at_exit "$REGION" "/var/run/dpdk/$TAG"

cat >"$DIR/g.conf" <<CONF
queues = 1
ring_entries = 64
slot_size = 2048
mtu = 1500
guest_mac = 02:f0:00:00:00:01
host_mac = 02:f0:00:00:00:02
region = $REGION
CONF

# run ARGS...: folio-hostd on a null port, bounded in time; sets RC, ERR.
run() {
	timeout 30 "$HOSTD" --no-huge --no-pci -m 64 --file-prefix "$TAG" \
		--log-level=lib.eal:error --vdev net_null0 -- \
		--guest "$DIR/g.conf" "$@" >"$DIR/out" 2>"$DIR/err"
	RC=$?
	ERR=$(cat "$DIR/err")
}

# refuse OPTION VALUE [more args]: exit 2, an error naming --OPTION.
refuse() {
	local opt=$1 val=$2
	shift 2
	run "--$opt" "$val" "$@"
	[ "$RC" = 2 ] || fail "--$opt $val: exit $RC, not 2: $ERR"
	grep -q -- "--$opt: '$val' is not" <<<"$ERR" ||
		fail "--$opt $val: no error naming the option: $ERR"
	! grep -q "serving" <<<"$ERR" || fail "--$opt $val: served anyway"
	echo "# --$opt $val: $(grep -- "--$opt:" <<<"$ERR")"
}

for v in 1e30 -1 nan inf 5x "" 1e-400; do
	refuse duration "$v"
	refuse reset-failed "$v" --duration 0.2
done
refuse stats 1e30 --duration 0.2
for v in 65536 -1 " 1" +0 0x1 4294967296; do
	refuse port "$v" --duration 0.2
done
refuse idle-spin 0 --duration 0.2
refuse zc-min -1 --duration 0.2

# The largest values in range are taken, and a good line serves.
run --duration 0.3 --reset-failed 3600 --stats 86400 --port 0
[ "$RC" = 0 ] || fail "a good command line exited $RC: $ERR"
grep -q "serving 1 guest" <<<"$ERR" || fail "a good command line did not serve: $ERR"
echo "# good command line: served and exited 0"
