# A TPM that was never provisioned, with ociboot.tpm=required on the
# signed command line: the boot stops before verification, saying so.
. "$here/tpm.sh"

prepare() {
	product_prepare && product_disk "$TPM_CMDLINE" || return 1
	refuse_expect 'tpm: ociboot.tpm=required, but the TPM is not provisioned \(no product index 0x01500100\)'
}
