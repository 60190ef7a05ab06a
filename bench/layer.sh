#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: build a layer of the same tree with
# `ociboot layer create` and with `gensquashfs` (squashfs-tools-ng, same
# library, zstd level 15, 128 KiB blocks, xattrs kept) followed by
# `veritysetup format`, best of RUNS wall times each, same thread count,
# files in the page cache, and print the ratio and both sizes.
#
# usage: bench/layer.sh [DIR]   (run from the repository root; DIR
#        defaults to /usr/include; JOBS=2 RUNS=3 by default)
set -eu
BUILD=${BUILD:-build}
DIR=${1:-/usr/include}
RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
tool=$BUILD/ociboot

if [ ! -x "$tool" ]; then
	echo "$tool missing: make $tool first" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
salt=$(od -An -v -tx1 -N32 /dev/urandom | tr -d ' \n')
uuid=$(cat /proc/sys/kernel/random/uuid)

now() {
	date +%s.%N
}

ours() {
	"$tool" layer create --from-dir "$DIR" --output "$tmp/ours.img" \
		--salt "$salt" --uuid "$uuid" --jobs "$JOBS" > /dev/null
}

theirs() {
	gensquashfs -q -f -D "$DIR" -c zstd -j "$JOBS" -x "$tmp/gen.img" \
		> /dev/null
	veritysetup format --data-block-size=4096 --hash-block-size=4096 \
		--hash-offset="$(stat -c %s "$tmp/gen.img")" --salt="$salt" \
		--uuid="$uuid" "$tmp/gen.img" "$tmp/gen.img" > /dev/null
}

# best_of FUNCTION: the shortest of RUNS wall times, in seconds.
best_of() {
	best=
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		start=$(now)
		"$1"
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

tar -cf - -C "$DIR" . > /dev/null 2>&1 || true	# warm the page cache
mb=$(du -sm "$DIR" | cut -f1)
t_ours=$(best_of ours)
t_theirs=$(best_of theirs)
echo "layer of $DIR ($mb MB), $JOBS threads, best of $RUNS:"
echo "$t_ours $t_theirs $mb $(stat -c %s "$tmp/ours.img") \
$(stat -c %s "$tmp/gen.img")" | awk '{
	printf "  ociboot layer create:           %7.3f s  %7.1f MB/s  %d bytes\n", \
		$1, $3 / $1, $4
	printf "  gensquashfs + veritysetup:      %7.3f s  %7.1f MB/s  %d bytes\n", \
		$2, $3 / $2, $5
	printf "  ratio ociboot / gensquashfs+veritysetup: %.2f\n", $1 / $2
}'
