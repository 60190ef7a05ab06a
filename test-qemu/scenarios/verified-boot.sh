# The verified local boot: the two-layer busybox product boots from an ext4
# store disk, whose modules are loaded only once the store is found to be
# ext4; every verification step is on the console before the
# product's init runs, and the product proves it runs on the overlay.
secure_boot=on
expect=(
	'ociboot: store: LABEL=ocistore is /dev/vda'
	'ociboot: modules: loaded ext4'
	'ociboot: store: /dev/vda is ext4: 5 module\(s\) of /etc/ociboot/modules.d/ext4 loaded'
	'ociboot: verify: trusting 1 CA certificate'
	'ociboot: verify: signed system verified'
	'ociboot: layers: layer 0 sha256:[0-9a-f]{64}: /dev/loop[0-9]+ -> /dev/dm-[0-9]+ \(dm-verity root [0-9a-f]{64}'
	'ociboot: layers: layer 1 sha256:[0-9a-f]{64}: '
	'ociboot: rootfs: overlay of 2 verified layers'
	'ociboot: switch_root: exec /sbin/init'
	'product: hello from the product.s init \(pid 1\)'
	'product: root filesystem: overlay'
	'product: motd: top layer'
	'product: whiteout: /etc/removed is gone'
	'product: hello: hello from the top layer'
	'product: working directory: /etc$'
	'product: store: not mounted'
	'product: root is writable'
	'product: handed over: /run/ociboot/boot'
	'product: handed over: /run/ociboot/system.json'
	'product: ima: [1-9][0-9]* modules measured'
	'product: read [0-9]+ files, 0 errors'
	'product: remade a lower directory: empty'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'FAILED' 'modules: loaded erofs')
expect_exit=1
disks=(store.img)

prepare() {
	product_prepare && product_disk
}

# Under Secure Boot the kernel's IMA measures every module the init loaded
# (its architecture policy's "measure func=MODULE_CHECK", a PCR 10 extend
# each): as many as the init says it loaded. tpm-secureboot-off-optional
# sees none without Secure Boot.
check() {
	local loaded measured

	loaded=$(tr -d '\r' < "$log" | grep -c '^ociboot: modules: loaded ')
	measured=$(tr -d '\r' < "$log" |
		sed -n 's/^product: ima: \([0-9]*\) modules measured.*/\1/p')
	if [ -z "$measured" ] || [ "$measured" != "$loaded" ]; then
		echo "ima measured ${measured:-no} modules, the init loaded $loaded"
		return 1
	fi
	echo "ima measured the $loaded modules the init loaded"
}
