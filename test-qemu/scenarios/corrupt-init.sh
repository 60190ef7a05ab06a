# One byte flipped in the second data block of the base layer (inside
# busybox, the interpreter of the product's /sbin/init). Executing the
# product's init reads it, dm-verity refuses that block, the exec fails with
# an I/O error, and the boot stops there.
. "$here/corrupt.sh"
flipped=$((96 + 4096))
expect=(
	'ociboot: switch_root: exec /sbin/init in the verified root, in /etc$'
	"device-mapper: verity: [0-9]+:[0-9]+: data block $((flipped / 4096)) is corrupted\$"
	'ociboot: FATAL: exec /sbin/init: I/O error$'
	'ociboot: failure policy: poweroff$'
)
reject=('Kernel panic' '^product: ')

prepare() {
	local blob

	product_prepare || return 1
	blob=$(layer_blob base)
	flip_byte "$blob" "$flipped" &&
		product_disk "$PRODUCT_CMDLINE ociboot.on_failure=poweroff"
}
