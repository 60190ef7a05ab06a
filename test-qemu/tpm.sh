# Sourced by the tpm-* scenarios: the test product on a machine whose TPM
# the host provisioned before the boot, as a factory would (ociboot tpm
# provision over swtpm's socket, on the state directory the guest's swtpm
# then uses), sealed to the PCR 7 of a Secure Boot boot of these firmware
# variables and this signing key (docs/tpm.md).
. "$here/refuse.sh"
TPM_CMDLINE="$PRODUCT_CMDLINE ociboot.on_failure=poweroff ociboot.tpm=required"

# secure_boot_pcr7: PCR 7 as the secureboot scenario's console shows it;
# that scenario boots first when it has not passed since the tools were
# built.
secure_boot_pcr7() {
	local on_dir="$BUILD/test-qemu/secureboot"

	if ! [ "$(cat "$on_dir/verdict" 2>/dev/null)" = PASS ] ||
		[ "$BUILD/ociboot" -nt "$on_dir/verdict" ] ||
		[ "$BUILD/init" -nt "$on_dir/verdict" ]; then
		"$here/run" secureboot >&2 || return 1
	fi
	console_value 'pcr7 sha256:([0-9a-f]{64})' "$on_dir/console.log"
}

# tpm_provision PRODUCT [PCR7HEX]: provision the TPM state in ./tpm (the
# harness's $work/tpm) for PRODUCT, sealed to PCR7HEX (default: the Secure
# Boot boot's), the machine certified by a provisioning CA made here
# (prov-ca.pem); the machine's certificate as the TPM holds it is left in
# ./machine.der.
tpm_provision() {
	local d=$work/tpm pcr7=${2:-} r

	[ -n "$pcr7" ] || pcr7=$(secure_boot_pcr7) || return 1
	[ -n "$pcr7" ] || { echo "no PCR 7 to seal to"; return 1; }
	host_swtpm_start "$d" || return 1
	"$BUILD/ociboot" keys ca --subject 'CN=test provisioning CA' \
		--out-key prov-ca.key --out-cert prov-ca.pem --force &&
	"$BUILD/ociboot" tpm provision --product "$1" --pcr7 "$pcr7" \
		--ca-key prov-ca.key --ca-cert prov-ca.pem \
		--tcti "swtpm:path=$d/tpm.sock" &&
	TPM2TOOLS_TCTI="swtpm:path=$d/tpm.sock" \
		tpm2_nvread 0x01500120 -C 0x01500120 -o machine.der
	r=$?
	host_swtpm_stop "$d"
	return "$r"
}

# tpm_copy_state SCENARIO: the TPM state another scenario's guest left.
tpm_copy_state() {
	cp -a "$BUILD/test-qemu/$1/tpm/tpm2-00.permall" "$work/tpm/"
}
