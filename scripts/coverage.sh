#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# coverage.sh [build-dir] - line coverage of lib/ (llvm-cov, clang-14) under
# the unit and adversarial suites (the adversarial suite includes adv_trace,
# which drives the fuzz harness from the seed corpus and random programs).
# Prints the llvm-cov report of lib/*.c; the HTML goes to <build-dir>/html.
set -euo pipefail
if [ "${1:-}" = "--help" ]; then
	echo "usage: $0 [build-dir (default build-cov)]"; exit 0
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-$repo/build-cov}
for t in clang-14 llvm-profdata-14 llvm-cov-14; do
	command -v $t >/dev/null || { echo "coverage: $t missing (scripts/setup.d/30-spin.sh)" >&2; exit 1; }
done
flags='-fprofile-instr-generate -fcoverage-mapping'
if [ ! -d "$b" ]; then
	CC=clang-14 meson setup "$b" "$repo" -Dc_args="$flags" -Dc_link_args="$flags" \
		-Dfuzz=disabled -Ddpdk=disabled -Dpmd=disabled >/dev/null
fi
tests=(ring layout endpoint harden twoproc hugetlb restart_in_burst badconfig
       sigbus_two_guests doublefetch_guest_O2 doublefetch_host_O2
       hostile_thread_guest_O2 hostile_thread_host_O2
       hostile_process_guest_O2 hostile_process_host_O2)
ninja -C "$b" -j2 >/dev/null
rm -rf "$b/prof" && mkdir -p "$b/prof"
LLVM_PROFILE_FILE="$b/prof/%p-%m.profraw" meson test -C "$b" --no-rebuild \
	--num-processes 1 "${tests[@]}" >/dev/null || echo "coverage: some tests failed (see $b/meson-logs)" >&2
llvm-profdata-14 merge -sparse "$b"/prof/*.profraw -o "$b/lib.profdata"
objs=()
for e in tests/unit/test_endpoint tests/unit/test_ring tests/unit/test_harden \
	 tests/unit/test_twoproc tests/unit/test_hugetlb tests/adversarial/adv_restart \
	 tests/adversarial/adv_badcfg tests/adversarial/adv_sigbus \
	 tests/adversarial/adv_trace_guest_O2 tests/adversarial/adv_trace_host_O2 \
	 tests/adversarial/adv_hostile_O2; do
	[ -x "$b/$e" ] && objs+=(-object "$b/$e")
done
# The first object is positional; the tests link the library statically
# or through libfolio.so, whichever the build made.
[ -e "$b/lib/libfolio.so" ] && objs+=(-object "$b/lib/libfolio.so")
objs=("${objs[@]:1}")
llvm-cov-14 report "${objs[@]}" -instr-profile="$b/lib.profdata" -- \
	"$repo"/lib/ring.c "$repo"/lib/guest.c "$repo"/lib/host.c "$repo"/lib/map.c \
	"$repo"/lib/util.c "$repo"/lib/config.c
llvm-cov-14 show "${objs[@]}" -instr-profile="$b/lib.profdata" -format=html \
	-output-dir="$b/html" -- "$repo"/lib/*.c >/dev/null
