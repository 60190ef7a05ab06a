# The artifact carries the genuine product certificate, but the signature
# was made by a key the CA never certified: the genuine manifest's signature
# does not verify with the certificate's key.
. "$here/refuse.sh"

prepare() {
	product_prepare && rogue_keys &&
		resign "$PRODUCT_DIR/system.json" rogue/product.key \
			"$PRODUCT_DIR/keys/product.pem" &&
		product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: signature of system manifest $(digest_of "$PRODUCT_DIR/system.json") by '$PRODUCT_SIGNER': signature does not match: verification failed")"
}
