# The demo: build/kernel.efi exactly as `make` built it (the demo CA inside,
# oci= pointing at the store labelled ocistore), Secure Boot on, a fresh
# TPM, and the demo product's store disk that scripts/demo just built.
secure_boot=on
expect=(
	'ociboot: init: ociboot-init [^ ]+ build-id [0-9a-f]{40}'
	'ociboot: firmware: secure boot enabled'
	'ociboot: tpm: pcr7 sha256:[0-9a-f]{64}'
	'ociboot: store: LABEL=ocistore is /dev/vda'
	'ociboot: verify: signed system verified'
	'ociboot: layers: layer 1 sha256:[0-9a-f]{64}: '
	'ociboot: rootfs: overlay of 2 verified layers'
	'ociboot: switch_root: exec /sbin/init'
	'product: root filesystem: overlay'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'Access Denied' 'Security Violation')
expect_exit=1
disks=("$BUILD/demo/store.img")

prepare() {
	install_esp "$BUILD/kernel.efi"
}
