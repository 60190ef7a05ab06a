#!/bin/sh
# SPDX-License-Identifier: MIT
# fs/dm.c's device-mapper requests as strace decodes them. This host has no
# device-mapper, so `$BUILD/tests/dm requests` sends the requests of a
# dm-verity setup to /dev/null (each fails with ENOTTY) and strace, which
# knows struct dm_ioctl and walks the target specs itself, is the
# independent reader: every field it shows must be what the kernel needs.
#
# The verity target is the one fs/verity.c formats for the veritysetup
# known answer of fs/verity_test.c (130 data blocks, salt 0011223344).
set -u
. scripts/testlib.sh
need_commands strace
driver=$BUILD/tests/dm
need_driver "$driver"
testlib_tmpdir

# LeakSanitizer cannot run under ptrace.
if ! ASAN_OPTIONS=detect_leaks=0 strace -o "$tmp/trace" -v -e trace=ioctl \
	-s 4096 "$driver" requests > "$tmp/out" 2>&1; then
	cat "$tmp/out"
	fatal "the driver failed"
fi
sed -n 's/^ioctl([0-9]*, /ioctl(FD, /p' "$tmp/trace" > "$tmp/ioctls"

root=d24764c8c445fff68efdb6c4ebc524f8e6e2821ee31e06873730660a3c8c39b6
table="1 7:0 7:0 4096 4096 130 131 sha256 $root 0011223344 1 panic_on_corruption"
v='version=[4, 0, 0]'
enotty=' = -1 ENOTTY (Inappropriate ioctl for device)'

# The table load: header, then one spec 312 bytes in, then the string;
# data_size is 312 + 40 + the string and its NUL, rounded up to 8.
size=$(( (312 + 40 + ${#table} + 1 + 7) / 8 * 8 ))

cat > "$tmp/want" <<EOF
ioctl(FD, DM_VERSION, [{$v, data_size=312, flags=0}])$enotty
ioctl(FD, DM_DEV_CREATE, [{$v, data_size=312, name="layer-0", uuid="OCIBOOT-VERITY-d24764c8c445fff6-layer-0", flags=0}])$enotty
ioctl(FD, DM_TABLE_LOAD, [{$v, data_size=$size, data_start=312, name="layer-0", target_count=1, flags=DM_READONLY_FLAG}, {sector_start=0, length=1040, target_type="verity", string="$table"}])$enotty
ioctl(FD, DM_DEV_SUSPEND, [{$v, data_size=312, name="layer-0", event_nr=0, flags=0}])$enotty
ioctl(FD, DM_TABLE_STATUS, [{$v, data_size=8192, data_start=312, name="layer-0", flags=0}])$enotty
ioctl(FD, DM_DEV_REMOVE, [{$v, data_size=312, name="layer-0", event_nr=0, flags=0}])$enotty
EOF

while IFS= read -r line; do
	request=${line#ioctl(FD, }
	check "strace shows ${request%%,*} as the kernel needs it" \
		grep -q -x -F -e "$line" "$tmp/ioctls" ||
		echo "  wanted: $line"
done < "$tmp/want"
check_equal "number of ioctls" "$(wc -l < "$tmp/ioctls")" \
	"$(wc -l < "$tmp/want")"
if [ "$testlib_failed" != 0 ]; then
	echo "strace showed:"
	cat "$tmp/ioctls"
fi
testlib_finish
