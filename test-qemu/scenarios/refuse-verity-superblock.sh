# The verity superblock of a layer is corrupted (one byte of its hash
# algorithm name flipped).
. "$here/refuse.sh"
refuse_expect 'verify: layer: .*'

prepare() {
	local blob used

	product_prepare || return 1
	blob=$(layer_blob top)
	used=$(le64 "$blob" 40)			# squashfs bytes_used
	# The superblock sits at bytes_used rounded up to 4096; its
	# algorithm name ("sha256") starts at byte 32.
	flip_byte "$blob" $(( (used + 4095) / 4096 * 4096 + 32 )) &&
		product_disk "$REFUSE_CMDLINE"
}
