# An unknown ociboot.* option is an error, not ignored: the init names it,
# says why, and follows the default failure policy (halt), so the guest stays
# up until the harness stops it.
secure_boot=on
expect=(
	'ociboot: FATAL: bad kernel command line: ociboot\.frobnicate=1: unknown ociboot option$'
	'ociboot: failure policy: halt$'
)
reject=('Kernel panic' 'break at report')
stop_on_expect=1

prepare() {
	make_uki kernel.efi "console=ttyS0 quiet ociboot.frobnicate=1 $PRODUCT_OCI" &&
		install_esp kernel.efi
}
