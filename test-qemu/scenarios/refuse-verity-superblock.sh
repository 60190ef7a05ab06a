# The verity superblock of a layer (the top one) is corrupted: one byte of
# its hash algorithm name flipped.
. "$here/refuse.sh"

prepare() {
	local blob d used at

	product_prepare || return 1
	blob=$(layer_blob top)
	d=$(digest_of "$blob")
	used=$(le64 "$blob" 40)			# squashfs bytes_used
	# The superblock sits at bytes_used rounded up to 4096; its
	# algorithm name ("sha256") starts at byte 32.
	at=$(( (used + 4095) / 4096 * 4096 ))
	flip_byte "$blob" $((at + 32)) &&
		product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: layer 1 $d: verity superblock (at byte $at): malformed input")"
}
