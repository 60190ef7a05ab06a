# The system manifest was edited after it was signed (its version raised)
# and packaged again with the old signature: the signature does not match
# the edited manifest, which the init names by its digest.
. "$here/refuse.sh"

prepare() {
	product_prepare || return 1
	sed 's/"version":1/"version":2/' "$PRODUCT_DIR/system.json" > edited.json
	! cmp -s edited.json "$PRODUCT_DIR/system.json" || return 1
	"$BUILD/ociboot" manifest package --layout store/oci --tag system \
		--manifest edited.json --signature "$PRODUCT_DIR/system.sig" \
		--cert "$PRODUCT_DIR/keys/product.pem" &&
		product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: signature of system manifest $(digest_of edited.json) by '$PRODUCT_SIGNER': signature does not match: verification failed")"
}
