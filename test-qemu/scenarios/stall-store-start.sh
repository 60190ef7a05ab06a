# The store disk stalls from the start: plugged in while the init looks
# for it, its reads never return. The kernel's own partition scan of the
# new disk hangs in the kernel (holding the disk open), the store finder's
# read of it hangs in the process the finder made for it, which is left
# behind after 3 s, again on each scan; the finder's 10 s end with the
# disk named. The reboot policy then needs the emergency restart: the
# stuck partition scan holds the disk's device.
. "$here/stall.sh"
stall_drive
expect=('ociboot: store: looking for LABEL=ocistore:/oci:system$')
stall_reboot_policy 'ociboot: FATAL: store LABEL=ocistore not found: /dev/vda: reading it did not finish within 3 s \(a disk whose reads never return: stalled, or a dead path\), [0-9]+ scans of 1 devices$'

check() {
	# The finder's own 10 s, and at most one more 3 s read.
	stall_plugged &&
		line_gap 'ociboot: store: looking for' 'ociboot: FATAL: store' 9 15
}
