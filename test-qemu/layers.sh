# Sourced by the many-layer scenarios (limits-max-layers, bench-layers): a
# test product whose rootfs image has N layers (product/build --layers N),
# checked on the host by `ociboot verify`, booted from the ext4 store under
# Secure Boot. Every layer must be set up, the overlay must stack all N, and
# the product's init must see each layer's file and the top layer's version
# of the file every layer writes.

# tool_limit NAME: a limit as the host tool prints it (`ociboot limits`,
# from oci/limits.h), so the scenarios follow the code.
tool_limit() {
	"$BUILD/ociboot" limits | awk -v name="$1" '$1 == name { print $2 }'
}

# layers_limit: the most layers an image may have.
layers_limit() {
	tool_limit layers_per_image
}

# layers_scenario N [CMDLINE]: set up the scenario for an N-layer product
# booted with CMDLINE (default the product's, powering off on failure).
layers_scenario() {
	layers=$1
	layers_cmdline=${2:-$PRODUCT_CMDLINE ociboot.on_failure=poweroff}
	PRODUCT_DIR=$BUILD/test-product-layers-$layers
	PRODUCT_ARGS="--layers $layers"
	secure_boot=on
	deadline=300
	expect=(
		'ociboot: verify: signed system verified'
		'ociboot: layers: layer 0 sha256:[0-9a-f]{64}: /dev/loop[0-9]+ -> /dev/dm-[0-9]+ \(dm-verity root [0-9a-f]{64}'
		"ociboot: layers: layer $((layers - 1)) sha256:[0-9a-f]{64}: "
		"ociboot: rootfs: overlay of $layers verified layers"
		'ociboot: switch_root: exec /sbin/init'
		'product: root filesystem: overlay'
		"product: layers visible: $layers\$"
		"product: layers top: layer $(printf %03d $((layers - 1)))\$"
		'product: read [0-9]+ files, 0 errors'
	)
	# layer 1 whites out a file of the base (the line comes before)
	[ "$layers" = 1 ] ||
		expect=("${expect[@]:0:6}" 'product: whiteout: /etc/removed is gone'
			"${expect[@]:6}")
	reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
		'FAILED')
	expect_exit=1
	disks=(store.img)
}

prepare() {
	local t0 t1

	t0=$(date +%s.%N)
	product_prepare || return 1
	t1=$(date +%s.%N)
	echo "product with $layers layers ready in" \
		"$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }') s"
	"$BUILD/ociboot" verify --layout store/oci --tag system \
		--ca "$PRODUCT_DIR/keys/ca.pem" > verify.log &&
		product_disk "$layers_cmdline"
}

# check: one setup line for each layer, 0 to N-1, in order.
check() {
	local got want

	got=$(tr -d '\r' < console.log |
		sed -n -E 's/.*ociboot: layers: layer ([0-9]+) sha256:.*/\1/p' |
		tr '\n' ' ')
	want=$(seq 0 $((layers - 1)) | tr '\n' ' ')
	[ "$got" = "$want" ] && return 0
	echo "test-qemu: layers set up: $got; want $want" >&2
	return 1
}

# services_limit: the most services a system manifest may name.
services_limit() {
	tool_limit services_per_system
}

# services_scenario S: after layers_scenario, the same product whose system
# manifest also names S services, svc01 to svcSS (product/build
# --services S). services_prepare then adds what the console must show.
services_scenario() {
	services=$1
	PRODUCT_DIR=$BUILD/test-product-layers-$layers-services-$services
	PRODUCT_ARGS="--layers $layers --services $services"
}

# service_lines: "NAME DIGEST" of each service of the product's signed
# system manifest, in its order.
service_lines() {
	jq -r '.services[] | "\(.name) \(.digest)"' "$PRODUCT_DIR/system.json"
}

# services_prepare: once the product is built, expect verify to name its
# first and last service with their digests, before `signed system
# verified`; check_services compares every line.
services_prepare() {
	local first last

	[ "$(service_lines | wc -l)" = "$services" ] || {
		echo "the system manifest names $(service_lines | wc -l)" \
			"services, want $services"
		return 1
	}
	first=$(service_lines | head -n 1)
	last=$(service_lines | tail -n 1)
	expect=("ociboot: verify: service ${first% *}: image ${first#* }\$"
		"ociboot: verify: service ${last% *}: image ${last#* }\$"
		"${expect[@]}")
}

# check_services: the init's verify names every service of the signed
# manifest, in order, each with its image's digest, and nothing more.
check_services() {
	local got want

	got=$(tr -d '\r' < console.log |
		sed -n -E 's/.*ociboot: verify: service ([^:]+): image (sha256:[0-9a-f]{64})$/\1 \2/p')
	want=$(service_lines)
	[ "$got" = "$want" ] && return 0
	echo "test-qemu: services verified:" \
		"$(echo "$got" | grep -c . || true), want $services" \
		"(first difference: $(diff <(echo "$got") <(echo "$want") |
			grep -m1 '^[<>]'))" >&2
	return 1
}
