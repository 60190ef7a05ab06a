#!/bin/sh
# SPDX-License-Identifier: MIT
# fs/loop.c and fs/mount.c on this host's real loop devices, squashfs and
# overlayfs, driven through $BUILD/tests/mount and checked with independent
# tools: losetup, blockdev and sysfs for the loop devices, unsquashfs for
# the images' contents, /proc/self/mountinfo for the mounts.
#
# Two squashfs layers are built with gensquashfs: a base, and a top layer
# that replaces one base file, adds one, and holds a whiteout (a 0/0
# character device) for another. They are attached read-only, mounted,
# stacked under overlayfs with a tmpfs upper, written to, and taken apart.
#
# Runs in its own mount namespace (unshare -m), so no mount outlives it.
# Skipped (exit 77; a failure under CI=true) when not root or when the
# host has no /dev/loop-control.
set -u
. scripts/testlib.sh
need_commands gensquashfs unsquashfs losetup blockdev unshare
driver=$BUILD/tests/mount
need_driver "$driver"
need_root "loop devices and mounts"
[ -e /dev/loop-control ] ||
	testlib_skip "no /dev/loop-control on this host"
if [ "${OCIBOOT_MOUNT_TEST_NS:-}" != 1 ]; then
	exec unshare -m --propagation private \
		env OCIBOOT_MOUNT_TEST_NS=1 sh "$0" "$@"
fi

testlib_tmpdir
loops=

# unmount_and_detach: what this test mounted and attached, undone.
unmount_and_detach() {
	for m in merged2 merged rw top base padded; do
		umount "$tmp/$m" 2> /dev/null
	done
	for l in $loops; do
		losetup -d "$l" 2> /dev/null
	done
}
testlib_on_exit unmount_and_detach

# mount_field MOUNTPOINT FIELD: from /proc/self/mountinfo, "fstype",
# "options" (per mount) or "super" (per superblock).
mount_field() {
	awk -v mp="$1" -v f="$2" '$5 == mp {
		for (i = 7; $i != "-"; i++) ;
		if (f == "fstype") print $(i + 1);
		if (f == "options") print $6;
		if (f == "super") print $(i + 3);
	}' /proc/self/mountinfo | tail -n 1
}

has_option() {	# has_option LIST OPTION
	case ",$1," in *",$2,"*) return 0 ;; esac
	return 1
}

sysfs() {	# sysfs /dev/loopN ATTR
	cat "/sys/block/${1#/dev/}/$2" 2> /dev/null
}

# Wait up to 2 s for a loop device to be detached.
detached() {
	i=0
	while [ -n "$(sysfs "$1" loop/backing_file)" ] && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -z "$(sysfs "$1" loop/backing_file)" ]
}

# --- the layers --------------------------------------------------------------

mkdir -p "$tmp/src" "$tmp/base" "$tmp/top" "$tmp/merged" "$tmp/merged2" \
	"$tmp/padded"
echo "base os-release" > "$tmp/src/os-release"
echo "base kept" > "$tmp/src/kept-base"
echo "top kept" > "$tmp/src/kept-top"
echo "to be hidden" > "$tmp/src/gone"
echo "only on top" > "$tmp/src/top-only"

cat > "$tmp/base.list" <<EOF
dir /etc 0755 0 0
file /etc/os-release 0644 0 0 os-release
file /etc/kept 0644 0 0 kept-base
file /etc/gone 0644 0 0 gone
nod /null 0666 0 0 c 1 3
EOF
cat > "$tmp/top.list" <<EOF
dir /etc 0755 0 0
file /etc/kept 0644 0 0 kept-top
nod /etc/gone 0000 0 0 c 0 0
file /top-only 0644 0 0 top-only
EOF
for l in base top; do
	if ! gensquashfs -q -F "$tmp/$l.list" -D "$tmp/src" "$tmp/$l.sqfs" \
		> "$tmp/$l.log" 2>&1; then
		cat "$tmp/$l.log"
		echo "gensquashfs failed" >&2
		exit 1
	fi
done
# The base image again behind 8 KiB of junk, for the offset option.
head -c 8192 /dev/urandom > "$tmp/padded.img"
cat "$tmp/base.sqfs" >> "$tmp/padded.img"
base_size=$(stat -c %s "$tmp/base.sqfs")

# --- loop devices ------------------------------------------------------------

dev=$("$driver" attach "$tmp/base.sqfs") || { fail "attach base"; exit 1; }
loops="$loops $dev"
check "attach printed a loop device" test -b "$dev"
check_equal "losetup RO" "$(losetup -n -O RO "$dev" | tr -d ' ')" 1
check_equal "losetup BACK-FILE" "$(losetup -n -O BACK-FILE "$dev" | \
	sed 's/ *$//')" "$tmp/base.sqfs"
check_equal "losetup AUTOCLEAR" "$(losetup -n -O AUTOCLEAR "$dev" | \
	tr -d ' ')" 0
check_equal "losetup DIO" "$(losetup -n -O DIO "$dev" | tr -d ' ')" 0
check_equal "sysfs ro" "$(sysfs "$dev" ro)" 1
check_equal "sysfs backing_file" "$(sysfs "$dev" loop/backing_file)" \
	"$tmp/base.sqfs"
check_equal "blockdev --getro" "$(blockdev --getro "$dev")" 1
check_equal "blockdev --getsize64" "$(blockdev --getsize64 "$dev")" \
	"$base_size"
if dd if=/dev/zero of="$dev" bs=512 count=1 conv=notrunc 2> /dev/null; then
	fail "writing to the read-only loop device succeeded"
else
	ok "the read-only loop device refuses a write"
fi

pdev=$("$driver" attach "$tmp/padded.img" 8192 "$base_size") ||
	fail "attach with offset"
loops="$loops $pdev"
check_equal "sysfs offset" "$(sysfs "$pdev" loop/offset)" 8192
check_equal "sysfs sizelimit" "$(sysfs "$pdev" loop/sizelimit)" "$base_size"
check_equal "losetup OFFSET" "$(losetup -n -O OFFSET "$pdev" | tr -d ' ')" 8192
check_equal "device size" "$(blockdev --getsize64 "$pdev")" "$base_size"
check "offset device holds the image" cmp -s "$pdev" "$tmp/base.sqfs"

# --- squashfs mounts ---------------------------------------------------------

check "mount base" "$driver" squashfs "$dev" "$tmp/base"
check_equal "base fstype" "$(mount_field "$tmp/base" fstype)" squashfs
opts=$(mount_field "$tmp/base" options)
for o in ro nosuid nodev; do
	check "base mounted $o ($opts)" has_option "$opts" $o
done
# Same names as unsquashfs lists (an independent reader of the image).
(cd "$tmp/base" && find . | sed 's|^\.||; /^$/d' | sort) > "$tmp/mounted.ls"
unsquashfs -l -d '' "$tmp/base.sqfs" | sed '/^$/d' | sort \
	> "$tmp/unsquashfs.ls"
check "base contents match unsquashfs -l" \
	cmp -s "$tmp/mounted.ls" "$tmp/unsquashfs.ls"
check_equal "base file" "$(cat "$tmp/base/etc/os-release")" "base os-release"
check "mount through the offset device" "$driver" squashfs "$pdev" \
	"$tmp/padded"
check_equal "offset mount file" "$(cat "$tmp/padded/etc/kept")" "base kept"
umount "$tmp/padded"

# Not a squashfs: refused.
head -c 65536 /dev/zero > "$tmp/zero.img"
zdev=$("$driver" attach "$tmp/zero.img") || fail "attach zero image"
loops="$loops $zdev"
if "$driver" squashfs "$zdev" "$tmp/padded" 2> /dev/null; then
	fail "a zero image mounted as squashfs"
else
	ok "a zero image is refused as squashfs"
fi
check "detach zero image" "$driver" detach "$zdev"
check "zero image detached" detached "$zdev"

# The top layer with autoclear: the mount holds the device once our fd is
# closed, and the device goes away with the mount.
tdev=$("$driver" attach-mount "$tmp/top.sqfs" "$tmp/top") ||
	fail "attach-mount top"
loops="$loops $tdev"
check_equal "autoclear device still bound" \
	"$(sysfs "$tdev" loop/backing_file)" \
	"$tmp/top.sqfs"
check_equal "sysfs autoclear" "$(sysfs "$tdev" loop/autoclear)" 1
check_equal "sysfs ro (autoclear)" "$(sysfs "$tdev" ro)" 1
check_equal "top fstype" "$(mount_field "$tmp/top" fstype)" squashfs

# --- the writable scratch and the overlay ------------------------------------

check "scratch tmpfs" "$driver" scratch "$tmp/rw" 16777216
check_equal "scratch fstype" "$(mount_field "$tmp/rw" fstype)" tmpfs
opts=$(mount_field "$tmp/rw" options)
for o in nosuid nodev; do
	check "scratch mounted $o ($opts)" has_option "$opts" $o
done
check "scratch size" has_option "$(mount_field "$tmp/rw" super)" size=16384k
check_equal "upper mode" "$(stat -c %a "$tmp/rw/upper")" 755
check_equal "work mode" "$(stat -c %a "$tmp/rw/work")" 700

check "overlay" "$driver" overlay "$tmp/merged" "$tmp/rw/upper" \
	"$tmp/rw/work" "$tmp/top" "$tmp/base"
check_equal "overlay fstype" "$(mount_field "$tmp/merged" fstype)" overlay
super=$(mount_field "$tmp/merged" super)
for o in "lowerdir=$tmp/top:$tmp/base" "upperdir=$tmp/rw/upper" \
	"workdir=$tmp/rw/work" redirect_dir=nofollow rw; do
	check "overlay option $o ($super)" has_option "$super" "$o"
done
# The kernel lists index and metacopy only when they differ from its
# defaults: they must not show as on.
for o in index=on metacopy=on; do
	if has_option "$super" $o; then fail "overlay has $o"
	else ok "overlay without $o"; fi
done
opts=$(mount_field "$tmp/merged" options)
for o in nosuid nodev; do
	if has_option "$opts" $o; then fail "overlay mounted $o"
	else ok "overlay not mounted $o"; fi
done
want=$("$driver" options "$tmp/rw/upper" "$tmp/rw/work" "$tmp/top" \
	"$tmp/base")
check_equal "options printed" "$want" "lowerdir=$tmp/top:$tmp/base,upperdir=\
$tmp/rw/upper,workdir=$tmp/rw/work,index=off,redirect_dir=nofollow,\
metacopy=off,xino=off"

m=$tmp/merged
check_equal "top layer wins" "$(cat "$m/etc/kept")" "top kept"
check_equal "base file seen" "$(cat "$m/etc/os-release")" "base os-release"
check_equal "top-only file seen" "$(cat "$m/top-only")" "only on top"
check "whiteout in the top layer hides the base file" test ! -e "$m/etc/gone"
check "whiteout is a 0/0 character device in the top layer" \
	test "$(stat -c '%F %t %T' "$tmp/top/etc/gone")" = \
	"character special file 0 0"
check_equal "overlay root mode" "$(stat -c %a "$m")" 755

# Writes land in the tmpfs upper, never below.
echo written > "$m/etc/new" || fail "write through the overlay"
check_equal "write landed in upper" "$(cat "$tmp/rw/upper/etc/new")" written
check "upper is on the tmpfs" test "$(stat -f -c %T "$tmp/rw/upper")" = tmpfs
check "base untouched" test ! -e "$tmp/base/etc/new"
echo changed > "$m/etc/kept" || fail "overwrite through the overlay"
check_equal "copy-up in upper" "$(cat "$tmp/rw/upper/etc/kept")" changed
check_equal "top layer unchanged" "$(cat "$tmp/top/etc/kept")" "top kept"
rm "$m/etc/os-release" || fail "delete through the overlay"
check "deleted file gone" test ! -e "$m/etc/os-release"
check_equal "delete left a whiteout in upper" \
	"$(stat -c '%F %t %T' "$tmp/rw/upper/etc/os-release")" \
	"character special file 0 0"
check_equal "base still has it" "$(cat "$tmp/base/etc/os-release")" \
	"base os-release"
# A device node of a nodev layer works through the overlay: the overlay's
# own mount flags decide.
check "device node through the overlay" sh -c "echo x > '$m/null'"
check_equal "device node reads empty" "$(wc -c < "$m/null")" 0

# The order matters: base over top shows what the whiteout hid.
check "read-only overlay" "$driver" overlay "$tmp/merged2" - - \
	"$tmp/base" "$tmp/top"
check_equal "reversed: base wins" "$(cat "$tmp/merged2/etc/kept")" "base kept"
check_equal "reversed: base file above the whiteout" \
	"$(cat "$tmp/merged2/etc/gone")" "to be hidden"
check "read-only overlay mounted ro" \
	has_option "$(mount_field "$tmp/merged2" options)" ro
if touch "$tmp/merged2/x" 2> /dev/null; then
	fail "wrote to a read-only overlay"
else
	ok "the read-only overlay refuses a write"
fi

# Refused options never reach the kernel.
if "$driver" overlay "$tmp/merged2" "$tmp/rw/upper" "$tmp/rw/work" \
	"$tmp/base,x" 2> /dev/null; then
	fail "a lower path with a comma was accepted"
else
	ok "a lower path with a comma is refused"
fi

# --- the boot's stack: the layers read-only with userxattr, then writable ----

mkdir -p "$tmp/stack" "$tmp/merged3"
check "userxattr read-only overlay" env MOUNT_USERXATTR=1 "$driver" overlay \
	"$tmp/stack" - - "$tmp/top" "$tmp/base"
check "... mounted with userxattr" \
	has_option "$(mount_field "$tmp/stack" super)" userxattr
check "a second scratch tmpfs" "$driver" scratch "$tmp/rw2" 16777216
check "writable overlay over the read-only one" "$driver" overlay \
	"$tmp/merged3" "$tmp/rw2/upper" "$tmp/rw2/work" "$tmp/stack"
m=$tmp/merged3
check_equal "stacked: top layer wins" "$(cat "$m/etc/kept")" "top kept"
check "stacked: the whiteout hides the base file" test ! -e "$m/etc/gone"
# A lower directory deleted and made again needs an opaque upper
# directory: trusted.overlay.opaque on the tmpfs.
rm -rf "$m/etc" && mkdir "$m/etc" && echo n > "$m/etc/n" ||
	fail "deleting and remaking a lower directory"
check_equal "the remade directory holds only what was written" \
	"$(ls -A "$m/etc")" n
check "umount the stack" umount "$tmp/merged3" "$tmp/rw2" "$tmp/stack"

# --- teardown ----------------------------------------------------------------

check "umount overlays" umount "$tmp/merged2" "$tmp/merged"
check "umount scratch" umount "$tmp/rw"
check "umount top" umount "$tmp/top"
check "autoclear device gone with its mount" detached "$tdev"
check "umount base" umount "$tmp/base"
check "detach base" "$driver" detach "$dev"
check "base detached" detached "$dev"
check "detach offset device" "$driver" detach "$pdev"
check "offset device detached" detached "$pdev"
if losetup -j "$tmp/base.sqfs" | grep -q .; then
	fail "losetup still lists base.sqfs"
else
	ok "losetup lists nothing of base.sqfs"
fi

testlib_finish
