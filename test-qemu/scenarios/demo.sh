# The demo: boot build/kernel.efi exactly as `make` built it, with Secure
# Boot on and a fresh TPM.
secure_boot=on
expect=(
	'ociboot: init: ociboot-init [^ ]+ build-id [0-9a-f]{40}'
	'ociboot: firmware: secure boot enabled'
	'ociboot: tpm: pcr7 sha256:[0-9a-f]{64}'
	'ociboot: break at report: powering off'
)
reject=('ociboot: FATAL' 'Kernel panic' 'Access Denied' 'Security Violation')
expect_exit=1

prepare() {
	install_esp "$BUILD/kernel.efi"
}
