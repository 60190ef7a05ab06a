# An image another tool chain could have made: the layer built with
# gensquashfs (squashfs-tools-ng) and `veritysetup format`, and the image
# manifest, config and index written by hand with stacker's older media
# type (+verity) and its legacy root hash annotation. Only the system
# manifest is made with ociboot. It boots like our own.
secure_boot=on
expect=(
	'ociboot: verify: signed system verified'
	'ociboot: layers: layer 0 sha256:[0-9a-f]{64}: '
	'ociboot: rootfs: overlay of 1 verified layers'
	'product: root filesystem: overlay'
	'product: motd: base layer'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'read error')
expect_exit=1
disks=(store.img)

# blob FILE: move FILE into the layout as a blob; print its digest hex.
blob() {
	local d

	d=$(sha256sum < "$1" | cut -d' ' -f1)
	mv "$1" "store/oci/blobs/sha256/$d"
	echo "$d"
}

prepare() {
	local used size root layer config manifest

	product_build || return 1
	initrd=$PRODUCT_DIR/initrd.img
	rm -rf store
	mkdir -p store/oci/blobs/sha256
	printf '{"imageLayoutVersion":"1.0.0"}' > store/oci/oci-layout

	gensquashfs --pack-dir "$PRODUCT_DIR/tree/base" --compressor zstd \
		--defaults uid=0,gid=0,mtime=0 --quiet layer.sqfs || return 1
	used=$(stat -c %s layer.sqfs)
	size=$(( (used + 4095) / 4096 * 4096 ))
	truncate -s "$size" layer.sqfs
	root=$(veritysetup format --data-block-size=4096 \
		--hash-block-size=4096 --hash-offset="$size" \
		layer.sqfs layer.sqfs | sed -n 's/^Root hash:[[:space:]]*//p')
	[ -n "$root" ] || return 1
	size=$(stat -c %s layer.sqfs)
	layer=$(blob layer.sqfs)

	printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/sbin/init"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$layer" > config.json
	config=$(stat -c %s config.json)
	config="$(blob config.json) $config"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.stacker.image.layer.squashfs+zstd+verity","digest":"sha256:%s","size":%s,"annotations":{"io.stackeroci.stacker.squashfs_verity_root_hash":"%s"}}]}' \
		"${config% *}" "${config#* }" "$layer" "$size" "$root" \
		> manifest.json
	manifest=$(stat -c %s manifest.json)
	manifest="$(blob manifest.json) $manifest"
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"rootfs"}}]}' \
		"${manifest% *}" "${manifest#* }" > store/oci/index.json

	"$BUILD/ociboot" manifest create \
		--product 6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab --version 1 \
		--rootfs-layout store/oci --rootfs-tag rootfs \
		--output system.json &&
	"$BUILD/ociboot" manifest sign --key "$PRODUCT_DIR/keys/product.key" \
		--in system.json --out system.sig &&
	"$BUILD/ociboot" manifest package --layout store/oci --tag system \
		--manifest system.json --signature system.sig \
		--cert "$PRODUCT_DIR/keys/product.pem" &&
	product_disk
}
