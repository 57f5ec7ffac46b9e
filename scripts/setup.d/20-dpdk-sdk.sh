#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The DPDK driver SDK headers for the net_folio PMD (ethdev_driver.h,
# ethdev_vdev.h, bus_vdev_driver.h, dev_driver.h) are not in Debian's
# libdpdk-dev. Unpack the matching Debian source package into <repo>/dpdk-sdk
# (gitignored, never committed); ./folio passes it to meson as -Ddpdk_sdk.
# Idempotent: nothing is fetched when dpdk-sdk already matches libdpdk-dev.
set -euo pipefail
# The PMD is optional: if the source cannot be had (no network, no deb-src
# in the mirror), warn and let the rest of the setup go on; the build then
# leaves net_folio out and its tests skip.
if [ -z "${FOLIO_SDK_INNER:-}" ]; then
	FOLIO_SDK_INNER=1 bash "$0" ||
		echo "20-dpdk-sdk: WARNING: no DPDK SDK headers; net_folio will not be built" >&2
	exit 0
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
sdk="$repo/dpdk-sdk"
SUDO=${SUDO:-}
export DEBIAN_FRONTEND=noninteractive

ver=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null || true)
if [ -z "$ver" ]; then
	echo "20-dpdk-sdk: libdpdk-dev is not installed; PMD disabled" >&2
	exit 0
fi
if [ -f "$sdk/.folio-sdk-version" ] &&
   [ "$(cat "$sdk/.folio-sdk-version")" = "$ver" ] &&
   [ -f "$sdk/lib/ethdev/ethdev_driver.h" ]; then
	exit 0
fi

if ! dpkg-query -W -f='${Status}' dpkg-dev 2>/dev/null | grep -q "install ok installed"; then
	$SUDO apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
fi

# A deb-src twin of each Debian 'deb' source (same URIs, suites,
# components and keyring), unless the dpdk source package is known already.
src_list=/etc/apt/sources.list.d/folio-deb-src.sources
if ! apt-cache showsrc dpdk 2>/dev/null | grep -q '^Version: '; then
	if [ ! -f "$src_list" ]; then
		tmp=$(mktemp)
		if [ -f /etc/apt/sources.list.d/debian.sources ]; then
			sed -e 's/^Types:.*$/Types: deb-src/' \
				/etc/apt/sources.list.d/debian.sources >"$tmp"
		else
			# One-line format: turn each Debian 'deb' line into a stanza.
			grep -hE '^deb +(\[[^]]*\] +)?(https?|file)://[^ ]*debian' \
				/etc/apt/sources.list 2>/dev/null |
			while read -r _ rest; do
				opts=""
				case "$rest" in \[*) opts=${rest%%]*}; opts=${opts#[}; rest=${rest#*] };; esac
				set -- $rest
				uri=$1; suite=$2; shift 2
				printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n' \
					"$uri" "$suite" "$*"
				case "$opts" in *signed-by=*)
					sb=${opts#*signed-by=}; printf 'Signed-By: %s\n' "${sb%% *}";; esac
				echo
			done >"$tmp"
		fi
		if [ ! -s "$tmp" ]; then
			echo "20-dpdk-sdk: no Debian apt source found to mirror as deb-src" >&2
			rm -f "$tmp"; exit 1
		fi
		$SUDO install -m 0644 "$tmp" "$src_list"
		rm -f "$tmp"
	fi
	$SUDO apt-get update -qq
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# Debian's source package is called dpdk; prefer the exact installed version.
if ! apt-get source -qq --download-only "dpdk=$ver" >/dev/null 2>&1; then
	# Not (or no longer) in the archive: take the closest 22.11 that is.
	alt=$(apt-cache showsrc dpdk 2>/dev/null | sed -n 's/^Version: //p' |
	      grep '^22\.11' | sort -V | tail -n1 || true)
	if [ -z "$alt" ]; then
		echo "20-dpdk-sdk: no DPDK 22.11 source package available" >&2
		exit 1
	fi
	echo "20-dpdk-sdk: source $ver not available, using $alt" >&2
	apt-get source -qq --download-only "dpdk=$alt" >/dev/null
	ver_src=$alt
else
	ver_src=$ver
fi
dsc=$(ls ./*.dsc | head -n1)
dpkg-source --no-check -x "$dsc" tree >/dev/null
rm -rf "$sdk"
mv tree "$sdk"
echo "$ver" >"$sdk/.folio-sdk-version"
echo "$ver_src" >"$sdk/.folio-sdk-source-version"
echo "20-dpdk-sdk: DPDK $ver_src source unpacked in $sdk"
