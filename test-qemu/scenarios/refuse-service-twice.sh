# A system manifest naming the service web twice, signed with the product
# key and put into the system artifact by hand (`ociboot manifest package`
# refuses it): the init's parser refuses it at verify, naming the second
# name's place.
. "$here/refuse.sh"
. "$here/services.sh"

prepare() {
	local at

	product_prepare || return 1
	jq -c '.services += [.services[0]]' "$PRODUCT_DIR/system.json" \
		> twice.json &&
	"$BUILD/ociboot" manifest sign --key "$PRODUCT_DIR/keys/product.key" \
		--in twice.json --out twice.sig > /dev/null &&
	repack store/oci twice.json twice.sig || return 1
	if "$BUILD/ociboot" verify --layout store/oci --tag system \
		--ca "$PRODUCT_DIR/keys/ca.pem" > verify.log 2>&1; then
		echo "ociboot verify took a service named twice"
		return 1
	fi
	# the third service's name: the value after the second "name":"web"
	at=$(grep -bo '"name":"web"' twice.json | sed -n 2p | cut -d: -f1)
	at=$((at + 7))
	product_disk "$REFUSE_CMDLINE" || return 1
	refuse_expect "$(ere "verify: system manifest $(digest_of twice.json): two services have this name (at \$.services[2].name, byte $at): malformed input")"
	reject+=('ociboot: layers: ')
}
