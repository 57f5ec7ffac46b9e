#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The installed library, as a user of the package sees it:
#  - `meson install --destdir` into a temporary root;
#  - a small program (hello.c) built against that copy through
#    `pkg-config --cflags --libs folio`, linked to libfolio.so, run: one
#    frame each way, and the header's version equals pkg-config's;
#  - the net_folio PMD, when built, is installed under LIBDIR/dpdk/pmds-*;
#  - `nm -D` of the installed libfolio.so shows folio_* symbols only (and
#    the version node FOLIO_1), and every call folio.h declares is there.
#
#   install.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1 src=$2
T_TAG=install
. "$src/tests/lib.sh"
need_cmd meson pkg-config nm "${CC:-cc}"
work_dir W install
root=$W/root

meson install -C "$build" --no-rebuild --quiet --destdir "$root" >"$W/install.log" 2>&1 ||
	{ cat "$W/install.log" >&2; fail "meson install failed"; }
pc=$(find "$root" -name folio.pc | head -1)
[ -n "$pc" ] || fail "no folio.pc installed"
hdr=$(find "$root" -name folio.h | head -1)
[ -n "$hdr" ] || fail "folio.h not installed"
[ -f "$(dirname "$hdr")/folio_version.h" ] || fail "folio_version.h not installed beside folio.h"
so=$(find "$root" -name 'libfolio.so.*' -type f | head -1)
[ -n "$so" ] || fail "libfolio.so not installed"
libdir=$(dirname "$so")
log "installed: $(cd "$root" && find . -type f | grep -c .) files; library ${so#"$root"}"
# The PMD, when this tree built it, where DPDK loads its plugins from.
if [ -f "$build/drivers/net/folio/librte_net_folio.so" ]; then
	pmd=$(find "$root" -name librte_net_folio.so -path '*/dpdk/pmds*' | head -1)
	[ -n "$pmd" ] || fail "the net_folio PMD was built but not installed under LIBDIR/dpdk/pmds-*"
	readelf -d "$pmd" | grep -q 'NEEDED.*librte_ethdev' || fail "${pmd#"$root"} is not a DPDK PMD"
	log "PMD installed: ${pmd#"$root"}"
fi

# pkg-config: the installed copy only (the sysroot prefixes its paths).
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
flags=$(pkg-config --cflags --libs folio) || fail "pkg-config --cflags --libs folio failed"
ver=$(pkg-config --modversion folio)
# shellcheck disable=SC2086 # the flags are words
"${CC:-cc}" -Wall -Wextra -Werror -o "$W/hello" "$src/tests/install/hello.c" $flags ||
	fail "hello.c does not build against the installed copy ($flags)"
readelf -d "$W/hello" | grep -q 'NEEDED.*libfolio\.so\.1' ||
	fail "hello is not linked to libfolio.so.1"
out=$(LD_LIBRARY_PATH=$libdir "$W/hello") || fail "hello failed"
[ "$out" = "$ver" ] || fail "header version '$out' differs from pkg-config's '$ver'"
log "hello against the installed copy: frames both ways, version $out"

# The ABI: folio_* only, and all of folio.h.
nm -D --defined-only "$so" | awk '{ print $NF }' | sort -u >"$W/syms"
other=$(grep -v -e '^folio_' -e '^FOLIO_1$' "$W/syms" | tr '\n' ' ')
[ -z "$other" ] || fail "libfolio.so exports more than folio_*: $other"
grep -oE '\bfolio_[a-z0-9_]+\(' "$hdr" | tr -d '(' | sort -u >"$W/decl"
missing=$(comm -23 "$W/decl" <(sed 's/@.*//' "$W/syms") | tr '\n' ' ')
[ -z "$missing" ] || fail "declared in folio.h but not exported: $missing"
nm -D "$so" | grep -q ' folio_strerror@@FOLIO_1$' ||
	fail "symbols are not versioned FOLIO_1"
log "nm -D: $(grep -c '^folio_' "$W/syms") folio_* symbols, all of folio.h, version node FOLIO_1"
log PASS
