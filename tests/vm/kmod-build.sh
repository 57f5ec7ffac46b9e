#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build folio.ko (drivers/linux) against the Kbuild tree of the kernel that
# the VM tests boot (or KDIR), in a private copy of the sources, and fail on
# any compiler warning. Exit 77 (skip) without the headers.
#
#   kmod-build.sh SOURCE_DIR
set -uo pipefail
src=${1:-}
[ -d "$src/drivers/linux" ] || { echo "usage: kmod-build.sh SOURCE_DIR" >&2; exit 2; }
if [ -z "${KDIR:-}" ]; then
	kver=""
	for k in $(printf '%s\n' /boot/vmlinuz-* | sort -V); do
		v=${k#/boot/vmlinuz-}
		[ -f "/lib/modules/$v/modules.dep" ] && kver=$v
	done
	[ -n "$kver" ] || { echo "kmod-build: SKIP: no kernel in /boot (linux-image-amd64)" >&2; exit 77; }
	KDIR=/lib/modules/$kver/build
fi
[ -f "$KDIR/Makefile" ] ||
	{ echo "kmod-build: SKIP: no Kbuild tree in $KDIR (scripts/setup.d/65-kernel-headers.sh)" >&2; exit 77; }
command -v make > /dev/null || { echo "kmod-build: SKIP: make not installed" >&2; exit 77; }
work=$(mktemp -d /tmp/folio-kmod-build.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/drivers"
cp -r "$src/drivers/linux" "$work/drivers/" && cp -r "$src/lib" "$src/include" "$src/meson.build" "$work/" || exit 1
if ! make -C "$work/drivers/linux" KDIR="$KDIR" > "$work/log" 2>&1; then
	cat "$work/log" >&2
	echo "kmod-build: FAIL: folio.ko does not build against $KDIR" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$work/log" >&2; then
	echo "kmod-build: FAIL: folio.ko builds with warnings against $KDIR" >&2
	exit 1
fi
modinfo "$work/drivers/linux/folio.ko" 2> /dev/null | grep -E '^(license|alias|vermagic):' >&2
echo "kmod-build: PASS: folio.ko built warning-free against $KDIR" >&2
