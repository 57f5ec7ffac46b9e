#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interop with the Linux kernel's macsec, in a QEMU VM (Debian's kernel has
# macsec.ko; this machine's own kernel may not). The VM runs tests/seal/
# vm-init.sh: a Linux macsec0 with static keys pings, over a veth, a sealed
# Folio guest (seal-peer: libfolio's guest and host endpoints on one
# region, the host side on the raw link), GCM-AES-128 and GCM-AES-256.
# Pings of 56, 4 and 1400 bytes, so that SL and near-MTU frames are both
# exercised. Pass: every ping answered, the kernel counted no invalid, late or
# unknown-SCI frame and validated the replies, the guest dropped nothing.
# usage: vm-macsec.sh SEAL_PEER   (exit 0 pass, 1 fail, 77 skip)
set -uo pipefail
peer_bin=${1:-}
src=$(cd "$(dirname "$0")" && pwd)
log() { echo "seal-vm: $*" >&2; }
skip() { log "SKIP: $*"; exit 77; }
QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 not installed (scripts/setup.d/60-vm.sh)"
BUSYBOX=$(command -v busybox) || skip "busybox not installed (busybox-static)"
IPBIN=$(command -v ip) || skip "iproute2 not installed"
command -v cpio >/dev/null || skip "cpio not installed"
[ -x "$peer_bin" ] || skip "seal-peer not built (needs OpenSSL)"
KVER=""
for k in $(printf '%s\n' /boot/vmlinuz-* | sort -V); do
	v=${k#/boot/vmlinuz-}
	[ -f "/lib/modules/$v/modules.dep" ] && KVER=$v
done
[ -n "$KVER" ] || skip "no kernel in /boot with its modules (linux-image-amd64)"
M=/lib/modules/$KVER
grep -q '^kernel/drivers/net/macsec.ko:' "$M/modules.dep" ||
	skip "kernel $KVER has no macsec.ko"
work=$(mktemp -d "/tmp/folio-seal-vm.$$.XXXX")
qpid=
cleanup() { [ -n "$qpid" ] && kill "$qpid" 2>/dev/null; [ -n "${FOLIO_VM_KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,folio,lib/modules}
cp "$BUSYBOX" "$root/bin/busybox"
for a in $("$BUSYBOX" --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
rm -f "$root/bin/ip"
cp "$IPBIN" "$root/sbin/ip"
cp "$peer_bin" "$root/folio/seal-peer"
for b in "$IPBIN" "$peer_bin"; do
	for l in $(ldd "$b" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$l" ] && continue
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l"
	done
done
# Load order: the GCM pieces, then veth and macsec (no modprobe in the VM).
i=0
for m in crypto/gf128mul crypto/ghash-generic crypto/ctr crypto/gcm crypto/cryptd \
	crypto/crypto_simd arch/x86/crypto/aesni-intel drivers/net/veth drivers/net/macsec; do
	f=$M/kernel/$m.ko
	[ -f "$f" ] || continue # built in
	i=$((i + 1))
	cp "$f" "$root/lib/modules/$(printf %02d $i)-$(basename "$f")"
done
GKEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
PKEY=f0e0d0c0b0a090807060504030201000ffeeddccbbaa99887766554433221100
echo "$GKEY" >"$root/folio/gkey"
echo "$PKEY" >"$root/folio/pkey"
for c in 128 256; do
	n=$((c / 4))
	install -m 600 /dev/null "$root/folio/g$c.key"
	install -m 600 /dev/null "$root/folio/p$c.key"
	echo "${GKEY:0:$n}" >"$root/folio/g$c.key"
	echo "${PKEY:0:$n}" >"$root/folio/p$c.key"
	cat >"$root/folio/g$c.conf" <<-EOF2
	guest_mac = 02:f0:00:00:00:01
	host_mac = 02:f0:00:00:00:03
	region = /dev/null
	seal = gcm-aes-$c
	seal_key = /folio/g$c.key
	seal_peer_key = /folio/p$c.key
	seal_peer_sci = 02:f0:00:00:00:02/1
	EOF2
done
cp "$src/vm-init.sh" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz" || { log "FAIL: cpio"; exit 1; }
# TCG unless told otherwise: a /dev/kvm that exists may still not boot a
# guest (nested setups), and the VM test of tests/vm probes it at length.
accel=(-accel "${FOLIO_VM_ACCEL:-tcg}")
log "kernel $KVER, initramfs $(stat -c %s "$work/initrd.gz") bytes, booting"
timeout -k 5 240 "$QEMU" "${accel[@]}" -m 512 -smp 1 -kernel "/boot/vmlinuz-$KVER" \
	-initrd "$work/initrd.gz" -display none -monitor none -parallel none -nic none \
	-no-reboot -append "console=ttyS0 quiet panic=-1 ipv6.disable=1" \
	-serial "file:$work/serial.log" >/dev/null 2>&1 &
qpid=$!
wait "$qpid"; qpid=
out=$work/serial.log
grep -E "^(SEALVM|peer-|macsec-|ping)" "$out" >&2
grep -q "SEALVM: END" "$out" || { log "FAIL: the VM did not finish"; tail -30 "$out" >&2; exit 1; }
fail=0
for c in 128 256; do
	for sz in 56 4 1400; do
		grep -q "SEALVM: PING OK gcm-aes-$c size $sz: 3 packets received" "$out" ||
			{ log "FAIL: gcm-aes-$c: ping -s $sz"; fail=1; }
	done
	p=$(grep "^peer-$c| seal-peer: exit:" "$out")
	for k in seal_bad_frame seal_unknown_sci seal_bad_icv seal_replay; do
		echo "$p" | grep -q " $k=0" || { log "FAIL: gcm-aes-$c: Folio $k not 0"; fail=1; }
	done
	# The kernel's stats: a line of names, then one of values; RXSC and its
	# RXSA both count InPktsOK, so each name takes its largest value.
	bad=$(sed -n "s/^macsec-$c| //p" "$out" | awk '
		/stats:/ { n = split($0, h); getline; split($0, v);
			for (i = 2; i <= n; i++) if (v[i - 1] > s[h[i]]) s[h[i]] = v[i - 1] }
		END { bad = s["InPktsNotValid"] + s["InPktsInvalid"] + s["InPktsLate"]
			bad += s["InPktsUnknownSCI"] + s["InPktsNoSCI"] + s["InPktsBadTag"]
			print bad, s["InPktsOK"] + 0 }')
	set -- $bad
	log "gcm-aes-$c: kernel: ${2:-0} frames validated, ${1:-?} invalid/late/unknown"
	[ "${1:-1}" -eq 0 ] && [ "${2:-0}" -ge 9 ] || { log "FAIL: gcm-aes-$c: kernel counters"; fail=1; }
done
[ $fail -eq 0 ] && log PASS
exit $fail
