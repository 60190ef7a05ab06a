# The store disk is there from the start and stalls as the init loads its
# driver: throttled (QEMU's monitor) once the init has started, before it
# loads virtio_pci, whose probe of the disk runs the kernel's partition
# scan inside finit_module(2), which never returns. The modules stage runs
# in a child of PID 1, so the boot fails at its deadline naming the module
# being loaded (the disk has no name yet); the failure policy is a reboot,
# which the kernel cannot do cleanly with that probe stuck (the device
# shutdown waits on the device's lock), so after 10 s the init restarts
# the machine without it.
. "$here/stall.sh"
disks=(store.img)
expect=(
	'ociboot: cmdline: '
	"ociboot: FATAL: modules: loading virtio_pci did not finish within $STALL_IO_TIMEOUT s; a disk whose reads never return \\(stalled, or a dead path\\) holds it: the process doing it is left behind \\(ociboot.io_timeout= sets the deadline\\)\$"
	'ociboot: failure policy: reboot in 0 s$'
	'ociboot: init: reboot did not finish within 10 s: a driver is stuck on a device that does not answer$'
	'ociboot: init: emergency restart, devices not shut down$'
)

prepare() {
	product_prepare && "$here/product/mkstore" store store.img &&
		make_uki kernel.efi "${STALL_CMDLINE/poweroff/reboot} ociboot.reboot_delay=0" &&
		install_esp kernel.efi && throttle_when 'ociboot: cmdline: '
}

check() {
	stall_plugged
}
