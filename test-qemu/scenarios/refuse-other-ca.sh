# The system manifest is signed by a product key whose certificate comes
# from a CA the initrd does not trust. The init names the certificate, its
# subject and its issuer.
. "$here/refuse.sh"

prepare() {
	product_prepare && rogue_keys &&
		resign "$PRODUCT_DIR/system.json" rogue/product.key \
			rogue/product.pem &&
		product_disk "$REFUSE_CMDLINE" || return 1
	openssl x509 -in rogue/product.pem -outform DER -out rogue/product.der ||
		return 1
	refuse_expect "$(ere "verify: certificate $(digest_of rogue/product.der): signer certificate 'CN=rogue product, serialNumber=$PRODUCT_UUID' issued by 'CN=rogue CA': certificate not issued by a trusted CA: verification failed")"
}
