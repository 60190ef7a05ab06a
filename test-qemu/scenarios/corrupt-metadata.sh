# One byte flipped in the top layer's squashfs inode table, which mounting
# it reads: the kernel's dm-verity refuses the block, the mount fails, and
# the boot stops before the product's init runs.
. "$here/corrupt.sh"
expect=(
	'device-mapper: verity: .*data block [0-9]+ is corrupted'
	'ociboot: FATAL: layer 1 .*'
	'ociboot: failure policy: poweroff'
)
reject=('Kernel panic' '^product: ' 'switch_root: exec')

prepare() {
	local blob inodes

	product_prepare || return 1
	blob=$(layer_blob top)
	inodes=$(squashfs_field "$blob" 64)	# inode_table_start
	flip_byte "$blob" $((inodes + 8)) &&
		product_disk "$PRODUCT_CMDLINE ociboot.on_failure=poweroff"
}
