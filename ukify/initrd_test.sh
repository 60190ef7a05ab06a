#!/bin/sh
# The initrd built by `ukify initrd`, checked with independent tools: GNU
# cpio extracts it (contents, modes, owners, times, device node), kmod's
# modprobe gives the reference load order, zstd decompresses it, openssl
# gives the canonical form of the CA certificate.
set -eu
. scripts/testlib.sh
need_commands openssl cpio modprobe zstd dpkg-query
UKIFY=$BUILD/ukify
KVER=${KVER:-$(dpkg-query -W -f '${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p')}
MODDIR=/lib/modules/$KVER
# None of these has a list of its own (below): all go to the boot's list.
MODULES="dm-bufio ahci virtio_blk virtio_net"
EPOCH=1700000000

need_driver "$UKIFY"
[ -n "$KVER" ] && [ -f "$MODDIR/modules.dep" ] ||
	fatal "no kernel modules for KVER='$KVER' (install linux-image-amd64)"
testlib_tmpdir

INIT=$BUILD/init
[ -f "$INIT" ] || INIT=/bin/true

# A CA of our own, with text around the PEM block that must not survive.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/ca.key" -subj /CN=test-ca -days 1 -out "$tmp/ca.raw" \
	2>/dev/null
{ echo "comment before"; cat "$tmp/ca.raw"; } > "$tmp/test-ca.pem"
module_args=
for m in $MODULES; do module_args="$module_args --module $m"; done

# shellcheck disable=SC2086
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" \
	--modules-dir "$MODDIR/" $module_args --ca "$tmp/test-ca.pem" \
	--compress none --output "$tmp/initrd.cpio"
ok "ukify initrd --compress none"

mkdir "$tmp/x"
(cd "$tmp/x" && cpio -idmv --quiet < "$tmp/initrd.cpio" 2> "$tmp/cpio.log") ||
	fatal "GNU cpio could not extract the archive: $(cat "$tmp/cpio.log")"
ok "GNU cpio -idmv extracts it"

cmp "$INIT" "$tmp/x/init" || fatal "/init differs from $INIT"
[ "$(stat -c %a "$tmp/x/init")" = 755 ] || fatal "/init is not 0755"
ok "/init has the given contents and mode 0755"

console=$(stat -c '%F %t %T %a' "$tmp/x/dev/console")
[ "$console" = "character special file 5 1 600" ] ||
	fatal "/dev/console is '$console', not char 5:1 0600"
ok "/dev/console is char 5:1 0600"

for d in dev proc sys run sysroot etc/ociboot; do
	[ -d "$tmp/x/$d" ] || fatal "/$d missing"
	[ "$(stat -c %a "$tmp/x/$d")" = 755 ] || fatal "/$d is not 0755"
done
ok "directories /dev /proc /sys /run /sysroot /etc/ociboot"

cpio -itv --quiet < "$tmp/initrd.cpio" > "$tmp/list" 2>/dev/null
awk '$3 != "root" || $4 != "root" { exit 1 }' "$tmp/list" ||
	fatal "an entry is not owned by root:root"
[ "$(stat -c %Y "$tmp/x/init")" = $EPOCH ] ||
	fatal "mtime of /init is not SOURCE_DATE_EPOCH"
cpio -it --quiet < "$tmp/initrd.cpio" > "$tmp/names" 2>/dev/null
LC_ALL=C sort -c "$tmp/names" 2>/dev/null || fatal "entries are not sorted"
ok "owners 0:0, mtime SOURCE_DATE_EPOCH, entries sorted by path"

openssl x509 -in "$tmp/ca.raw" > "$tmp/ca.canonical"
cmp "$tmp/ca.canonical" "$tmp/x/etc/ociboot/ca/test-ca.pem" ||
	fatal "CA file is not the canonical PEM of the certificate"
ok "CA at /etc/ociboot/ca/test-ca.pem equals openssl's PEM"

# Every module listed is in the archive with the installed file's bytes.
n=0
while read -r path; do
	case $path in
	/lib/modules/$KVER/*) ;;
	*) fatal "module path $path is not under /lib/modules/$KVER" ;;
	esac
	cmp "$MODDIR/${path#/lib/modules/$KVER/}" "$tmp/x$path" ||
		fatal "$path differs from the installed module"
	[ "$(stat -c %a "$tmp/x$path")" = 644 ] || fatal "$path is not 0644"
	n=$((n + 1))
done < "$tmp/x/etc/ociboot/modules"
[ "$(sort "$tmp/x/etc/ociboot/modules" | uniq -d)" = "" ] ||
	fatal "a module is listed twice"
ok "$n modules present, byte-identical to $MODDIR"

# Reference: modprobe's order for each module, dependencies first.
: > "$tmp/reference"
for m in $MODULES; do
	modprobe -S "$KVER" -d / --show-depends "$m" |
		sed -n 's|^insmod /*\(/lib/modules/[^ ]*\).*|\1|p' > "$tmp/one"
	[ -s "$tmp/one" ] || fatal "modprobe --show-depends $m printed nothing"
	prev=0
	while read -r path; do
		pos=$(grep -nxF "$path" "$tmp/x/etc/ociboot/modules" |
			cut -d: -f1)
		[ -n "$pos" ] || fatal "$path (needed by $m) is not listed"
		[ "$pos" -gt "$prev" ] ||
			fatal "$path is listed after a module that needs it"
		prev=$pos
	done < "$tmp/one"
	cat "$tmp/one" >> "$tmp/reference"
done
awk '!seen[$0]++' "$tmp/reference" > "$tmp/reference.uniq"
sort "$tmp/reference.uniq" > "$tmp/a"
sort "$tmp/x/etc/ociboot/modules" > "$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || fatal "module set differs from modprobe's"
ok "load order agrees with modprobe --show-depends (deps first, same set)"
if cmp -s "$tmp/reference.uniq" "$tmp/x/etc/ociboot/modules"; then
	ok "load order is exactly modprobe's"
fi

# zstd: reproducible, and the zstd tool decompresses it to the same cpio.
for i in 1 2; do
	# shellcheck disable=SC2086
	SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" \
		--modules-dir "$MODDIR" $module_args --ca "$tmp/test-ca.pem" \
		--output "$tmp/initrd$i.zst"
done
cmp "$tmp/initrd1.zst" "$tmp/initrd2.zst" ||
	fatal "zstd initrd not reproducible"
zstd -q -dc "$tmp/initrd1.zst" | cmp - "$tmp/initrd.cpio" ||
	fatal "zstd -d does not give back the uncompressed archive"
[ "$(wc -c < "$tmp/initrd1.zst")" -lt "$(wc -c < "$tmp/initrd.cpio")" ] ||
	fatal "zstd initrd is not smaller"
SOURCE_DATE_EPOCH=$((EPOCH + 1)) "$UKIFY" initrd --init "$INIT" \
	--compress none --output "$tmp/other.cpio"
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" \
	--compress none --output "$tmp/same.cpio"
! cmp -s "$tmp/other.cpio" "$tmp/same.cpio" || fatal "mtime is not recorded"
(cd "$tmp/x" && cpio -i --quiet --to-stdout etc/ociboot/modules \
	< "$tmp/same.cpio") > "$tmp/empty"
[ ! -s "$tmp/empty" ] || fatal "without modules the list is not empty"
ok "zstd output reproducible and decompresses to the same archive"

# Presets (ukify/modsets.c): qemu is the boot chain plus virtio, the same
# bytes as naming those modules one by one.
qemu_modules="efivarfs loop squashfs overlay dm-verity ext4 erofs
	virtio_blk virtio_pci virtio_net"
# shellcheck disable=SC2046,SC2086
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" --modules-dir "$MODDIR" \
	$(for m in $qemu_modules; do echo --module $m; done) \
	--output "$tmp/explicit.zst" > /dev/null
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" --modules-dir "$MODDIR" \
	--preset qemu --output "$tmp/preset.zst" > "$tmp/preset.out"
check "--preset qemu gives the bytes of its modules named one by one" \
	cmp -s "$tmp/explicit.zst" "$tmp/preset.zst"
printed=$(sed -n 's/^modules (load order): //p' "$tmp/preset.out")
listed=$(zstd -q -dc "$tmp/preset.zst" | (cd "$tmp" && cpio -i --quiet \
	--to-stdout etc/ociboot/modules) | sed 's|.*/||; s|\.ko$||' |
	tr - _ | tr '\n' ' ' | sed 's/ $//')
check_equal "the printed load order is the initrd's" "$printed" "$listed"

# The store filesystems (ext4, erofs), efivarfs (loaded only when the
# kernel does not say Secure Boot is on) and the layers' modules (loaded
# beside the store and verify stages) each get a list of their own: what
# modprobe --show-depends loads for them (less crc32c-intel, the CRC32C
# a CPU without SSE 4.2 cannot load; crc32c_generic serves everywhere) and
# the boot's list does not; their modules are in no other list.
zstd -q -dc "$tmp/preset.zst" > "$tmp/preset.cpio"
mkdir "$tmp/p"
(cd "$tmp/p" && cpio -id --quiet < "$tmp/preset.cpio")
# members LIST: the modules named that go to LIST.
members() {
	case $1 in
	layers) echo loop squashfs dm-verity overlay ;;
	*) echo "$1" ;;
	esac
}
for fs in ext4 erofs efivarfs layers; do
	list=$tmp/p/etc/ociboot/modules.d/$fs
	[ -f "$list" ] || fatal "no /etc/ociboot/modules.d/$fs"
	for m in $(members "$fs"); do
		modprobe -S "$KVER" -d / --show-depends "$m" |
			sed -n 's|^insmod /*\(/lib/modules/[^ ]*\).*|\1|p'
	done | awk '!seen[$0]++' | grep -v /crc32c-intel.ko |
		grep -vxFf "$tmp/p/etc/ociboot/modules" > "$tmp/want.$fs"
	sort "$tmp/want.$fs" > "$tmp/a"
	sort "$list" > "$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" ||
		fatal "modules.d/$fs is not modprobe's set: $(tr '\n' ' ' < "$list")"
	prev=0
	while read -r path; do
		pos=$(grep -nxF "$path" "$list" | cut -d: -f1)
		[ "$pos" -gt "$prev" ] ||
			fatal "modules.d/$fs: $path after a module that needs it"
		prev=$pos
		cmp -s "$MODDIR/${path#/lib/modules/$KVER/}" "$tmp/p$path" ||
			fatal "$path differs from the installed module"
	done < "$tmp/want.$fs"
	printed=$(sed -n "s/^modules ($fs list): //p" "$tmp/preset.out")
	listed=$(sed 's|.*/||; s|\.ko$||' "$list" | tr - _ | tr '\n' ' ' |
		sed 's/ $//')
	check_equal "the printed $fs list is the initrd's" "$printed" "$listed"
done
for m in ext4 jbd2 mbcache crc16 erofs libcrc32c crc32c_generic efivarfs \
	loop squashfs dm-verity dm-mod dm-bufio overlay; do
	! grep -q "/$m.ko\$" "$tmp/p/etc/ociboot/modules" ||
		fatal "$m is in the boot's list"
done
ok "ext4, erofs, efivarfs and the layers' modules in lists of their own, in modprobe's order, not in the boot's"
# A module two lists share is in the archive once.
[ "$(cpio -it --quiet < "$tmp/preset.cpio" | sort | uniq -d)" = "" ] ||
	fatal "an archive entry is there twice"
ok "crc32c_generic, in both lists, is archived once"

"$UKIFY" presets | grep -q '^physical: ' &&
	ok "ukify presets lists physical" || fail "ukify presets"

# --host-only over a fake sysfs: q35's SATA controller, no driver bound,
# found through its modalias and this kernel's modules.alias.
dev=$tmp/sys/bus/pci/devices/0000:00:1f.2
mkdir -p "$dev"
echo pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01 > "$dev/modalias"
"$UKIFY" initrd --init "$INIT" --modules-dir "$MODDIR" --preset base \
	--host-only --sysfs "$tmp/sys" --output "$tmp/host.zst" > "$tmp/host.out"
check_equal "--host-only takes the SATA controller's driver" \
	"$(sed -n 's/^modules (host-only): //p' "$tmp/host.out")" "ahci"
grep -q '^modules (load order): .* ahci' "$tmp/host.out" &&
	ok "ahci is loaded" || fail "ahci not in the load order"

# Outputs: an existing one is replaced only with --force; missing
# directories are made.
expect_error 1 "preset.zst exists; not replacing it (use --force" \
	"$UKIFY" initrd --init "$INIT" --output "$tmp/preset.zst"
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" --modules-dir "$MODDIR" \
	--preset qemu --force --output "$tmp/preset.zst" > /dev/null &&
	cmp -s "$tmp/explicit.zst" "$tmp/preset.zst" &&
	ok "--force replaces it" || fail "--force"
"$UKIFY" initrd --init "$INIT" --output "$tmp/new/dir/i.zst" &&
	[ -f "$tmp/new/dir/i.zst" ] && ok "missing directories are made" ||
	fail "missing directories"

# Failures: a one-line reason and the documented exit codes.
expect_error 1 "no_such_module" "$UKIFY" initrd --init "$INIT" \
	--modules-dir "$MODDIR" --module no_such_module --output "$tmp/f"
openssl genrsa 2048 2>/dev/null > "$tmp/key.pem"
expect_error 1 "key.pem" "$UKIFY" initrd --init "$INIT" --ca "$tmp/key.pem" \
	--output "$tmp/f"
cp "$tmp/key.pem" "$tmp/mixed.pem"
cat "$tmp/ca.raw" >> "$tmp/mixed.pem"
expect_error 1 "mixed.pem" "$UKIFY" initrd --init "$INIT" \
	--ca "$tmp/mixed.pem" \
	--output "$tmp/f"
expect_error 1 "/nonexistent" "$UKIFY" initrd --init /nonexistent \
	--output "$tmp/f"
expect_error 1 "modules.dep" "$UKIFY" initrd --init "$INIT" \
	--modules-dir "$tmp" \
	--output "$tmp/f"
expect_error 2 "--init" "$UKIFY" initrd --output "$tmp/f"
expect_error 2 "--output" "$UKIFY" initrd --init "$INIT"
expect_error 2 "--compress" "$UKIFY" initrd --init "$INIT" --compress xz \
	--output "$tmp/f"
expect_error 2 "--modules-dir" "$UKIFY" initrd --init "$INIT" --module loop \
	--output "$tmp/f"
expect_error 2 "--bogus" "$UKIFY" initrd --bogus
expect_error 2 "SOURCE_DATE_EPOCH" env SOURCE_DATE_EPOCH=yesterday "$UKIFY" \
	initrd --init "$INIT" --output "$tmp/f"
[ ! -e "$tmp/f" ] || fatal "a failed command left its output behind"
"$UKIFY" initrd --help | grep -q "usage: ukify initrd" ||
	fatal "initrd --help"
ok "errors: exit 1 for failures, 2 for usage, one line each; --help"

testlib_finish
