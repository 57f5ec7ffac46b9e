# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# tests/lib.sh - the helpers every shell suite shares (sourced, not run).
#
#   . "$(dirname "$0")/../lib.sh"
#
# Exit codes follow the suite's rule: 0 pass, 1 fail, 77 skip (with the
# reason on stderr). Whatever a test creates (processes, namespaces,
# files, directories) it registers here as it creates it; one EXIT trap,
# installed when this file is sourced, stops and removes all of it, last
# registered first. Processes are stopped by PID, never by name.
#
# Set T_TAG before sourcing (or any time) to prefix every message, e.g.
# T_TAG="e2e[$TAG]". LIB_KEEP=1 keeps the work directories for a post mortem.

T_TAG=${T_TAG:-$(basename "$0" .sh)}
LIB_PIDS=()
LIB_CLEANUP=()

# ---- messages and verdicts --------------------------------------------------
log() { echo "$T_TAG: $*" >&2; }
info() { echo "# $*"; }
fail() { echo "$T_TAG: FAIL: $*" >&2; exit 1; }
die() { fail "$@"; }
skip() { echo "$T_TAG: SKIP: $*" >&2; exit 77; }

# need_root REASON: skip unless root.
need_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (${1:-namespaces})"; }

# need_cmd CMD...: skip unless every command is on PATH.
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed (scripts/setup.sh installs it)"
	done
}

# need_exec FILE WHAT: skip unless FILE is an executable (a built tool).
need_exec() { [[ -n "${1:-}" && -x "$1" ]] || skip "${2:-${1:-a tool}} not built"; }

# ---- cleanup ------------------------------------------------------------------
# at_exit COMMAND...: run COMMAND (one shell line) when the test exits.
at_exit() { LIB_CLEANUP+=("$*"); }

# track_pid PID...: stop these processes (TERM, then KILL) when the test exits.
track_pid() { LIB_PIDS+=("$@"); }

# stop_pid PID [SIGNAL] [SECONDS]: send SIGNAL (TERM), wait up to SECONDS (5)
# for the process to go, then SIGKILL it, and reap it when it is our child.
# A process that had already exited is left unreaped, so that a later
# `wait PID` still returns its exit status. Returns 0 in every case.
stop_pid() {
	local p=${1:-} sig=${2:-TERM} secs=${3:-5} i
	[ -n "$p" ] || return 0
	kill -"$sig" "$p" 2>/dev/null || return 0
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

# kill_pid PID: SIGKILL and reap, as a crashing process would go.
kill_pid() {
	[ -n "${1:-}" ] || return 0
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# shellcheck disable=SC2317 # run by the EXIT trap
lib_cleanup() {
	local p i
	for p in "${LIB_PIDS[@]}"; do stop_pid "$p"; done
	for ((i = ${#LIB_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${LIB_CLEANUP[i]}" 2>/dev/null
	done
	LIB_PIDS=()
	LIB_CLEANUP=()
}
trap lib_cleanup EXIT
trap 'exit 1' INT TERM

# work_dir VAR [NAME]: make a private temporary directory and store its path
# in VAR (not through $(...): the removal is registered in this shell).
# Removed at exit unless LIB_KEEP (or the older KEEP_WORK) is set.
work_dir() {
	local d
	d=$(mktemp -d "/tmp/folio-${2:-$T_TAG}-$$.XXXXXX") || fail "mktemp failed"
	at_exit "keep_work '$d' || rm -rf '$d'"
	printf -v "$1" '%s' "$d"
}

# keep_work DIR: true (and says so) when the work directories are kept.
keep_work() {
	[ -n "${LIB_KEEP:-${KEEP_WORK:-}}" ] || return 1
	log "kept $1"
}

# rm_at_exit PATH...: remove these files (regions, sockets) at exit.
rm_at_exit() {
	local f
	for f in "$@"; do at_exit "rm -rf '$f'"; done
}

# ---- DPDK plugins ------------------------------------------------------------------
# safe_path DIR: true when no directory from DIR up to / is world-writable
# (EAL refuses to load a plugin, -d, from such a path).
safe_path() {
	local d=$1
	while :; do
		[ "$(( 0$(stat -c %a "$d") & 2 ))" = 0 ] || return 1
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}

# safe_plugin VAR: make $VAR (a shared object, say librte_net_folio.so) an
# absolute path EAL will load: the file itself when no parent directory is
# world-writable, else a private copy under $XDG_RUNTIME_DIR, /run or $HOME
# (removed at exit). Skips when there is no such place.
safe_plugin() {
	local so=${!1} c dir
	so=$(cd "$(dirname "$so")" && pwd)/$(basename "$so")
	if safe_path "$(dirname "$so")"; then
		printf -v "$1" '%s' "$so"
		return 0
	fi
	for c in "${XDG_RUNTIME_DIR:-}" /run "${HOME:-}"; do
		[ -n "$c" ] && [ -d "$c" ] && [ -w "$c" ] && safe_path "$c" || continue
		dir=$(mktemp -d "$c/folio-so-$$.XXXXXX") || continue
		chmod 700 "$dir"
		at_exit "rm -rf '$dir'"
		cp "$so" "$dir/" || fail "cannot copy $so to $dir"
		printf -v "$1" '%s' "$dir/$(basename "$so")"
		return 0
	done
	skip "$(dirname "$so") has a world-writable parent and no safe place for a copy"
}

# ---- network namespaces ---------------------------------------------------------
# netns_add NAME...: create namespaces with lo up; deleted at exit.
netns_add() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || fail "ip netns add $ns"
		at_exit "ip netns del '$ns'"
		ip -n "$ns" link set lo up
	done
}

# netns_can: true when this process may create network namespaces.
netns_can() {
	local ns="folio-probe-$$"
	ip netns add "$ns" 2>/dev/null || return 1
	ip netns del "$ns"
}

# nsx NS CMD...: run CMD in namespace NS.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---- waiting -----------------------------------------------------------------------
# SECONDS below are whole seconds; the helpers poll every 0.1 s.
# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# wait_log FILE PATTERN SECONDS [PID] [MIN]: until grep finds PATTERN (a
# basic regex) in FILE at least MIN (1) times; 1 on timeout, or as soon as
# PID (when given) has exited.
wait_log() {
	local f=$1 pat=$2 secs=$3 pid=${4:-} min=${5:-1} i
	for ((i = 0; i <= secs * 10; i++)); do
		[ "$(grep -c -- "$pat" "$f" 2>/dev/null)" -ge "$min" ] && return 0
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# wait_gone SECONDS PID: until the process has exited; 1 on timeout.
wait_gone() { wait_for "$1" eval "! kill -0 $2 2>/dev/null"; }
