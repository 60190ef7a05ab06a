#!/bin/sh
# SPDX-License-Identifier: MIT
# Compare fs/blkid.c with util-linux on images made by the real tools:
#  - ext4/ext3/ext2 made by mke2fs with chosen and random labels and UUIDs,
#    block sizes and features, probed whole and at a partition's offset:
#    TYPE, LABEL, UUID and BLOCK_SIZE against `blkid -p`;
#  - GPT disks made by sgdisk (names with spaces and UTF-8, set and random
#    GUIDs, several types): PTUUID against `blkid -p`, and each partition's
#    number, start, size, unique GUID, type GUID and name against
#    `partx -g -P` (libblkid's partition prober);
#  - corruption: a flipped byte in the primary header or the primary entry
#    array is survived through the backup GPT, as blkid does; both copies
#    broken, both refuse; a flipped ext4 superblock byte fails the CRC32C
#    (checked against dumpe2fs: blkid 2.38 does not check that CRC);
#  - erofs made by mkfs.erofs (erofs-utils 1.5: set and random UUIDs, a
#    fixed time; it has no option for a label, so one image gets its
#    volume name written in with the superblock checksum off): TYPE,
#    LABEL, UUID, BLOCK_SIZE against `blkid -p`; a flipped superblock byte
#    fails the CRC32C as fsck.erofs says (blkid 2.38 does not check it);
#    the store check takes what mkfs.erofs makes uncompressed and refuses
#    lz4 compression and chunked files.
#
# Needs $BUILD/tests/blkid (built by `make check-shell`), blkid, partx,
# mke2fs, dumpe2fs, sgdisk (gdisk), mkfs.erofs and fsck.erofs
# (erofs-utils).
set -u
. scripts/testlib.sh
need_commands blkid partx mke2fs dumpe2fs sgdisk mkfs.erofs fsck.erofs
driver=$BUILD/tests/blkid
need_driver "$driver"
testlib_tmpdir
compared=0	# images compared, whatever the outcome

# ours FILE OFFSET TAG: one tag of our prober's output.
ours() {
	"$driver" fs "$1" "$2" 2> /dev/null | sed -n "s/^$3=//p"
}

# ref FILE OFFSET TAG: the same tag from blkid (raw value).
ref() {
	blkid -p --offset "$2" -s "$3" -o value "$1" 2> /dev/null
}

# compare_fs WHAT FILE OFFSET: every tag we report, against blkid.
compare_fs() {
	what=$1 file=$2 offset=$3
	if ! "$driver" fs "$file" "$offset" > /dev/null 2>&1; then
		fail "$what: our prober finds nothing"
		return
	fi
	compared=$((compared + 1))
	before=$testlib_failed
	for tag in TYPE LABEL UUID BLOCK_SIZE; do
		got=$(ours "$file" "$offset" $tag)
		want=$(ref "$file" "$offset" $tag)
		# blkid names a plain ext2 "ext4" on a system whose
		# kernel has no ext2 driver; we always say ext2.
		if [ "$tag" = TYPE ] && [ "$got" = ext2 ] &&
		   [ "$want" = ext4 ] && ! grep -qw ext2 /proc/filesystems
		then
			want=ext2
		fi
		[ "$got" = "$want" ] ||
			fail "$what: $tag '$got', blkid '$want'"
	done
	[ "$testlib_failed" = "$before" ] || return
	ok "$what: $(ours "$file" "$offset" TYPE)" \
	     "LABEL='$(ours "$file" "$offset" LABEL)'" \
	     "UUID=$(ours "$file" "$offset" UUID)"
}

# mkfs_case WHAT MKE2FS_ARGS...: a fresh 16 MiB image, compared.
mkfs_case() {
	what=$1
	shift
	rm -f "$tmp/fs.img"
	truncate -s 16M "$tmp/fs.img"
	if ! mke2fs -q -F "$@" "$tmp/fs.img" > /dev/null 2>&1; then
		fail "$what: mke2fs $* failed"
		return
	fi
	compare_fs "$what" "$tmp/fs.img" 0
}

check_filesystems() {
	mkfs_case "ext4 default" -t ext4
	mkfs_case "ext4 labelled" -t ext4 -L ocistore -U "$(random_uuid)"
	mkfs_case "ext4 16-byte label" -t ext4 -L 0123456789abcdef
	mkfs_case "ext4 label with spaces" -t ext4 -L 'a b  '
	mkfs_case "ext4 UTF-8 label" -t ext4 -L 'størë'
	mkfs_case "ext4 fixed UUID" -t ext4 -L s \
		-U 0a1b2c3d-1111-2222-3333-444455556666
	mkfs_case "ext4 1 KiB blocks" -t ext4 -b 1024 -L small
	mkfs_case "ext4 no metadata_csum" -t ext4 -O ^metadata_csum -L nocsum
	mkfs_case "ext4 64bit" -t ext4 -O 64bit -L big
	mkfs_case "ext4 no journal" -t ext4 -O ^has_journal -L nojournal
	mkfs_case "ext3" -t ext3 -L three
	mkfs_case "ext2" -t ext2 -L two
	mkfs_case "ext4 random UUID" -t ext4 -U random -L r

	# Corrupt one byte of the superblock: the CRC32C refuses it. blkid
	# 2.38 does not check that CRC; e2fsprogs (and the kernel's mount)
	# do, so dumpe2fs is the reference here.
	truncate -s 16M "$tmp/bad.img"
	mke2fs -q -F -t ext4 -L bad "$tmp/bad.img" > /dev/null 2>&1
	printf 'X' | dd of="$tmp/bad.img" bs=1 seek=$((1024 + 0x80)) \
		conv=notrunc 2> /dev/null
	if "$driver" fs "$tmp/bad.img" 0 > /dev/null 2>&1; then
		fail "a corrupted ext4 superblock is accepted"
	elif dumpe2fs -h "$tmp/bad.img" > /dev/null 2>&1; then
		fail "dumpe2fs accepts the corrupted superblock (test is wrong)"
	else
		ok "corrupted ext4 superblock refused, as by dumpe2fs"
	fi
}

# store_case WHAT WANT MKE2FS_ARGS... [-- TUNE2FS_ARGS...]: a fresh image,
# and what the store's feature check says of it (ok, or the refusal).
store_case() {
	what=$1
	want=$2
	shift 2
	rm -f "$tmp/st.img"
	truncate -s 64M "$tmp/st.img"
	mk=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		mk="$mk $1"
		shift
	done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086
	if ! mke2fs -q -F $mk "$tmp/st.img" > /dev/null 2>&1 ||
		{ [ $# -gt 0 ] && ! tune2fs "$@" "$tmp/st.img" > /dev/null 2>&1; }
	then
		fail "store check, $what: making the image failed"
		return
	fi
	got=$("$driver" fs "$tmp/st.img" 0 2> /dev/null | sed -n 's/^STORE=//p')
	case $got in
	"$want"*) ok "store check, $what: $got" ;;
	*) fail "store check, $what: got '$got', want '$want'" ;;
	esac
}

check_store_features() {
	store_case "mke2fs -t ext4" ok -t ext4
	store_case "ext3" ok -t ext3
	store_case "ext2" ok -t ext2
	store_case "s_errors=panic (the mount overrides it)" ok -t ext4 -- -e panic
	store_case "meta_bg" ok -t ext4 -O ^resize_inode,meta_bg
	store_case "encrypt" "refused: ext4 incompat feature 0x10000 (encrypt)" \
		-t ext4 -O encrypt
	store_case "casefold" "refused: ext4 incompat feature 0x20000 (casefold)" \
		-t ext4 -O casefold
	store_case "inline_data" \
		"refused: ext4 incompat feature 0x8000 (inline_data)" \
		-t ext4 -O inline_data
	store_case "mmp" "refused: ext4 incompat feature 0x100 (mmp)" \
		-t ext4 -O mmp
	store_case "bigalloc" "refused: ext4 ro_compat feature 0x200 (bigalloc)" \
		-t ext4 -O bigalloc -C 16384
	store_case "quota" "refused: ext4 ro_compat feature 0x100 (quota)" \
		-t ext4 -O quota
	store_case "verity" "refused: ext4 ro_compat feature 0x8000 (verity)" \
		-t ext4 -O verity
	store_case "mount options in the superblock" \
		"refused: ext4 superblock carries mount options" \
		-t ext4 -- -E mount_opts=errors=panic
}

# erofs_case WHAT WANT MKFS_EROFS_ARGS...: an image of a small tree, compared
# with blkid, and what the store check says of it (ok, or the refusal).
erofs_case() {
	e_what=$1
	e_want=$2
	shift 2
	rm -f "$tmp/e.img"
	if ! mkfs.erofs --quiet "$@" "$tmp/e.img" "$tmp/tree" \
		> /dev/null 2>&1; then
		fail "erofs $e_what: mkfs.erofs $* failed"
		return
	fi
	[ "$e_want" = ok ] && compare_fs "erofs $e_what" "$tmp/e.img" 0
	got=$("$driver" fs "$tmp/e.img" 0 2> /dev/null | sed -n 's/^STORE=//p')
	case $got in
	"$e_want"*) ok "store check, erofs $e_what: $got" ;;
	*) fail "store check, erofs $e_what: got '$got', want '$e_want'" ;;
	esac
}

check_erofs() {
	mkdir -p "$tmp/tree/etc" "$tmp/tree/oci/blobs"
	head -c 100000 /dev/urandom > "$tmp/tree/oci/blobs/big"
	printf 'x\n' > "$tmp/tree/etc/small"
	ln -sf ../etc/small "$tmp/tree/oci/link"

	erofs_case "default" ok
	erofs_case "fixed UUID, time, owner" ok \
		-U 0a1b2c3d-1111-2222-3333-444455556666 -T 0 --all-root
	erofs_case "random UUID" ok -U "$(random_uuid)"
	erofs_case "no superblock checksum" ok -E nosbcrc
	erofs_case "lz4" \
		"refused: erofs incompat feature 0x1 (lz4_0padding: compression)" \
		-zlz4
	erofs_case "lz4hc, ztailpacking" \
		"refused: erofs incompat feature 0x1 (lz4_0padding: compression)" \
		-zlz4hc -E ztailpacking
	erofs_case "chunked files" \
		"refused: erofs incompat feature 0x4 (chunked_file)" \
		--chunksize=4096

	# A volume name: erofs-utils 1.5 cannot set one, so it is written
	# into an image without the superblock checksum; blkid reads it.
	rm -f "$tmp/e.img"
	mkfs.erofs --quiet -E nosbcrc "$tmp/e.img" "$tmp/tree" > /dev/null 2>&1
	printf 'my store' | dd of="$tmp/e.img" bs=1 seek=$((1024 + 0x40)) \
		conv=notrunc 2> /dev/null
	compare_fs "erofs with a volume name" "$tmp/e.img" 0

	# One flipped byte of the checksummed block: erofs-utils' fsck.erofs
	# refuses the superblock (it says so, but exits 0), and so do we.
	rm -f "$tmp/e.img"
	mkfs.erofs --quiet "$tmp/e.img" "$tmp/tree" > /dev/null 2>&1
	printf 'X' | dd of="$tmp/e.img" bs=1 seek=$((1024 + 0x80)) \
		conv=notrunc 2> /dev/null
	if "$driver" fs "$tmp/e.img" 0 > /dev/null 2>&1; then
		fail "a corrupted erofs superblock is accepted"
	elif ! fsck.erofs "$tmp/e.img" 2>&1 |
		grep -q "chksum doesn't match"; then
		fail "fsck.erofs accepts the corrupted superblock (test is wrong)"
	else
		ok "corrupted erofs superblock refused, as by fsck.erofs"
	fi
}

# escape_like_partx: bytes outside printable ASCII as \xHH, as partx -P.
escape_like_partx() {
	od -An -v -tx1 | tr -s ' \n' '  ' | {
		read -r bytes
		out=
		for b in $bytes; do
			v=$(printf '%d' "0x$b")
			if [ "$v" -ge 32 ] && [ "$v" -lt 127 ]; then
				out="$out$(printf "\\$(printf '%03o' "$v")")"
			else
				out="$out\\x$b"
			fi
		done
		printf '%s' "$out"
	}
}

# Our gpt output in partx -P form.
ours_gpt_as_partx() {
	"$driver" gpt "$1" | sed -n '/^[0-9]/p' |
	while read -r nr start size uuid type name; do
		name=$(printf '%s' "$name" | escape_like_partx)
		printf 'NR="%s" START="%s" SECTORS="%s" ' \
			"$nr" "$start" "$size"
		printf 'UUID="%s" TYPE="%s" NAME="%s"\n' \
			"$uuid" "$type" "$name"
	done
}

# compare_gpt WHAT IMAGE
compare_gpt() {
	what=$1 img=$2
	if ! "$driver" gpt "$img" > "$tmp/ours.txt" 2> "$tmp/err.txt"; then
		fail "$what: our GPT parser: $(cat "$tmp/err.txt")"
		return
	fi
	compared=$((compared + 1))
	got=$(sed -n 's/^PTUUID=//p' "$tmp/ours.txt")
	want=$(blkid -p -s PTUUID -o value "$img")
	[ -n "$want" ] && [ "$got" = "$want" ] ||
		fail "$what: PTUUID '$got', blkid '$want'"
	ours_gpt_as_partx "$img" > "$tmp/ours.partx"
	partx -g -P -o NR,START,SECTORS,UUID,TYPE,NAME "$img" \
		> "$tmp/ref.partx"
	if ! cmp -s "$tmp/ours.partx" "$tmp/ref.partx"; then
		fail "$what: partitions differ from partx:"
		diff "$tmp/ours.partx" "$tmp/ref.partx"
		return
	fi
	ok "$what: PTUUID $got, $(wc -l < "$tmp/ref.partx") partitions"
}

make_disk() {	# make_disk IMAGE SIZE SGDISK_ARGS...
	img=$1
	rm -f "$img"
	truncate -s "$2" "$img"
	shift 2
	sgdisk "$@" "$img" > /dev/null 2>&1
}

check_gpt() {
	make_disk "$tmp/d.img" 64M -U "$(random_uuid)" \
		-n 1:2048:+8M -c 1:'my store' \
		-u 1:AABBCCDD-1122-3344-5566-778899AABBCC \
		-n 2:0:+8M -c 2:'størë€' \
		-n 3:0:+1M -c 3:x -t 3:ef00 \
		-n 5:0:+1M -c 5:abcdefghijklmnopqrstuvwxyz0123456789 \
		-n 4:0:0 -t 4:8300
	compare_gpt "sgdisk: 5 partitions, a gap in numbering" "$tmp/d.img"

	make_disk "$tmp/one.img" 8M -n 1:0:0 -c 1:ocistore
	compare_gpt "sgdisk: one partition" "$tmp/one.img"

	make_disk "$tmp/empty.img" 8M -o
	compare_gpt "sgdisk: empty table" "$tmp/empty.img"

	make_disk "$tmp/small.img" 8M -S 8 -n 1:0:+1M -c 1:tiny
	compare_gpt "sgdisk: 8-entry table" "$tmp/small.img"

	# A partition holding ext4, probed at its offset.
	make_disk "$tmp/p.img" 32M -n 1:2048:+16M -c 1:ocistore
	mke2fs -q -F -t ext4 -L ocistore -E offset=$((2048 * 512)) \
		"$tmp/p.img" 16M > /dev/null 2>&1
	compare_fs "ext4 inside a GPT partition" "$tmp/p.img" $((2048 * 512))

	# The primary header, then the primary array, damaged: the backup
	# serves, for blkid and for us.
	for at in $((512 + 60)) $((1024 + 40)); do
		cp "$tmp/d.img" "$tmp/bad.img"
		flip_byte "$tmp/bad.img" "$at"
		compare_gpt "byte $at flipped, backup GPT used" "$tmp/bad.img"
	done
	# Both headers damaged: nothing, for both.
	cp "$tmp/d.img" "$tmp/bad.img"
	flip_byte "$tmp/bad.img" $((512 + 60))
	flip_byte "$tmp/bad.img" $((64 * 1024 * 1024 - 512 + 60))
	if "$driver" gpt "$tmp/bad.img" > /dev/null 2>&1; then
		fail "both GPT headers damaged, still parsed"
	elif [ "$(blkid -p -s PTTYPE -o value "$tmp/bad.img")" != PMBR ] ||
	     [ -n "$(partx -g "$tmp/bad.img" 2> /dev/null)" ]; then
		fail "blkid still sees a GPT (test is wrong)"
	else
		ok "both GPT headers damaged: refused (blkid: PMBR only)"
	fi
}

check_filesystems
check_store_features
check_gpt
check_erofs

check_equal "images compared with blkid/partx" "$compared" 25
testlib_finish
