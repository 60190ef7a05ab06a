# A cache disk too small for the system (4 MiB, the product's blobs need
# 3.3 MB of its about 2 MB free): nothing there to give up, so the pull
# falls back to RAM with a warning naming the device and the reason, and
# the boot goes on from the tmpfs.
. "$here/net.sh"

expect=(
	'ociboot: network: cache LABEL=ocicache is /dev/vda, mounted read-write'
	'ociboot: network: cache /dev/vda: pull: .*: No space left on device; making room$'
	'ociboot: network: cache LABEL=ocicache \(/dev/vda\): pull: .*: No space left on device; pulling again into RAM \(a tmpfs\)$'
	'ociboot: network: pulled [0-9]+ blob\(s\), [0-9.]+ MB in [0-9]+ ms \([0-9.]+ MB/s\), 0 already present in the tmpfs$'
	'ociboot: verify: signed system verified'
	'ociboot: switch_root: exec /sbin/init'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'remounted read-only')

prepare() {
	product_prepare && net_registry && net_push store/oci &&
		rm -f cache.img &&
		mke2fs -q -t ext4 -L "$NET_CACHE_LABEL" -E root_owner=0:0 \
			cache.img 4M &&
		net_cache_attach cache.img && net_uki "$NET_CACHE_CMDLINE"
}
