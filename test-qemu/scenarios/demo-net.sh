# The demo's second boot: the same demo product, pushed by skopeo to a
# docker-registry on the host's loopback, booted over the network by a
# kernel.efi made from the build's initrd (the demo CA inside) whose signed
# command line is oci=http://10.0.2.100:5000/ociboot/demo:system.
. "$here/net.sh"

NET_REPO=ociboot/demo
NET_URL=http://$NET_HOST:$NET_PORT/$NET_REPO:system
expect=(
	'ociboot: firmware: secure boot enabled'
	'ociboot: network: eth0 up: 10\.0\.2\.15/24'
	'ociboot: network: system manifest signed by .*: verified before fetching its images'
	'ociboot: network: pulled [0-9]+ blob\(s\)'
	'ociboot: verify: signed system verified'
	'ociboot: rootfs: overlay of 2 verified layers'
	'ociboot: switch_root: exec /sbin/init'
	'product: root filesystem: overlay'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'Access Denied' 'Security Violation')

prepare() {
	net_registry && net_push "$BUILD/demo/store/oci" &&
		net_uki "console=ttyS0 quiet oci=$NET_URL"
}
