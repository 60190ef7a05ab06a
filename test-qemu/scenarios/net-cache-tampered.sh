# The cache disk net-cache filled, with the top layer's blob changed on
# the host (one byte flipped): the init hashes every cached blob before
# use, so the copy is refused with both digests named, removed and
# fetched again from the registry (the cache is only a cache; the
# signed digests decide). The registry's log shows that blob, and no
# other, fetched; the disk holds the right bytes afterwards.
. "$here/net.sh"

reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'instead$')

prepare() {
	local hex wrong

	product_prepare && net_cache_from_first_boot || return 1
	hex=$(sha256sum < "$PRODUCT_DIR/layers/top.layer" | cut -d' ' -f1)
	echo "$hex" > tampered.hex
	cp "$PRODUCT_DIR/layers/top.layer" wrong.layer
	flip_byte wrong.layer 4096
	wrong=$(sha256sum < wrong.layer | cut -d' ' -f1)
	debugfs -w -R "rm /blobs/sha256/$hex" cache.img &&
		printf 'cd /blobs/sha256\nwrite wrong.layer %s\n' "$hex" \
			> tamper.cmds &&
		debugfs -w -f tamper.cmds cache.img || return 1
	expect=(
		'ociboot: network: cache LABEL=ocicache is /dev/vda'
		"ociboot: network: sha256:$hex: the copy in the cache was refused and removed: blobs/sha256/$hex: content has digest sha256:$wrong, not the descriptor's sha256:$hex: verification failed; fetching it again"
		'ociboot: network: pulled 1 blob\(s\), [0-9.]+ MB in [0-9]+ ms \([0-9.]+ MB/s\), [1-9][0-9]* already present in the cache \(damaged copies fetched again\)$'
		'ociboot: verify: signed system verified'
		'ociboot: switch_root: exec /sbin/init'
		'product: motd: top layer'
		'product: read [0-9]+ files, 0 errors'
	)
	net_fault store/oci && net_cache_attach cache.img &&
		net_uki "$NET_CACHE_CMDLINE"
}

check() {
	local hex

	hex=$(cat tampered.hex)
	cat fault.log
	[ "$(grep -c '/blobs/' fault.log)" = 1 ] &&
		grep -q "GET /v2/ociboot/product/blobs/sha256:$hex .*-> 200\$" \
			fault.log &&
		net_cache_dump cache.img cache-dump &&
		net_cache_check cache-dump
}
