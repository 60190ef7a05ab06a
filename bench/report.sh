#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every benchmark (bench/*.sh but this one, in name order) and write
# their output, with the machine they ran on, to FILE (docs/performance.md
# from `make bench`). A benchmark that fails is reported as such in FILE and
# makes this script fail after all the others ran.
#
# usage: bench/report.sh FILE   (run from the repository root; the
#        benchmarks' own variables, e.g. RUNS=5, pass through)
set -eu
out=${1:?usage: bench/report.sh FILE}
. scripts/testlib.sh
testlib_tmpdir

kvm=no
[ -w /dev/kvm ] && kvm="present (the QEMU runs use TCG all the same)"
{
	echo "# Performance"
	echo
	echo "Written by \`make bench\` (bench/report.sh); do not edit by hand."
	echo "Every number is a ratio against a reference run in the same"
	echo "command on the same machine: timings on shared machines drift by"
	echo "20-30% from run to run, ratios far less."
	echo
	echo "## The machine"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "- ociboot: $(git describe --always --dirty 2>/dev/null || cat VERSION)"
	echo "- CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)," \
		"$(nproc) cores online"
	echo "- KVM: $kvm"
	echo "- QEMU: $(qemu-system-x86_64 --version 2>/dev/null | head -n 1)"
	echo "- kernel booted: $(scripts/kver 2>/dev/null || echo unknown)"
	echo
	echo "## Reproduce"
	echo
	echo '```sh'
	echo 'make bench                     # all of them, writes this file'
	echo 'sh bench/NAME.sh               # one of them, to the terminal'
	echo '```'
} > "$tmp/report"

status=0
for b in bench/*.sh; do
	[ "$b" = bench/report.sh ] && continue
	echo "==> $b" >&2
	if sh "$b" > "$tmp/out" 2>&1; then
		result=
	else
		result=" (FAILED)"
		status=1
	fi
	cat "$tmp/out" >&2
	{
		echo
		echo "## $b$result"
		echo
		sed -n '2,/^set -eu/{/^# \{0,1\}/{s/^# \{0,1\}//;/^SPDX/d;p}}' "$b" |
			sed '/^$/,$d'
		echo
		echo '```'
		grep -v '^ok: ' "$tmp/out"
		echo '```'
	} >> "$tmp/report"
done
mkdir -p "$(dirname "$out")"
cp "$tmp/report" "$out"
echo "bench: wrote $out" >&2
exit "$status"
