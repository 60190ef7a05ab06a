# Secure Boot on, our signed kernel.efi: the firmware accepts it, the init
# reports the firmware's and the TPM's view of the boot and powers off.
secure_boot=on
expect=(
	'ociboot: init: ociboot-init [^ ]+ build-id [0-9a-f]{40}'
	'ociboot: firmware: secure boot enabled'
	'ociboot: firmware: lockdown integrity'
	'ociboot: tpm: pcr7 sha256:[0-9a-f]{64}'
	'ociboot: break at report: powering off'
)
reject=('ociboot: FATAL' 'Kernel panic' 'Access Denied' 'Security Violation')
expect_exit=1

prepare() {
	make_uki kernel.efi "console=ttyS0 quiet ociboot.break=report $PRODUCT_OCI" &&
		install_esp kernel.efi
}
