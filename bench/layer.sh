#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: build a layer of the same tree with
# `ociboot layer create` and with `gensquashfs` (squashfs-tools-ng, same
# library, zstd level 15, 128 KiB blocks, xattrs kept) followed by
# `veritysetup format`, best of RUNS wall times each (run alternately),
# same thread count, files in the page cache, and print the ratio and both
# sizes. Both sides' CPU time (user + system, per build, all threads) is
# printed too, with the floor it sets: no build of that CPU time on JOBS
# threads can take less wall time than CPU / JOBS, so that over the
# reference's wall time is the least ratio any builder doing the same
# compression could reach.
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
# children_cpu: sets cpu to the CPU seconds (user + system) of every child
# this shell has waited for so far. Called directly, never in $(...): a
# subshell starts with none.
children_cpu() {
	times > "$tmp/times"
	cpu=$(awk 'NR == 2 { s = 0
		for (i = 1; i <= 2; i++) {
			split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2]
		}
		printf "%.2f", s }' "$tmp/times")
}

# timed SIDE: one run of SIDE (ours or theirs); its wall time kept as the
# best so far in t_SIDE, its CPU time added to c_SIDE.
timed() {
	children_cpu
	before=$cpu
	t=$(RUNS=1 bench_best_of "$1")
	children_cpu
	eval "t_$1=\$(shorter \"\$t_$1\" \"\$t\")"
	eval "c_$1=\$(echo \"\$c_$1 \$cpu \$before\" |
		awk '{ printf \"%.2f\", \$1 + \$2 - \$3 }')"
}

t_ours= t_theirs= c_ours=0 c_theirs=0
i=0
while [ "$i" -lt "$RUNS" ]; do
	timed ours
	timed theirs
	i=$((i + 1))
done
cpu_ours=$(echo "$c_ours $RUNS" | awk '{ printf "%.1f", $1 / $2 }')
cpu_theirs=$(echo "$c_theirs $RUNS" | awk '{ printf "%.1f", $1 / $2 }')
echo "layer of $DIR ($mb MB, $files files), $JOBS threads, best of $RUNS:"
bench_row "ociboot layer create" "$t_ours" "$mb" \
	"$(stat -c %s "$tmp/ours.img") bytes"
bench_row "gensquashfs + veritysetup" "$t_theirs" "$mb" \
	"$(stat -c %s "$tmp/gen.img") bytes"
bench_ratio "ratio ociboot / gensquashfs+veritysetup" "$t_ours" "$t_theirs"
echo "  CPU per build (user + system): ociboot ${cpu_ours} s," \
	"gensquashfs + veritysetup ${cpu_theirs} s"
bench_ratio "floor, CPU / threads / their wall" \
	"$(echo "$cpu_ours $JOBS" | awk '{ printf "%.3f", $1 / $2 }')" \
	"$t_theirs"
