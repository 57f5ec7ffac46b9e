# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the pmd suite: stock dpdk-testpmd processes driven through a
# FIFO on stdin (interactive mode), their logs parsed for counters. Every
# process is started here, remembered by PID and stopped by PID.
# Sourced by the tests; expects PMD_SO (path of librte_net_folio.so).

T_TAG=${T_TAG:-pmd[$(basename "$0" .sh)]}
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
TP_TAG="fpmd$$"
work_dir TP_DIR "$TP_TAG"
at_exit "rm -rf /var/run/dpdk/$TP_TAG-*"

# tp_prereq: skip unless testpmd and the PMD are there; PMD_SO becomes a
# path EAL loads plugins from.
tp_prereq() {
	need_cmd dpdk-testpmd
	[ -f "${PMD_SO:-}" ] || skip "librte_net_folio.so not built"
	safe_plugin PMD_SO
}

# tp_start NAME LCORE-ARGS VDEV [testpmd app args...]
# Starts interactive testpmd NAME; its log is $TP_DIR/NAME.log.
tp_start() {
	local name=$1 lc=$2 vdev=$3
	shift 3
	local fifo="$TP_DIR/$name.in" log="$TP_DIR/$name.log" dopt=()
	case "$vdev" in net_folio*) dopt=(-d "$PMD_SO") ;; esac
	mkfifo "$fifo"
	# shellcheck disable=SC2086
	${TP_PREFIX_CMD:-} timeout -s KILL "${TP_LIMIT:-120}" stdbuf -oL dpdk-testpmd $lc \
		--no-huge --no-pci -m 512 --file-prefix "$TP_TAG-$name" \
		"${dopt[@]}" --vdev "$vdev" ${TP_VDEV2:+--vdev "$TP_VDEV2"} -- -i --no-mlockall \
		--total-num-mbufs=16384 --disable-link-check "$@" \
		<"$fifo" >"$log" 2>&1 &
	local pid=$!
	track_pid "$pid"
	eval "exec {fd}>\"$fifo\""
	eval "TP_FD_$name=$fd TP_PID_$name=$pid"
	tp_wait_log "$name" "testpmd> " 30 || fail "$name did not start: $(tail -5 "$log")"
}

tp_pid() { eval "echo \$TP_PID_$1"; }
tp_log() { echo "$TP_DIR/$1.log"; }

# tp_cmd NAME COMMAND: send one command line.
tp_cmd() {
	local fd
	fd=$(eval "echo \$TP_FD_$1")
	kill -0 "$(tp_pid "$1")" 2>/dev/null || fail "$1 is not running (tried: $2)"
	echo "$2" >&"$fd" || fail "$1: cannot send '$2'"
}

# tp_wait_log NAME PATTERN SECONDS [MIN-COUNT]: wait_log on NAME's log,
# giving up as soon as NAME has exited.
tp_wait_log() { wait_log "$TP_DIR/$1.log" "$2" "$3" "$(tp_pid "$1")" "${4:-1}"; }

# tp_query NAME COMMAND: run a show command, wait for its output, print it.
tp_query() {
	local log="$TP_DIR/$1.log" mark="--mark-$RANDOM$RANDOM--"
	local before
	before=$(wc -l <"$log")
	tp_cmd "$1" "$2"
	# An unknown command echoes a bad-argument line: it marks the end.
	tp_cmd "$1" "$mark"
	tp_wait_log "$1" "$mark" 20 || fail "$1: no answer to '$2'"
	tail -n +"$((before + 1))" "$log"
}

# tp_xstats NAME PORT: "name value" lines of `show port xstats`.
tp_xstats() {
	tp_query "$1" "show port xstats $2" |
		sed -n 's/^\(testpmd> \)*\([A-Za-z0-9_]*\): \([0-9][0-9]*\)$/\2 \3/p'
}

# xget FILE NAME: value of one counter in tp_xstats output (last one wins).
xget() {
	local v
	v=$(awk -v k="$2" '$1 == k { v = $2 } END { if (v != "") print v }' "$1")
	[ -n "$v" ] || fail "counter $2 not found in $1"
	echo "$v"
}

# tp_quit NAME: quit and wait; fail if it crashed or hung.
tp_quit() {
	local pid rc
	pid=$(tp_pid "$1")
	tp_cmd "$1" "quit"
	wait "$pid"; rc=$?
	[ $rc = 0 ] || fail "$1 exited with $rc: $(tail -5 "$TP_DIR/$1.log")"
}

# tp_kill NAME: SIGKILL, as a crashing peer would go.
tp_kill() { kill_pid "$(tp_pid "$1")"; }

# Violation counters of one queue must all be zero.
tp_no_violations() { # XSTATS-FILE QUEUE WHO
	local k
	for k in bad_index bad_length bad_header bad_call; do
		[ "$(xget "$1" "q$2_$k")" = 0 ] || fail "$3: q$2_$k = $(xget "$1" "q$2_$k")"
	done
}
