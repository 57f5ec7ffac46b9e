#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# /init of the VM test's initramfs. The guest has no NIC at all: its only
# network is Folio over ivshmem BARs. It runs the checks named on the kernel
# command line and prints one result marker per check on the serial console
# ("FOLIO-VM: ..."), then powers off. The host side reads the markers.
#
# Kernel parameters (set by run-vm.sh):
#   folio.checks=echo,tcp,restart   which checks to run, in order (kmod: the
#                           folio.ko check, on the folio-hostd device)
#   folio.echo_bdf=BDF      ivshmem device served by folio-echo-host
#   folio.net_bdf=BDF       ivshmem device served by folio-hostd
#   folio.frames=N          frames for the echo check
#   folio.peer=IP:PORT      HTTP server in the peer namespace (tcp check);
#                           iperf3 -s listens on IP:5201 when iperf3 is packed
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run
exec >/dev/console 2>&1

say() { echo "FOLIO-VM: $*"; }

checks="" tapd="" echo_bdf="" net_bdf="" frames=10000 peer="" rounds=5 secs=3
# shellcheck disable=SC2013 # the command line is one line of words
for kv in $(cat /proc/cmdline); do
	case "$kv" in
	folio.checks=*) checks=$(echo "${kv#*=}" | tr ',' ' ') ;;
	folio.echo_bdf=*) echo_bdf=${kv#*=} ;;
	folio.net_bdf=*) net_bdf=${kv#*=} ;;
	folio.frames=*) frames=${kv#*=} ;;
	folio.peer=*) peer=${kv#*=} ;;
	folio.rounds=*) rounds=${kv#*=} ;;
	folio.secs=*) secs=${kv#*=} ;;
	esac
done
say "boot ok, kernel $(uname -r), checks: $checks"

# Prove the premise: no network device but loopback before Folio starts.
nics=""
for n in /sys/class/net/*; do
	[ "${n##*/}" = lo ] || nics="$nics${n##*/} "
done
say "network devices other than lo: ${nics:-none}"

# The Folio regions: ivshmem-plain is PCI 1af4:1110, the region is BAR 2.
found=""
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1110 ]; then
		found="$found ${d##*/}"
	fi
done
say "ivshmem devices:${found:- none}"

# Map BAR 2 of the device, after checking it is one of the ivshmem devices.
bar_of() {
	case " $found " in
	*" $1 "*) ;;
	*) return 1 ;;
	esac
	echo 1 > "/sys/bus/pci/devices/$1/enable" 2>/dev/null
	echo "/sys/bus/pci/devices/$1/resource2"
}

# Print a log with a prefix, so the host can tell the lines apart.
show() { sed "s/^/$1| /" "$2"; }

check_echo() {
	bar=$(bar_of "$echo_bdf") || { say "ECHO FAIL no ivshmem device at '$echo_bdf'"; return; }
	say "echo: region $bar ($(stat -c %s "$bar") bytes)"
	/folio/folio-echo-guest -c /folio/echo.conf --region "$bar" -n "$frames" \
		--duration 60 > /tmp/echo.log 2>&1
	rc=$?
	show echo-guest /tmp/echo.log
	if [ $rc -eq 0 ]; then
		say "ECHO PASS $(grep 'frames verified' /tmp/echo.log)"
	else
		say "ECHO FAIL rc=$rc"
	fi
}

check_tcp() {
	bar=$(bar_of "$net_bdf") || { say "TCP FAIL no ivshmem device at '$net_bdf'"; return; }
	say "tcp: region $bar ($(stat -c %s "$bar") bytes)"
	for m in /lib/modules/*.ko; do
		[ -e "$m" ] && insmod "$m"
	done
	ip link set lo up
	/folio/folio-tapd -c /folio/net.conf --region "$bar" --tap folio0 \
		--stats 10 > /tmp/tapd.log 2>&1 &
	tapd=$!
	n=0
	while [ ! -e /sys/class/net/folio0 ] && [ $n -lt 100 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	if [ ! -e /sys/class/net/folio0 ]; then
		show tapd /tmp/tapd.log
		say "TCP FAIL tapd did not create folio0"
		kill $tapd 2>/dev/null
		tapd=""
		return
	fi
	ip addr add 198.18.0.1/24 dev folio0
	ip link set folio0 up
	ip addr show folio0 | sed 's/^/guest| /'

	# The host side may still be coming up: wait for the peer to answer.
	ip=${peer%:*}
	n=0
	until ping -c 1 -W 1 "$ip" > /dev/null 2>&1; do
		n=$((n + 1))
		if [ $n -ge 30 ]; then
			break
		fi
	done
	ping -c 3 -W 2 "$ip" | sed 's/^/guest| /'

	# Host to guest: fetch the payload; guest to host: send it back.
	rc=0
	# Bounded by timeout(1): busybox 1.35's wget -T crashes.
	if timeout 45 wget -q -O /tmp/payload "http://$peer/payload"; then
		say "TCP GET bytes=$(stat -c %s /tmp/payload) sha256=$(sha256sum /tmp/payload | cut -d' ' -f1)"
		if timeout 45 wget -q -O /tmp/reply --post-file=/tmp/payload \
			"http://$peer/upload"; then
			say "TCP POST reply $(cat /tmp/reply)"
		else
			rc=2
		fi
	else
		rc=1
	fi
	# Throughput, when iperf3 was packed: guest to peer, then peer to guest.
	if [ $rc -eq 0 ] && [ -x /folio/iperf3 ]; then
		for dir in "" -R; do
			if timeout 30 /folio/iperf3 -c "$ip" -p 5201 -t 3 -f m $dir \
				> /tmp/iperf.log 2>&1; then
				show iperf3 /tmp/iperf.log
				say "IPERF${dir:- } $(grep -E 'receiver$' /tmp/iperf.log | tail -n 1)"
			else
				show iperf3 /tmp/iperf.log
				say "IPERF FAIL $dir"
			fi
		done
	fi
	if [ $rc -eq 0 ]; then
		say "TCP DONE"
	else
		say "TCP FAIL wget step $rc"
	fi
}

# The host restarts folio-hostd while this guest runs: it reuses the region
# file that QEMU maps and publishes a new epoch; folio-tapd re-attaches by
# itself. The peer's /generation turns 2 once the new backend is up.
check_restart() {
	[ -n "$tapd" ] || { say "RESTART FAIL no folio-tapd running"; return; }
	say "RESTART READY"
	n=0 gen=""
	while [ $n -lt 60 ]; do
		gen=$(timeout 5 wget -q -O - "http://$peer/generation" 2>/dev/null)
		[ "$gen" = 2 ] && break
		sleep 1
		n=$((n + 1))
	done
	if [ "$gen" = 2 ] && timeout 45 wget -q -O /tmp/payload2 "http://$peer/payload"; then
		say "RESTART GET bytes=$(stat -c %s /tmp/payload2) sha256=$(sha256sum /tmp/payload2 | cut -d' ' -f1)"
	else
		say "RESTART FAIL generation '$gen'"
	fi
}

# folio.ko on the folio-hostd device: the module's defaults are the example
# config's values. Every step is bounded; each prints one marker.
kstats() { # ethtool -S as one line of name=value, for the host's checks
	if [ -x /folio/ethtool ]; then
		echo "kstats$1| $(/folio/ethtool -S folio0 2>&1 | sed -n 's/^ *\([a-z0-9_]*\): \([0-9]*\)$/\1=\2/p' | tr '\n' ' ')"
	fi
}
kmod_up() { # insmod, address, link up, wait for the carrier (attached)
	insmod /folio/folio.ko || return 1
	n=0
	while [ ! -e /sys/class/net/folio0 ] && [ $n -lt 50 ]; do sleep 0.2; n=$((n + 1)); done
	[ -e /sys/class/net/folio0 ] || return 2
	ip addr add 198.18.0.1/24 dev folio0
	ip link set folio0 up
	n=0
	while [ "$(cat /sys/class/net/folio0/carrier 2>/dev/null)" != 1 ] && [ $n -lt 100 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	[ "$(cat /sys/class/net/folio0/carrier 2>/dev/null)" = 1 ] || return 3
}
check_kmod() {
	ip=${peer%:*}
	ip link set lo up
	if insmod /folio/folio.ko slot_size=1000 2> /dev/null; then
		say "KMOD FAIL a bad parameter was accepted"
		rmmod folio
	else
		say "KMOD BADPARAM $(dmesg | grep 'folio: bad module parameter' | tail -n 1 | sed 's/^\[[^]]*\] //')"
	fi
	# Parameters valid, but not the host's: a layout larger than the BAR,
	# then one of the same size whose digest differs.
	insmod /folio/folio.ko queues=2 && rmmod folio
	say "KMOD SMALLBAR $(dmesg | grep 'BAR 2 has' | tail -n 1 | sed 's/^\[[^]]*\] //')"
	insmod /folio/folio.ko mtu=1400 && rmmod folio
	say "KMOD MISMATCH $(dmesg | grep 'region header does not match' | tail -n 1 | sed 's/^\[[^]]*\] //')"
	kmod_up || { say "KMOD FAIL bring-up step $?"; dmesg | grep -i folio | sed 's/^/kmsg| /'; return; }
	say "KMOD UP $(cat /sys/class/net/folio0/address) mtu $(cat /sys/class/net/folio0/mtu)"
	if ip link set folio0 mtu 1400 2> /dev/null; then
		say "KMOD FAIL mtu 1400 accepted"
	else
		say "KMOD MTU other MTUs refused"
	fi
	[ -x /folio/ethtool ] && /folio/ethtool -i folio0 | sed 's/^/ethtool| /'
	ping -c 3 -W 2 "$ip" | sed 's/^/guest| /'
	if timeout 45 wget -q -O /tmp/payload "http://$peer/payload"; then
		say "TCP GET bytes=$(stat -c %s /tmp/payload) sha256=$(sha256sum /tmp/payload | cut -d' ' -f1)"
		timeout 45 wget -q -O /tmp/reply --post-file=/tmp/payload "http://$peer/upload" &&
			say "TCP POST reply $(cat /tmp/reply)"
	fi
	if [ -x /folio/iperf3 ]; then
		for dir in "" -R; do
			if timeout 30 /folio/iperf3 -c "$ip" -p 5201 -t 3 -f m $dir > /tmp/iperf.log 2>&1; then
				say "IPERF${dir:- } $(grep -E 'receiver$' /tmp/iperf.log | tail -n 1)"
			else
				show iperf3 /tmp/iperf.log
				say "IPERF FAIL $dir"
			fi
		done
	fi
	kstats 1
	# folio-hostd is restarted while this download runs (about 10 s).
	down0=$(cat /sys/class/net/folio0/carrier_down_count)
	timeout 90 wget -q -O /tmp/slow "http://$peer/slow" &
	slow=$!
	say "RESTART READY"
	n=0 gen=""
	while [ $n -lt 60 ]; do
		gen=$(timeout 5 wget -q -O - "http://$peer/generation" 2>/dev/null)
		[ "$gen" = 2 ] && break
		sleep 1
		n=$((n + 1))
	done
	if wait $slow; then
		say "RESTART GET bytes=$(stat -c %s /tmp/slow) sha256=$(sha256sum /tmp/slow | cut -d' ' -f1)"
	else
		say "RESTART FAIL download, generation '$gen'"
	fi
	say "KMOD CARRIER down $(($(cat /sys/class/net/folio0/carrier_down_count) - down0)) during the restart"
	kstats 2
	ip link set folio0 down
	if rmmod folio; then say "KMOD RMMOD ok"; else say "KMOD FAIL rmmod"; fi
	# The host sees the ack withdrawn and re-creates the region; the
	# second instance attaches to the new epoch.
	if kmod_up && ping -c 2 -W 2 "$ip" > /dev/null; then
		say "KMOD REINSMOD attached, ping ok"
	else
		say "KMOD FAIL second insmod"
	fi
	kstats 3
	# The host turns hostile for 8 s: traffic meanwhile, bounded in time.
	say "HOSTILE READY"
	[ -x /folio/iperf3 ] && timeout 14 /folio/iperf3 -c "$ip" -p 5201 -t 8 > /dev/null 2>&1 &
	timeout 12 ping -c 100 -W 1 "$ip" > /dev/null 2>&1
	sleep 2
	kstats 4
	say "HOSTILE SURVIVED carrier=$(cat /sys/class/net/folio0/carrier)"
	ip link set folio0 down
	if rmmod folio; then say "KMOD RMMOD2 ok"; else say "KMOD FAIL rmmod after the hostile host"; fi
	say "KMOD DMESG $(dmesg | grep -c -E 'BUG|Oops|WARNING|general protection') bad lines"
	dmesg | grep -E 'folio|BUG|Oops|WARNING|general protection' | sed 's/^/kmsg| /'
}

# bench/vm-net: the same iperf3 runs through folio.ko, folio-tapd and
# virtio-net, interleaved round by round, one path up at a time. The peer
# is 198.18.0.2 through folio-hostd, 198.18.1.2 through virtio-net's TAP.
wait_ping() { # ip: up to about 40 s
	n=0
	until ping -c 1 -W 1 "$1" > /dev/null 2>&1; do
		n=$((n + 1))
		[ $n -ge 40 ] && return 1
	done
}
bench_iperf() { # path ip
	for dir in tx rx; do
		r=""
		[ $dir = rx ] && r=-R
		if timeout $((secs + 20)) /folio/iperf3 -c "$2" -p 5201 -t "$secs" -f m $r > /tmp/iperf.log 2>&1; then
			say "BENCH round=$round path=$1 dir=$dir mbps=$(grep -E 'receiver$' /tmp/iperf.log | tail -n 1 | awk '{print $(NF-2)}')"
		else
			show iperf3 /tmp/iperf.log
			say "BENCH round=$round path=$1 dir=$dir mbps=0"
		fi
	done
}
check_bench() {
	ip=${peer%:*}
	ip link set lo up
	for m in /lib/modules/*.ko /lib/modules/virtio/*.ko; do
		[ -e "$m" ] && insmod "$m"
	done
	veth=""
	for d in /sys/class/net/*; do
		case "${d##*/}" in lo | folio*) ;; *) veth=${d##*/} ;; esac
	done
	say "bench: virtio-net is '${veth:-none}', $rounds rounds of ${secs} s"
	bar=$(bar_of "$net_bdf")
	round=1
	while [ $round -le "$rounds" ]; do
		if kmod_up && wait_ping "$ip"; then
			bench_iperf kmod "$ip"
		else
			say "BENCHFAIL kmod round $round"
		fi
		kstats
		ip link set folio0 down
		rmmod folio
		# Let folio-hostd see the leave and publish a new epoch before the
		# next guest instance attaches (its --reset-failed is 1 s).
		sleep 3
		bar=$(bar_of "$net_bdf")
		/folio/folio-tapd -c /folio/net.conf --region "$bar" --tap folio0 > /tmp/tapd.log 2>&1 &
		tapd=$!
		n=0
		while [ ! -e /sys/class/net/folio0 ] && [ $n -lt 100 ]; do sleep 0.2; n=$((n + 1)); done
		ip addr add 198.18.0.1/24 dev folio0
		ip link set folio0 up
		if wait_ping "$ip"; then
			bench_iperf tapd "$ip"
		else
			show tapd /tmp/tapd.log
			say "BENCHFAIL tapd round $round"
		fi
		kill $tapd
		wait $tapd
		tapd=""
		sleep 3 # as above, before folio.ko attaches in the next round
		if [ -n "$veth" ]; then
			ip addr add 198.18.1.1/24 dev "$veth"
			ip link set "$veth" up
			if wait_ping 198.18.1.2; then
				bench_iperf virtio 198.18.1.2
			else
				say "BENCHFAIL virtio round $round"
			fi
			ip link set "$veth" down
			ip addr flush dev "$veth"
		fi
		round=$((round + 1))
	done
}

for c in $checks; do
	case "$c" in
	echo) check_echo ;;
	tcp) check_tcp ;;
	restart) check_restart ;;
	kmod) check_kmod ;;
	bench) check_bench ;;
	*) say "unknown check $c" ;;
	esac
done
if [ -n "$tapd" ]; then
	kill $tapd
	wait $tapd
	show tapd /tmp/tapd.log
fi
say "END"
sync
poweroff -f
