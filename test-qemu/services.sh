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
