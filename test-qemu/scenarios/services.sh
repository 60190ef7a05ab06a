# Services as containers: a product whose signed manifest names two
# services, web and client, each its own image of two layers, boots under
# Secure Boot. The init verifies both images with the rootfs, sets up
# their layers read-only through dm-verity, hands them over with the
# starter (its own binary), and the product's init runs them with crun:
# each sees its own rootfs, Env and WorkingDir, client fetches web's page
# over loopback, and after a restart what client wrote into its rootfs is
# gone while its volume kept counting; runc runs it a third time. Client's
# own layer is made as stacker makes layers (mksquashfs, veritysetup), with
# a directory of the base layer made opaque by user.overlay.opaque alone:
# the base layer's file there must not show.
secure_boot=on
deadline=420
. "$here/services.sh"
expect=(
	'ociboot: verify: service web: image sha256:[0-9a-f]{64}, config sha256:[0-9a-f]{64}, 2 layers$'
	'ociboot: verify: service client: image sha256:[0-9a-f]{64}, config sha256:[0-9a-f]{64}, 2 layers$'
	'ociboot: verify: 2 service image\(s\) verified'
	'ociboot: services: service web layer 0 sha256:[0-9a-f]{64}: /dev/loop[0-9]+ -> /dev/dm-[0-9]+ \(dm-verity root [0-9a-f]{64}, status V\) on /run/ociboot/services/web/layers/0$'
	'ociboot: services: service web layer 1 sha256:'
	'ociboot: services: web: 2 verified layers and its image config in /run/ociboot/services/web$'
	'ociboot: services: service client layer 1 sha256:'
	'ociboot: services: /run/ociboot/bin/ociboot-service left for the booted system'
	'ociboot: switch_root: exec /sbin/init'
	'product: services: client: stopped web: stopped $'
	'web: hostname web, pid 1, user 33:33$'
	'web: rootfs: image web$'
	'web: env GREETING=hello SERVICE=web$'
	'web: cwd /srv/www$'
	'web: read random.bin: ok$'
	'client: hostname client, pid 1, user 0:0$'
	'client: rootfs: image client$'
	'client: env ROLE=client SERVICE=client$'
	'client: cwd /work$'
	'client: opaque /srv/shadowed: own $'
	'client: /written-in-rootfs is absent$'
	'client: volume /data: run 1$'
	'client: fetched: hello from web over loopback$'
	'product: status: web: running \(pid [0-9]+\)$'
	'product: stopped client$'
	'product: restarted client$'
	'client: /written-in-rootfs is absent$'
	'client: volume /data: run 2$'
	'client: fetched: hello from web over loopback$'
	'product: started client with runc$'
	'client: volume /data: run 3$'
	'client: fetched: hello from web over loopback$'
	'product: stopped client with runc$'
	'web: stopping$'
	'product: stopped web$'
	'product: services: client: stopped web: stopped $'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'verity.*corrupted' 'read error'
	'FAILED' 'ociboot-service .*: ' '/written-in-rootfs is there')
expect_exit=1
disks=(store.img)

prepare() {
	product_prepare &&
	"$BUILD/ociboot" verify --layout store/oci --tag system \
		--ca "$PRODUCT_DIR/keys/ca.pem" > verify.log &&
		product_disk
}
