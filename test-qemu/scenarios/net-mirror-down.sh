# ociboot.mirror= names a mirror that is down (each connection to it is
# counted in mirror.log and closed at once): every manifest and blob is
# tried there first, then fetched from the origin, and the product boots.
. "$here/net.sh"

NET_MIRROR_HOST=10.0.2.101
expect=(
	'ociboot: network: eth0 up: 10\.0\.2\.15/24'
	'ociboot: network: system manifest signed by .*: verified before fetching its images'
	'ociboot: network: pulled 7 blob\(s\)'
	'ociboot: verify: signed system verified'
	'ociboot: switch_root: exec /sbin/init'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error')

prepare() {
	product_prepare && net_registry && net_push store/oci || return 1
	printf '#!/bin/sh\necho connection >> "%s/mirror.log"\n' "$PWD" \
		> mirror-down
	chmod +x mirror-down
	qemu_args[1]="${qemu_args[1]},guestfwd=tcp:$NET_MIRROR_HOST:$NET_PORT-cmd:$PWD/mirror-down"
	net_uki "$NET_CMDLINE ociboot.mirror=http://$NET_MIRROR_HOST:$NET_PORT"
}

# The mirror was tried (more than once: for the artifact and the images).
check() {
	[ "$(wc -l < mirror.log)" -ge 2 ]
}
