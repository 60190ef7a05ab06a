#!/bin/sh
# SPDX-License-Identifier: MIT
# scripts/check-layers on small trees: a clean one passes; each way of
# breaking the layering rule fails with its own message. The real tree is
# checked by every build.
set -u
. scripts/testlib.sh
testlib_tmpdir

# A tree of three folders: low (init-side a.c, host-only h.c), high (uses
# low), and their specs.
make_tree() {
	rm -rf "$tmp/t"
	mkdir -p "$tmp/t/low" "$tmp/t/high"
	printf '#include "low/a.h"\n' > "$tmp/t/low/a.c"
	: > "$tmp/t/low/a.h"
	printf '#include "low/a.h"\n' > "$tmp/t/low/h.c"
	: > "$tmp/t/low/h.h"
	printf '#include "low/h.h"\n' > "$tmp/t/low/a_test.c"
	printf '#include "low/a.h"\n#include "low/h.h"\n' > "$tmp/t/high/b.c"
}
LOW="low:::a.c:h.c:"
HIGH="high:low:::b.c:"

# expect NAME STATUS PATTERN SPEC...
expect() {
	name=$1 want=$2 pattern=$3
	shift 3
	out=$(scripts/check-layers -C "$tmp/t" "$@")
	got=$?
	if [ "$got" = "$want" ] && printf '%s\n' "$out" | grep -q -- "$pattern"
	then
		ok "$name"
	else
		fail "$name: exit $got (want $want), output:"
		printf '%s\n' "$out"
	fi
}

make_tree
expect "clean tree" 0 '' "$LOW" "$HIGH"

make_tree
printf '#include "high/b.h"\n' >> "$tmp/t/low/a.c"
: > "$tmp/t/high/b.h"
expect "include from a folder above" 1 \
	'low/a.c:2: includes high/b.h, but low may use only: low' \
	"$LOW" "$HIGH"

make_tree
expect "uses a folder above" 1 'low/low.mk: uses high, which is not below' \
	"low:high::a.c:h.c:" "$HIGH"

make_tree
printf '#include "low/h.h"\n' >> "$tmp/t/low/a.c"
expect "init-side includes host-only" 1 \
	'low/a.c:2: init-side code includes host-only low/h.h' "$LOW" "$HIGH"

make_tree
printf '#include "low/h.h"\n' > "$tmp/t/high/b.c"
expect "init-side includes host-only of a lower folder" 1 \
	'high/b.c:1: init-side code includes host-only low/h.h' "$LOW" \
	"high:low::b.c::"

make_tree
: > "$tmp/t/low/stray.c"
expect "source in no list" 1 'low/stray.c: in no list of low/low.mk' \
	"$LOW" "$HIGH"

make_tree
expect "listed source missing" 1 'lists gone.c, which does not exist' \
	"low:::a.c gone.c:h.c:" "$HIGH"

make_tree
printf '#include "high/b.h"\n' >> "$tmp/t/low/a_test.c"
: > "$tmp/t/high/b.h"
expect "test uses a folder not in TEST_USES" 1 \
	'low/a_test.c:2: includes high/b.h' "$LOW" "$HIGH"
expect "test uses a folder in TEST_USES" 0 '' "low::high:a.c:h.c:" "$HIGH"

testlib_finish
