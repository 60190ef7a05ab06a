# The genuine product key signs a system manifest naming another product:
# a product key may only sign for the product its certificate names. The
# init names both products, the manifest and the signer.
. "$here/refuse.sh"
OTHER_PRODUCT=11111111-2222-4333-8444-555555555555

prepare() {
	product_prepare || return 1
	"$BUILD/ociboot" manifest create \
		--product "$OTHER_PRODUCT" --version 1 \
		--rootfs-layout store/oci --rootfs-tag rootfs \
		--output other.json &&
	resign other.json "$PRODUCT_DIR/keys/product.key" \
		"$PRODUCT_DIR/keys/product.pem" &&
	product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: system manifest $(digest_of other.json) signed by '$PRODUCT_SIGNER': for product $OTHER_PRODUCT, but its signer's certificate is for product $PRODUCT_UUID: verification failed")"
}
