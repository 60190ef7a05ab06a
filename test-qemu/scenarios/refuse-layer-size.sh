# A layer blob one byte longer than its descriptor says.
. "$here/refuse.sh"
refuse_expect 'verify: layer: .*size'

prepare() {
	product_prepare && printf x >> "$(layer_blob base)" &&
		product_disk "$REFUSE_CMDLINE"
}
