# The first boot of tpm-below-floor: version 5 of the system on a freshly
# provisioned machine boots and raises the anti-rollback floor to 5.
. "$here/tpm.sh"
expect=(
	"ociboot: tpm: provisioned for product $PRODUCT_UUID, anti-rollback floor 0"
	'ociboot: tpm: anti-rollback floor raised from 0 to 5, write-locked'
	"product: tpm-check: product $PRODUCT_UUID, floor 5"
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'tpm-check: .*: DONE')

prepare() {
	product_prepare &&
	"$BUILD/ociboot" manifest create --product "$PRODUCT_UUID" \
		--version 5 --rootfs-layout store/oci --rootfs-tag rootfs \
		--output v5.json &&
	resign v5.json "$PRODUCT_DIR/keys/product.key" \
		"$PRODUCT_DIR/keys/product.pem" &&
	product_disk "$TPM_CMDLINE" && tpm_provision "$PRODUCT_UUID"
}
