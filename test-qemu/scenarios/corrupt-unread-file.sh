# One byte flipped in a file the boot never reads (random.bin, 2 MiB):
# the boot goes on, and when the product reads every file, reading that one
# fails with an I/O error instead of returning the changed byte, and
# dm-verity names the block that holds the flipped byte.
. "$here/corrupt.sh"
reject=('Kernel panic' 'ociboot: FATAL')

prepare() {
	local blob at

	product_prepare || return 1
	blob=$(layer_blob top)
	at=$(random_offset "$blob") || return 1
	at=$((at + 1048576 + 17))
	flip_byte "$blob" "$at" && product_disk || return 1
	expect=(
		'product: root filesystem: overlay$'
		"device-mapper: verity: [0-9]+:[0-9]+: data block $((at / 4096)) is corrupted\$"
		'product: read error: /usr/share/demo/random\.bin$'
		'product: read [0-9]+ files, 1 errors$'
	)
}
