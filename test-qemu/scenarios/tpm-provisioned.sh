# A machine whose TPM was provisioned for the product, Secure Boot on,
# ociboot.tpm=required: the init reads the product and the floor before
# verification, releases the sealed secrets after it and read-locks them,
# raises the floor to the manifest's version, measures the system into
# PCR 13 with its event log, and hands the disk key over on /run. The
# booted system then finds its disk key, and every attempt to read the
# secrets again, rewrite the product, lower or undefine the floor is
# refused by the TPM, which holds no object or session the init loaded
# (the init uses the raw /dev/tpm0); its identity certificate is the one provisioned and
# its identity key signs under its policy. check() compares the
# certificate, then replays the event log the booted system printed and
# compares it with PCR 13 as the TPM reported it in that boot.
. "$here/tpm.sh"
expect=(
	"ociboot: tpm: provisioned for product $PRODUCT_UUID, anti-rollback floor 0"
	'ociboot: verify: signed system verified'
	'ociboot: tpm: secrets released \(PCR 7 satisfies their policy\) over a salted, encrypted session and read-locked'
	'ociboot: tpm: anti-rollback floor raised from 0 to 1, write-locked'
	'ociboot: tpm: pcr13 extended with sha256:[0-9a-f]{64} \(ociboot-artifact:sha256:[0-9a-f]{64}\)'
	'ociboot: tpm: pcr13 extended with sha256:[0-9a-f]{64} \(ociboot-system:sha256:[0-9a-f]{64}\)'
	'ociboot: tpm: disk key in /run/ociboot/secrets/disk-key \(mode 0400, tmpfs\)'
	'ociboot: tpm: machine identity: certificate \([0-9]+ bytes\) in /run/ociboot/identity/machine.der, key at 0x81000100'
	'ociboot: switch_root: exec /sbin/init'
	'product: disk key: 32 bytes, mode 400'
	'product: identity: [0-9a-f]{64}'
	'product: tpm-check: loaded: 0 transient objects, 0 sessions'
	"product: tpm-check: product $PRODUCT_UUID, floor 1"
	'product: tpm-check: read disk-key again: refused \(TPM rc 0x148\)'
	'product: tpm-check: read admin again: refused \(TPM rc 0x148\)'
	'product: tpm-check: rewrite the product: refused \(TPM rc 0x9a2\)'
	'product: tpm-check: lower the floor to 0: refused \(TPM rc 0x9a2\)'
	'product: tpm-check: undefine the floor: refused \(TPM rc 0x9a2\)'
	'product: tpm-check: undefine the product: refused \(TPM rc 0x9a2\)'
	'product: tpm-check: floor write-locked: yes'
	'product: tpm-check: identity key 0x81000100 signs under its policy: signature verified'
	'product: tpm-check: pcr13 sha256:[0-9a-f]{64}'
	'product: log: \{"pcr":13,'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'tpm-check: .*: DONE'
	'tpm-check: .*failed')

prepare() {
	product_prepare && product_disk "$TPM_CMDLINE" &&
		tpm_provision "$PRODUCT_UUID"
}

# The log's records, replayed from 32 zero bytes, give the PCR 13 the
# booted system read; each digest is sha256 of its event's string.
check() {
	local pcr want records digest string

	[ "$(console_value 'product: identity: ([0-9a-f]{64})' "$log")" = \
		"$(sha256sum < machine.der | cut -d' ' -f1)" ] ||
		{ echo "the booted system's certificate is not the TPM's"; return 1; }
	openssl x509 -inform DER -in machine.der -noout -subject \
		-nameopt RFC2253 | grep -q "serialNumber=PID:$PRODUCT_UUID SN:" ||
		{ echo "the certificate does not name the product"; return 1; }

	pcr=$(printf '%064d' 0)
	want=$(console_value 'tpm-check: pcr13 sha256:([0-9a-f]{64})' "$log")
	records=$(tr -d '\r' < "$log" | sed -n 's/^product: log: //p')
	[ "$(echo "$records" | wc -l)" = 2 ] ||
		{ echo "want 2 event log records: $records"; return 1; }
	while read -r digest string; do
		[ "$(printf '%s' "$string" | sha256sum | cut -d' ' -f1)" = \
			"$digest" ] ||
			{ echo "digest of '$string' is not $digest"; return 1; }
		pcr=$(printf '%s%s' "$pcr" "$digest" | xxd -r -p | sha256sum |
			cut -d' ' -f1)
	done <<-EOF
	$(echo "$records" | jq -r 'select(.pcr == 13) |
		"\(.digests[] | select(.hashAlg == "sha256") | .digest) \(.content.string)"')
	EOF
	echo "pcr13 replayed from the event log: $pcr"
	echo "pcr13 the TPM reported:            $want"
	[ -n "$want" ] && [ "$pcr" = "$want" ]
}
