# The system manifest is signed by a product key whose certificate comes
# from a CA the initrd does not trust.
. "$here/refuse.sh"
refuse_expect 'verify: certificate: .*(not trusted|trusted CA)'

prepare() {
	product_prepare && rogue_keys &&
		resign "$PRODUCT_DIR/system.json" rogue/product.key \
			rogue/product.pem &&
		product_disk "$REFUSE_CMDLINE"
}
