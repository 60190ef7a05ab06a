# A network boot whose system manifest is signed by a product key from a
# CA the initrd does not trust: refused with the certificate named, before
# any image the manifest pins is requested from the registry.
. "$here/net.sh"
. "$here/refuse.sh"
disks=()

prepare() {
	product_prepare && rogue_keys &&
		resign "$PRODUCT_DIR/system.json" rogue/product.key \
			rogue/product.pem &&
		net_fault store/oci && net_uki "$NET_REFUSE_CMDLINE" || return 1
	openssl x509 -in rogue/product.pem -outform DER -out rogue/product.der ||
		return 1
	net_refuse_expect "$(ere "verify: certificate $(digest_of rogue/product.der): signer certificate 'CN=rogue product, serialNumber=$PRODUCT_UUID' issued by 'CN=rogue CA': certificate not issued by a trusted CA: verification failed")"
}

check() {
	net_no_image_fetched store/oci fault.log
}
