# SPDX-License-Identifier: MIT
# Sourced by bench/boot.sh: a TPM for each boot (swtpm behind QEMU's
# tpm-tis, as test-qemu/run attaches it), either blank or provisioned for
# the product as a factory would (`ociboot tpm provision` over swtpm's
# socket, sealed to the PCR 7 this machine's boots measure). Each boot
# starts from a copy of the same state, so every run does the same TPM
# work: the first boot of a provisioned machine raises the anti-rollback
# floor, and a shared state would let the later ones skip that write.
# Needs $tool, $tmp and $product, and scripts/testlib.sh sourced.

. scripts/swtpm.sh

# bench_tpm_start STATE: a swtpm on a fresh copy of the state directory
# STATE (empty: a blank TPM); sets $tpm_args for QEMU.
bench_tpm_start() {
	tpm_dir=$tmp/tpm.run
	rm -rf "$tpm_dir"
	mkdir -p "$tpm_dir"
	[ -z "$1" ] || cp -a "$1/." "$tpm_dir/"
	guest_swtpm_start "$tpm_dir" ||
		fatal "swtpm did not start: $(tail -n 3 "$tpm_dir/log")"
	tpm_args="-chardev socket,id=chrtpm,path=$tpm_dir/sock
		-tpmdev emulator,id=tpm0,chardev=chrtpm
		-device tpm-tis,tpmdev=tpm0"
}

# bench_tpm_stop: stop the swtpm of bench_tpm_start (QEMU has exited).
bench_tpm_stop() {
	[ -f "$tpm_dir/pid" ] || return 0
	kill "$(cat "$tpm_dir/pid")" 2>/dev/null || true
	rm -f "$tpm_dir/pid"
}

# bench_tpm_provision PCR7HEX OUT: the state directory OUT of a TPM
# provisioned for $product, its secrets sealed to PCR7HEX, its identity
# certified by a provisioning CA made here.
bench_tpm_provision() {
	mkdir -p "$2"
	host_swtpm_start "$2" || fatal "swtpm (provisioning) did not start"
	"$tool" keys ca --subject 'CN=bench provisioning CA' \
		--out-key "$tmp/prov-ca.key" --out-cert "$tmp/prov-ca.pem" \
		> /dev/null &&
	"$tool" tpm provision --product "$product" --pcr7 "$1" \
		--ca-key "$tmp/prov-ca.key" --ca-cert "$tmp/prov-ca.pem" \
		--tcti "swtpm:path=$2/tpm.sock" > "$tmp/prov.log" 2>&1 ||
		{ host_swtpm_stop "$2"; fatal "ociboot tpm provision:" \
			"$(tail -n 3 "$tmp/prov.log")"; }
	host_swtpm_stop "$2"
}
