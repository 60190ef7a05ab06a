# One byte flipped in the first data block of the base layer: busybox, the
# interpreter of the product's /sbin/init. Executing the product's init
# reads it, dm-verity refuses the block, and the boot stops there.
. "$here/corrupt.sh"
expect=(
	'ociboot: switch_root: exec /sbin/init'
	'ociboot: FATAL: .*(/sbin/init|exec).*'
)
reject=('Kernel panic' '^product: ')

prepare() {
	local blob

	product_prepare || return 1
	blob=$(layer_blob base)
	flip_byte "$blob" $((96 + 4096)) &&
		product_disk "$PRODUCT_CMDLINE ociboot.on_failure=poweroff"
}

check() {
	tr -d '\r' < "$log" |
		grep -E 'device-mapper: verity: .*data block [0-9]+ is corrupted'
}
