# Anti-rollback: the machine boots version 5 of the system (tpm-floor-5,
# booted first by prepare()), which raises its floor to 5; then the same
# TPM is offered version 4, signed by the genuine product key, and the
# init refuses it as below the floor, before anything is mounted.
. "$here/tpm.sh"

prepare() {
	"$here/run" tpm-floor-5 >&2 || { echo "tpm-floor-5 failed"; return 1; }
	tpm_copy_state tpm-floor-5 &&
	product_prepare &&
	"$BUILD/ociboot" manifest create --product "$PRODUCT_UUID" \
		--version 4 --rootfs-layout store/oci --rootfs-tag rootfs \
		--output v4.json &&
	resign v4.json "$PRODUCT_DIR/keys/product.key" \
		"$PRODUCT_DIR/keys/product.pem" &&
	product_disk "$TPM_CMDLINE" || return 1
	refuse_expect "$(ere "tpm: system manifest $(digest_of v4.json) has version 4, below this machine's anti-rollback floor 5")"
}
