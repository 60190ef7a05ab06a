# The same provisioned machine with Secure Boot off: PCR 7 is not the
# value the secrets were sealed to, so the TPM refuses them (0x99d,
# TPM_RC_POLICY_FAIL on the session) and ociboot.tpm=required stops the
# boot before the product runs, naming PCR 7.
. "$here/tpm.sh"
secure_boot=off

prepare() {
	product_prepare && product_disk "$TPM_CMDLINE" &&
		tpm_provision "$PRODUCT_UUID" || return 1
	refuse_expect 'tpm: PCR 7 sha256:[0-9a-f]{64} does not satisfy the secrets. policy \(TPM rc 0x99d\): ociboot.tpm=required refuses to boot without them'
}
