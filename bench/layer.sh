#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: build a layer of the same tree with
# `ociboot layer create` and with `gensquashfs` (squashfs-tools-ng, same
# library, zstd level 15, 128 KiB blocks, xattrs kept) followed by
# `veritysetup format`, best of RUNS wall times each (run alternately),
# same thread count, files in the page cache, and print the ratio and both
# sizes.
#
# usage: bench/layer.sh [DIR]   (run from the repository root; JOBS=2
#        RUNS=3 by default). Without DIR, the tree is the size and shape of
#        a real root filesystem: hard links (or copies, across filesystems)
#        of this machine's /etc, /usr/sbin, /usr/include, /usr/lib/python3*,
#        /usr/share/doc and /usr/share/locale: some hundreds of MB in tens of
#        thousands of files, text and binaries.
set -eu
. scripts/testlib.sh
RUNS=${RUNS:-3}
JOBS=${JOBS:-2}
tool=$BUILD/ociboot

need_commands gensquashfs veritysetup
need_driver "$tool"
testlib_tmpdir

# rootfs_tree DIR: the default tree, linked from the system's own files.
rootfs_tree() {
	for d in /etc /usr/sbin /usr/include /usr/lib/python3* /usr/share/doc \
		/usr/share/locale; do
		[ -d "$d" ] || continue
		mkdir -p "$1$(dirname "$d")"
		cp -al "$d" "$1$d" 2> /dev/null || cp -a "$d" "$1$d"
	done
}
if [ $# -gt 0 ]; then
	DIR=$1
else
	DIR=$tmp/rootfs
	rootfs_tree "$DIR"
fi
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
files=$(find "$DIR" -xdev | wc -l)
# Alternately, one run of each at a time, so that a change in the
# machine's load during the minutes this takes weighs on both sides.
# shorter BEST TIME: the smaller of the two (TIME when BEST is empty).
shorter() {
	[ -n "$1" ] || { echo "$2"; return; }
	echo "$1 $2" | awk '{ printf "%.3f", $1 < $2 ? $1 : $2 }'
}
t_ours=
t_theirs=
i=0
while [ "$i" -lt "$RUNS" ]; do
	t_ours=$(shorter "$t_ours" "$(RUNS=1 bench_best_of ours)")
	t_theirs=$(shorter "$t_theirs" "$(RUNS=1 bench_best_of theirs)")
	i=$((i + 1))
done
echo "layer of $DIR ($mb MB, $files files), $JOBS threads, best of $RUNS:"
bench_row "ociboot layer create" "$t_ours" "$mb" \
	"$(stat -c %s "$tmp/ours.img") bytes"
bench_row "gensquashfs + veritysetup" "$t_theirs" "$mb" \
	"$(stat -c %s "$tmp/gen.img") bytes"
bench_ratio "ratio ociboot / gensquashfs+veritysetup" "$t_ours" "$t_theirs"
