# Sourced by the corrupt-* scenarios: one byte of a layer changed on the
# store disk after everything was signed. dm-verity checks blocks as they
# are read, so the damage shows exactly where something reads it.
secure_boot=on
expect_exit=1
disks=(store.img)

# squashfs_field BLOB OFFSET: a 64-bit field of the squashfs superblock.
squashfs_field() {
	le64 "$1" "$2"
}

# hash_offset BLOB: where the verity superblock is (bytes_used rounded up
# to 4096).
hash_offset() {
	local used

	used=$(squashfs_field "$1" 40)
	echo $(( (used + 4095) / 4096 * 4096 ))
}

# random_offset BLOB: where random.bin's data starts in the top layer.
# It is the only big file there and incompressible, so its blocks are
# stored as they are, first in the data area, right after the 96-byte
# squashfs superblock; checked here against the file itself.
random_offset() {
	local src=$PRODUCT_DIR/tree/top/usr/share/demo/random.bin

	cmp -s -n 4096 -i 96:0 "$1" "$src" || {
		echo "random.bin is not at offset 96 of $1" >&2
		return 1
	}
	echo 96
}
