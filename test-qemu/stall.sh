# Sourced by the stall-* scenarios: a store disk whose reads stop
# returning. The disk is not there when the machine starts (the firmware
# would read it, and hang on it): QEMU holds its drive with no device, and
# it is plugged in through QEMU's monitor (QMP, over a socket in the work
# directory) into a PCIe root port while the init looks for the store --
# a USB stick plugged in late, as far as the init can tell. The drive is
# throttled to 1 byte per second: QEMU lets the first request through
# (and, with a burst, BURST bytes more), then every read waits for more
# than an hour. The guest sees I/O that never completes, as from a stalled
# disk or a dead path.
secure_boot=on
expect_exit=1
reject=('Kernel panic' '^product: ' 'switch_root: exec')
STALL_IO_TIMEOUT=5
STALL_CMDLINE="$PRODUCT_CMDLINE ociboot.on_failure=poweroff ociboot.io_timeout=$STALL_IO_TIMEOUT"
qemu_args=(-device pcie-root-port,id=stallport,chassis=9,slot=9)
. "$here/qmp.sh"
qmp_monitor

# stall_drive [BURST]: store.img as the throttled drive (no device yet).
stall_drive() {
	local t=throttling.bps-total=1

	[ "${1:-0}" -gt 0 ] &&
		t="$t,throttling.bps-total-max=$1,throttling.bps-total-max-length=1"
	qemu_args+=(-drive "if=none,id=stall0,format=raw,readonly=on,file=store.img,$t")
}

# plug_when REGEX: plug the drive in as a virtio disk once the console
# shows REGEX.
plug_when() {
	qmp_when "$1" '{"execute":"device_add","arguments":{"driver":"virtio-blk-pci","drive":"stall0","bus":"stallport","id":"stalldisk"}}'
}

stop() {
	qmp_stop
}

# stall_plugged: QMP plugged the disk in (or throttled it).
stall_plugged() {
	qmp_took || {
		echo "the disk was not plugged in"
		return 1
	}
}

# stall_fatal_line REGEX: the FATAL line of a stage that did not finish.
stall_fatal_line() {
	echo "ociboot: FATAL: $1 did not finish within [0-9]+ s; a disk whose reads never return \\(stalled, or a dead path\\) holds it: the process doing it is left behind \\(ociboot.io_timeout= sets the deadline\\)\$"
}

# stall_after_found BURST STAGE_REGEX: the scenarios whose disk stalls
# after the finder found it, BURST bytes into the boot's reads: the FATAL
# line is STAGE_REGEX's, at the stage's deadline, then a power-off.
stall_after_found() {
	stall_drive "$1"
	expect=(
		'ociboot: store: looking for LABEL=ocistore:/oci:system$'
		'ociboot: store: LABEL=ocistore is /dev/vda '
		"$(stall_fatal_line "$2")"
		'ociboot: failure policy: poweroff$'
		'reboot: Power down'
	)
}

# stall_reboot_policy FATAL_REGEX: the failure policy is a reboot, which
# the kernel cannot do cleanly with a driver stuck on the disk: after 10 s
# the init restarts the machine without shutting devices down (QEMU's
# -no-reboot makes that an exit).
stall_reboot_policy() {
	STALL_CMDLINE="${STALL_CMDLINE/poweroff/reboot} ociboot.reboot_delay=0"
	expect+=(
		"$1"
		'ociboot: failure policy: reboot in 0 s$'
		'ociboot: init: reboot did not finish within 10 s: a driver is stuck on a device that does not answer$'
		'ociboot: init: emergency restart, devices not shut down$'
	)
}

# stall_arm: what makes the disk stall (the default: plug it in when the
# store stage begins); a scenario may define its own.
stall_arm() {
	plug_when 'ociboot: store: looking for'
}

prepare() {
	product_prepare && "$here/product/mkstore" store store.img &&
		make_uki kernel.efi "$STALL_CMDLINE" && install_esp kernel.efi &&
		stall_arm
}

check() {
	stall_plugged
}
