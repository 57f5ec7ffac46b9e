#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The echo example, as a user runs it: two processes, one /dev/shm region.
# Every wait is bounded: the guest by its own deadline, the host by
# stop_pid (TERM, then KILL after 5 s).
set -uo pipefail
host=$1 guest=$2 conf=$3
T_TAG=echo-example
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
region=/dev/shm/folio-echo-test-$$
work_dir W echo
rm_at_exit "$region"
"$host" -c "$conf" --region "$region" --duration 60 2>"$W/host.log" &
hpid=$!
track_pid "$hpid"
out=$("$guest" -c "$conf" --region "$region" -n 20000 --duration 30) ||
	{ cat "$W/host.log" >&2; fail "echo-guest failed: $out"; }
echo "$out"
[ "$out" = "echo: 20000 frames verified" ] || fail "unexpected output: $out"
kill -TERM "$hpid"
wait_gone 10 "$hpid" || fail "echo-host did not stop on SIGTERM"
wait "$hpid" || fail "echo-host exited with status $?"
grep -q "20000 frames echoed" "$W/host.log" || fail "echo-host did not echo 20000 frames"
grep -q "bad_index=0 bad_length=0 bad_header=0" "$W/host.log" ||
	fail "echo-host counted violations: $(grep bad_ "$W/host.log")"
