# README.md's "Your own root filesystem" recipe, run as written
# (scripts/readme-recipe prints its commands) from an empty directory with
# the test product's busybox tree as ./rootfs and the snakeoil db key, then
# the kernel.efi it built booted with its store.img: the newcomer's path.
secure_boot=on
expect=(
	'ociboot: store: LABEL=ocistore is /dev/vda'
	'ociboot: verify: signed system verified'
	'ociboot: rootfs: overlay of 1 verified layers'
	'product: root filesystem: overlay'
	'product: motd: base layer'
	'product: read [0-9]+ files, 0 errors'
)
reject=('ociboot: FATAL' 'Kernel panic' 'read error')
expect_exit=1
disks=(store.img)

prepare() {
	product_build || return 1
	mkdir recipe && cd recipe || return 1
	cp -a "$PRODUCT_DIR/tree/base" rootfs &&
		cp "$SIGN_KEY" db.key && cp "$SIGN_CERT" db.pem || return 1
	"$top/scripts/readme-recipe" > recipe.sh || return 1
	# The recipe's two settings, as the README tells the user to set them.
	src=$top kver=$KVER sh -eux recipe.sh || return 1
	# Run twice, it refuses to replace what the first run wrote.
	! src=$top kver=$KVER sh -e recipe.sh 2> again.err || return 1
	grep -q 'keys/ca.key exists\|exists; not replacing' again.err || return 1
	cd .. && mv recipe/store.img store.img && install_esp recipe/kernel.efi
}
