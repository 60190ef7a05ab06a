# The store disk stalls after the init found it: the kernel's partition
# scan and the finder's read of the first 4 KiB get through (STALL_BURST
# bytes, QEMU's throttle burst), and the next read never returns: the
# ext4 mount's. The store stage runs in a child of PID 1, which fails the
# boot at the stage's deadline (ociboot.io_timeout= + the finder's 10 s)
# naming the device and what it was doing, then powers off: the device
# shutdown waits on nothing here.
. "$here/stall.sh"
STALL_BURST=${STALL_BURST:-32768}
stall_drive "$STALL_BURST"
expect=(
	'ociboot: store: looking for LABEL=ocistore:/oci:system$'
	'ociboot: store: LABEL=ocistore is /dev/vda '
	"ociboot: FATAL: store: /dev/vda: mounting it read-only \\(ext4\\) did not finish within $((STALL_IO_TIMEOUT + 10)) s; a disk whose reads never return \\(stalled, or a dead path\\) holds it: the process doing it is left behind \\(ociboot.io_timeout= sets the deadline\\)\$"
	'ociboot: failure policy: poweroff$'
)

prepare() {
	product_prepare && "$here/product/mkstore" store store.img &&
		make_uki kernel.efi "$STALL_CMDLINE" && install_esp kernel.efi &&
		plug_when 'ociboot: store: looking for'
}

check() {
	local from to gap

	stall_plugged || return 1
	from=$(line_time 'ociboot: store: looking for') &&
		to=$(line_time 'ociboot: FATAL: store') || return 1
	gap=$(seconds_between "$from" "$to" $((STALL_IO_TIMEOUT + 10 - 1)) \
		$((STALL_IO_TIMEOUT + 10 + 3))) || {
		echo "FATAL ${gap}s after the store stage began, expected $((STALL_IO_TIMEOUT + 10)) s"
		return 1
	}
	echo "FATAL ${gap}s after the store stage began (deadline $((STALL_IO_TIMEOUT + 10)) s)"
}
