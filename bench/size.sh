#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: the build's initrd part by part against the budget
# in docs/size.md (init, modules, certificates, other, the compressed file),
# then every member, largest last, and the init's own sections.
# scripts/initrd-size_test.sh is the test that fails when a part is over.
#
# usage: bench/size.sh [INITRD]   (run from the repository root)
set -eu
. scripts/testlib.sh
initrd=${1:-$BUILD/initrd.img}
need_file "$initrd"
echo "initrd $initrd against docs/size.md:"
scripts/initrd-size "$initrd" | sed 's/^/  /' || true
echo "members (bytes, part, path), uncompressed:"
scripts/initrd-size --members "$initrd" |
	sed 's|lib/modules/[^/]*/kernel/|.../|; s/^/  /'
if [ -x "$BUILD/init" ] && command -v size > /dev/null; then
	echo "the init's sections ($BUILD/init):"
	size -A "$BUILD/init" | awk '$2 > 0 && NR > 2 && $1 != "Total" {
		printf "  %-22s %8d\n", $1, $2 }'
fi
