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
. scripts/testlib.sh
MB=${1:-512}
RUNS=${RUNS:-3}
driver=$BUILD/bench/sha256

need_commands openssl sha256sum
make -s "$driver"
dir=/dev/shm
[ -d "$dir" ] && [ -w "$dir" ] || dir=${TMPDIR:-/tmp}
testlib_tmpdir "$dir"
head -c "$((MB * 1024 * 1024))" /dev/urandom > "$tmp/data"
cat "$tmp/data" > /dev/null

# best_of NAME COMMAND...: the shortest of RUNS wall times of COMMAND in
# $tmp/NAME.time, the digest (first word of its output) in $tmp/NAME.sum.
best_of() {
	name=$1
	shift
	bench_best_of "$@" 2> /dev/null > "$tmp/$name.time"
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
t_auto=$(cat "$tmp/auto.time")
t_generic=$(cat "$tmp/generic.time")
t_sha256sum=$(cat "$tmp/sha256sum.time")
t_openssl=$(cat "$tmp/openssl.time")
bench_row "ociboot ($impl)" "$t_auto" "$MB"
bench_row "ociboot (generic, BearSSL)" "$t_generic" "$MB"
bench_row "sha256sum (coreutils)" "$t_sha256sum" "$MB"
bench_row "openssl dgst -sha256" "$t_openssl" "$MB"
bench_ratio "time ratio ociboot / openssl" "$t_auto" "$t_openssl"
bench_ratio "time ratio ociboot / sha256sum" "$t_auto" "$t_sha256sum"
bench_ratio "speed-up over BearSSL (x)" "$t_generic" "$t_auto"
[ "$same" = "identical digests" ]
