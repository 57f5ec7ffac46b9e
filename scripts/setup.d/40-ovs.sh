#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Open vSwitch with DPDK (Debian's openvswitch-switch-dpdk) for tests/ovs and
# bench/ovs-race. The tests start their own ovsdb-server and ovs-vswitchd
# with a private run directory, database and log: the packaged services are
# neither started here nor needed. Idempotent and quiet.
set -euo pipefail
. "$(dirname "$0")/../apt-lib.sh"
mapfile -t missing < <(apt_missing openvswitch-switch-dpdk iperf3 iproute2 iputils-ping ethtool)
[ ${#missing[@]} = 0 ] && exit 0
# Keep the package scripts from starting ovsdb-server/ovs-vswitchd: a
# policy-rc.d that refuses every start, only for the time of this install
# and only when none is there already.
rcd=/usr/sbin/policy-rc.d
own_rcd=0
if [ ! -e "$rcd" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$rcd" >/dev/null
	$SUDO chmod 755 "$rcd"
	own_rcd=1
fi
rc=0
apt_install 40-ovs "${missing[@]}" || rc=$?
[ $own_rcd = 1 ] && $SUDO rm -f "$rcd"
if [ $rc != 0 ]; then
	echo "40-ovs: WARNING: could not install ${missing[*]}; tests/ovs will skip" >&2
	exit 0
fi
# With systemd, leave the units installed but disabled: the host switch of
# the tests is private to each test.
if [ -d /run/systemd/system ]; then
	for u in openvswitch-switch ovs-vswitchd ovsdb-server; do
		$SUDO systemctl disable --now "$u" >/dev/null 2>&1 || true
	done
fi
# The DPDK flavour of ovs-vswitchd is the one tests/ovs needs.
if [ -x /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk ]; then
	$SUDO update-alternatives --set ovs-vswitchd \
		/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk >/dev/null 2>&1 || true
fi
exit 0
