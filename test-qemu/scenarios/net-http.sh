# The network boot over HTTP: the test product pushed by skopeo to a
# docker-registry on the host's loopback; the guest, with nothing on the
# command line but oci=http://10.0.2.100:5000/ociboot/product:system, gets
# its address from QEMU's DHCP, pulls the signed artifact into a tmpfs,
# verifies it before any image is fetched, pulls the rootfs image the
# signed manifest pins, and boots it through the same dm-verity path as
# a local store.
. "$here/net.sh"

expect=(
	'ociboot: modules: loaded virtio_net'
	'ociboot: network: eth0 up: 10\.0\.2\.15/24 gateway .* dns none \(DHCP\) in [0-9]+ ms'
	'ociboot: network: pulling http://10\.0\.2\.100:5000/ociboot/product:system into a tmpfs on /run/ociboot/store'
	'ociboot: network: system artifact sha256:[0-9a-f]{64} \([0-9]+ bytes\) pulled'
	"ociboot: network: system manifest signed by 'CN=ociboot demo product, serialNumber=6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab' for product 6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab, version 1: verified before fetching its images"
	'ociboot: network: sha256:[0-9a-f]{12}: [0-9]+/[0-9]+ bytes \(100%\), [0-9.]+ MB/s, verified'
	'ociboot: network: pulled [0-9]+ blob\(s\), [0-9.]+ MB in [0-9]+ ms'
	'ociboot: verify: signed system verified'
	'ociboot: layers: layer 1 sha256:[0-9a-f]{64}: /dev/loop[0-9]+ -> /dev/dm-[0-9]+'
	'ociboot: rootfs: overlay of 2 verified layers'
	'ociboot: switch_root: exec /sbin/init'
	'product: hello from the product.s init \(pid 1\)'
	'product: motd: top layer'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error')

prepare() {
	product_prepare && net_registry && net_push store/oci && net_uki
}

# ociboot's requests, in order: the artifact's manifest came before the
# rootfs image's.
check() {
	local art img

	grep '"ociboot/' registry.log | grep -o '"GET [^ ]*' > requests
	art=$(grep -n '/manifests/system$' requests | head -n 1 | cut -d: -f1)
	img=$(grep -n '/manifests/sha256:' requests | tail -n 1 | cut -d: -f1)
	[ -n "$art" ] && [ -n "$img" ] && [ "$art" -lt "$img" ]
}
