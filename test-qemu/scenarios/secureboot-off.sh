# Secure Boot off: OVMF's plain variables have no platform key enrolled, so
# the firmware is in setup mode (SecureBoot=0, SetupMode=1) and enforces
# nothing. The signed image boots, the init reports setup mode and no
# lockdown, and PCR 7 differs from the Secure Boot boot's (when that scenario
# ran before this one), so PCR 7 really tells the two apart.
secure_boot=off
expect=(
	'ociboot: firmware: secure boot setup-mode'
	'ociboot: firmware: lockdown none'
	'ociboot: tpm: pcr7 sha256:[0-9a-f]{64}'
	'ociboot: break at report: powering off'
)
reject=('ociboot: FATAL' 'Kernel panic' 'lockdown integrity')
expect_exit=1

prepare() {
	make_uki kernel.efi 'console=ttyS0 quiet ociboot.break=report' &&
		install_esp kernel.efi
}

check() {
	local on="$BUILD/test-qemu/secureboot/console.log" a b

	b=$(console_value 'pcr7 sha256:([0-9a-f]{64})' "$log")
	[ -f "$on" ] || { echo "no secureboot run to compare with; skipped"; return 0; }
	a=$(console_value 'pcr7 sha256:([0-9a-f]{64})' "$on")
	echo "pcr7 secure boot on:  $a"
	echo "pcr7 secure boot off: $b"
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
}
