#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# /init of tests/seal/vm-macsec.sh's initramfs: in the VM (Debian's kernel,
# which has macsec.ko), a veth pair; on one end a Linux macsec0 with static
# keys in a namespace, on the other seal-peer, a sealed Folio guest. For
# each cipher suite: ping through macsec0, then both sides' counters. One
# marker line per result on the console ("SEALVM: ..."), then power off.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /tmp /run /var/run/netns
exec >/dev/console 2>&1
say() { echo "SEALVM: $*"; }
# iproute2 by path: busybox ash would run its own ip applet first.
IP=/sbin/ip
GKEY=$(cat /folio/gkey) PKEY=$(cat /folio/pkey)
for m in /lib/modules/*.ko; do insmod "$m" 2>/dev/null || say "note: insmod $m failed"; done
say "modules: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
$IP link set lo up
$IP netns add p
$IP link add va type veth peer name vb
$IP link set va address 02:f0:00:00:00:01
$IP link set vb netns p
$IP -n p link set vb address 02:f0:00:00:00:02
$IP link set va up
$IP -n p link set vb up
for c in 128 256; do
	n=32; [ $c = 256 ] && n=64
	gk=$(echo "$GKEY" | cut -c1-$n) pk=$(echo "$PKEY" | cut -c1-$n)
	if ! $IP -n p link add link vb name macsec0 type macsec port 1 encrypt on \
		cipher gcm-aes-$c >/tmp/ms.log 2>&1; then
		say "FAIL gcm-aes-$c: no macsec0: $(cat /tmp/ms.log)"; continue
	fi
	$IP -n p macsec add macsec0 tx sa 0 pn 1 on key 01 "$pk"
	$IP -n p macsec add macsec0 rx port 1 address 02:f0:00:00:00:01
	$IP -n p macsec add macsec0 rx port 1 address 02:f0:00:00:00:01 sa 0 pn 1 on key 02 "$gk"
	$IP -n p addr add 198.18.0.2/24 dev macsec0
	$IP -n p link set macsec0 up
	/folio/seal-peer -c /folio/g$c.conf -i va -a 198.18.0.1 -d 90 2>/tmp/peer.log &
	peer=$!
	sleep 1
	# Sizes: 56 (SL 0), 4 (a short SecTAG length, SL 34), 1400 (near the MTU).
	for sz in 56 4 1400; do
		if $IP netns exec p ping -c 3 -s $sz -W 3 198.18.0.1 >/tmp/ping.log 2>&1; then
			say "PING OK gcm-aes-$c size $sz: $(grep -o '[0-9]* packets received' /tmp/ping.log)"
		else
			say "PING FAIL gcm-aes-$c size $sz"; sed 's/^/ping| /' /tmp/ping.log
		fi
	done
	$IP -n p -s macsec show macsec0 | sed "s/^/macsec-$c| /"
	kill $peer; wait $peer
	sed "s/^/peer-$c| /" /tmp/peer.log
	$IP -n p link del macsec0
done
say END
poweroff -f
