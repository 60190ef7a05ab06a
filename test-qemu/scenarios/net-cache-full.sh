# A cache disk that an earlier system filled (blobs nothing here pins,
# about 1 MiB left free; the product needs 3.3 MB): the pull into it fails
# with ENOSPC, the init removes what this pull does not use and pulls
# again into the cache, and the boot goes on from it; afterwards the disk
# holds this system's blobs and nothing of the earlier one.
. "$here/net.sh"

expect=(
	'ociboot: network: cache LABEL=ocicache is /dev/vda, mounted read-write'
	'ociboot: network: cache /dev/vda: pull: .*: No space left on device; making room$'
	'ociboot: network: cache /dev/vda: removed [1-9][0-9]* blob\(s\) and [0-9]+ partial download\(s\), [0-9.]+ MB, that this boot does not use$'
	'ociboot: network: pulled [0-9]+ blob\(s\), [0-9.]+ MB in [0-9]+ ms \([0-9.]+ MB/s\), [0-9]+ already present in the cache$'
	'ociboot: network: cache /dev/vda remounted read-only'
	'ociboot: verify: signed system verified'
	'ociboot: switch_root: exec /sbin/init'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'instead$' 'into RAM')

prepare() {
	product_prepare && net_registry && net_push store/oci &&
		net_cache_junk_disk cache.img 16 1024 &&
		net_cache_attach cache.img && net_uki "$NET_CACHE_CMDLINE"
}

check() {
	local f

	net_cache_dump cache.img cache-dump && net_cache_check cache-dump ||
		return 1
	for f in junk/blobs/sha256/*; do
		if [ -e "cache-dump/blobs/sha256/$(basename "$f")" ]; then
			echo "an earlier system's blob is still there: $f"
			return 1
		fi
	done
}
