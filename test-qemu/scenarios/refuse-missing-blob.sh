# The image manifest names a layer blob that is not in the store.
. "$here/refuse.sh"
refuse_expect 'verify: layer: .*sha256:[0-9a-f]{64}'

prepare() {
	product_prepare && rm "$(layer_blob top)" && product_disk "$REFUSE_CMDLINE"
}
