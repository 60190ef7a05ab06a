# A layer blob (the base layer's) one byte longer than its descriptor says.
. "$here/refuse.sh"

prepare() {
	local blob d size

	product_prepare || return 1
	blob=$(layer_blob base)
	d=$(digest_of "$blob")
	size=$(stat -c %s "$blob")
	printf x >> "$blob" && product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: layer 0 $d: size $((size + 1)) differs from the descriptor's $size: verification failed")"
}
