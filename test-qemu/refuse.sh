# Sourced by the refuse-* scenarios: the boot must stop before the
# product's init runs, with the reason on the console, and power off.
secure_boot=on
reject=('Kernel panic' '^product: ' 'switch_root: exec')
expect_exit=1
disks=(store.img)
REFUSE_CMDLINE="$PRODUCT_CMDLINE ociboot.on_failure=poweroff"

# The signer the test product's certificate names, as the init prints it.
PRODUCT_UUID=6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab
PRODUCT_SIGNER="CN=ociboot demo product, serialNumber=$PRODUCT_UUID"

# refuse_expect REASON_REGEX: the FATAL line, which must be exactly the
# reason (the whole rest of the line), then the failure policy. A scenario
# whose reason names digests of what prepare() made calls this from
# prepare(), which runs in the harness's shell.
refuse_expect() {
	expect=("ociboot: FATAL: $1\$" 'ociboot: failure policy: poweroff$')
}

# ere TEXT: TEXT as an extended regexp matching exactly TEXT.
ere() {
	printf '%s' "$1" | sed 's/\\/\\\\/g; s/[].*$+?(){}|[]/[&]/g; s/\^/\\^/g'
}

# digest_of FILE: "sha256:<hex>" of FILE.
digest_of() {
	echo "sha256:$(sha256sum < "$1" | cut -d' ' -f1)"
}

# resign MANIFEST_FILE KEY CERT: package MANIFEST_FILE signed by KEY with
# CERT as the system artifact in ./store (replacing the tag "system").
resign() {
	rm -f resigned.sig
	"$BUILD/ociboot" manifest sign --key "$2" --in "$1" \
		--out resigned.sig &&
	"$BUILD/ociboot" manifest package --layout store/oci --tag system \
		--manifest "$1" --signature resigned.sig --cert "$3"
}

# rogue_keys: a CA of our own making that the initrd does not trust, and
# a product key it certified for the right product.
rogue_keys() {
	mkdir -p rogue
	"$BUILD/ociboot" keys ca --subject 'CN=rogue CA' \
		--out-key rogue/ca.key --out-cert rogue/ca.pem &&
	"$BUILD/ociboot" keys product --ca-key rogue/ca.key \
		--ca-cert rogue/ca.pem \
		--product "$PRODUCT_UUID" \
		--subject 'CN=rogue product' \
		--out-key rogue/product.key --out-cert rogue/product.pem
}

# repack LAYOUT MANIFEST SIGNATURE: LAYOUT's system artifact (tag "system")
# with MANIFEST and SIGNATURE in place of its own, by hand.
repack() {
	local L=$1 art m s a size

	art=$L/blobs/sha256/$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "system") | .digest' "$L/index.json" | cut -d: -f2)
	m=$(sha256sum < "$2" | cut -d' ' -f1)
	s=$(sha256sum < "$3" | cut -d' ' -f1)
	cp "$2" "$L/blobs/sha256/$m" && cp "$3" "$L/blobs/sha256/$s" || return 1
	jq -c --arg m "sha256:$m" --argjson ms "$(stat -c %s "$2")" \
		--arg s "sha256:$s" --argjson ss "$(stat -c %s "$3")" \
		'.layers[0].digest = $m | .layers[0].size = $ms |
		 .layers[1].digest = $s | .layers[1].size = $ss' \
		"$art" > "$L/artifact.json" || return 1
	a=$(sha256sum < "$L/artifact.json" | cut -d' ' -f1)
	size=$(stat -c %s "$L/artifact.json")
	mv "$L/artifact.json" "$L/blobs/sha256/$a" &&
	jq -c --arg a "sha256:$a" --argjson z "$size" \
		'(.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "system")) |= (.digest = $a | .size = $z)' \
		"$L/index.json" > "$L/index.new" && mv "$L/index.new" "$L/index.json"
}
