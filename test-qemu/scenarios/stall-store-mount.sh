# The store disk stalls after the init found it: the kernel's partition
# scan and the finder's read of the first 4 KiB get through (32 KiB, QEMU's
# throttle burst), and the next read never returns: the ext4 mount's. The
# store stage runs in a child of PID 1, which fails the boot at the
# stage's deadline (ociboot.io_timeout= + the finder's 10 s) naming the
# device and what it was doing, then powers off: the device shutdown
# waits on nothing here.
. "$here/stall.sh"
stall_after_found 32768 \
	"store: /dev/vda: mounting it read-only \\(ext4\\)"

check() {
	stall_plugged && line_gap 'ociboot: store: looking for' \
		'ociboot: FATAL: store' $((STALL_IO_TIMEOUT + 10 - 1)) \
		$((STALL_IO_TIMEOUT + 10 + 3))
}
