# An erofs store made with LZ4 compression (mkfs.erofs -zlz4): its
# superblock declares lz4_0padding, a feature outside the store's
# allowlist, so the init refuses it by name before loading erofs's modules
# or mounting it: the kernel's decompressor never reads the disk.
. "$here/refuse.sh"
store_uuid=0c4d2a9e-6b1f-4e37-8a52-9d0e1f3c7b64
refuse_expect "$(ere "store /dev/vda: erofs incompat feature 0x1 (lz4_0padding: compression) is not allowed on the store (features 0x1 outside the allowlist): Not supported")"
reject+=('modules: loaded erofs')

prepare() {
	product_prepare || return 1
	rm -f store.img
	mkfs.erofs --quiet -zlz4 -U "$store_uuid" -T 0 --all-root store.img \
		store &&
		make_uki kernel.efi "console=ttyS0 quiet oci=UUID=$store_uuid:/oci:system ociboot.on_failure=poweroff" &&
		install_esp kernel.efi
}
