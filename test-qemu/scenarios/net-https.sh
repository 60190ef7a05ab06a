# The network boot over HTTPS: docker-registry serves TLS with a
# certificate for registry.test from a test CA made by openssl; the initrd
# carries that CA in /etc/ociboot/tls (ukify initrd --tls-ca), apart from
# the manifest CA; the signed command line names the registry by host name
# and gives its address with ociboot.hosts= (QEMU's restricted user
# network has no DNS server).
. "$here/net.sh"

expect=(
	'ociboot: network: eth0 up: 10\.0\.2\.15/24'
	'ociboot: network: pulling https://registry\.test:5000/ociboot/product:system into a tmpfs'
	'ociboot: network: trusting 1 TLS CA certificate\(s\) from /etc/ociboot/tls'
	'ociboot: network: system manifest signed by .*: verified before fetching its images'
	'ociboot: network: pulled [0-9]+ blob\(s\)'
	'ociboot: verify: trusting 1 CA certificate\(s\) from /etc/ociboot/ca'
	'ociboot: verify: signed system verified'
	'ociboot: switch_root: exec /sbin/init'
	'product: motd: top layer'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error')

prepare() {
	product_prepare && net_tls_certs &&
		net_registry "$PWD/server.pem" "$PWD/server.key" || return 1
	net_push store/oci && net_tls_initrd tls-ca.pem || return 1
	initrd=$PWD/initrd-tls.img
	net_uki "$NET_TLS_CMDLINE"
}
