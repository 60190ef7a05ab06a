# One byte flipped in the top layer's hash tree, in the level-0 hash block
# that covers data blocks 128..255 (all inside random.bin): the boot goes
# on, dm-verity names that hash block (counted in 4096-byte blocks from the
# start of the blob) when it is read, and reading random.bin fails with an
# I/O error.
. "$here/corrupt.sh"
reject=('Kernel panic' 'ociboot: FATAL' 'verity: [0-9]+:[0-9]+: data block')

prepare() {
	local blob off blocks level0 at

	product_prepare || return 1
	blob=$(layer_blob top)
	random_offset "$blob" > /dev/null || return 1
	off=$(hash_offset "$blob")
	blocks=$((off / 4096))
	level0=$(( (blocks + 127) / 128 ))
	# One level above level 0 (a single top block) while level 0 has at
	# most 128 blocks; the tree is laid out top level first, after the
	# superblock's 4096-byte block.
	[ "$level0" -le 128 ] && [ "$blocks" -gt 256 ] || return 1
	at=$((off + 4096 + 4096 + 4096 * 1 + 100))
	flip_byte "$blob" "$at" && product_disk || return 1
	expect=(
		'product: root filesystem: overlay$'
		"device-mapper: verity: [0-9]+:[0-9]+: metadata block $((at / 4096)) is corrupted\$"
		'product: read error: /usr/share/demo/random\.bin$'
		'product: read [0-9]+ files, 1 errors$'
	)
}
