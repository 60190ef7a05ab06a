# A store disk whose superblock asks for a kernel panic on any error
# (tune2fs -e panic) and whose OCI layout directory block is corrupted
# (one byte flipped: its metadata_csum fails). Mounted as the superblock
# says, the first lookup would panic the kernel; the init mounts it with
# its own error policy (errors=remount-ro), so the lookup fails with the
# kernel's EXT4-fs error line and the boot ends in a FATAL line and the
# configured failure policy.
secure_boot=on
expect=(
	'EXT4-fs error \(device vda\): '
	'ociboot: FATAL: OCI layout /oci on /dev/vda: oci-layout: cannot open: Bad message$'
	'ociboot: failure policy: poweroff$'
)
reject=('Kernel panic' 'ociboot: verify: signed system verified'
	'^product: ')
expect_exit=1
disks=(store.img)

prepare() {
	local bs block

	product_prepare &&
		"$here/product/mkstore" store store.img &&
		tune2fs -e panic store.img > /dev/null || return 1
	bs=$(dumpe2fs -h store.img 2> /dev/null |
		sed -n 's/^Block size:[[:space:]]*//p')
	block=$(debugfs -R "bmap /oci 0" store.img 2> /dev/null)
	case $bs$block in
	''|*[!0-9]*) echo "no block of /oci (size '$bs', block '$block')"
		return 1 ;;
	esac
	flip_byte store.img $((block * bs + bs / 2)) &&
		make_uki kernel.efi \
			"$PRODUCT_CMDLINE ociboot.on_failure=poweroff" &&
		install_esp kernel.efi
}
