# ociboot.cache= names a GPT partition (PARTLABEL=ocicache) that holds no
# filesystem: the init does not format disks, so it says why it cannot
# use it and how to make one, and pulls into RAM instead; the boot goes
# on, and the partition is left as it was.
. "$here/net.sh"

expect=(
	'ociboot: network: cache PARTLABEL=ocicache: /dev/vda1: .*; make it with `mke2fs -t ext4`; pulling into RAM \(a tmpfs\) instead$'
	'ociboot: network: pulling http://10\.0\.2\.100:5000/ociboot/product:system into a tmpfs on /run/ociboot/store'
	'ociboot: network: pulled [0-9]+ blob\(s\), [0-9.]+ MB in [0-9]+ ms \([0-9.]+ MB/s\), 0 already present in the tmpfs$'
	'ociboot: verify: signed system verified'
	'ociboot: switch_root: exec /sbin/init'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'mounted read-write')

prepare() {
	product_prepare && net_registry && net_push store/oci || return 1
	rm -f cache.img && truncate -s 16M cache.img &&
		sgdisk -o -n 1:2048:0 -c 1:ocicache cache.img > /dev/null &&
		sha256sum < cache.img > cache.sha256 &&
		net_cache_attach cache.img &&
		net_uki "$NET_CMDLINE ociboot.cache=PARTLABEL=ocicache"
}

check() {
	[ "$(sha256sum < cache.img)" = "$(cat cache.sha256)" ]
}
