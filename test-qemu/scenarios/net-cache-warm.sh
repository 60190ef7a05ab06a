# The second boot on the cache disk net-cache filled: the registry now
# answers only the tag (every blob and every manifest by digest is 404),
# and the boot needs nothing else: each blob is found in the cache and
# hashed before use, and the registry's log shows the one request.
. "$here/net.sh"

expect=(
	'ociboot: network: cache LABEL=ocicache is /dev/vda, mounted read-write'
	'ociboot: network: system artifact sha256:[0-9a-f]{64} \([0-9]+ bytes\) pulled'
	'ociboot: network: system manifest signed by .*: verified before fetching its images'
	'ociboot: network: pulled 0 blob\(s\), 0\.0 MB in [0-9]+ ms \([0-9.]+ MB/s\), [1-9][0-9]* already present in the cache$'
	'ociboot: verify: signed system verified'
	'ociboot: switch_root: exec /sbin/init'
	'product: motd: top layer'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'instead$' 'refused and removed')

prepare() {
	product_prepare && net_cache_from_first_boot &&
		net_fault store/oci --only-tags && net_cache_attach cache.img &&
		net_uki "$NET_CACHE_CMDLINE"
}

# What the guest asked for (the harness's own probe of /v2/ left out).
check() {
	grep -v ' GET /v2/ ' fault.log > guest.log
	cat guest.log
	[ "$(grep -c . guest.log)" = 1 ] &&
		grep -q '^[0-9]* GET /v2/ociboot/product/manifests/system .*-> 200$' \
			guest.log &&
		! grep -q '/blobs/' guest.log
}
