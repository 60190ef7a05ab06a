#!/bin/sh
# Build the init, the host tool, the initrd and kernel.efi a second time in a
# separate build directory (same sources, same SOURCE_DATE_EPOCH; the
# third-party libraries are shared) and check every output is byte-identical.
# The first build is brought up to date first: a commit since it was made
# changes SOURCE_DATE_EPOCH, and with it the outputs.
set -eu
. scripts/testlib.sh
make -s --no-print-directory "$BUILD/init" "$BUILD/initrd.img" \
	"$BUILD/kernel.efi" >/dev/null
for f in init initrd.img kernel.efi demo/keys; do
	need_file "$BUILD/$f"
done
second=$BUILD/reproducible
rm -rf "$second"
testlib_on_exit 'rm -rf "$second"'
testlib_tmpdir
mkdir -p "$second"
ln -s "$(cd "$BUILD/deps" && pwd)" "$second/deps"
# The same demo CA goes into both initrds (keys are made once, not built).
mkdir -p "$second/demo"
cp -a "$BUILD/demo/keys" "$second/demo/keys"
make -s --no-print-directory BUILD="$second" \
	"$second/init" "$second/initrd.img" "$second/kernel.efi" >/dev/null
for f in init initrd.img kernel.efi; do
	if cmp -s "$BUILD/$f" "$second/$f"; then
		ok "identical: $f ($(sha256sum < "$second/$f" | cut -c1-16)...)"
	else
		fail "different: $f"
	fi
done
testlib_finish 3
