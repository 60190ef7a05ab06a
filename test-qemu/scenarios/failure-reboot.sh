# No oci= at all: nothing to boot. With the reboot policy the init waits the
# configured delay and reboots; QEMU's -no-reboot turns that into an exit.
secure_boot=on
expect=(
	'ociboot: FATAL: no oci= on the kernel command line'
	'ociboot: failure policy: reboot in 2 s'
)
reject=('Kernel panic')
expect_exit=1

prepare() {
	make_uki kernel.efi \
		'console=ttyS0 quiet ociboot.on_failure=reboot ociboot.reboot_delay=2' &&
		install_esp kernel.efi
}
