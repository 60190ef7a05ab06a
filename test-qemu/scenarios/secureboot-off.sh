# Secure Boot off: OVMF's plain variables have no platform key enrolled, so
# the firmware is in setup mode (SecureBoot=0, SetupMode=1) and enforces
# nothing. The signed image boots, the init reports setup mode and no
# lockdown, and PCR 7 differs from the Secure Boot boot's, so PCR 7 really
# tells the two apart. The secureboot scenario's console is the one to
# compare with: when it has not passed since the tools were built, this
# scenario boots it first (one guest after the other).
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
	make_uki kernel.efi "console=ttyS0 quiet ociboot.break=report $PRODUCT_OCI" &&
		install_esp kernel.efi
}

check() {
	local on_dir="$BUILD/test-qemu/secureboot" a b

	b=$(console_value 'pcr7 sha256:([0-9a-f]{64})' "$log")
	if ! [ "$(cat "$on_dir/verdict" 2>/dev/null)" = PASS ] ||
		[ "$BUILD/ociboot" -nt "$on_dir/verdict" ] ||
		[ "$BUILD/init" -nt "$on_dir/verdict" ]; then
		echo "no passing secureboot run to compare with: running it"
		"$here/run" secureboot || {
			echo "the secureboot scenario failed"
			return 1
		}
	fi
	a=$(console_value 'pcr7 sha256:([0-9a-f]{64})' "$on_dir/console.log")
	echo "pcr7 secure boot on:  ${a:-(none)}"
	echo "pcr7 secure boot off: ${b:-(none)}"
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]
}
