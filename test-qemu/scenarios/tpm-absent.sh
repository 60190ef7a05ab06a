# A machine with no TPM at all (no TPM device in QEMU, so no ACPI TPM2
# table) and ociboot.tpm=required: the init knows at once that the
# firmware announces none, without waiting for a device node, and refuses
# the boot. check() measures, on the host's clock, the gap between the
# report stage's line before the TPM's (lockdown) and the TPM's: the init
# used to wait 3 s there for a device node that never came.
. "$here/tpm.sh"
tpm=off

prepare() {
	product_prepare && product_disk "$TPM_CMDLINE" || return 1
	expect=('ociboot: tpm: no TPM: the firmware announces none \(/sys/firmware/acpi/tables/TPM2, /sys/class/tpm\)'
		'ociboot: FATAL: tpm: ociboot.tpm=required, but the firmware announces no TPM$'
		'ociboot: failure policy: poweroff$')
}

check() {
	local from to

	from=$(line_time 'ociboot: firmware: lockdown') &&
		to=$(line_time 'ociboot: tpm: no TPM') || return 1
	echo "from the lockdown line to 'no TPM': $(seconds_between \
		"$from" "$to" 0 1)s (the old wait was 3 s)"
	seconds_between "$from" "$to" 0 1 > /dev/null
}
