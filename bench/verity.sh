#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: format the same ~256 MB of random data with
# layer/verity_tree.c and with veritysetup (same salt and uuid, file in the page
# cache), best of RUNS wall times each, and print the ratio. Also checks the
# two outputs are identical, since a fast wrong answer is no answer.
#
# usage: bench/verity.sh [MEGABYTES]   (run from the repository root)
set -eu
BUILD=${BUILD:-build}
MB=${1:-256}
RUNS=${RUNS:-3}
driver=$BUILD/bench/verity_tree

make -s "$driver"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

size=$((MB * 1024 * 1024))
salt=$(od -An -v -tx1 -N32 /dev/urandom | tr -d ' \n')
uuid=$(cat /proc/sys/kernel/random/uuid)
head -c "$size" /dev/urandom > "$tmp/data"

now() {
	date +%s.%N
}

# best_of COMMAND...: run on a fresh copy of the data RUNS times, print
# the shortest wall time in seconds.
best_of() {
	best=
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		cp "$tmp/data" "$tmp/img"
		cat "$tmp/img" > /dev/null
		start=$(now)
		"$@" > "$tmp/out"
		end=$(now)
		best=$(echo "$start $end $best" | awk '{
			t = $2 - $1
			if (NF == 3 && $3 < t)
				t = $3
			printf "%.3f", t
		}')
		i=$((i + 1))
	done
	echo "$best"
}

ours=$(best_of "$driver" format "$tmp/img" "$salt" "$uuid")
cp "$tmp/img" "$tmp/ours"
theirs=$(best_of veritysetup format --data-block-size=4096 \
	--hash-block-size=4096 --hash-offset="$size" --salt="$salt" \
	--uuid="$uuid" "$tmp/img" "$tmp/img")
if cmp -s "$tmp/ours" "$tmp/img"; then
	same="identical output"
else
	same="OUTPUTS DIFFER"
fi

echo "verity format of $MB MB, best of $RUNS ($same):"
echo "$ours $theirs $MB" | awk '{
	printf "  ociboot (crypto/sha256):  %6.3f s  %7.1f MB/s\n", $1, $3 / $1
	printf "  veritysetup (OpenSSL):    %6.3f s  %7.1f MB/s\n", $2, $3 / $2
	printf "  ratio ociboot / veritysetup: %.2f\n", $1 / $2
}'
