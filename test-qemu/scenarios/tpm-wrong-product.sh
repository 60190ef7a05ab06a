# A machine provisioned for the product is offered a system for another
# product, signed by that product's own key certified by the same CA: the
# signature and the chain are valid, but the TPM names this machine's
# product, and verification refuses the manifest with both products.
. "$here/tpm.sh"
OTHER_PRODUCT=11111111-2222-4333-8444-555555555555

prepare() {
	product_prepare &&
	"$BUILD/ociboot" keys product --ca-key "$PRODUCT_DIR/keys/ca.key" \
		--ca-cert "$PRODUCT_DIR/keys/ca.pem" --product "$OTHER_PRODUCT" \
		--subject 'CN=other product' \
		--out-key other.key --out-cert other.pem &&
	"$BUILD/ociboot" manifest create \
		--product "$OTHER_PRODUCT" --version 1 \
		--rootfs-layout store/oci --rootfs-tag rootfs \
		--output other.json &&
	resign other.json other.key other.pem &&
	product_disk "$TPM_CMDLINE" && tpm_provision "$PRODUCT_UUID" ||
		return 1
	refuse_expect "$(ere "verify: system manifest $(digest_of other.json) signed by 'CN=other product, serialNumber=$OTHER_PRODUCT': for product $OTHER_PRODUCT, not this machine's $PRODUCT_UUID: verification failed")"
}
