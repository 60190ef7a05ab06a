#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: the init's time from the start of verify (the store
# mounted) to switch_root, for a product of 1, 16, 64 and the most layers
# the host tool allows (`ociboot limits`).
# Each product (test-qemu/product/build --layers N) boots RUNS times under
# QEMU (TCG, OVMF, Secure Boot, swtpm, the same kernel) through
# test-qemu/run's bench-layers scenario; the times are the kernel's own
# stamps on the init's console lines (printk.time=1). Prints, per N, the
# median, min and max of RUNS, the verify and layers+overlay parts
# (medians), ms per layer and the ratio to the first row (1 layer). A last
# row, "1+Ss", boots 1 layer and a system of the most services (S,
# `services_per_system`; product/build --services S): services are
# verified, not run, so it shows what naming them costs verify.
# It reports and asserts no time; it fails only when a boot does.
#
# usage: bench/layers.sh [N...]   (run from the repository root; RUNS=3;
# SERVICES=0 leaves out the services row)
set -eu
. scripts/testlib.sh
RUNS=${RUNS:-3}

need_driver "$BUILD/ociboot"
need_driver "$BUILD/init"
need_commands qemu-system-x86_64 swtpm jq
testlib_tmpdir
# limit NAME: as the host tool prints it (from oci/limits.h).
limit() {
	"$BUILD/ociboot" limits | awk -v name="$1" '$1 == name { print $2 }'
}
max=$(limit layers_per_image)
counts=${*:-$(printf '%s\n' 1 16 64 "$max" | sort -n -u)}
SERVICES=${SERVICES:-$(limit services_per_system)}
# rows: N layers, or N+S (N layers, S services)
rows=$counts
[ "$SERVICES" = 0 ] || rows="$rows 1+$SERVICES"

# stamp REGEX FILE: the kernel's time stamp (seconds) of the first console
# line matching REGEX (awk ERE) in FILE.
stamp() {
	RE=$1 awk '$0 ~ ENVIRON["RE"] && match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
		s = substr($0, RSTART + 1, RLENGTH - 2); gsub(/ /, "", s)
		print s; exit }' "$2"
}

# stats FILE: "median min max" of the numbers in FILE, one a line.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.0f %.0f %.0f\n", m, v[1], v[NR] }'
}

echo "verify -> switch_root of the init under QEMU (TCG, Secure Boot)," \
	"median of $RUNS boot(s), kernel time stamps:"
printf '  %6s %9s %7s %7s %9s %9s %8s %7s\n' layers median min max \
	verify layers ms/layer ratio
base=
failed=0
for row in $rows; do
	n=${row%+*}
	s=0
	[ "$n" = "$row" ] || s=${row#*+}
	: > "$tmp/total.$row"
	: > "$tmp/verify.$row"
	: > "$tmp/layers.$row"
	fatal_line=
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		LAYERS=$n SERVICES=$s test-qemu/run bench-layers > "$tmp/run.log" 2>&1 || true
		c=$BUILD/test-qemu/bench-layers/console.log
		tr -d '\r' < "$c" > "$tmp/console.$row.$i"
		c=$tmp/console.$row.$i
		t0=$(stamp 'ociboot: store: .* mounted read-only' "$c")
		tv=$(stamp 'ociboot: verify: signed system verified' "$c")
		t1=$(stamp 'ociboot: switch_root: exec' "$c")
		if [ -z "$t0" ] || [ -z "$tv" ] || [ -z "$t1" ]; then
			fatal_line=$(grep -m1 -o 'ociboot: FATAL: .*' "$c" ||
				tail -n 3 "$tmp/run.log" | tr '\n' ' ')
			break
		fi
		echo "$t0 $t1" | awk '{ print ($2 - $1) * 1000 }' >> "$tmp/total.$row"
		echo "$t0 $tv" | awk '{ print ($2 - $1) * 1000 }' >> "$tmp/verify.$row"
		echo "$tv $t1" | awk '{ print ($2 - $1) * 1000 }' >> "$tmp/layers.$row"
		i=$((i + 1))
	done
	if [ -n "$fatal_line" ]; then
		printf '  %6s  boot failed: %s\n' "$row" "$fatal_line"
		failed=1
		continue
	fi
	# shellcheck disable=SC2046 # three numbers: median min max
	set -- $(stats "$tmp/total.$row")
	med=$1 lo=$2 hi=$3
	v=$(stats "$tmp/verify.$row" | cut -d' ' -f1)
	l=$(stats "$tmp/layers.$row" | cut -d' ' -f1)
	[ -n "$base" ] || base=$med
	[ "$s" = 0 ] || row="$n+${s}s"
	awk -v r="$row" -v n="$n" -v m="$med" -v lo="$lo" -v hi="$hi" -v v="$v" \
		-v l="$l" -v b="$base" 'BEGIN {
		printf "  %6s %6d ms %7d %7d %6d ms %6d ms %8.1f %7.2f\n",
			r, m, lo, hi, v, l, m / n, m / b }'
done
exit "$failed"
