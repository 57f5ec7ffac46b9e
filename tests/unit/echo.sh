#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The echo example, as a user runs it: two processes, one /dev/shm region.
set -euo pipefail
host=$1 guest=$2 conf=$3
region=/dev/shm/folio-echo-test-$$
"$host" -c "$conf" --region "$region" --duration 60 2>/tmp/folio-echo-host-$$.log &
hpid=$!
trap 'kill $hpid 2>/dev/null || true; wait $hpid 2>/dev/null || true; rm -f "$region" /tmp/folio-echo-host-$$.log' EXIT
out=$("$guest" -c "$conf" --region "$region" -n 20000)
echo "$out"
[ "$out" = "echo: 20000 frames verified" ]
kill -TERM $hpid
wait $hpid
grep -q "20000 frames echoed" /tmp/folio-echo-host-$$.log
grep -q "bad_index=0 bad_length=0 bad_header=0" /tmp/folio-echo-host-$$.log
