# The store disk is there from the start and stalls as the init loads its
# driver: throttled (QEMU's monitor) once the init has started, before it
# loads virtio_pci, whose probe of the disk runs the kernel's partition
# scan inside finit_module(2), which never returns. The modules stage runs
# in a child of PID 1, so the boot fails at its deadline naming the module
# being loaded (the disk has no name yet); the reboot policy then needs
# the emergency restart: the stuck probe holds the device's lock.
. "$here/stall.sh"
disks=(store.img)
expect=('ociboot: cmdline: ')
stall_reboot_policy "$(stall_fatal_line 'modules: loading virtio_pci')"

stall_arm() {
	throttle_when 'ociboot: cmdline: '
}
