#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Folio in a real VM. Boots Debian's kernel under QEMU with `-nic none` and
# an initramfs built here from busybox-static plus Folio's guest binaries;
# the guest's only network is Folio over ivshmem-plain BARs backed by region
# files that the host-side tools serve.
#
#   run-vm.sh echo BUILD SRC   raw echo: >= 10,000 frames verified byte by byte
#   run-vm.sh net  BUILD SRC   echo, then TCP through folio-tapd (guest) and
#                              folio-hostd (host) to a peer namespace, then
#                              folio-hostd is restarted under the running VM
#                              and the guest fetches the payload again
#   run-vm.sh bench BUILD SRC  bench/vm-net's rounds: iperf3 both ways through
#                              folio.ko, folio-tapd and virtio-net-pci
#                              (iommu_platform=on, guest swiotlb=force, TAP
#                              backend in the peer namespace), interleaved;
#                              FOLIO_BENCH_ROUNDS, FOLIO_BENCH_SECONDS
#   run-vm.sh kmod BUILD SRC   folio.ko (drivers/linux), built here against
#                              the booted kernel's headers: a bad parameter
#                              refused, folio0 up, ping, TCP 1 MiB each way,
#                              iperf3 both ways, folio-hostd restarted in the
#                              middle of a download, rmmod and a second insmod
#
# Device plan (fixed PCI slots, so the guest knows which is which):
#   00:10.0  ivshmem, region served by folio-echo-host (examples/)
#   00:11.0  ivshmem, region served by folio-hostd (net mode only)
# Both checks use examples/folio.conf; only `region` differs per side.
#
# Exit: 0 pass, 1 fail, 77 skip (no root, no qemu, no kernel, binaries not
# built). Everything started here is stopped by PID; the namespace, veth,
# region files and DPDK runtime directory are removed.
# Environment: FOLIO_VM_ACCEL=kvm|tcg skips the KVM probe; FOLIO_VM_KEEP=1
# keeps the work directory (serial log, initramfs) for debugging.
set -uo pipefail

mode=${1:-}
build=${2:-}
src=${3:-}
case "$mode" in echo | net | kmod | bench) ;; *)
	echo "usage: run-vm.sh echo|net|kmod|bench BUILD_DIR SOURCE_DIR" >&2
	exit 2
	;;
esac

FRAMES=${FOLIO_VM_FRAMES:-20000}
# Seconds for one boot with all its checks; the guest bounds each step
# itself (guest-init.sh), so a stuck step is reported, not just killed.
VM_TIMEOUT=80
[ "$mode" = net ] && VM_TIMEOUT=200
[ "$mode" = kmod ] && VM_TIMEOUT=300
ROUNDS=${FOLIO_BENCH_ROUNDS:-5}
SECS=${FOLIO_BENCH_SECONDS:-3}
[ "$mode" = bench ] && VM_TIMEOUT=$((90 + ROUNDS * (6 * SECS + 90)))
# Modes that serve a network to the guest through folio-hostd.
hosted=""
[ "$mode" != echo ] && hosted=1
tag="fvm$$"
T_TAG="vm[$mode]"
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
[ -n "${FOLIO_VM_KEEP:-}" ] && LIB_KEEP=1
at_exit "rm -rf '/var/run/dpdk/$tag'"

# ---- prerequisites: skip with the reason when one is missing ---------------
[ "$(id -u)" -eq 0 ] || skip "needs root (ivshmem region files, network namespace, veth)"
QEMU=$(command -v qemu-system-x86_64) ||
	skip "qemu-system-x86_64 not installed (run scripts/setup.d/60-vm.sh)"
BUSYBOX=$(command -v busybox) || skip "busybox not installed (busybox-static)"
command -v cpio > /dev/null || skip "cpio not installed"
{ [ -d "$build" ] && [ -d "$src" ]; } || fail "bad build dir '$build' or source dir '$src'"

# Debian's kernel, with the modules tree that matches it (tun for the TAP).
KVER=""
for k in $(printf '%s\n' /boot/vmlinuz-* | sort -V); do
	v=${k#/boot/vmlinuz-}
	[ -f "/lib/modules/$v/modules.dep" ] && KVER=$v
done
[ -n "$KVER" ] || skip "no kernel in /boot with its modules (linux-image-amd64)"
KERNEL=/boot/vmlinuz-$KVER

ECHO_GUEST=$build/examples/folio-echo-guest
ECHO_HOST=$build/examples/folio-echo-host
REGION_SIZE=$build/tests/vm/folio-vm-region-size
HOSTILE=$build/tests/vm/folio-vm-hostile
TAPD=$build/drivers/tap/folio-tapd
HOSTD=$build/drivers/host/folio-hostd
CONF=$src/examples/folio.conf
for b in "$ECHO_GUEST" "$ECHO_HOST" "$REGION_SIZE"; do
	[ -x "$b" ] || skip "$b is not built"
done
[ -f "$CONF" ] || fail "$CONF missing"
checks="echo"
if [ -n "$hosted" ]; then
	[ -x "$HOSTD" ] || skip "TCP check: $HOSTD is not built (needs DPDK)"
	command -v python3 > /dev/null || skip "python3 not installed (peer server)"
	command -v ip > /dev/null || skip "iproute2 not installed"
fi
if [ "$mode" = net ] || [ "$mode" = bench ]; then
	[ -x "$TAPD" ] || skip "TCP check: $TAPD is not built (needs liburing)"
	checks=echo,tcp,restart
fi
if [ "$mode" = bench ]; then
	[ -n "$(command -v iperf3)" ] || skip "iperf3 not installed"
fi
[ "$mode" = kmod ] && { [ -x "$HOSTILE" ] || skip "$HOSTILE is not built"; }

work_dir work vm
log "kernel $KVER, work dir $work"

# ---- folio.ko, built against exactly the kernel that boots -----------------
if [ "$mode" = kmod ] || [ "$mode" = bench ]; then
	KDIR=/lib/modules/$KVER/build
	[ -f "$KDIR/Makefile" ] ||
		skip "no kernel headers for $KVER in $KDIR (scripts/setup.d/65-kernel-headers.sh)"
	command -v make > /dev/null || skip "make not installed"
	# A private copy of the sources: Kbuild writes its objects beside them.
	mkdir -p "$work/kbuild"
	cp -r "$src/drivers/linux" "$src/lib" "$src/include" "$src/meson.build" "$work/kbuild/" 2> /dev/null ||
		fail "cannot copy the module sources"
	mkdir -p "$work/kbuild/drivers" && mv "$work/kbuild/linux" "$work/kbuild/drivers/"
	if ! make -C "$work/kbuild/drivers/linux" KDIR="$KDIR" > "$work/kbuild.log" 2>&1; then
		cat "$work/kbuild.log" >&2
		fail "folio.ko does not build against $KDIR"
	fi
	if grep -E -q 'warning:|error:' "$work/kbuild.log"; then
		grep -E 'warning:|error:' "$work/kbuild.log" >&2
		fail "folio.ko builds with warnings"
	fi
	KMOD=$work/kbuild/drivers/linux/folio.ko
	log "folio.ko built warning-free against $KDIR"
	checks=$mode
fi

# ---- configs: the example config, with only `region` set for each side -----
host_conf() { # name region -> file
	sed -e '/^[[:space:]]*region[[:space:]]*=/d' "$CONF" > "$work/$1"
	echo "region = $2" >> "$work/$1"
}
ECHO_REGION=/dev/shm/folio-vm-$$-echo
NET_REGION=/dev/shm/folio-vm-$$-net
host_conf echo.conf "$ECHO_REGION"
host_conf net.conf "$NET_REGION"
SIZE=$("$REGION_SIZE" "$work/echo.conf") || fail "cannot size the region"

# ---- initramfs: busybox, the guest binaries, their libraries, tun.ko -------
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,folio,lib/modules}
cp "$BUSYBOX" "$root/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
guest_bins=("$ECHO_GUEST")
{ [ "$mode" = net ] || [ "$mode" = bench ]; } && guest_bins+=("$TAPD")
IPERF3=$(command -v iperf3 || true)
[ -n "$hosted" ] && [ -n "$IPERF3" ] && guest_bins+=("$IPERF3")
ETHTOOL=$(command -v ethtool || true)
[ "$mode" != echo ] && [ -n "$ETHTOOL" ] && guest_bins+=("$ETHTOOL")
for b in "${guest_bins[@]}" "$BUSYBOX"; do
	[ "$b" = "$BUSYBOX" ] || cp "$b" "$root/folio/"
	# Shared libraries (and the loader) at the same paths as on the host.
	for l in $(ldd "$b" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$l" ] && continue
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l"
	done
done
cp "$work/echo.conf" "$work/net.conf" "$root/folio/"
[ -n "${KMOD:-}" ] && cp "$KMOD" "$root/folio/folio.ko"
# tun and whatever modules.dep says it needs, in load order.
mods=$(sed -n 's#^\(kernel/drivers/net/tun\.ko[^:]*\):\(.*\)#\2 \1#p' \
	"/lib/modules/$KVER/modules.dep")
[ -n "$mods" ] || skip "tun.ko not found in /lib/modules/$KVER"
i=0
for m in $mods; do
	i=$((i + 1))
	case "$m" in *.ko) ;; *) skip "compressed module $m: busybox insmod cannot load it" ;; esac
	cp "/lib/modules/$KVER/$m" "$root/lib/modules/$(printf %02d $i)-$(basename "$m")"
done
if [ "$mode" = bench ]; then
	# virtio-net and what it needs, in load order, apart from tun's.
	mkdir -p "$root/lib/modules/virtio"
	i=0
	for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev \
		virtio/virtio_pci_modern_dev virtio/virtio_pci ../net/core/failover \
		net/net_failover net/virtio_net; do
		f=$(cd "/lib/modules/$KVER/kernel/drivers" && realpath -m "$m.ko")
		[ -f "$f" ] || skip "$f not found (virtio-net for the baseline)"
		i=$((i + 1))
		cp "$f" "$root/lib/modules/virtio/$(printf %02d $i)-$(basename "$f")"
	done
fi
cp "$src/tests/vm/guest-init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz" ||
	fail "cannot pack the initramfs"
log "initramfs $(stat -c %s "$work/initrd.gz") bytes"

# ---- accelerator: KVM if a guest really boots with it, else TCG ------------
qemu_base=("$QEMU" -m 512 -kernel "$KERNEL" -initrd "$work/initrd.gz"
	-display none -monitor none -parallel none -nic none -no-reboot)
cmdline="console=ttyS0 quiet panic=-1"

# The probe's answer is kept in the build dir for the next test of the suite.
probe_cache=$build/tests/vm/accel-$KVER
accel=${FOLIO_VM_ACCEL:-}
[ -z "$accel" ] && [ -f "$probe_cache" ] && accel=$(cat "$probe_cache")
if [ -z "$accel" ]; then
	accel=tcg
	if [ -w /dev/kvm ]; then
		timeout -k 2 15 "${qemu_base[@]}" -accel kvm -smp 1 \
			-append "$cmdline folio.checks=" -serial "file:$work/probe.log" \
			> /dev/null 2>&1
		if grep -q "FOLIO-VM: END" "$work/probe.log" 2>/dev/null; then
			accel=kvm
		else
			log "KVM probe: no guest booted within 15 s, using TCG"
		fi
	fi
	echo "$accel" > "$probe_cache" 2>/dev/null
fi
log "accelerator: $accel"

# ---- host side ---------------------------------------------------------------
region_epoch() { "$REGION_SIZE" --epoch "$1"; }

start_hostd() { # log name; sets hostd
	"$HOSTD" -l 0 --no-huge --no-pci -m 256 --file-prefix "$tag" --log-level 'user*:info' \
		--vdev "net_af_packet0,iface=${tag}h" -- \
		--guest "$work/net.conf" --stats 10 --duration $((VM_TIMEOUT + 60)) \
		> "$work/$1.log" 2>&1 &
	hostd=$!
	track_pid "$hostd"
}

wait_region() { # file pid log: until the header magic is written
	local i
	for i in $(seq 300); do
		"$REGION_SIZE" --ready "$1" 2> /dev/null && return 0
		kill -0 "$2" 2>/dev/null || { cat "$3" >&2; fail "$(basename "$3" .log) exited"; }
		sleep 0.1
	done
	cat "$3" >&2
	fail "$1 not initialised after 30 s"
}

# Backing files first, power-of-two sized, before QEMU maps them.
devs=()
echo_host=""
if [ "$mode" = echo ] || [ "$mode" = net ]; then
	rm_at_exit "$ECHO_REGION"
	truncate -s "$SIZE" "$ECHO_REGION" || fail "cannot create $ECHO_REGION"
	"$ECHO_HOST" -c "$work/echo.conf" --duration $((VM_TIMEOUT + 60)) \
		> "$work/echo-host.log" 2>&1 &
	echo_host=$!
	track_pid "$echo_host"
	wait_region "$ECHO_REGION" "$echo_host" "$work/echo-host.log"
	# shellcheck disable=SC2054 # commas are QEMU option syntax
	devs=(-object "memory-backend-file,id=rEcho,share=on,mem-path=$ECHO_REGION,size=$SIZE"
		-device ivshmem-plain,memdev=rEcho,addr=0x10)
	cmdline+=" folio.echo_bdf=0000:00:10.0 folio.frames=$FRAMES"
fi
cmdline+=" folio.checks=$checks"

if [ -n "$hosted" ]; then
	PORT=8080
	PEER=198.18.0.2
	netns=folio-vm-$$
	ip netns add "$netns" || fail "ip netns add"
	at_exit "ip netns del '$netns'"
	ip link add "${tag}h" type veth peer name "${tag}p" || fail "ip link add veth"
	at_exit "ip link del '${tag}h'"
	ip link set "${tag}p" netns "$netns"
	sysctl -qw "net.ipv6.conf.${tag}h.disable_ipv6=1" 2>/dev/null
	ip link set "${tag}h" up
	ip -n "$netns" link set lo up
	ip -n "$netns" addr add "$PEER/24" dev "${tag}p"
	ip -n "$netns" link set "${tag}p" up
	# A userspace datapath carries these frames: no offloads to fix up.
	if command -v ethtool > /dev/null; then
		ethtool -K "${tag}h" tx off rx off tso off gso off gro off > /dev/null 2>&1
		ip netns exec "$netns" ethtool -K "${tag}p" tx off rx off tso off gso off gro off \
			> /dev/null 2>&1
	fi
	# Random each run; text, because busybox wget --post-file stops at a NUL.
	head -c $((3 << 18)) /dev/urandom | base64 -w 76 | head -c $((1 << 20)) > "$work/payload"
	SHA=$(sha256sum "$work/payload" | cut -d' ' -f1)
	echo 1 > "$work/generation"
	ip netns exec "$netns" python3 "$src/tests/vm/peer-server.py" "$PEER" "$PORT" \
		"$work/payload" $((VM_TIMEOUT + 30)) "$work/generation" > "$work/peer.log" 2>&1 &
	track_pid "$!"

	if [ -n "$IPERF3" ]; then
		bind=(-B "$PEER")
		[ "$mode" = bench ] && bind=() # also serves virtio-net's 198.18.1.2
		ip netns exec "$netns" "$IPERF3" -s "${bind[@]}" -p 5201 > "$work/iperf3.log" 2>&1 &
		track_pid "$!"
	fi

	rm_at_exit "$NET_REGION"
	truncate -s "$SIZE" "$NET_REGION" || fail "cannot create $NET_REGION"
	start_hostd hostd1
	wait_region "$NET_REGION" "$hostd" "$work/hostd1.log"
	# shellcheck disable=SC2054
	devs+=(-object "memory-backend-file,id=rNet,share=on,mem-path=$NET_REGION,size=$SIZE"
		-device ivshmem-plain,memdev=rNet,addr=0x11)
	cmdline+=" folio.net_bdf=0000:00:11.0 folio.peer=$PEER:$PORT"
fi

# ---- the VM ------------------------------------------------------------------
in_ns=()
if [ "$mode" = bench ]; then
	# virtio-net as a CVM runs it: the device goes through the DMA API
	# (iommu_platform=on) and the guest bounces every buffer (swiotlb=force).
	# QEMU runs in the peer namespace, so its TAP backend lands there.
	# shellcheck disable=SC2054
	devs+=(-netdev "tap,id=vnet,ifname=${tag}t,script=no,downscript=no"
		-device "virtio-net-pci,netdev=vnet,iommu_platform=on,disable-legacy=on,addr=0x12,mac=02:f0:00:00:01:01")
	cmdline+=" swiotlb=force folio.rounds=$ROUNDS folio.secs=$SECS"
	in_ns=(ip netns exec "$netns")
fi
log "booting: $cmdline"
start=$(date +%s)
"${in_ns[@]}" timeout -k 5 "$VM_TIMEOUT" "${qemu_base[@]}" -accel "$accel" -smp 2 "${devs[@]}" \
	-append "$cmdline" -serial "file:$work/serial.log" > "$work/qemu.log" 2>&1 &
qemu=$!
track_pid "$qemu"
if [ "$mode" = bench ]; then
	for i in $(seq 100); do
		ip -n "$netns" link show "${tag}t" > /dev/null 2>&1 && break
		sleep 0.1
	done
	ip -n "$netns" addr add 198.18.1.2/24 dev "${tag}t"
	ip -n "$netns" link set "${tag}t" up || fail "no TAP backend ${tag}t for virtio-net"
fi
if [ -n "$hosted" ] && [ "$mode" != bench ]; then
	# Restart the backend under the running VM when the guest asks for it.
	while kill -0 "$qemu" 2>/dev/null &&
		! grep -a -q "FOLIO-VM: RESTART READY" "$work/serial.log" 2>/dev/null; do
		sleep 0.2
	done
	if kill -0 "$qemu" 2>/dev/null; then
		old_epoch=$(region_epoch "$NET_REGION")
		stop_pid "$hostd"
		start_hostd hostd2
		for i in $(seq 300); do
			e=$(region_epoch "$NET_REGION")
			[ "$e" != "$old_epoch" ] && [ $((e % 2)) -eq 0 ] && break
			sleep 0.1
		done
		log "folio-hostd restarted: epoch $old_epoch -> $e"
		echo 2 > "$work/generation"
	fi
fi
if [ "$mode" = kmod ]; then
	# The hostile host: every host-owned field, while the guest has traffic.
	while kill -0 "$qemu" 2>/dev/null &&
		! grep -a -q "FOLIO-VM: HOSTILE READY" "$work/serial.log" 2>/dev/null; do
		sleep 0.2
	done
	if kill -0 "$qemu" 2>/dev/null; then
		"$HOSTILE" "$work/net.conf" "$NET_REGION" 8 $$ > "$work/hostile.log" 2>&1
		log "hostile host: $(cat "$work/hostile.log")"
	fi
fi
wait "$qemu"
qrc=$?
log "VM ran $(($(date +%s) - start)) s (qemu exit $qrc)"

[ -n "$echo_host" ] && stop_pid "$echo_host"
[ -n "$hosted" ] && stop_pid "$hostd"

serial=$work/serial.log
tr -d '\r' < "$serial" 2> /dev/null | grep -a -E '^(FOLIO-VM|[a-z0-9-]+\|)' > "$work/guest.log"
sed 's/^/  guest: /' "$work/guest.log" >&2
[ -n "$echo_host" ] && sed 's/^/  echo-host: /' "$work/echo-host.log" >&2

# ---- verdict -------------------------------------------------------------------
errors=0
bad() {
	log "FAIL: $*"
	errors=$((errors + 1))
}
no_violation() { # who file: counters were printed and no violation is among them
	grep -E -q 'bad_index=|violations=' "$2" || { bad "$1 printed no counters"; return; }
	if grep -E -q '(bad_[a-z_]+|violations|peer_err)=[1-9]' "$2"; then
		bad "$1 counted a violation: $(grep -E -o '(bad_[a-z_]+|violations|peer_err)=[1-9][0-9]*' "$2" | sort -u | tr '\n' ' ')"
	fi
	grep -q 'state=failed' "$2" && bad "$1 has a FAILED queue"
}

if [ $qrc -ne 0 ] || ! grep -q "FOLIO-VM: END" "$work/guest.log"; then
	tail -n 40 "$serial" >&2
	cat "$work/qemu.log" >&2
	bad "the guest did not finish (qemu exit $qrc)"
fi
# (bench adds virtio-net on purpose: it is the baseline.)
[ "$mode" = bench ] || grep -q "FOLIO-VM: network devices other than lo: none" "$work/guest.log" ||
	bad "the guest has a network device besides Folio's"

if [ "$mode" = echo ] || [ "$mode" = net ]; then
	n=$(sed -n 's/^FOLIO-VM: ECHO PASS echo: \([0-9]*\) frames verified.*/\1/p' "$work/guest.log")
	if [ -z "$n" ] || [ "$n" -lt "$FRAMES" ]; then
		bad "echo: fewer than $FRAMES verified frames (${n:-none})"
	else
		log "echo: $n frames verified byte by byte in the guest"
	fi
	grep '^echo-guest|' "$work/guest.log" > "$work/echo-guest.stats"
	no_violation echo-guest "$work/echo-guest.stats"
	no_violation echo-host "$work/echo-host.log"
fi

if [ "$mode" = net ]; then
	grep -h -v '^EAL\|^TELEMETRY' "$work/hostd1.log" "$work/hostd2.log" 2>/dev/null |
		sed 's/^/  hostd: /' | tail -n 30 >&2
	sed 's/^/  peer: /' "$work/peer.log" >&2
	grep -q "^FOLIO-VM: TCP GET bytes=$((1 << 20)) sha256=$SHA\$" "$work/guest.log" ||
		bad "tcp: the guest did not receive the 1 MiB payload intact"
	grep -q "^FOLIO-VM: TCP POST reply bytes=$((1 << 20)) sha256=$SHA\$" "$work/guest.log" ||
		bad "tcp: the peer did not receive the 1 MiB upload intact"
	grep -q "^FOLIO-VM: TCP DONE" "$work/guest.log" || bad "tcp: check not done"
	if [ -n "$IPERF3" ]; then
		grep -q "^FOLIO-VM: IPERF FAIL" "$work/guest.log" && bad "tcp: iperf3 failed"
		[ "$(grep -c '^FOLIO-VM: IPERF.*receiver$' "$work/guest.log")" -eq 2 ] ||
			bad "tcp: iperf3 did not report both directions"
	fi
	grep '^tapd|' "$work/guest.log" > "$work/tapd.stats"
	no_violation folio-tapd "$work/tapd.stats"
	no_violation "folio-hostd (first)" "$work/hostd1.log"
	no_violation "folio-hostd (restarted)" "$work/hostd2.log"
	grep -q "^FOLIO-VM: RESTART GET bytes=$((1 << 20)) sha256=$SHA\$" "$work/guest.log" ||
		bad "restart: no intact transfer after folio-hostd restarted"
	grep -q '^tapd|.*exit:.* attach=2 ' "$work/tapd.stats" ||
		bad "restart: folio-tapd did not re-attach exactly once"
	[ $errors -eq 0 ] && log "tcp: 1 MiB each way between guest 198.18.0.1 and peer $PEER, sha256 $SHA" &&
		log "restart: folio-hostd restarted under the VM, folio-tapd re-attached, 1 MiB intact"
fi

if [ "$mode" = bench ]; then
	# A path that did not come up in one round is reported, and its
	# medians come from the other rounds; a path with no result fails.
	grep '^FOLIO-VM: BENCHFAIL' "$work/guest.log" >&2
	for p in kmod tapd virtio; do
		for d in tx rx; do
			grep -q "^FOLIO-VM: BENCH round=[0-9]* path=$p dir=$d mbps=[1-9]" "$work/guest.log" ||
				bad "bench: no result for $p $d"
		done
	done
	grep '^kstats' "$work/guest.log" > "$work/kstats"
	no_violation "folio.ko (bench)" "$work/kstats"
	no_violation "folio-hostd (bench)" "$work/hostd1.log"
fi

if [ "$mode" = kmod ]; then
	grep -h -v '^EAL\|^TELEMETRY' "$work/hostd1.log" "$work/hostd2.log" 2>/dev/null |
		sed 's/^/  hostd: /' | tail -n 30 >&2
	want() { # marker-regex what
		grep -E -q "^FOLIO-VM: $1" "$work/guest.log" || bad "kmod: $2"
	}
	want "KMOD BADPARAM folio: bad module parameter: slot_size = '?1000'?: expected a power of two" \
		"a bad parameter was not refused with one dmesg line naming it"
	want "KMOD MISMATCH folio 0000:00:11.0: region header does not match the module parameters: region was laid out from a different configuration" \
		"a header that does not match (mtu=1400) was not refused with one line naming the cause"
	want "KMOD SMALLBAR folio 0000:00:11.0: BAR 2 has [0-9]+ bytes, the configuration needs [0-9]+: not binding" \
		"a BAR smaller than the layout (queues=2) was not refused with one line naming the cause"
	want "KMOD UP 02:f0:00:00:00:01 mtu 1500" "folio0 did not come up with the configured MAC and MTU"
	want "KMOD MTU other MTUs refused" "another MTU was accepted"
	grep -q '^ethtool| driver: folio' "$work/guest.log" || bad "kmod: ethtool -i does not name the driver"
	want "TCP GET bytes=$((1 << 20)) sha256=$SHA\$" "the guest did not receive the 1 MiB payload intact"
	want "TCP POST reply bytes=$((1 << 20)) sha256=$SHA\$" "the peer did not receive the 1 MiB upload intact"
	if [ -n "$IPERF3" ]; then
		[ "$(grep -c '^FOLIO-VM: IPERF.*receiver$' "$work/guest.log")" -eq 2 ] ||
			bad "kmod: iperf3 did not report both directions"
	fi
	want "RESTART GET bytes=$((1 << 20)) sha256=$SHA\$" "the download across the folio-hostd restart was not intact"
	want "KMOD CARRIER down [1-9]" "the carrier did not drop during the restart"
	want "KMOD RMMOD ok" "rmmod failed"
	want "KMOD REINSMOD attached, ping ok" "a second insmod did not attach"
	want "KMOD DMESG 0 bad lines" "the guest kernel logged BUG, Oops, WARNING or a general protection fault"
	want "HOSTILE SURVIVED" "the guest did not survive the hostile host"
	want "KMOD RMMOD2 ok" "rmmod after the hostile host failed"
	grep "^kstats4|" "$work/guest.log" > "$work/kstats4"
	if grep -E -q '(^| )(bad_index|bad_length|bad_header)=[1-9]' "$work/kstats4"; then
		log "hostile host: folio.ko counted $(grep -E -o '(^| )(bad_index|bad_length|bad_header|attach)=[0-9]+' "$work/kstats4" | tr -d '\n')"
	else
		bad "kmod: the hostile host's writes were not counted as violations"
	fi
	for k in 1 2 3; do
		grep "^kstats$k|" "$work/guest.log" > "$work/kstats$k"
		no_violation "folio.ko (ethtool -S, step $k)" "$work/kstats$k"
		grep -E -q 'q[0-9]+_state=2' "$work/kstats$k" && bad "folio.ko: a queue is FAILED (step $k)"
	done
	grep -q ' attach=2 ' "$work/kstats2" || bad "kmod: folio.ko did not re-attach exactly once on the restart"
	# The restarted folio-hostd shares the region with the hostile host
	# (whose epochs make the guest re-attach under it): only the first is
	# an honest run from start to end.
	no_violation "folio-hostd (first)" "$work/hostd1.log"
	[ $errors -eq 0 ] && log "kmod: folio.ko up, 1 MiB each way, iperf3 both ways, restart mid-download intact, rmmod + insmod"
fi

if [ $errors -ne 0 ]; then
	cp "$serial" "$build/tests/vm/serial-$mode.log" 2>/dev/null &&
		log "serial log kept in $build/tests/vm/serial-$mode.log"
	exit 1
fi
log "PASS ($accel)"
exit 0
