# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# scripts/apt-lib.sh - the one way setup.sh and scripts/setup.d/* install
# Debian packages (sourced, not run). Needs SUDO ("" as root, or "sudo").
#
#   apt_missing PKG...       print those of PKG... not installed, one a line
#   apt_install TAG PKG...   install those of PKG... that are missing, quietly;
#                            when the install fails, refresh the package lists
#                            once and try again. Returns apt-get's status.
#                            Says "setup: TAG: installing ..." when it does.
export DEBIAN_FRONTEND=noninteractive
SUDO=${SUDO:-}

apt_get() { $SUDO apt-get -o DPkg::Lock::Timeout=900 "$@"; }

apt_missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			echo "$p"
	done
}

apt_install() {
	local tag=$1 missing
	shift
	mapfile -t missing < <(apt_missing "$@")
	[ ${#missing[@]} -gt 0 ] || return 0
	echo "setup: $tag: installing ${missing[*]}"
	apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
		{ apt_get update -qq &&
		  apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
}
