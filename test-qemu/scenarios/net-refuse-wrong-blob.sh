# The registry serves the top layer with one byte changed: the blob is
# hashed as it streams and refused, naming both digests, before anything
# is mounted.
. "$here/net.sh"
. "$here/refuse.sh"
disks=()

prepare() {
	local layer wrong size

	product_prepare || return 1
	layer=$(sha256sum < "$PRODUCT_DIR/layers/top.layer" | cut -d' ' -f1)
	# what fault_registry.py serves: the blob with its last byte flipped
	cp "$PRODUCT_DIR/layers/top.layer" wrong.layer
	size=$(stat -c %s wrong.layer)
	flip_byte wrong.layer $((size - 1))
	wrong=$(sha256sum < wrong.layer | cut -d' ' -f1)
	net_fault store/oci --wrong-digest "$layer" &&
		net_uki "$NET_REFUSE_CMDLINE" || return 1
	net_refuse_expect "$(ere "pull: images of the system: rootfs: blobs/sha256/$layer: the content from $(
		)http://$NET_HOST:$NET_PORT/v2/$NET_REPO/blobs/sha256:$layer hashes $(
		)to sha256:$wrong, not sha256:$layer: verification failed")"
}
