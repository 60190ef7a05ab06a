# corrupt-unread-file with ociboot.verity=panic on the signed command line:
# the layers' verity tables carry panic_on_corruption, so when the
# product reads the file with the flipped byte the kernel panics instead
# of returning an I/O error, and the product never reports its reads.
. "$here/corrupt.sh"
# A panicked kernel does not power off: stop it once the panic is seen.
expect_exit=0
stop_on_expect=1
reject=('ociboot: FATAL' '^product: read [0-9]+ files')

prepare() {
	local blob at

	product_prepare || return 1
	blob=$(layer_blob top)
	at=$(random_offset "$blob") || return 1
	at=$((at + 1048576 + 17))
	flip_byte "$blob" "$at" &&
		product_disk "$PRODUCT_CMDLINE ociboot.verity=panic" ||
		return 1
	expect=(
		'ociboot: layers: layer 1 sha256:[0-9a-f]{64}: .*status V'
		'product: root filesystem: overlay$'
		"device-mapper: verity: [0-9]+:[0-9]+: data block $((at / 4096)) is corrupted\$"
		'Kernel panic - not syncing: dm-verity device corrupted'
	)
}
