#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# folio-echo-host against a guest that stops reading: the host's ring to
# the guest fills, and the host must still keep its --duration (give the
# burst up, count it dropped, exit 0), not wait for room for ever.
#   test_echo_stall.sh ECHO_HOST STALL_GUEST CONFIG
set -uo pipefail
host=$1 guest=$2 conf=$3
T_TAG=echo-stall
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
region=/dev/shm/folio-echo-stall-$$
work_dir W echo-stall
rm_at_exit "$region"
"$host" -c "$conf" --region "$region" --duration 2 2>"$W/host.log" &
hpid=$!
track_pid "$hpid"
# 4096 frames: more than the host's ring to the guest holds (1024).
"$guest" "$conf" "$region" 4096 30 2>"$W/guest.log" &
track_pid $!
# --duration 2, plus 5 s at most for the burst it gives up: 12 s is ample.
if ! wait_gone 12 "$hpid"; then
	cat "$W/host.log" "$W/guest.log" >&2
	fail "echo-host ran past its --duration while the guest's ring was full"
fi
wait "$hpid" || fail "echo-host exited with status $?: $(cat "$W/host.log")"
grep -q "ring stayed full" "$W/host.log" || fail "echo-host did not say it gave a burst up"
grep -E "frames echoed, [1-9][0-9]* dropped" "$W/host.log" >&2 ||
	fail "echo-host counted no dropped frame: $(tail -1 "$W/host.log")"
log PASS
