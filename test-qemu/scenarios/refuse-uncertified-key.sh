# The artifact carries the genuine product certificate, but the signature
# was made by a key the CA never certified.
. "$here/refuse.sh"
refuse_expect 'verify: signature: .*does not match'

prepare() {
	product_prepare && rogue_keys &&
		resign "$PRODUCT_DIR/system.json" rogue/product.key \
			"$PRODUCT_DIR/keys/product.pem" &&
		product_disk "$REFUSE_CMDLINE"
}
