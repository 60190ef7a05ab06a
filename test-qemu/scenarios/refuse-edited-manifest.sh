# The system manifest was edited after it was signed (its version raised)
# and packaged again with the old signature.
. "$here/refuse.sh"
refuse_expect 'verify: signature: .*does not match'

prepare() {
	product_prepare || return 1
	sed 's/"version":1/"version":2/' "$PRODUCT_DIR/system.json" > edited.json
	! cmp -s edited.json "$PRODUCT_DIR/system.json" || return 1
	"$BUILD/ociboot" manifest package --layout store/oci --tag system \
		--manifest edited.json --signature "$PRODUCT_DIR/system.sig" \
		--cert "$PRODUCT_DIR/keys/product.pem" &&
		product_disk "$REFUSE_CMDLINE"
}
