#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: format the same ~256 MB of random data with
# layer/verity_tree.c and with veritysetup (same salt and uuid, file in the page
# cache), best of RUNS wall times each, and print the ratio. Also checks the
# two outputs are identical, since a fast wrong answer is no answer.
#
# usage: bench/verity.sh [MEGABYTES]   (run from the repository root)
set -eu
. scripts/testlib.sh
MB=${1:-256}
RUNS=${RUNS:-3}
driver=$BUILD/bench/verity_tree

need_commands veritysetup
make -s "$driver"
testlib_tmpdir

size=$((MB * 1024 * 1024))
salt=$(random_hex 32)
uuid=$(random_uuid)
head -c "$size" /dev/urandom > "$tmp/data"

# Each run formats a fresh copy of the data, in the page cache.
bench_prepare='cp "$tmp/data" "$tmp/img" && cat "$tmp/img" > /dev/null'
ours=$(bench_best_of "$driver" format "$tmp/img" "$salt" "$uuid")
cp "$tmp/img" "$tmp/ours"
theirs=$(bench_best_of veritysetup format --data-block-size=4096 \
	--hash-block-size=4096 --hash-offset="$size" --salt="$salt" \
	--uuid="$uuid" "$tmp/img" "$tmp/img")
if cmp -s "$tmp/ours" "$tmp/img"; then
	same="identical output"
else
	same="OUTPUTS DIFFER"
fi

echo "verity format of $MB MB, best of $RUNS ($same):"
bench_row "ociboot (crypto/sha256)" "$ours" "$MB"
bench_row "veritysetup (OpenSSL)" "$theirs" "$MB"
bench_ratio "ratio ociboot / veritysetup" "$ours" "$theirs"
