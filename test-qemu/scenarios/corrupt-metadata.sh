# One byte flipped in the top layer's squashfs inode table, which mounting
# it reads: the kernel's dm-verity refuses that block, the mount of layer 1
# fails with an I/O error, and the boot stops before the product's init runs.
# The block and the layer's digest are known only once prepare() made them.
. "$here/corrupt.sh"
reject=('Kernel panic' '^product: ' 'switch_root: exec')

prepare() {
	local blob inodes d

	product_prepare || return 1
	blob=$(layer_blob top)
	d=$(sha256sum < "$blob" | cut -d' ' -f1)
	inodes=$(squashfs_field "$blob" 64)	# inode_table_start
	flip_byte "$blob" $((inodes + 8)) &&
		product_disk "$PRODUCT_CMDLINE ociboot.on_failure=poweroff" ||
		return 1
	expect=(
		"device-mapper: verity: [0-9]+:[0-9]+: data block $(( (inodes + 8) / 4096 )) is corrupted\$"
		"ociboot: FATAL: layer 1 [(]sha256:$d[)]: mounting squashfs from /dev/dm-[0-9]+: I/O error\$"
		'ociboot: failure policy: poweroff$'
	)
}
