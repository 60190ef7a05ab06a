# SPDX-License-Identifier: MIT
# Sourced by the boot benchmarks (bench/boot.sh, bench/flat.sh): a signed
# ociboot product of one layer made from a directory, on its own store
# disk, and the initrd that trusts its CA. Needs $tool, $tmp and $KVER, and
# scripts/testlib.sh sourced.

# bench_keys: a CA and a product key for a random product UUID, in
# $tmp/keys ($k, $product).
bench_keys() {
	k=$tmp/keys
	mkdir -p "$k"
	product=$(random_uuid)
	"$tool" keys ca --out-key "$k/ca.key" --out-cert "$k/ca.pem" > /dev/null
	"$tool" keys product --ca-key "$k/ca.key" --ca-cert "$k/ca.pem" \
		--product "$product" --out-key "$k/product.key" \
		--out-cert "$k/product.pem" > /dev/null
}

# bench_product DIR NAME STORE: the tree DIR as a signed product (one
# squashfs+verity layer, an OCI image, a signed system manifest, checked
# with `ociboot verify`) on the store disk $tmp/NAME.img, ext4 or erofs
# (STORE); sets $store_oci to the oci= that finds it. bench_keys first.
bench_product() {
	s=$tmp/$2.store
	rm -rf "$s"
	mkdir -p "$s"
	"$tool" layer create --from-dir "$1" --jobs 2 --quiet \
		--output "$tmp/$2.layer" > /dev/null
	"$tool" image create --layout "$s/oci" --tag rootfs \
		--layer "$tmp/$2.layer" --entrypoint /sbin/init > /dev/null
	rm -f "$tmp/$2.layer"
	"$tool" manifest create --product "$product" --version 1 \
		--rootfs-layout "$s/oci" --rootfs-tag rootfs \
		--output "$tmp/$2.json" > /dev/null
	"$tool" manifest sign --key "$k/product.key" --in "$tmp/$2.json" \
		--out "$tmp/$2.sig" > /dev/null
	"$tool" manifest package --layout "$s/oci" --tag system \
		--manifest "$tmp/$2.json" --signature "$tmp/$2.sig" \
		--cert "$k/product.pem" > /dev/null
	"$tool" verify --layout "$s/oci" --tag system \
		--ca "$k/ca.pem" > /dev/null
	case $3 in
	erofs)	uuid=$(random_uuid)
		test-qemu/product/mkstore --erofs "$uuid" "$s" \
			"$tmp/$2.img" > /dev/null
		store_oci="oci=UUID=$uuid:/oci:system" ;;
	ext4)	test-qemu/product/mkstore "$s" "$tmp/$2.img" > /dev/null
		store_oci="oci=LABEL=ocistore:/oci:system" ;;
	*)	fatal "store $3: erofs or ext4" ;;
	esac
	rm -rf "$s"
}

# bench_initrd OUT: the initrd (the qemu preset) that trusts $k/ca.pem.
bench_initrd() {
	"$tool" ukify initrd --init "$BUILD/init" --quiet \
		--modules-dir "/lib/modules/$KVER" --preset qemu \
		--ca "$k/ca.pem" --output "$1" > /dev/null
}
