# The network boot with a cache device: an empty ext4 disk labelled
# ocicache (ociboot.cache=LABEL=ocicache) gets an OCI image layout and
# every blob of the pull, each under its digest; the boot goes on from
# there through the same dm-verity path, and the cache is remounted
# read-only before the system runs. net-cache-warm and
# net-cache-tampered boot again from the disk this run leaves.
. "$here/net.sh"

expect=(
	'ociboot: network: eth0 up: 10\.0\.2\.15/24'
	'ociboot: network: cache LABEL=ocicache is /dev/vda, mounted read-write on /run/ociboot/store \(errors=remount-ro\)'
	'ociboot: network: pulling http://10\.0\.2\.100:5000/ociboot/product:system into /dev/vda on /run/ociboot/store'
	'ociboot: network: sha256:[0-9a-f]{12}: [0-9]+/[0-9]+ bytes \(100%\), [0-9.]+ MB/s, verified'
	'ociboot: network: pulled [0-9]+ blob\(s\), [0-9.]+ MB in [0-9]+ ms \([0-9.]+ MB/s\), 0 already present in the cache$'
	'ociboot: network: cache /dev/vda remounted read-only'
	'ociboot: verify: signed system verified'
	'ociboot: layers: layer 1 sha256:[0-9a-f]{64}: /dev/loop[0-9]+ -> /dev/dm-[0-9]+'
	'ociboot: switch_root: exec /sbin/init'
	'product: motd: top layer'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'instead$' 'refused and removed')

prepare() {
	product_prepare && net_registry && net_push store/oci &&
		net_cache_disk cache.img && net_cache_attach cache.img &&
		net_uki "$NET_CACHE_CMDLINE"
}

# The disk the guest wrote: each blob the registry served is there under
# its sha256, nothing else and no partial file, and a host tool reads it
# as an OCI layout.
check() {
	local h

	net_cache_dump cache.img cache-dump && net_cache_check cache-dump ||
		return 1
	for h in $(grep -o '"GET /v2/ociboot/[^ ]*/blobs/sha256:[0-9a-f]*' \
		registry.log | sed 's/.*sha256://'); do
		[ -f "cache-dump/blobs/sha256/$h" ] ||
			{ echo "fetched but not in the cache: $h"; return 1; }
	done
}
