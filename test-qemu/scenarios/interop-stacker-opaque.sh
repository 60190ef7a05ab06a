# An image as stacker and atomfs make it: a top layer built by mksquashfs
# (as atomfs's pkg/squashfs does) from a tree whose opaque directory
# carries user.overlay.opaque=y alone (stacker builds under an overlay
# mounted with userxattr), atomfs 1.2's media type (+zstd) and root-hash
# annotation, over a base layer in stacker's older form (+zstd+verity, the
# legacy annotation). The base layer's files under the opaque directory
# must not show through, nor its file under a whiteout made as overlayfs
# makes it (a character device 0/0).
#
# The top layer also carries a probe the product's init runs: a single
# overlay mounted with userxattr over a tmpfs upper, as the init does not
# mount it, to record what this kernel does then (docs/design.md, stage 8).
secure_boot=on
expect=(
	'ociboot: verify: signed system verified'
	'ociboot: layers: layer 1 sha256:[0-9a-f]{64}: '
	'ociboot: rootfs: overlay of 2 verified layers'
	'product: root filesystem: overlay'
	'product: motd: base layer'
	'product: whiteout: /etc/removed is gone'
	'product: hello: $'
	'product: demo files: stacker-only $'
	'product: read [0-9]+ files, 0 errors'
	'product: remade a lower directory: empty'
	'product: probe: userxattr over a tmpfs upper: '
)
reject=('ociboot: FATAL' 'Kernel panic' 'read error' 'hello from the base'
	'FAILED')
expect_exit=1
disks=(store.img)

# blob FILE: move FILE into the layout as a blob; print its digest hex.
blob() {
	local d

	d=$(sha256sum < "$1" | cut -d' ' -f1)
	mv "$1" "store/oci/blobs/sha256/$d"
	echo "$d"
}

# verity FILE: append a dm-verity tree at the 4096-rounded end; print the
# root hash.
verity() {
	local size

	size=$(( ($(stat -c %s "$1") + 4095) / 4096 * 4096 ))
	truncate -s "$size" "$1"
	veritysetup format --data-block-size=4096 --hash-block-size=4096 \
		--hash-offset="$size" "$1" "$1" |
		sed -n 's/^Root hash:[[:space:]]*//p'
}

# descriptor MEDIA-TYPE DIGEST SIZE ANNOTATION-KEY ROOT
descriptor() {
	printf '{"mediaType":"application/vnd.stacker.image.layer.squashfs%s","digest":"sha256:%s","size":%s,"annotations":{"io.stackeroci.stacker.%s_verity_root_hash":"%s"}}' \
		"$@"
}

prepare() {
	local r0 r1 l0 l1 s0 s1 config manifest

	product_build || return 1
	initrd=$PRODUCT_DIR/initrd.img
	rm -rf store top
	mkdir -p store/oci/blobs/sha256 top/usr/share/demo top/etc/product.d
	mknod top/etc/removed c 0 0 || return 1
	cp "$here/product/probe-userxattr-upper" top/etc/product.d/probe.sh ||
		return 1
	printf '{"imageLayoutVersion":"1.0.0"}' > store/oci/oci-layout

	gensquashfs --pack-dir "$PRODUCT_DIR/tree/base" --compressor zstd \
		--defaults uid=0,gid=0,mtime=0 --quiet layer0.sqfs || return 1
	echo "from the stacker layer" > top/usr/share/demo/stacker-only
	python3 -c 'import os, sys; os.setxattr(sys.argv[1],
		"user.overlay.opaque", b"y")' top/usr/share/demo || return 1
	mksquashfs top layer1.sqfs -comp zstd -noappend -quiet > /dev/null ||
		return 1
	r0=$(verity layer0.sqfs) && r1=$(verity layer1.sqfs) &&
		[ -n "$r0" ] && [ -n "$r1" ] || return 1
	s0=$(stat -c %s layer0.sqfs) && s1=$(stat -c %s layer1.sqfs)
	l0=$(blob layer0.sqfs) && l1=$(blob layer1.sqfs) || return 1

	printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/sbin/init"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]}}' \
		"$l0" "$l1" > config.json
	config="$(stat -c %s config.json)"
	config="$(blob config.json) $config"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s,%s]}' \
		"${config% *}" "${config#* }" \
		"$(descriptor +zstd+verity "$l0" "$s0" squashfs "$r0")" \
		"$(descriptor +zstd "$l1" "$s1" atomfs "$r1")" > manifest.json
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
