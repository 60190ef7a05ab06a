# An https registry whose certificate chains to the CA the initrd trusts
# but is for another host name (elsewhere.test, while oci= names
# registry.test): refused at the TLS handshake, before a single request
# is answered and anything is mounted, naming the host it is not for.
. "$here/net.sh"
. "$here/refuse.sh"
disks=()

prepare() {
	local other=elsewhere.test

	product_prepare && net_tls_certs || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout other.key -out other.csr -subj "/CN=$other" &&
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' \
		"$other" > other.ext &&
	openssl x509 -req -in other.csr -CA tls-ca.pem -CAkey tls-ca.key \
		-CAcreateserial -days 30 -extfile other.ext -out other.pem ||
		return 1
	net_registry "$PWD/other.pem" "$PWD/other.key" &&
		net_push store/oci && net_tls_initrd tls-ca.pem || return 1
	initrd=$PWD/initrd-tls.img
	net_uki "$NET_TLS_CMDLINE ociboot.on_failure=poweroff" || return 1
	net_refuse_expect "$(ere "pull: system artifact: https://$NET_TLS_HOST:$NET_PORT/v2/$NET_REPO/manifests/system: the server's certificate is not for the host name $NET_TLS_HOST: verification failed")"
	reject+=('ociboot: layers: ' 'ociboot: verify: ')
}
