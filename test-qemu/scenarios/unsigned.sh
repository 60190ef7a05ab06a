# Secure Boot on, the same kernel.efi without a signature: the firmware must
# refuse to start it, so neither the kernel nor the init ever runs. The
# refusal must be of our image (the ESP is QEMU's first hard disk), not of
# some other boot option such as the EFI shell, which OVMF also refuses.
secure_boot=on
expect=('BdsDxe: failed to load Boot[0-9A-F]{4} "UEFI QEMU HARDDISK [^"]*" from [^ ]+: Access Denied$')
reject=('ociboot:' 'Linux version' 'EFI stub')
stop_on_expect=1
deadline=180

prepare() {
	make_uki kernel.efi 'console=ttyS0 ociboot.break=report' unsigned &&
		install_esp kernel.efi
}
