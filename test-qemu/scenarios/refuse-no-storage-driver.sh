# An initrd built without the disk's driver (the base preset and
# virtio_pci, no virtio_blk): no block device ever appears, and the init
# says the initrd probably lacks the storage driver, naming the storage
# controllers without one (q35's SATA controller, the virtio disk) and how
# to add a module; every device the kernel saw is logged before.
. "$here/refuse.sh"
refuse_expect "$(ere "store LABEL=ocistore not found: no block device appeared in ")[0-9]+$(ere " scans; the initrd probably lacks the storage driver; storage controllers with no driver: pci 0000:00:1f.2 class 010601 (storage) 8086:2922; virtio virtio0 device 0002 (block) vendor 1af4; add the disk controller's module with \`ociboot ukify initrd --module NAME\` (\`modprobe -S KVER -R MODALIAS\` names it from the modalias logged above), or build the initrd with --preset physical or --host-only")"
expect=('ociboot: store: the kernel saw pci 0000:00:1f[.]2 class 010601 [(]storage[)] 8086:2922 modalias pci:v00008086d00002922sv[0-9A-F]{8}sd[0-9A-F]{8}bc01sc06i01$'
	'ociboot: store: the kernel saw virtio virtio0 device 0002 [(]block[)] vendor 1af4 modalias virtio:d00000002v00001AF4$'
	"${expect[@]}")

prepare() {
	product_prepare &&
	"$BUILD/ociboot" ukify initrd --init "$BUILD/init" \
		--modules-dir "/lib/modules/$KVER" --preset base \
		--module virtio_pci --ca "$PRODUCT_DIR/keys/ca.pem" \
		--output initrd.img &&
	initrd=$PWD/initrd.img &&
	product_disk "$REFUSE_CMDLINE"
}
