# One byte of dm-verity.ko changed in the initrd (its code, not its
# signature): the kernel refuses the module, its signature no longer
# matching. The layers' modules load beside the store and verify stages,
# in a child with words of its own: the store is still found and the
# system verified, then the boot fails where the layers stage joins that
# child, naming the module, before any layer is set up.
. "$here/refuse.sh"
reject+=('ociboot: layers: ')
MODDIR=/lib/modules/$KVER
VERITY_KO=kernel/drivers/md/dm-verity.ko
refuse_expect "$(ere "loading module /lib/modules/$KVER/$VERITY_KO (refused under Secure Boot lockdown: take signed modules from the kernel package that built the kernel in kernel.efi): Key was rejected by service")"
expect=('ociboot: store: LABEL=ocistore is /dev/vda '
	'ociboot: verify: signed system verified$'
	"${expect[@]}")

# A modules directory of links to the kernel's, but for a tampered copy of
# dm-verity.ko: a byte in the middle of the file, well before the
# signature at its end.
prepare() {
	local mods=$PWD/modules/$KVER size

	product_prepare &&
	mkdir -p "$mods" && cp "$MODDIR"/modules.* "$mods"/ &&
	cp -as "$MODDIR/kernel" "$mods/kernel" &&
	rm "$mods/$VERITY_KO" && cp "$MODDIR/$VERITY_KO" "$mods/$VERITY_KO" &&
	size=$(stat -c %s "$mods/$VERITY_KO") &&
	printf '\xa5' | dd of="$mods/$VERITY_KO" bs=1 seek=$((size / 2)) \
		conv=notrunc status=none &&
	! cmp -s "$MODDIR/$VERITY_KO" "$mods/$VERITY_KO" &&
	"$BUILD/ociboot" ukify initrd --init "$BUILD/init" --quiet \
		--modules-dir "$mods" --preset qemu \
		--ca "$PRODUCT_DIR/keys/ca.pem" --output initrd.img &&
	initrd=$PWD/initrd.img &&
	product_disk "$REFUSE_CMDLINE"
}
