#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The command lines of folio-tapd and the examples: --help lists every
# option and exits 0; a bad number (negative, out of range, trailing text,
# not finite) exits 2 with a message that names the option, the value and
# what is accepted, before anything is opened. No root needed.
set -uo pipefail
T_TAG=cli
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
fails=0
bad() { log "FAIL: $*"; fails=$((fails + 1)); }

# expect_refused PROG SAYS ARGS...: exit 2 and SAYS on stderr.
expect_refused() {
	local prog=$1 says=$2 err rc
	shift 2
	err=$("$prog" "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 2 ] || bad "$(basename "$prog") $*: exit $rc, expected 2 ($err)"
	[[ "$err" == *"$says"* ]] || bad "$(basename "$prog") $*: says '$err', expected '$says'"
}

if [ -x "${FOLIO_TAPD:-}" ]; then
	out=$("$FOLIO_TAPD" --help 2>&1) || bad "folio-tapd --help exits $?"
	for o in --config --region --tap --queue --stats --duration --idle-spin; do
		[[ "$out" == *"$o"* ]] || bad "folio-tapd --help does not list $o"
	done
	# The config is never read: the numbers are refused first.
	for a in "--queue -1" "--queue 16" "--queue 1x" "--idle-spin 0" "--idle-spin -5"; do
		# shellcheck disable=SC2086 # option and value
		expect_refused "$FOLIO_TAPD" "${a% *} '${a#* }': expected" -c /nonexistent $a
	done
	for a in "--duration 1e30" "--duration inf" "--duration nan" "--duration -1" \
		 "--stats 1e400" "--stats 2s"; do
		# shellcheck disable=SC2086
		expect_refused "$FOLIO_TAPD" "${a% *} '${a#* }': expected seconds" -c /nonexistent $a
	done
	expect_refused "$FOLIO_TAPD" "usage:" --no-such-option
else
	log "folio-tapd not built: its checks skipped"
fi

need_exec "${FOLIO_ECHO_GUEST:-}" "folio-echo-guest"
"$FOLIO_ECHO_GUEST" --help 2>&1 | grep -q -- "--duration" || bad "echo-guest --help lists no --duration"
expect_refused "$FOLIO_ECHO_GUEST" "-n '0': expected a positive count" -n 0
expect_refused "$FOLIO_ECHO_GUEST" "--duration '99999': expected 0..86400" --duration 99999
expect_refused "$FOLIO_ECHO_HOST" "--queues: queues = '0': expected an integer from 1 to 16" \
	--queues 0
expect_refused "$FOLIO_ECHO_HOST" "unknown key 'nope'" --nope 1
[ $fails -eq 0 ] || fail "$fails command-line checks failed"
log PASS
