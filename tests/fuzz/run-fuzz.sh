#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run-fuzz.sh <harness> <seed-dir> <runs> <seconds> <artifact-dir>
# One bounded libFuzzer run: new inputs go to a scratch corpus that is
# removed afterwards, the seeds are only read, a crash is kept in
# <artifact-dir>. libFuzzer's own failure code is 77, which meson reads as
# a skip: failures exit 1 here.
set -eu
h=$1 seeds=$2 runs=$3 secs=$4 art=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/folio-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$art"
exec_rc=0
"$h" -error_exitcode=1 -timeout_exitcode=1 -runs="$runs" -max_total_time="$secs" -max_len=4096 -timeout=30 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
	"$work" "$seeds" || exec_rc=$?
exit $exec_rc
