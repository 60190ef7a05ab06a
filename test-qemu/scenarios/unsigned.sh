# Secure Boot on, the same kernel.efi without a signature: the firmware must
# refuse to start it, so neither the kernel nor the init ever runs.
secure_boot=on
expect=('Access Denied|Security Violation')
reject=('ociboot:' 'Linux version' 'EFI stub')
stop_on_expect=1
deadline=180

prepare() {
	make_uki kernel.efi 'console=ttyS0 ociboot.break=report' unsigned &&
		install_esp kernel.efi
}
