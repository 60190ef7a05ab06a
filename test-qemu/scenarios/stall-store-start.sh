# The store disk stalls from the start: plugged in while the init looks
# for it, its reads never return. The kernel's own partition scan of the
# new disk hangs in the kernel (holding the disk open), the store finder's
# read of it hangs in the process the finder made for it, which is left
# behind after 3 s, again on each scan; the finder's 10 s end with the
# disk named. The failure policy is a reboot: the kernel's device
# shutdown waits on the disk the partition scan holds, so after 10 s the
# init restarts the machine without it (QEMU's -no-reboot makes that an
# exit).
. "$here/stall.sh"
stall_drive
expect=(
	'ociboot: store: looking for LABEL=ocistore:/oci:system$'
	'ociboot: FATAL: store LABEL=ocistore not found: /dev/vda: reading it did not finish within 3 s \(a disk whose reads never return: stalled, or a dead path\), [0-9]+ scans of 1 devices$'
	'ociboot: failure policy: reboot in 0 s$'
	'ociboot: init: reboot did not finish within 10 s: a driver is stuck on a device that does not answer$'
	'ociboot: init: emergency restart, devices not shut down$'
)

prepare() {
	product_prepare && "$here/product/mkstore" store store.img &&
		make_uki kernel.efi "${STALL_CMDLINE/poweroff/reboot} ociboot.reboot_delay=0" &&
		install_esp kernel.efi &&
		plug_when 'ociboot: store: looking for'
}

check() {
	local from to gap

	stall_plugged || return 1
	from=$(line_time 'ociboot: store: looking for') &&
		to=$(line_time 'ociboot: FATAL: store') || return 1
	# The finder's own 10 s, and at most one more 3 s read.
	gap=$(seconds_between "$from" "$to" 9 15) || {
		echo "FATAL ${gap}s after the store stage began, expected 10-13 s"
		return 1
	}
	echo "FATAL ${gap}s after the store stage began"
}
