# Two disks carry the label the command line names (a stick plugged in with
# the same label, say): the init refuses to guess and names both.
. "$here/refuse.sh"
refuse_expect 'store LABEL=ocistore is ambiguous: (/dev/vda and /dev/vdb|/dev/vdb and /dev/vda) both match; refusing to guess'
disks=(store.img other.img)

prepare() {
	product_prepare && product_disk "$REFUSE_CMDLINE" &&
		cp store.img other.img
}
