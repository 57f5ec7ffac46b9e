# SPDX-License-Identifier: BSD-3-Clause
# Helpers for the pmd suite: stock dpdk-testpmd processes driven through a
# FIFO on stdin (interactive mode), their logs parsed for counters. Every
# process is started here, remembered by PID and stopped by PID.
# Sourced by the tests; expects PMD_SO (path of librte_net_folio.so).

TP_TAG="fpmd$$"
TP_DIR=$(mktemp -d "/tmp/$TP_TAG.XXXXXX")
TP_PIDS=()
TP_CLEAN=()

tp_fail() { echo "FAIL: $*" >&2; exit 1; }
tp_skip() { echo "SKIP: $*" >&2; exit 77; }
tp_info() { echo "# $*"; }

# True when no directory from $1 up to / is world-writable: EAL refuses to
# load a plugin from such a path.
tp_safe_path() {
	local d=$1
	while :; do
		[ "$(( 0$(stat -c %a "$d") & 2 ))" = 0 ] || return 1
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}

tp_prereq() {
	command -v dpdk-testpmd >/dev/null || tp_skip "dpdk-testpmd not installed"
	[ -f "${PMD_SO:-}" ] || tp_skip "librte_net_folio.so not built"
	PMD_SO=$(cd "$(dirname "$PMD_SO")" && pwd)/$(basename "$PMD_SO")
	tp_safe_path "$(dirname "$PMD_SO")" && return 0
	# A build tree under /tmp (say): load a private copy instead.
	local c
	for c in "${XDG_RUNTIME_DIR:-}" /run "${HOME:-}"; do
		[ -n "$c" ] && [ -d "$c" ] && [ -w "$c" ] && tp_safe_path "$c" || continue
		local dir
		dir=$(mktemp -d "$c/$TP_TAG-so.XXXXXX") || continue
		chmod 700 "$dir"
		cp "$PMD_SO" "$dir/" || continue
		TP_CLEAN+=("rm -rf $dir")
		PMD_SO=$dir/$(basename "$PMD_SO")
		return 0
	done
	tp_skip "$(dirname "$PMD_SO") has a world-writable parent and no safe copy place"
}

tp_cleanup() {
	local p i
	for p in "${TP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	for i in $(seq 20); do
		local alive=0
		for p in "${TP_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.2
	done
	for p in "${TP_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for c in "${TP_CLEAN[@]}"; do eval "$c" 2>/dev/null; done
	[ -n "${TP_KEEP:-}" ] || rm -rf "$TP_DIR"; rm -rf /var/run/dpdk/"$TP_TAG"-* 2>/dev/null
	if [ "${TP_KEEP_LOGS:-0}" = 0 ]; then :; fi
}
trap tp_cleanup EXIT
trap 'exit 1' INT TERM

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
	TP_PIDS+=("$pid")
	eval "exec {fd}>\"$fifo\""
	eval "TP_FD_$name=$fd TP_PID_$name=$pid"
	tp_wait_log "$name" "testpmd> " 30 || tp_fail "$name did not start: $(tail -5 "$log")"
}

tp_pid() { eval "echo \$TP_PID_$1"; }
tp_log() { echo "$TP_DIR/$1.log"; }

# tp_cmd NAME COMMAND: send one command line.
tp_cmd() {
	local fd
	fd=$(eval "echo \$TP_FD_$1")
	kill -0 "$(tp_pid "$1")" 2>/dev/null || tp_fail "$1 is not running (tried: $2)"
	echo "$2" >&"$fd" || tp_fail "$1: cannot send '$2'"
}

# tp_wait_log NAME PATTERN SECONDS [MIN-COUNT]
tp_wait_log() {
	local log="$TP_DIR/$1.log" i=0 min=${4:-1}
	while [ $i -lt $(( $3 * 10 )) ]; do
		[ "$(grep -c -- "$2" "$log" 2>/dev/null)" -ge "$min" ] && return 0
		kill -0 "$(tp_pid "$1")" 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# tp_query NAME COMMAND: run a show command, wait for its output, print it.
tp_query() {
	local log="$TP_DIR/$1.log" mark="--mark-$RANDOM$RANDOM--"
	local before
	before=$(wc -l <"$log")
	tp_cmd "$1" "$2"
	# An unknown command echoes a bad-argument line: it marks the end.
	tp_cmd "$1" "$mark"
	tp_wait_log "$1" "$mark" 20 || tp_fail "$1: no answer to '$2'"
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
	[ -n "$v" ] || tp_fail "counter $2 not found in $1"
	echo "$v"
}

# tp_quit NAME: quit and wait; fail if it crashed or hung.
tp_quit() {
	local pid rc
	pid=$(tp_pid "$1")
	tp_cmd "$1" "quit"
	wait "$pid"; rc=$?
	[ $rc = 0 ] || tp_fail "$1 exited with $rc: $(tail -5 "$TP_DIR/$1.log")"
}

# tp_kill NAME: SIGKILL, as a crashing peer would go.
tp_kill() {
	local pid
	pid=$(tp_pid "$1")
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# Violation counters of one queue must all be zero.
tp_no_violations() { # XSTATS-FILE QUEUE WHO
	local k
	for k in bad_index bad_length bad_header bad_call; do
		[ "$(xget "$1" "q$2_$k")" = 0 ] || tp_fail "$3: q$2_$k = $(xget "$1" "q$2_$k")"
	done
}
