#!/bin/sh
# The build time is the init's clock floor: a tree without git history and
# without SOURCE_DATE_EPOCH (a source tarball) must not build with none.
# Runs the Makefile's version.h rule in a copy of the tree outside git.
set -eu
. scripts/testlib.sh
need_commands make tar
testlib_tmpdir
src=$tmp/src
mkdir "$src"
tar -C . --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
# make_version [VAR=VALUE...]: build version.h in the copy, no git above.
make_version() {
	env -u SOURCE_DATE_EPOCH GIT_CEILING_DIRECTORIES="$tmp" \
		make -s --no-print-directory -C "$src" "$@" build/gen/version.h \
		> "$tmp/out" 2>&1
}
if make_version; then
	fail "a tree without git builds without SOURCE_DATE_EPOCH"
else
	check "... refused with the reason" grep -q \
		"no build time: SOURCE_DATE_EPOCH=''" "$tmp/out"
fi
for bad in 0 1577836799 12x 99999999999999999999; do
	if make_version SOURCE_DATE_EPOCH="$bad"; then
		fail "SOURCE_DATE_EPOCH=$bad accepted"
	else
		check "SOURCE_DATE_EPOCH=$bad refused" grep -q \
			"no build time: SOURCE_DATE_EPOCH='$bad'" "$tmp/out"
	fi
done
[ ! -e "$src/build/gen/version.h" ] && ok "no header after a refusal" ||
	fail "a refused build left a header"
if make_version SOURCE_DATE_EPOCH=1704067200; then
	check "the given time is the floor" grep -qx \
		'#define OCIBOOT_BUILD_EPOCH 1704067200' \
		"$src/build/gen/version.h"
else
	fail "SOURCE_DATE_EPOCH=1704067200 refused: $(cat "$tmp/out")"
fi
printf '%s\n' '#include "version.h"' 'int x;' > "$tmp/t.c"
cc -std=gnu11 -I"$src/build/gen" -c -o "$tmp/t.o" "$tmp/t.c" &&
	ok "the header compiles" || fail "the header does not compile"
sed 's/OCIBOOT_BUILD_EPOCH 1704067200/OCIBOOT_BUILD_EPOCH 0/' \
	"$src/build/gen/version.h" > "$tmp/zero.h"
printf '%s\n' '#include "zero.h"' 'int x;' > "$tmp/z.c"
if cc -std=gnu11 -I"$tmp" -c -o "$tmp/z.o" "$tmp/z.c" 2> "$tmp/cc.out"
then
	fail "a header with a zero build time compiles"
else
	check "a zero build time does not compile" grep -q \
		"the build time is the clock floor" "$tmp/cc.out"
fi
testlib_finish 9
