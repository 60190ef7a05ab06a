# A network boot whose system manifest was edited after it was signed
# (version raised, old signature kept): not signed by anyone the initrd
# trusts, refused with its digest before any image it pins is requested.
. "$here/net.sh"
. "$here/refuse.sh"
disks=()

prepare() {
	product_prepare || return 1
	sed 's/"version":1/"version":2/' "$PRODUCT_DIR/system.json" > edited.json
	! cmp -s edited.json "$PRODUCT_DIR/system.json" || return 1
	"$BUILD/ociboot" manifest package --layout store/oci --tag system \
		--manifest edited.json --signature "$PRODUCT_DIR/system.sig" \
		--cert "$PRODUCT_DIR/keys/product.pem" &&
		net_fault store/oci && net_uki "$NET_REFUSE_CMDLINE" || return 1
	net_refuse_expect "$(ere "verify: signature of system manifest $(digest_of edited.json) by '$PRODUCT_SIGNER': signature does not match: verification failed")"
}

check() {
	net_no_image_fetched store/oci fault.log
}
