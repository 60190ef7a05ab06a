# The verity superblock of a service's layer (web's own, layer 1) is
# changed: one byte of its hash algorithm name flipped. The boot stops at
# verify, before anything is mounted, naming the service and the layer.
. "$here/refuse.sh"
. "$here/services.sh"

prepare() {
	local blob d used at

	product_prepare || return 1
	blob=$(service_layer web)
	d=$(digest_of "$blob")
	used=$(le64 "$blob" 40)			# squashfs bytes_used
	at=$(( (used + 4095) / 4096 * 4096 ))	# the verity superblock
	flip_byte "$blob" $((at + 32)) &&
		product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: service web: layer 1 $d: verity superblock (at byte $at): malformed input")"
	reject+=('ociboot: layers: ')
	host_refuses
}
