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
. scripts/testlib.sh
DIR=${1:-/usr/include}
RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
tool=$BUILD/ociboot

need_commands gensquashfs veritysetup
need_driver "$tool"
testlib_tmpdir
salt=$(random_hex 32)
uuid=$(random_uuid)

ours() {
	"$tool" layer create --from-dir "$DIR" --output "$tmp/ours.img" \
		--salt "$salt" --uuid "$uuid" --jobs "$JOBS" --force --quiet \
		> /dev/null
}

theirs() {
	gensquashfs -q -f -D "$DIR" -c zstd -j "$JOBS" -x "$tmp/gen.img" \
		> /dev/null
	veritysetup format --data-block-size=4096 --hash-block-size=4096 \
		--hash-offset="$(stat -c %s "$tmp/gen.img")" --salt="$salt" \
		--uuid="$uuid" "$tmp/gen.img" "$tmp/gen.img" > /dev/null
}

tar -cf - -C "$DIR" . > /dev/null 2>&1 || true	# warm the page cache
mb=$(du -sm "$DIR" | cut -f1)
t_ours=$(bench_best_of ours)
t_theirs=$(bench_best_of theirs)
echo "layer of $DIR ($mb MB), $JOBS threads, best of $RUNS:"
bench_row "ociboot layer create" "$t_ours" "$mb" \
	"$(stat -c %s "$tmp/ours.img") bytes"
bench_row "gensquashfs + veritysetup" "$t_theirs" "$mb" \
	"$(stat -c %s "$tmp/gen.img") bytes"
bench_ratio "ratio ociboot / gensquashfs+veritysetup" "$t_ours" "$t_theirs"
