# No oci= at all: nothing to boot. With the reboot policy the init waits the
# configured delay and reboots; QEMU's -no-reboot turns that into an exit.
# The wait is measured on the host: from the console line announcing the
# policy to the kernel's restart line (or QEMU's exit, when the kernel
# printed none), at least the delay and not much more.
secure_boot=on
reboot_delay=3
expect=(
	'ociboot: FATAL: no oci= on the kernel command line$'
	"ociboot: failure policy: reboot in $reboot_delay s\$"
)
reject=('Kernel panic' 'ociboot: failure policy: (halt|poweroff)')
expect_exit=1

prepare() {
	make_uki kernel.efi "console=ttyS0 quiet ociboot.on_failure=reboot ociboot.reboot_delay=$reboot_delay" sbsign &&
		install_esp kernel.efi
}

check() {
	local from to gap least

	from=$(line_time 'ociboot: failure policy: reboot in') || {
		echo "no time for the failure policy line"
		return 1
	}
	to=$(line_time 'reboot: Restarting system') || to=$(exit_time)
	[ -n "$to" ] || { echo "neither a restart line nor QEMU's exit"; return 1; }
	# The stamps are taken every 0.1 s: a gap may read up to ~0.2 s short.
	least=$(awk -v d="$reboot_delay" 'BEGIN { print d - 0.25 }')
	gap=$(seconds_between "$from" "$to" "$least" $((reboot_delay + 3))) || {
		echo "reboot ${gap}s after the policy line, expected ${reboot_delay}s"
		return 1
	}
	echo "reboot ${gap}s after the policy line (delay ${reboot_delay}s)"
}
