# Sourced by the services-* and refuse-service-* scenarios: the product
# with two services that its init runs (product/build --run-services).
PRODUCT_DIR=$BUILD/test-product-run-services
PRODUCT_ARGS=--run-services

# service_image NAME: the blob of service NAME's image manifest in ./store.
service_image() {
	local d

	d=$(jq -r --arg n "$1" '.services[] | select(.name == $n) | .digest' \
		"$PRODUCT_DIR/system.json" | cut -d: -f2)
	echo "store/oci/blobs/sha256/$d"
}

# service_layer NAME: the blob of service NAME's own (top) layer in ./store.
service_layer() {
	layer_blob "service-$1"
}

# host_refuses: after refuse_expect, `ociboot verify` on the host refuses
# ./store with the reason the init gives (the same code), or fail.
host_refuses() {
	local want=${expect[0]#ociboot: FATAL: verify: }

	if "$BUILD/ociboot" verify --layout store/oci --tag system \
		--ca "$PRODUCT_DIR/keys/ca.pem" > verify.log 2>&1; then
		echo "ociboot verify took it"
		return 1
	fi
	grep -q -E -- "^ociboot verify: $want" verify.log || {
		echo "ociboot verify said:"; cat verify.log
		echo "want: ociboot verify: $want"
		return 1
	}
	echo "ociboot verify refused it: $(grep '^ociboot verify: ' verify.log)"
}
