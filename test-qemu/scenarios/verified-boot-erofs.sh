# The verified local boot from an erofs store (made by mkfs.erofs, found by
# its UUID): the store's type is probed, only erofs's own module list is
# loaded for it (never ext4's), the store is mounted read-only as erofs,
# and the product boots as from ext4.
secure_boot=on
store_uuid=5e7f0e2a-0f5b-4c1d-9a3e-2b6c8d4f1a70
expect=(
	"ociboot: store: UUID=$store_uuid is /dev/vda"
	'ociboot: modules: loaded crc32c_generic'
	'ociboot: modules: loaded libcrc32c'
	'ociboot: modules: loaded erofs'
	'ociboot: store: /dev/vda is erofs: 3 module\(s\) of /etc/ociboot/modules.d/erofs loaded'
	'ociboot: store: /dev/vda mounted read-only; OCI layout /oci'
	'ociboot: verify: signed system verified'
	'ociboot: rootfs: overlay of 2 verified layers'
	'ociboot: init: [0-9]+ ms from /init to now'
	'ociboot: switch_root: exec /sbin/init'
	'product: hello from the product.s init \(pid 1\)'
	'product: root filesystem: overlay'
	'product: store: not mounted'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'FAILED' 'modules: loaded (ext4|jbd2|mbcache|crc16)' 'EXT4-fs')
expect_exit=1
disks=(store.img)

prepare() {
	product_prepare &&
		"$here/product/mkstore" --erofs "$store_uuid" store store.img &&
		make_uki kernel.efi "console=ttyS0 quiet oci=UUID=$store_uuid:/oci:system" &&
		install_esp kernel.efi
}

# The store really is the erofs image: blkid on the host agrees.
check() {
	[ "$(blkid -p -s TYPE -o value store.img)" = erofs ]
}
