#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: SHA-256 of the same file (random data, on tmpfs
# when /dev/shm is there, else in the page cache) with crypto/sha256.c on
# each compression function, with coreutils' sha256sum and with
# `openssl dgst -sha256`; best of RUNS wall times each, MB/s, and the
# ratios. Also checks every digest is the same, since a fast wrong answer is
# no answer.
#
# usage: bench/sha256.sh [MEGABYTES]   (run from the repository root)
set -eu
BUILD=${BUILD:-build}
MB=${1:-512}
RUNS=${RUNS:-3}
driver=$BUILD/bench/sha256

make -s "$driver"
dir=/dev/shm
[ -d "$dir" ] && [ -w "$dir" ] || dir=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$dir/sha256-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
head -c "$((MB * 1024 * 1024))" /dev/urandom > "$tmp/data"
cat "$tmp/data" > /dev/null

now() {
	date +%s.%N
}

# best_of NAME COMMAND...: run RUNS times, keep the shortest wall time in
# $tmp/NAME.time and the digest (first word of the output) in $tmp/NAME.sum.
best_of() {
	name=$1
	shift
	best=
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		start=$(now)
		"$@" > "$tmp/out" 2> /dev/null
		end=$(now)
		best=$(echo "$start $end $best" | awk '{
			t = $2 - $1
			if (NF == 3 && $3 < t)
				t = $3
			printf "%.3f", t
		}')
		i=$((i + 1))
	done
	echo "$best" > "$tmp/$name.time"
	# "HEX  FILE" (ours, sha256sum) or "SHA2-256(FILE)= HEX" (openssl).
	awk '{ print $NF == f ? $1 : $NF }' f="$tmp/data" "$tmp/out" \
		> "$tmp/$name.sum"
}

if "$driver" sum sha-ni "$tmp/data" > /dev/null 2>&1; then
	ni=yes
else
	ni=no
fi
best_of auto "$driver" sum auto "$tmp/data"
best_of generic "$driver" sum generic "$tmp/data"
best_of sha256sum sha256sum "$tmp/data"
best_of openssl openssl dgst -sha256 "$tmp/data"

# sha256sum uses OpenSSL only when coreutils was built to link it.
if ldd "$(command -v sha256sum)" 2> /dev/null | grep -q libcrypto; then
	coreutils_impl="OpenSSL's"
else
	coreutils_impl="its own portable C"
fi

same="identical digests"
for n in generic sha256sum openssl; do
	cmp -s "$tmp/auto.sum" "$tmp/$n.sum" || same="DIGESTS DIFFER ($n)"
done

echo "sha256 of $MB MB on $(df -P "$tmp" | awk 'NR == 2 { print $1 }'),"\
	"best of $RUNS ($same):"
echo "  CPU has SHA-NI: $ni; sha256sum uses $coreutils_impl code"
impl=$("$driver" sum auto "$tmp/data" 2>&1 > /dev/null | sed 's/^sha256: //')
paste "$tmp/auto.time" "$tmp/generic.time" "$tmp/sha256sum.time" \
	"$tmp/openssl.time" | awk -v mb="$MB" -v impl="$impl" '
function row(label, t) {
	printf "  %-28s %6.3f s  %7.1f MB/s\n", label ":", t, mb / t
}
{
	row("ociboot (" impl ")", $1)
	row("ociboot (generic, BearSSL)", $2)
	row("sha256sum (coreutils)", $3)
	row("openssl dgst -sha256", $4)
	printf "  time ratio ociboot / openssl:   %.2f\n", $1 / $4
	printf "  time ratio ociboot / sha256sum: %.2f\n", $1 / $3
	printf "  speed-up over BearSSL:          %.2fx\n", $2 / $1
}'
[ "$same" = "identical digests" ]
