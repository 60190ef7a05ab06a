# The genuine product key signs a system manifest naming another product:
# a product key may only sign for the product its certificate names.
. "$here/refuse.sh"
refuse_expect 'verify: product: .*'

prepare() {
	product_prepare || return 1
	"$BUILD/ociboot" manifest create \
		--product 11111111-2222-4333-8444-555555555555 --version 1 \
		--rootfs-layout store/oci --rootfs-tag rootfs \
		--output other.json &&
	resign other.json "$PRODUCT_DIR/keys/product.key" \
		"$PRODUCT_DIR/keys/product.pem" &&
	product_disk "$REFUSE_CMDLINE"
}
