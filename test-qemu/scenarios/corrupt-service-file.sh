# One byte flipped in a file of a service's layer that nothing reads at
# boot (web's random.bin, 1 MiB): everything the services scenario shows
# happens as there -- the boot, the rootfs, client's runs and its fetch
# from web -- but when web reads that file, the read fails with an I/O
# error and dm-verity names the block that holds the flipped byte.
. "$here/scenarios/services.sh"
. "$here/corrupt.sh"
deadline=420
reject=('Kernel panic' 'ociboot: FATAL' 'web: read random.bin: ok'
	'FAILED' 'product: read error' '/written-in-rootfs is there')

prepare() {
	local blob src at i

	product_prepare || return 1
	blob=$(service_layer web)
	src=$PRODUCT_DIR/tree/service-web/usr/share/web/random.bin
	# random.bin is incompressible and the layer's only big file: its
	# data comes first, right after the 96-byte squashfs superblock.
	cmp -s -n 4096 -i 96:0 "$blob" "$src" || {
		echo "random.bin is not at offset 96 of $blob"
		return 1
	}
	at=$((96 + 524288 + 17))
	flip_byte "$blob" "$at" && product_disk || return 1
	# web's read fails, dm-verity's line just before it; all else as is
	for i in "${!expect[@]}"; do
		[ "${expect[$i]}" = 'web: read random.bin: ok$' ] || continue
		expect=("${expect[@]:0:i}"
			"device-mapper: verity: [0-9]+:[0-9]+: data block $((at / 4096)) is corrupted\$"
			'web: read random.bin: failed: .*Input/output error$'
			"${expect[@]:i+1}")
		break
	done
}
