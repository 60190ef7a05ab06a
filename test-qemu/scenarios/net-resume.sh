# The registry dies in the middle of the top layer (headers and half the
# bytes, then the connection is closed): the client asks for the rest with
# a Range request, the registry answers 206, and the product boots.
. "$here/net.sh"

expect=(
	'ociboot: network: system manifest signed by .*: verified before fetching its images'
	'ociboot: network: sha256:[0-9a-f]{12}: 2129920/2129920 bytes \(100%\), [0-9.]+ MB/s, verified'
	'ociboot: verify: signed system verified'
	'ociboot: switch_root: exec /sbin/init'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error')

prepare() {
	product_prepare || return 1
	layer=$(sha256sum < "$PRODUCT_DIR/layers/top.layer" | cut -d' ' -f1)
	net_fault store/oci --die-mid-blob "$layer" && net_uki
}

# The blob was asked for twice: whole, then from where it stopped (206).
check() {
	grep "blobs/sha256:$layer range=- .*-> 200" fault.log &&
		grep -E "blobs/sha256:$layer range=bytes=[1-9][0-9]*- .*-> 206" \
			fault.log
}
