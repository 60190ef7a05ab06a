#!/bin/sh
# The initrd built by `ukify initrd`, checked with independent tools: GNU
# cpio extracts it (contents, modes, owners, times, device node), kmod's
# modprobe gives the reference load order, zstd decompresses it, openssl
# gives the canonical form of the CA certificate.
set -eu

BUILD=${BUILD:-build}
UKIFY=$BUILD/ukify
KVER=${KVER:-$(dpkg-query -W -f '${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p')}
MODDIR=/lib/modules/$KVER
MODULES="dm-verity overlay squashfs loop virtio_blk virtio_net"
EPOCH=1700000000

checks=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { checks=$((checks + 1)); echo "ok: $*"; }

[ -x "$UKIFY" ] || fail "$UKIFY not built"
[ -n "$KVER" ] && [ -f "$MODDIR/modules.dep" ] ||
	fail "no kernel modules for KVER='$KVER' (install linux-image-amd64)"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

INIT=$BUILD/init
[ -f "$INIT" ] || INIT=/bin/true

# A CA of our own, with text around the PEM block that must not survive.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/ca.key" -subj /CN=test-ca -days 1 -out "$T/ca.raw" \
	2>/dev/null
{ echo "comment before"; cat "$T/ca.raw"; } > "$T/test-ca.pem"
module_args=
for m in $MODULES; do module_args="$module_args --module $m"; done

# shellcheck disable=SC2086
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" \
	--modules-dir "$MODDIR/" $module_args --ca "$T/test-ca.pem" \
	--compress none --output "$T/initrd.cpio"
ok "ukify initrd --compress none"

mkdir "$T/x"
(cd "$T/x" && cpio -idmv --quiet < "$T/initrd.cpio" 2> "$T/cpio.log") ||
	fail "GNU cpio could not extract the archive: $(cat "$T/cpio.log")"
ok "GNU cpio -idmv extracts it"

cmp "$INIT" "$T/x/init" || fail "/init differs from $INIT"
[ "$(stat -c %a "$T/x/init")" = 755 ] || fail "/init is not 0755"
ok "/init has the given contents and mode 0755"

console=$(stat -c '%F %t %T %a' "$T/x/dev/console")
[ "$console" = "character special file 5 1 600" ] ||
	fail "/dev/console is '$console', not char 5:1 0600"
ok "/dev/console is char 5:1 0600"

for d in dev proc sys run sysroot etc/ociboot; do
	[ -d "$T/x/$d" ] || fail "/$d missing"
	[ "$(stat -c %a "$T/x/$d")" = 755 ] || fail "/$d is not 0755"
done
ok "directories /dev /proc /sys /run /sysroot /etc/ociboot"

cpio -itv --quiet < "$T/initrd.cpio" > "$T/list" 2>/dev/null
awk '$3 != "root" || $4 != "root" { exit 1 }' "$T/list" ||
	fail "an entry is not owned by root:root"
[ "$(stat -c %Y "$T/x/init")" = $EPOCH ] ||
	fail "mtime of /init is not SOURCE_DATE_EPOCH"
cpio -it --quiet < "$T/initrd.cpio" > "$T/names" 2>/dev/null
LC_ALL=C sort -c "$T/names" 2>/dev/null || fail "entries are not sorted"
ok "owners 0:0, mtime SOURCE_DATE_EPOCH, entries sorted by path"

openssl x509 -in "$T/ca.raw" > "$T/ca.canonical"
cmp "$T/ca.canonical" "$T/x/etc/ociboot/ca/test-ca.pem" ||
	fail "CA file is not the canonical PEM of the certificate"
ok "CA at /etc/ociboot/ca/test-ca.pem equals openssl's PEM"

# Every module listed is in the archive with the installed file's bytes.
n=0
while read -r path; do
	case $path in
	/lib/modules/$KVER/*) ;;
	*) fail "module path $path is not under /lib/modules/$KVER" ;;
	esac
	cmp "$MODDIR/${path#/lib/modules/$KVER/}" "$T/x$path" ||
		fail "$path differs from the installed module"
	[ "$(stat -c %a "$T/x$path")" = 644 ] || fail "$path is not 0644"
	n=$((n + 1))
done < "$T/x/etc/ociboot/modules"
[ "$(sort "$T/x/etc/ociboot/modules" | uniq -d)" = "" ] ||
	fail "a module is listed twice"
ok "$n modules present, byte-identical to $MODDIR"

# Reference: modprobe's order for each module, dependencies first.
: > "$T/reference"
for m in $MODULES; do
	modprobe -S "$KVER" -d / --show-depends "$m" |
		sed -n 's|^insmod /*\(/lib/modules/[^ ]*\).*|\1|p' > "$T/one"
	[ -s "$T/one" ] || fail "modprobe --show-depends $m printed nothing"
	prev=0
	while read -r path; do
		pos=$(grep -nxF "$path" "$T/x/etc/ociboot/modules" |
			cut -d: -f1)
		[ -n "$pos" ] || fail "$path (needed by $m) is not listed"
		[ "$pos" -gt "$prev" ] ||
			fail "$path is listed after a module that needs it"
		prev=$pos
	done < "$T/one"
	cat "$T/one" >> "$T/reference"
done
awk '!seen[$0]++' "$T/reference" > "$T/reference.uniq"
sort "$T/reference.uniq" > "$T/a"
sort "$T/x/etc/ociboot/modules" > "$T/b"
cmp -s "$T/a" "$T/b" || fail "module set differs from modprobe's"
ok "load order agrees with modprobe --show-depends (deps first, same set)"
if cmp -s "$T/reference.uniq" "$T/x/etc/ociboot/modules"; then
	ok "load order is exactly modprobe's"
fi

# zstd: reproducible, and the zstd tool decompresses it to the same cpio.
for i in 1 2; do
	# shellcheck disable=SC2086
	SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" \
		--modules-dir "$MODDIR" $module_args --ca "$T/test-ca.pem" \
		--output "$T/initrd$i.zst"
done
cmp "$T/initrd1.zst" "$T/initrd2.zst" || fail "zstd initrd not reproducible"
zstd -q -dc "$T/initrd1.zst" | cmp - "$T/initrd.cpio" ||
	fail "zstd -d does not give back the uncompressed archive"
[ "$(wc -c < "$T/initrd1.zst")" -lt "$(wc -c < "$T/initrd.cpio")" ] ||
	fail "zstd initrd is not smaller"
SOURCE_DATE_EPOCH=$((EPOCH + 1)) "$UKIFY" initrd --init "$INIT" \
	--compress none --output "$T/other.cpio"
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd --init "$INIT" \
	--compress none --output "$T/same.cpio"
! cmp -s "$T/other.cpio" "$T/same.cpio" || fail "mtime is not recorded"
(cd "$T/x" && cpio -i --quiet --to-stdout etc/ociboot/modules \
	< "$T/same.cpio") > "$T/empty"
[ ! -s "$T/empty" ] || fail "without modules the list is not empty"
ok "zstd output reproducible and decompresses to the same archive"

# Failures: a one-line reason and the documented exit codes.
expect() {	# expect CODE PATTERN COMMAND...
	code=$1 pattern=$2
	shift 2
	set +e
	"$@" > "$T/out" 2> "$T/err"
	got=$?
	set -e
	[ "$got" = "$code" ] ||
		fail "'$*' exited $got, not $code: $(cat "$T/err")"
	[ "$(wc -l < "$T/err")" -le 1 ] || fail "'$*' printed more than a line"
	grep -q -- "$pattern" "$T/err" ||
		fail "'$*' said '$(cat "$T/err")', not '$pattern'"
}
expect 1 "no_such_module" "$UKIFY" initrd --init "$INIT" \
	--modules-dir "$MODDIR" --module no_such_module --output "$T/f"
openssl genrsa 2048 2>/dev/null > "$T/key.pem"
expect 1 "key.pem" "$UKIFY" initrd --init "$INIT" --ca "$T/key.pem" \
	--output "$T/f"
cp "$T/key.pem" "$T/mixed.pem"
cat "$T/ca.raw" >> "$T/mixed.pem"
expect 1 "mixed.pem" "$UKIFY" initrd --init "$INIT" --ca "$T/mixed.pem" \
	--output "$T/f"
expect 1 "/nonexistent" "$UKIFY" initrd --init /nonexistent --output "$T/f"
expect 1 "modules.dep" "$UKIFY" initrd --init "$INIT" --modules-dir "$T" \
	--output "$T/f"
expect 2 "--init" "$UKIFY" initrd --output "$T/f"
expect 2 "--output" "$UKIFY" initrd --init "$INIT"
expect 2 "--compress" "$UKIFY" initrd --init "$INIT" --compress xz \
	--output "$T/f"
expect 2 "--modules-dir" "$UKIFY" initrd --init "$INIT" --module loop \
	--output "$T/f"
expect 2 "--bogus" "$UKIFY" initrd --bogus
expect 2 "SOURCE_DATE_EPOCH" env SOURCE_DATE_EPOCH=yesterday "$UKIFY" \
	initrd --init "$INIT" --output "$T/f"
[ ! -e "$T/f" ] || fail "a failed command left its output behind"
"$UKIFY" initrd --help | grep -q "usage: ukify initrd" ||
	fail "initrd --help"
ok "errors: exit 1 for failures, 2 for usage, one line each; --help"

echo "$checks passed, 0 failed"
