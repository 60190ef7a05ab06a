# At the limit, it boots: a system whose signed manifest names the most
# services the host tool allows (`ociboot limits`), each its own image of
# one tiny layer, over a rootfs image of two layers, built, signed and
# checked with our tool, boots under Secure Boot: the init's verify names
# every service with its image's digest, in order, and the product runs.
# Services are verified and their layers set up (not run). One past the
# limit is refused on the host: the same manifest with one more service
# put in by hand and re-signed; `ociboot verify` names the limit.
. "$here/layers.sh"
layers_scenario 2
services_scenario "$(services_limit)"
. "$here/refuse.sh"	# digest_of
secure_boot=on
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'FAILED')
expect_exit=1

# over_refusal FILE: what `ociboot verify` says of the system manifest
# FILE naming one service too many: its digest, the limit, and the byte
# where its "services" array starts.
over_refusal() {
	local key='"services":' at

	at=$(grep -bo "$key\\[" "$1" | cut -d: -f1)
	at=$((at + ${#key}))
	echo "ociboot verify: system manifest $(digest_of "$1"): over the limit of" \
		"$services services per system (oci/limits.h)" \
		"(at \$.services, byte $at): over a size limit"
}

prepare() {
	local over=$((services + 1))

	product_prepare || return 1
	services_prepare || return 1
	"$BUILD/ociboot" verify --layout store/oci --tag system \
		--ca "$PRODUCT_DIR/keys/ca.pem" > verify.log || return 1
	echo "ociboot verify took $services services:" \
		"$(grep -c '^service ' verify.log) service lines"

	# One past the limit, in a copy of the store: svcNN+1 names the
	# first service's image again (names must differ, images need not),
	# signed with the product key and put into the system artifact by
	# hand, since `ociboot manifest package` will not take it.
	rm -rf over && mkdir over && cp -a store over/ || return 1
	jq -c --arg n "svc$(printf %02d "$over")" \
		'.services += [.services[0] | .name = $n]' \
		"$PRODUCT_DIR/system.json" > over/system.json &&
	"$BUILD/ociboot" manifest sign --key "$PRODUCT_DIR/keys/product.key" \
		--in over/system.json --out over/system.sig > /dev/null &&
	repack over/store/oci over/system.json over/system.sig || return 1
	if "$BUILD/ociboot" verify --layout over/store/oci --tag system \
		--ca "$PRODUCT_DIR/keys/ca.pem" > over.log 2>&1; then
		echo "ociboot verify took a system of $over services"
		return 1
	fi
	echo "ociboot verify refused $over services: $(tail -n 1 over.log)"
	[ "$(tail -n 1 over.log)" = "$(over_refusal over/system.json)" ] || {
		echo "want: $(over_refusal over/system.json)"
		return 1
	}

	product_disk "$layers_cmdline"
}

check() {
	check_services
}
