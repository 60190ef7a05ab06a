#!/bin/sh
# Build the init, the host tool, the initrd and kernel.efi a second time in a
# separate build directory (same sources, same SOURCE_DATE_EPOCH; the
# third-party libraries are shared) and check every output is byte-identical.
set -eu
BUILD=${BUILD:-build}
second=$BUILD/reproducible
rm -rf "$second"
mkdir -p "$second"
ln -s "$(cd "$BUILD/deps" && pwd)" "$second/deps"
# The same demo CA goes into both initrds (keys are made once, not built).
mkdir -p "$second/demo"
cp -a "$BUILD/demo/keys" "$second/demo/keys"
make -s --no-print-directory BUILD="$second" \
	"$second/init" "$second/initrd.img" "$second/kernel.efi" >/dev/null
status=0
for f in init initrd.img kernel.efi; do
	if cmp -s "$BUILD/$f" "$second/$f"; then
		echo "identical: $f ($(sha256sum < "$second/$f" | cut -c1-16)...)"
	else
		echo "DIFFERENT: $f"
		status=1
	fi
done
rm -rf "$second"
exit $status
