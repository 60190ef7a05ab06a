# An https registry whose certificate comes from a CA the initrd's TLS set
# does not hold (the initrd trusts another test CA): refused before a
# single request is answered, naming the check that failed.
. "$here/net.sh"
. "$here/refuse.sh"
disks=()

prepare() {
	product_prepare && net_tls_certs || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key \
		-out other-ca.pem -days 30 -subj "/CN=another test TLS CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" || return 1
	net_registry "$PWD/server.pem" "$PWD/server.key" &&
		net_push store/oci && net_tls_initrd other-ca.pem || return 1
	initrd=$PWD/initrd-tls.img
	net_uki "$NET_TLS_CMDLINE ociboot.on_failure=poweroff" || return 1
	net_refuse_expect "$(ere "pull: system artifact: https://$NET_TLS_HOST:$NET_PORT/v2/$NET_REPO/manifests/system: the server's certificate does not chain to a trusted TLS CA: verification failed")"
}
