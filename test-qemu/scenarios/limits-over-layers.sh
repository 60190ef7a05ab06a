# One past the limit, it is refused before anything is mounted: the
# limits-max-layers product with one more layer descriptor put into its
# rootfs image manifest by hand (the tool will not make such an image), the
# config's diff_ids to match, and the system manifest re-signed with the
# product key. `ociboot verify` on the host must refuse it, and so must the
# init, before any loop device, dm-verity target or layer mount.
. "$here/layers.sh"
layers_scenario "$(layers_limit)"
. "$here/refuse.sh"
over=$((layers + 1))
# The refusal names the image and the limit (set in prepare(), which
# knows the image's digest).
refusal() {
	echo "rootfs image $1: over the limit of $layers layers per image"
}
reject+=('ociboot: verify: signed system verified' 'ociboot: layers: '
	'ociboot: rootfs: ' 'loop[0-9]+: detected' 'device-mapper: verity')

# put_blob FILE: FILE into ./store's layout; prints "DIGEST SIZE".
put_blob() {
	local d

	d=$(sha256sum < "$1" | cut -d' ' -f1)
	cp "$1" "store/oci/blobs/sha256/$d"
	echo "sha256:$d $(stat -c %s "$1")"
}

prepare() {
	local L=store/oci rootfs config desc cfg man size top

	product_prepare || return 1
	top=$(printf %03d "$layers")
	mkdir -p "extra/etc/layers"
	echo "layer $top" > "extra/etc/layers/$top"
	echo "layer $top" > "extra/etc/layers-top"
	"$BUILD/ociboot" layer create --from-dir extra --output extra.layer \
		--json > extra.json || return 1
	put_blob extra.layer > /dev/null
	desc=$(jq -c '{mediaType, digest, size, annotations}' extra.json)

	rootfs=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "rootfs") | .digest' "$L/index.json")
	rootfs=$L/blobs/sha256/${rootfs#sha256:}
	config=$(jq -r .config.digest "$rootfs")
	config=$L/blobs/sha256/${config#sha256:}
	jq -c --argjson d "$desc" '.rootfs.diff_ids += [$d.digest]' \
		"$config" > config.json
	read -r cfg size < <(put_blob config.json)
	jq -c --argjson d "$desc" --arg c "$cfg" --argjson s "$size" \
		'.layers += [$d] | .config.digest = $c | .config.size = $s' \
		"$rootfs" > image.json
	[ "$(jq '.layers | length' image.json)" = "$over" ] || return 1
	read -r man size < <(put_blob image.json)
	jq -c --arg m "$man" --argjson s "$size" \
		'.rootfs.digest = $m | .rootfs.size = $s' \
		"$PRODUCT_DIR/system.json" > system.json
	resign system.json "$PRODUCT_DIR/keys/product.key" \
		"$PRODUCT_DIR/keys/product.pem" || return 1
	echo "image of $over layers: $man"
	if "$BUILD/ociboot" verify --layout "$L" --tag system \
		--ca "$PRODUCT_DIR/keys/ca.pem" > verify.log 2>&1; then
		echo "ociboot verify took an image of $over layers"
		return 1
	fi
	echo "ociboot verify refused it: $(tail -n 1 verify.log)"
	grep -q -F "$(refusal "$man")" verify.log || return 1
	expect=(
		'ociboot: verify: trusting 1 CA certificate'
		"ociboot: FATAL: verify: $(refusal "$man")"
		'ociboot: failure policy: poweroff$'
	)
	product_disk "$REFUSE_CMDLINE"
}
check() { return 0; }
