# SPDX-License-Identifier: MIT
# The helpers every shell test and benchmark shares. Source it from the
# repository root, where scripts/check-each runs each test:
#
#	. scripts/testlib.sh
#
# A test's verdict is its exit status: 0 passed, 77 skipped (with a line
# "SKIP: REASON" saying why; "SKIP: hardware: REASON" only for what no
# package can give, such as a CPU feature), anything else failed. Under
# CI=true check-each counts any other skip as a failure.
#
# Sourcing defines functions and the counters below, sets BUILD (default
# "build", exported) and nothing else: no temporary directory, no trap
# until testlib_tmpdir is called. The helpers are safe under `set -e`.

BUILD=${BUILD:-build}
export BUILD
TESTLIB_SKIP_STATUS=77
testlib_passed=0	# checks that passed (ok)
testlib_failed=0	# checks that failed (fail)
testlib_cleanups=	# commands testlib_on_exit registered, newest first
tmp=

# --- what a test needs ------------------------------------------------------

# need_commands CMD...: every CMD is on PATH, or the test fails (exit 1)
# naming the missing ones. `make check` installs every package the tests
# use, so a missing tool is a failure, never a skip.
need_commands() {
	missing=
	for c; do
		command -v "$c" > /dev/null 2>&1 || missing="$missing $c"
	done
	[ -z "$missing" ] && return 0
	echo "FAIL: not installed:$missing (scripts/install-packages" \
		"installs them; make check runs it)" >&2
	exit 1
}

# need_file PATH: PATH exists, or the test fails (exit 1) with the make
# command that builds it.
need_file() {
	[ -e "$1" ] && return 0
	echo "FAIL: $1 missing (make $1)" >&2
	exit 1
}

# need_driver PATH: PATH is an executable (a test driver or a tool of this
# build), or the test fails (exit 1) with the make command that builds it.
need_driver() {
	[ -x "$1" ] && return 0
	echo "FAIL: $1 missing (make $1)" >&2
	exit 1
}

# testlib_skip REASON: the test did not run: print "SKIP: REASON" and exit
# 77 (the cleanups run). Under CI=true check-each counts this as a failure
# unless REASON starts with "hardware: ".
testlib_skip() {
	echo "SKIP: $*"
	exit "$TESTLIB_SKIP_STATUS"
}

# need_root WHY: running as root, or the test is skipped saying WHY needs
# it (a failure under CI=true, where the tests run as root).
need_root() {
	[ "$(id -u)" = 0 ] && return 0
	testlib_skip "needs root ($*)"
}

# --- temporary files and cleanup --------------------------------------------

# testlib_tmpdir [PARENT]: make a temporary directory (in PARENT, default
# $TMPDIR or /tmp), set $tmp to its absolute path and install the one
# EXIT trap: it runs the testlib_on_exit commands, newest first, then
# removes $tmp (kept, and its path printed, when KEEP is set). INT, TERM and
# HUP exit 1 through the same trap.
testlib_tmpdir() {
	if [ -n "${1:-}" ]; then
		tmp=$(mktemp -d "$1/ociboot-test.XXXXXX")
	else
		tmp=$(mktemp -d)
	fi || { echo "FAIL: mktemp -d" >&2; exit 1; }
	tmp=$(cd "$tmp" && pwd -P)
	trap testlib_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

# testlib_on_exit COMMAND: run COMMAND (a string, evaluated) when the test
# exits, before $tmp is removed; the last registered runs first.
testlib_on_exit() {
	testlib_cleanups="$1
$testlib_cleanups"
}

# testlib_cleanup: the EXIT trap (see testlib_tmpdir); not called directly.
testlib_cleanup() {
	testlib_status=$?
	set +e
	while IFS= read -r testlib_cmd; do
		[ -n "$testlib_cmd" ] && eval "$testlib_cmd"
	done <<-EOF
	$testlib_cleanups
	EOF
	if [ -n "$tmp" ] && [ -n "${KEEP:-}" ]; then
		echo "kept $tmp"
	elif [ -n "$tmp" ]; then
		cd / && rm -rf "$tmp"
	fi
	exit "$testlib_status"
}

# --- verdicts ---------------------------------------------------------------

# ok WHAT...: a check passed; prints "ok: WHAT" and counts it.
ok() {
	echo "ok: $*"
	testlib_passed=$((testlib_passed + 1))
	return 0
}

# fail WHAT...: a check failed; prints "FAIL: WHAT" and counts it. The test
# goes on (testlib_finish gives the verdict); see fatal to stop.
fail() {
	echo "FAIL: $*"
	testlib_failed=$((testlib_failed + 1))
	return 0
}

# fatal WHAT...: a check failed and nothing after it can run: fail, then
# testlib_finish (exit 1).
fatal() {
	fail "$@"
	testlib_finish
}

# check WHAT COMMAND...: ok WHAT when COMMAND succeeds, fail WHAT when not.
# Returns COMMAND's success, so `check ... || return` works.
check() {
	check_what=$1
	shift
	if "$@"; then
		ok "$check_what"
	else
		fail "$check_what"
		return 1
	fi
}

# check_equal WHAT GOT WANT: ok when the strings are equal, otherwise fail
# showing both. Returns 1 when they differ.
check_equal() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1: got '$2', want '$3'"
		return 1
	fi
}

# expect_exit STATUS WHAT COMMAND...: run COMMAND with its standard output
# in $tmp/out and its standard error in $tmp/err; ok when it exits STATUS
# and, for a STATUS other than 0, says why in exactly one line on standard
# error; fail otherwise (returning 1). Sets $status to COMMAND's status.
expect_exit() {
	expect_want=$1 expect_what=$2
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err" && status=0 || status=$?
	if [ "$status" != "$expect_want" ]; then
		fail "$expect_what: exit $status, want $expect_want" \
			"($(cat "$tmp/err"))"
		return 1
	fi
	if [ "$expect_want" != 0 ] && [ "$(wc -l < "$tmp/err")" != 1 ]; then
		fail "$expect_what: wants one line on stderr, got:" \
			"$(cat "$tmp/err")"
		return 1
	fi
	ok "$expect_what (exit $expect_want)"
}

# expect_error STATUS PATTERN COMMAND...: expect_exit STATUS, and its one
# line on standard error matches the grep PATTERN; the test stops (exit 1)
# at the first mismatch.
expect_error() {
	expect_error_pattern=$2
	expect_error_status=$1
	shift 2
	expect_exit "$expect_error_status" "$*" "$@" || testlib_finish
	grep -q -- "$expect_error_pattern" "$tmp/err" ||
		fatal "'$*' said '$(cat "$tmp/err")'," \
			"not '$expect_error_pattern'"
}

# testlib_finish [MINIMUM]: print "N checked, N failed" and exit: 0 when
# nothing failed and at least MINIMUM checks (default 1) passed, so a test
# that silently ran nothing fails; 1 otherwise.
testlib_finish() {
	echo "$((testlib_passed + testlib_failed)) checked," \
		"$testlib_failed failed"
	if [ "$testlib_passed" -lt "${1:-1}" ]; then
		echo "FAIL: only $testlib_passed checks passed, want at" \
			"least ${1:-1}"
		exit 1
	fi
	[ "$testlib_failed" = 0 ] || exit 1
	exit 0
}

# --- data -------------------------------------------------------------------

# random_uuid: a random version 4 UUID, lower case.
random_uuid() {
	cat /proc/sys/kernel/random/uuid
}

# random_hex BYTES: BYTES random bytes as lower-case hex.
random_hex() {
	od -An -v -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

# random_u16: a random number from 0 to 65535.
random_u16() {
	od -An -N2 -tu2 /dev/urandom | tr -d ' '
}

# flip_byte FILE OFFSET [MASK]: XOR the byte at OFFSET of FILE in place
# with MASK (default 255, every bit).
flip_byte() {
	flip_old=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((flip_old ^ ${3:-255})))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2> /dev/null
}

# --- OCI layouts and verity layers ------------------------------------------

# blob LAYOUT DIGEST: the path of the blob DIGEST (sha256:HEX) in LAYOUT.
blob() {
	echo "$1/blobs/sha256/${2#sha256:}"
}

# index_digest LAYOUT TAG: the digest LAYOUT's index.json gives TAG (its
# org.opencontainers.image.ref.name annotation); needs jq.
index_digest() {
	jq -r --arg t "$2" --arg ref org.opencontainers.image.ref.name \
		'.manifests[] | select(.annotations[$ref] == $t) | .digest' \
		"$1/index.json"
}

# manifest_of LAYOUT TAG: the path of the manifest blob TAG names.
manifest_of() {
	blob "$1" "$(index_digest "$1" "$2")"
}

# hash_offset FILE: where the verity superblock of a layer blob starts:
# the squashfs bytes_used (offset 40, le64) rounded up to 4096.
hash_offset() {
	hash_used=$(od -An -tu8 -j40 -N8 "$1" | tr -d ' ')
	echo $(((hash_used + 4095) / 4096 * 4096))
}

# --- a local registry -------------------------------------------------------

# free_port: print a TCP port from 20000 to 59999 nothing listens on.
free_port() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		free_p=$((20000 + $(random_u16) % 40000))
		ss -ltn | grep -q ":$free_p " || { echo "$free_p"; return 0; }
	done
	return 1
}

# registry_start: run docker-registry (the CNCF distribution registry) on
# a free port of 127.0.0.1, storing into $tmp/registry, its log in
# $tmp/registry.log; return once it answers /v2/ (1 when it does not
# within 10 s). Sets $registry_port and $registry_pid; it is stopped when
# the test exits. Needs testlib_tmpdir, curl and ss.
registry_start() {
	registry_port=$(free_port) || return 1
	mkdir -p "$tmp/registry"
	cat > "$tmp/registry.yml" <<-EOF
	version: 0.1
	storage:
	  filesystem:
	    rootdirectory: $tmp/registry
	  delete:
	    enabled: true
	http:
	  addr: 127.0.0.1:$registry_port
	EOF
	docker-registry serve "$tmp/registry.yml" > "$tmp/registry.log" 2>&1 &
	registry_pid=$!
	testlib_on_exit registry_stop
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$registry_port/v2/" > /dev/null &&
			return 0
		kill -0 "$registry_pid" 2> /dev/null || return 1
		sleep 0.1
	done
	return 1
}

# registry_stop: stop the registry registry_start started, if running.
registry_stop() {
	[ -n "${registry_pid:-}" ] || return 0
	kill "$registry_pid" 2> /dev/null
	wait "$registry_pid" 2> /dev/null
	registry_pid=
	return 0
}

# --- benchmarks -------------------------------------------------------------

# bench_now: the wall clock in seconds, with nanoseconds.
bench_now() {
	date +%s.%N
}

# bench_best_of COMMAND...: run COMMAND RUNS times (default 3), its
# standard output into $tmp/out, each run after the untimed command in
# $bench_prepare when that is set; print the shortest wall time in seconds
# (three decimals).
bench_best_of() {
	bench_best=
	bench_i=0
	while [ "$bench_i" -lt "${RUNS:-3}" ]; do
		[ -z "${bench_prepare:-}" ] || eval "$bench_prepare"
		bench_start=$(bench_now)
		"$@" > "$tmp/out"
		bench_end=$(bench_now)
		bench_best=$(echo "$bench_start $bench_end $bench_best" | awk '{
			t = $2 - $1
			if (NF == 3 && $3 < t)
				t = $3
			printf "%.3f", t
		}')
		bench_i=$((bench_i + 1))
	done
	echo "$bench_best"
}

# bench_row LABEL SECONDS MEGABYTES [EXTRA]: one result line: the time and
# the throughput, then EXTRA.
bench_row() {
	awk -v l="$1:" -v t="$2" -v mb="$3" -v x="${4:-}" 'BEGIN {
		printf "  %-34s %7.3f s  %7.1f MB/s%s\n", l, t, mb / t,
			x == "" ? "" : "  " x
	}'
}

# bench_ratio LABEL A B: the line "LABEL: A / B" with two decimals.
bench_ratio() {
	awk -v l="$1:" -v a="$2" -v b="$3" 'BEGIN {
		printf "  %-34s %7.2f\n", l, a / b
	}'
}
