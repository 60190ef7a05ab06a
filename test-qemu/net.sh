# Sourced by the net-* scenarios: the test product served by a registry on
# the host's loopback, reached by the guest through QEMU's user network
# with restrict=on (the guest reaches nothing else) and a guestfwd that
# runs socat for each connection to 10.0.2.100:5000.
secure_boot=on
deadline=300
expect_exit=1
NET_HOST=10.0.2.100
NET_PORT=5000
NET_REPO=ociboot/product
NET_URL=http://$NET_HOST:$NET_PORT/$NET_REPO:system
NET_CMDLINE="console=ttyS0 quiet oci=$NET_URL"
# What a refusal scenario's init must never get to.
NET_REFUSE_REJECT=('Kernel panic' '^product: ' 'switch_root: exec')
net_pids=()

# net_free_port: a TCP port nothing on 127.0.0.1 listens on.
net_free_port() {
	local p

	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 40000))
		ss -ltn | grep -q ":$p " || { echo "$p"; return 0; }
	done
	return 1
}

# net_wait_http PORT [SCHEME]: until SCHEME://127.0.0.1:PORT/v2/ answers
# (10 s).
net_wait_http() {
	for _ in $(seq 100); do
		curl -sk -o /dev/null "${2:-http}://127.0.0.1:$1/v2/" && return 0
		sleep 0.1
	done
	return 1
}

# net_nic CMD: the guest's NIC, whose connections to 10.0.2.100:5000 each
# run CMD on the host.
net_nic() {
	qemu_args=(-netdev "user,id=n0,restrict=on,guestfwd=tcp:$NET_HOST:$NET_PORT-cmd:$1"
		-device virtio-net-pci,netdev=n0,romfile=)
}

# net_registry [CERT KEY]: docker-registry on a free loopback port (over
# TLS with CERT and KEY when given), storing in ./registry, logging to
# ./registry.log; sets registry_port and the NIC.
net_registry() {
	registry_port=$(net_free_port) || return 1
	mkdir -p registry
	cat > registry.yml <<-EOF2
	version: 0.1
	log:
	  accesslog:
	    disabled: false
	storage:
	  filesystem:
	    rootdirectory: $PWD/registry
	  delete:
	    enabled: true
	http:
	  addr: 127.0.0.1:$registry_port
	EOF2
	if [ $# = 2 ]; then
		printf '  tls:\n    certificate: %s\n    key: %s\n' "$1" "$2" \
			>> registry.yml
	fi
	docker-registry serve registry.yml > registry.log 2>&1 &
	net_pids+=($!)
	net_wait_http "$registry_port" "$([ $# = 2 ] && echo https)" ||
		return 1
	net_nic "socat - TCP:127.0.0.1:$registry_port"
}

# net_push LAYOUT: its tags system and rootfs into the registry, as skopeo
# copies them (over TLS without checking it: the certificate names the
# guest's host name, not 127.0.0.1).
net_push() {
	local tag

	for tag in system rootfs; do
		skopeo copy -q --dest-tls-verify=false "oci:$1:$tag" \
			"docker://127.0.0.1:$registry_port/$NET_REPO:$tag" ||
			return 1
	done
}

# net_fault LAYOUT [OPTIONS...]: net/fault_registry.py serving LAYOUT,
# each request logged to ./fault.log; sets fault_port and the NIC.
net_fault() {
	local layout=$1 store

	shift
	fault_port=$(net_free_port) && store=$(net_free_port) || return 1
	: > fault.log
	python3 "$top/net/fault_registry.py" "$layout" "$fault_port" \
		"$store" "$PWD/fault.log" "$@" > fault.out 2>&1 &
	net_pids+=($!)
	net_wait_http "$fault_port" || return 1
	net_nic "socat - TCP:127.0.0.1:$fault_port"
}

# net_uki [CMDLINE]: the signed kernel.efi with the product's initrd.
net_uki() {
	make_uki kernel.efi "${1:-$NET_CMDLINE}" && install_esp kernel.efi
}

stop() {
	local p

	for p in "${net_pids[@]}"; do
		kill "$p" 2> /dev/null
	done
	net_pids=()
}

# --- refusals -----------------------------------------------------------------

NET_REFUSE_CMDLINE="$NET_CMDLINE ociboot.on_failure=poweroff"

# net_refuse_expect REASON_REGEX: the FATAL line is exactly the reason,
# then the failure policy; the product never runs.
net_refuse_expect() {
	expect=("ociboot: FATAL: $1\$" 'ociboot: failure policy: poweroff$')
	reject=("${NET_REFUSE_REJECT[@]}")
}

# net_image_hexes LAYOUT: the rootfs image's manifest and layer digests
# (hex), what a refusal before the images must never have asked for.
net_image_hexes() {
	local m

	m=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "rootfs") | .digest' "$1/index.json" | cut -c8-)
	echo "$m"
	jq -r '.layers[].digest' "$1/blobs/sha256/$m" | cut -c8-
}

# net_no_image_fetched LAYOUT LOG: LOG (fault_registry.py's) shows none of
# the rootfs image's manifest and layers requested, and the artifact was.
net_no_image_fetched() {
	local h

	grep -q 'GET /v2/.*/manifests/system' "$2" || return 1
	for h in $(net_image_hexes "$1"); do
		if grep -q "$h" "$2"; then
			echo "requested although refused before: $h" >&2
			return 1
		fi
	done
}

# --- https --------------------------------------------------------------------

NET_TLS_HOST=registry.test
NET_TLS_CMDLINE="console=ttyS0 quiet $(
	)oci=https://$NET_TLS_HOST:$NET_PORT/$NET_REPO:system $(
	)ociboot.hosts=$NET_TLS_HOST=$NET_HOST"

# net_tls_certs: tls-ca.pem (a CA) and server.pem/server.key for
# $NET_TLS_HOST, as net/registry_tls_test.sh makes them.
net_tls_certs() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout tls-ca.key \
		-out tls-ca.pem -days 30 -subj "/CN=ociboot test TLS CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" &&
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout server.key -out server.csr -subj "/CN=$NET_TLS_HOST" &&
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' \
		"$NET_TLS_HOST" > server.ext &&
	openssl x509 -req -in server.csr -CA tls-ca.pem -CAkey tls-ca.key \
		-CAcreateserial -days 30 -extfile server.ext -out server.pem
}

# net_tls_initrd CA_FILE: the product's initrd, with CA_FILE as its TLS CA.
net_tls_initrd() {
	local m mods=()

	for m in efivarfs loop squashfs overlay dm-verity ext4 \
		crc32c_generic virtio_blk virtio_pci virtio_net; do
		mods+=(--module "$m")
	done
	"$BUILD/ociboot" ukify initrd --init "$BUILD/init" \
		--modules-dir "/lib/modules/$KVER" "${mods[@]}" \
		--ca "$PRODUCT_DIR/keys/ca.pem" --tls-ca "$1" \
		--output initrd-tls.img
}

# --- the cache device ---------------------------------------------------------

NET_CACHE_LABEL=ocicache
NET_CACHE_CMDLINE="$NET_CMDLINE ociboot.cache=LABEL=$NET_CACHE_LABEL"

# net_cache_disk FILE: an empty cache disk, what an operator makes with
# `mke2fs -t ext4 -L ocicache DEVICE` (the init makes the OCI layout on it).
net_cache_disk() {
	rm -f "$1"
	mke2fs -q -t ext4 -L "$NET_CACHE_LABEL" -E root_owner=0:0 "$1" 64M
}

# net_cache_attach FILE: FILE as a read-write virtio disk of the guest
# (after the NIC: net_registry and net_fault set qemu_args).
net_cache_attach() {
	qemu_args+=(-drive "if=none,id=cache,format=raw,file=$1"
		-device virtio-blk-pci,drive=cache)
}

# net_cache_dump FILE DIR: the cache filesystem's files copied out into
# DIR, read by debugfs (no mount on the host).
net_cache_dump() {
	rm -rf "$2" && mkdir -p "$2" &&
		debugfs -R "rdump / $2" "$1" > /dev/null 2>&1 &&
		[ -f "$2/oci-layout" ]
}

# net_cache_check DIR: every file of DIR/blobs/sha256 is named by its
# sha256, none is a partial download, and DIR is an OCI layout skopeo reads
# with the tag "system".
net_cache_check() {
	local f n=0

	for f in "$1"/blobs/sha256/* "$1"/blobs/sha256/.[!.]*; do
		[ -e "$f" ] || continue
		case $(basename "$f") in .*)
			echo "left in the cache: $f" >&2; return 1 ;;
		esac
		if [ "$(sha256sum < "$f" | cut -d' ' -f1)" != "$(basename "$f")" ]
		then
			echo "not named by its digest: $f" >&2
			return 1
		fi
		n=$((n + 1))
	done
	echo "$n blobs in the cache, each named by its sha256"
	skopeo inspect --raw "oci:$1:system" > /dev/null
}

# net_cache_fresh: net-cache's last run passed, after the build.
net_cache_fresh() {
	local first=$BUILD/test-qemu/net-cache

	[ "$(cat "$first/verdict" 2>/dev/null)" = PASS ] &&
		! [ "$BUILD/ociboot" -nt "$first/verdict" ] &&
		! [ "$BUILD/init" -nt "$first/verdict" ]
}

# net_cache_from_first_boot: ./cache.img is the cache disk net-cache's boot
# left (that scenario is run first unless a passing run of it is newer
# than the build). The copy is made under net-cache's lock, so never while
# another run of it rewrites its disk.
net_cache_from_first_boot() {
	if ! net_cache_fresh; then
		echo "no passing net-cache run to start from: running it"
		"$here/run" net-cache >&2 || {
			echo "net-cache failed" >&2
			return 1
		}
	fi
	( flock 9 && net_cache_fresh &&
		cp "$BUILD/test-qemu/net-cache/cache.img" cache.img ) \
		9> "$BUILD/test-qemu/net-cache.lock"
}

# net_cache_junk_disk FILE SIZE_MB LEAVE_KB: a cache disk of SIZE_MB that an
# earlier system filled: blobs of random bytes, each named by its sha256,
# leaving about LEAVE_KB free.
net_cache_junk_disk() {
	local free_kb bs n=0 left

	net_cache_disk "$1" && mke2fs -q -t ext4 -L "$NET_CACHE_LABEL" \
		-E root_owner=0:0 "$1" "$2M" || return 1
	bs=$(dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Block size: *//p')
	free_kb=$(( $(dumpe2fs -h "$1" 2>/dev/null |
		sed -n 's/^Free blocks: *//p') * bs / 1024 ))
	rm -rf junk && mkdir -p junk/blobs/sha256 || return 1
	printf '{"imageLayoutVersion":"1.0.0"}' > junk/oci-layout
	left=$((free_kb - $3 - 64))
	while [ "$left" -gt 0 ]; do
		local kb=$((left > 1024 ? 1024 : left)) h

		head -c "$((kb * 1024))" /dev/urandom > junk/blob
		h=$(sha256sum < junk/blob | cut -d' ' -f1)
		mv junk/blob "junk/blobs/sha256/$h"
		left=$((left - kb - bs / 1024))
		n=$((n + 1))
	done
	rm -f "$1"
	mke2fs -q -t ext4 -L "$NET_CACHE_LABEL" -E root_owner=0:0 -d junk \
		"$1" "$2M" && echo "$n junk blobs, about $3 KiB left free"
}
