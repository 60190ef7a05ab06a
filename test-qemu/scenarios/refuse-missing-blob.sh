# The image manifest names a layer blob (the top layer's) that is not in
# the store.
. "$here/refuse.sh"

prepare() {
	local blob d

	product_prepare || return 1
	blob=$(layer_blob top)
	d=$(digest_of "$blob")
	rm "$blob" && product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: layer 1 $d: blob $d is missing: No such file or directory")"
}
