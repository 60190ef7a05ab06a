#!/bin/sh
# SPDX-License-Identifier: MIT
# The store finder end to end, through `$BUILD/tests/store find`:
#  1. a fake sysfs tree (no root needed): disk images made by sgdisk and
#     mke2fs, their partitions cut out with dd, sysfs attributes written
#     by hand; each key type must find the right device, a duplicate label
#     must be refused naming both;
#  2. loop devices (root): the same images attached with losetup -P (and
#     partx -a where the kernel has no GPT parser), found through the real
#     /sys/class/block and /dev by LABEL, UUID, PARTLABEL and PARTUUID, the
#     answer checked against util-linux (`blkid -o device -t KEY=VALUE`
#     and `blkid -p` on the device found); a 4096-byte-sector disk; a
#     duplicate refused; a device attached while the finder waits is found;
#     a missing one times out.
# Loop devices are detached on every path (trap).
set -u
. scripts/testlib.sh
need_commands blkid losetup partx mke2fs sgdisk
driver=$BUILD/tests/store
need_driver "$driver"

testlib_tmpdir
runs=0	# finder runs checked, whatever the outcome
# Loop devices attached so far, one a line (a file: attach runs in $(...)).
loops=$tmp/loops
: > "$loops"

# detach LOOP: only while it is still backed by a file of ours, so a number
# reused by someone else is never touched.
detach() {
	if losetup -n -O BACK-FILE -l "$1" 2> /dev/null | grep -q "^$tmp/"
	then
		partx -d "$1" > /dev/null 2>&1
		losetup -d "$1"
	fi
	grep -vx "$1" "$loops" > "$loops.new"
	mv "$loops.new" "$loops"
}

detach_all() {
	while read -r l; do
		detach "$l"
	done < "$loops"
}
testlib_on_exit detach_all

upper() {
	echo "$1" | tr a-f A-F
}

# Names unique to this run, so devices of anyone else cannot collide.
tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
fs_label=st$tag			# the store filesystem
sys_label=sy$tag
whole_label=wh$tag
part_label=ociboot-store-$tag
fs_uuid=$(random_uuid)
part_uuid=$(random_uuid)

# The store disk: p1 system, p2 the store (2 MiB in, 8 MiB each).
make_store_disk() {	# make_store_disk IMAGE
	rm -f "$1"
	truncate -s 24M "$1"
	sgdisk -n 1:2048:+8M -c 1:"sys-$tag" \
		-n 2:0:+8M -c 2:"$part_label" -u 2:"$part_uuid" \
		"$1" > /dev/null &&
	mke2fs -q -F -t ext4 -L "$sys_label" -E offset=$((2048 * 512)) \
		"$1" 8M > /dev/null 2>&1 &&
	mke2fs -q -F -t ext4 -L "$fs_label" -U "$fs_uuid" \
		-E offset=$((18432 * 512)) "$1" 8M > /dev/null 2>&1
}

make_whole_disk() {	# make_whole_disk IMAGE LABEL
	rm -f "$1"
	truncate -s 8M "$1"
	mke2fs -q -F -t ext4 -L "$2" "$1" > /dev/null 2>&1
}

# expect WHAT WANT_STATUS WANT_PATH ARGS...: run the finder.
expect() {
	what=$1 want_status=$2 want_path=$3
	shift 3
	out=$("$driver" find "$@" 2> "$tmp/err")
	status=$?
	runs=$((runs + 1))
	if [ "$status" != "$want_status" ]; then
		fail "$what: exit $status, want $want_status:" \
			"$out $(cat "$tmp/err")"
		return 1
	fi
	if [ -n "$want_path" ] && [ "${out%% *}" != "$want_path" ]; then
		fail "$what: found '$out', want $want_path"
		return 1
	fi
	ok "$what: ${out:-$(cat "$tmp/err")}"
}

# --- 1. a fake sysfs tree ----------------------------------------------------

fake_attr() {	# fake_attr DIR NAME VALUE
	echo "$3" > "$1/$2"
}

fake_disk() {	# fake_disk ROOT NAME IMAGE MINOR
	d=$1/sys/devices/virtual/block/$2
	mkdir -p "$d/queue"
	fake_attr "$d" dev "254:$4"
	fake_attr "$d" size $(($(stat -c %s "$3") / 512))
	fake_attr "$d/queue" logical_block_size 512
	ln -s "../../devices/virtual/block/$2" "$1/sys/class/block/$2"
	cp "$3" "$1/dev/$2"
}

fake_part() {	# fake_part ROOT DISK NAME NUMBER START SECTORS MINOR
	d=$1/sys/devices/virtual/block/$2/$3
	mkdir -p "$d"
	fake_attr "$d" dev "259:$7"
	fake_attr "$d" size "$6"
	fake_attr "$d" partition "$4"
	fake_attr "$d" start "$5"
	ln -s "../../devices/virtual/block/$2/$3" "$1/sys/class/block/$3"
	dd if="$1/dev/$2" of="$1/dev/$3" bs=512 skip="$5" count="$6" \
		2> /dev/null
}

check_fake_tree() {
	root=$tmp/fake
	mkdir -p "$root/sys/class/block" "$root/dev"
	make_store_disk "$tmp/store.img" || { fail "making images"; return; }
	make_whole_disk "$tmp/whole.img" "$whole_label"
	fake_disk "$root" vda "$tmp/store.img" 0
	fake_part "$root" vda vda1 1 2048 16384 1
	fake_part "$root" vda vda2 2 18432 16384 2
	fake_disk "$root" vdb "$tmp/whole.img" 16
	# An empty loop device: skipped.
	mkdir -p "$root/sys/devices/virtual/block/loop0"
	fake_attr "$root/sys/devices/virtual/block/loop0" dev 7:0
	fake_attr "$root/sys/devices/virtual/block/loop0" size 0
	ln -s ../../devices/virtual/block/loop0 "$root/sys/class/block/loop0"

	set -- -s "$root/sys/class/block" -d "$root/dev" -f -t 0
	expect "fake: LABEL" 0 "$root/dev/vda2" "$@" "LABEL=$fs_label:/oci"
	expect "fake: LABEL of p1" 0 "$root/dev/vda1" "$@" \
		"LABEL=$sys_label:/oci"
	expect "fake: LABEL of a whole disk" 0 "$root/dev/vdb" "$@" \
		"LABEL=$whole_label:/oci"
	expect "fake: UUID" 0 "$root/dev/vda2" "$@" "UUID=$fs_uuid:/oci"
	expect "fake: UUID in capitals" 0 "$root/dev/vda2" "$@" \
		"UUID=$(upper "$fs_uuid"):/oci"
	expect "fake: PARTLABEL" 0 "$root/dev/vda2" "$@" \
		"PARTLABEL=$part_label:/oci"
	expect "fake: PARTUUID" 0 "$root/dev/vda2" "$@" \
		"PARTUUID=$(upper "$part_uuid"):/oci"
	expect "fake: the PARTUUID is no UUID" 4 "" "$@" \
		"UUID=$part_uuid:/oci"
	expect "fake: labels are case-sensitive" 4 "" "$@" \
		"LABEL=$(echo "$fs_label" | tr a-z A-Z):/oci"
	# Without -f the image files are not block devices.
	expect "fake: plain files refused" 4 "" -s "$root/sys/class/block" \
		-d "$root/dev" -t 0 "LABEL=$fs_label:/oci"

	# Someone else's stick with the same label.
	make_whole_disk "$tmp/stick.img" "$fs_label"
	fake_disk "$root" sda "$tmp/stick.img" 32
	expect "fake: duplicate LABEL refused" 3 "" "$@" "LABEL=$fs_label:/oci"
	grep -q "/dev/sda" "$tmp/err" && grep -q "/dev/vda2" "$tmp/err" ||
		fail "fake: the refusal does not name both: $(cat "$tmp/err")"
}

# --- 2. loop devices ---------------------------------------------------------

# attach IMAGE [SECTOR_SIZE]: a loop device with its partitions; prints it.
attach() {
	l=$(losetup -f --show -P ${2:+--sector-size "$2"} "$1") || return 1
	echo "$l" >> "$loops"
	# Kernels without CONFIG_EFI_PARTITION leave it to partx.
	if [ -n "$(partx -g "$l" 2> /dev/null)" ] && [ ! -e "${l}p1" ]; then
		partx -a "$l" 2> /dev/null
	fi
	echo "$l"
}

# reference KEY VALUE: what util-linux finds for KEY=VALUE.
reference() {
	blkid -c /dev/null -o device -t "$1=$2" 2> /dev/null | sort
}

# loop_key WHAT KEY VALUE WANT_DEVICE TAG: found, and blkid agrees.
loop_key() {
	what=$1 key=$2 value=$3 want=$4 btag=$5
	expect "loop: $what" 0 "$want" -t 2000 "$key=$value:/oci" || return
	ref=$(reference "$key" "$(echo "$value" | tr A-F a-f)")
	[ "$ref" = "$want" ] || fail "loop: $what: blkid -t finds '$ref'"
	got=$(blkid -p -s "$btag" -o value "$want")
	[ "$(upper "$got")" = "$(upper "$value")" ] ||
		fail "loop: $what: blkid -p $want says $btag=$got"
}

check_loops() {
	if [ "$(id -u)" != 0 ] || [ ! -e /dev/loop-control ]; then
		fail "loop devices need root and /dev/loop-control"
		return
	fi
	disk=$(attach "$tmp/store.img") || { fail "losetup failed"; return; }
	if [ ! -b "${disk}p2" ]; then
		fail "no partition devices for $disk"
		return
	fi
	whole=$(attach "$tmp/whole.img")
	loop_key LABEL LABEL "$fs_label" "${disk}p2" LABEL
	loop_key "LABEL of p1" LABEL "$sys_label" "${disk}p1" LABEL
	loop_key "LABEL of a whole disk" LABEL "$whole_label" "$whole" LABEL
	loop_key UUID UUID "$fs_uuid" "${disk}p2" UUID
	loop_key "UUID in capitals" UUID "$(upper "$fs_uuid")" "${disk}p2" UUID
	loop_key PARTLABEL PARTLABEL "$part_label" "${disk}p2" PART_ENTRY_NAME
	loop_key PARTUUID PARTUUID "$part_uuid" "${disk}p2" PART_ENTRY_UUID
	loop_key "PARTUUID in capitals" PARTUUID "$(upper "$part_uuid")" \
		"${disk}p2" PART_ENTRY_UUID

	# A disk of 4096-byte sectors, partitioned through the loop device.
	rm -f "$tmp/4k.img"
	truncate -s 24M "$tmp/4k.img"
	k=$(losetup -f --show --sector-size 4096 "$tmp/4k.img")
	echo "$k" >> "$loops"
	sgdisk -n 1:0:+8M -c 1:"k4-$tag" "$k" > /dev/null
	detach "$k"
	k=$(attach "$tmp/4k.img" 4096)
	if [ -b "${k}p1" ]; then
		loop_key "PARTLABEL, 4096-byte sectors" PARTLABEL "k4-$tag" \
			"${k}p1" PART_ENTRY_NAME
	else
		fail "no partition device on the 4096-byte-sector disk"
	fi

	# The same label on a second device: refused, both named.
	stick=$(attach "$tmp/stick.img")
	expect "loop: duplicate LABEL refused" 3 "" -t 2000 \
		"LABEL=$fs_label:/oci"
	grep -q "$stick" "$tmp/err" && grep -q "${disk}p2" "$tmp/err" ||
		fail "loop: the refusal does not name both: $(cat "$tmp/err")"
	detach "$stick"

	# Attached while the finder waits (10 s deadline): found.
	make_whole_disk "$tmp/late.img" "lt$tag"
	"$driver" find -t 10000 "LABEL=lt$tag:/oci" > "$tmp/late.out" \
		2> "$tmp/late.err" &
	finder=$!
	sleep 1
	late=$(attach "$tmp/late.img")
	if wait "$finder" && [ "$(cut -d' ' -f1 "$tmp/late.out")" = "$late" ]
	then
		runs=$((runs + 1))
		ok "loop: attached after 1 s, found:" \
			"$(cat "$tmp/late.out")"
	else
		fail "loop: late device not found: $(cat "$tmp/late.out" \
			"$tmp/late.err")"
	fi
	expect "loop: nothing by that label, timeout" 4 "" -t 300 \
		"LABEL=no$tag:/oci"
}

check_fake_tree
check_loops

check_equal "finder runs checked" "$runs" 23
testlib_finish
