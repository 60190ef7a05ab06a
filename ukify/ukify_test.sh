#!/bin/sh
# kernel.efi built by `ukify build`, checked with independent tools:
# sbverify (Authenticode), objdump (PE layout), sha256sum (section bytes).
# Signs with the key OVMF ships enrolled, as the demo does.
set -eu
. scripts/testlib.sh
need_commands openssl sbverify objdump objcopy sha256sum dpkg-query
UKIFY=$BUILD/ukify
KVER=${KVER:-$(dpkg-query -W -f '${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p')}
KERNEL=/boot/vmlinuz-$KVER
MODDIR=/lib/modules/$KVER
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
SNAKEOIL_KEY=/usr/share/ovmf/PkKek-1-snakeoil.key
CERT=/usr/share/ovmf/PkKek-1-snakeoil.pem
CMDLINE="console=ttyS0 ociboot.test=1 oci=LABEL=ocistore:/oci:system"
EPOCH=1700000000

need_driver "$UKIFY"
for f in "$KERNEL" "$MODDIR/modules.dep" "$STUB" "$SNAKEOIL_KEY" "$CERT"; do
	[ -f "$f" ] || fatal "$f missing (run scripts/install-packages)"
done
testlib_tmpdir

INIT=$BUILD/init
[ -f "$INIT" ] || INIT=/bin/true
openssl rsa -in "$SNAKEOIL_KEY" -passin pass:snakeoil -out "$tmp/key.pem" \
	2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/ca.key" -subj /CN=test-ca -days 1 -out "$tmp/ca.pem" \
	2>/dev/null
{
	echo "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md"
	echo "ociboot.test,1,ociboot,ociboot,0.1.0,https://example.invalid/"
} > "$tmp/sbat.csv"
initrd_args="--init $INIT --modules-dir $MODDIR --module dm-verity
	--module overlay --module squashfs --module loop --module virtio_blk
	--module virtio_net --ca $tmp/ca.pem"

build() {	# build OUTPUT [EXTRA ARGS...]
	out=$1
	shift
	# shellcheck disable=SC2086
	SOURCE_DATE_EPOCH=${EPOCH_OVERRIDE:-$EPOCH} "$UKIFY" build \
		--stub "$STUB" --kernel "$KERNEL" $initrd_args \
		--cmdline "$CMDLINE" --sbat "$tmp/sbat.csv" --output "$out" "$@"
}

build "$tmp/a.efi" --key "$tmp/key.pem" --cert "$CERT"
build "$tmp/b.efi" --key "$tmp/key.pem" --cert "$CERT"
cmp "$tmp/a.efi" "$tmp/b.efi" || fatal "two signed builds differ"
ok "two signed builds from the same inputs are byte-identical"

SOURCE_DATE_EPOCH=$EPOCH "$BUILD/ociboot" ukify build --stub "$STUB" \
	--kernel "$KERNEL" $initrd_args --cmdline "$CMDLINE" \
	--sbat "$tmp/sbat.csv" --key "$tmp/key.pem" --cert "$CERT" \
	--output "$tmp/c.efi"
cmp "$tmp/a.efi" "$tmp/c.efi" || fatal "'ociboot ukify build' differs"
ok "'ociboot ukify build' gives the same bytes as 'ukify build'"

sbverify --cert "$CERT" "$tmp/a.efi" > "$tmp/sbverify.log" 2>&1 ||
	fatal "sbverify rejects our signature: $(cat "$tmp/sbverify.log")"
ok "sbverify --cert accepts the signed image"

# objdump's reading of the section table must match ours, line for line.
objdump -h "$tmp/a.efi" > "$tmp/objdump.raw" || fatal "objdump -h failed"
awk '$1 ~ /^[0-9]+$/ { print $2, $3, $4, $6 }' "$tmp/objdump.raw" |
while read -r name size vma off; do
	printf '%s 0x%08x 0x%08x 0x%08x\n' "$name" "0x$vma" "0x$size" "0x$off"
done > "$tmp/objdump"
"$UKIFY" inspect "$tmp/a.efi" > "$tmp/inspect"
awk '$1 ~ /^\./ { print $1, $2, $3, $4 }' "$tmp/inspect" > "$tmp/ours"
cmp -s "$tmp/objdump" "$tmp/ours" ||
	fatal "objdump and inspect disagree: $(diff "$tmp/objdump" "$tmp/ours")"
for s in .osrel .cmdline .uname .sbat .linux .initrd; do
	[ "$(grep -c "^$s " "$tmp/objdump")" = 1 ] ||
		fatal "objdump does not show exactly one $s"
done
ok "objdump -h: .osrel .cmdline .uname .sbat .linux .initrd once each;" \
	"same layout as inspect"

order=$(awk '{ printf "%s ", $1 }' "$tmp/objdump")
case $order in
*".osrel .cmdline .uname .sbat .linux .initrd ") ;;
*) fatal "added sections out of order: $order" ;;
esac
prev=0
while read -r name vma size off; do
	[ $((vma)) -ge "$prev" ] || fatal "$name overlaps the section before"
	prev=$((vma + size))
done < "$tmp/objdump"
ok "sections in order, addresses ascending without overlap"

section_sha() { awk -v s="$1" '$1 == s { print $5 }' "$tmp/inspect"; }
sha() { sha256sum | cut -d' ' -f1; }
[ "$(section_sha .linux)" = "$(sha < "$KERNEL")" ] ||
	fatal ".linux is not the kernel"
# shellcheck disable=SC2086
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd $initrd_args \
	--output "$tmp/initrd.zst"
[ "$(section_sha .initrd)" = "$(sha < "$tmp/initrd.zst")" ] ||
	fatal ".initrd is not what 'ukify initrd' builds from the same inputs"
[ "$(section_sha .uname)" = "$(printf %s "$KVER" | sha)" ] ||
	fatal ".uname is not $KVER"
[ "$(section_sha .cmdline)" = "$(printf %s "$CMDLINE" | sha)" ] ||
	fatal ".cmdline is not the command line"
ok "inspect: sha256 of .linux/.initrd/.uname/.cmdline = sha256sum of the inputs"

objcopy -O binary --only-section=.osrel "$tmp/a.efi" "$tmp/osrel"
grep -qx 'ID=ociboot' "$tmp/osrel" && grep -q '^VERSION_ID=' "$tmp/osrel" ||
	fatal "default .osrel: $(cat "$tmp/osrel")"
objcopy -O binary --only-section=.sbat "$tmp/a.efi" "$tmp/sbat"
objcopy -O binary --only-section=.sbat "$STUB" "$tmp/stub-sbat"
tr -d '\000' < "$tmp/stub-sbat" > "$tmp/expected-sbat"
tail -n 1 "$tmp/sbat.csv" >> "$tmp/expected-sbat"
tr -d '\000' < "$tmp/sbat" | cmp -s - "$tmp/expected-sbat" ||
	fatal ".sbat is not the stub's entries plus ours"
[ "$(grep -c '^sbat,' "$tmp/sbat")" = 1 ] || fatal "two sbat header lines"
ok ".osrel generated; .sbat = the stub's lines + the product's (one header)"

grep -q "^signer: .*O=SnakeOil" "$tmp/inspect" &&
	grep -q "^image digest: matches" "$tmp/inspect" &&
	grep -q "^signature: valid" "$tmp/inspect" &&
	grep -q "^signing time: 2023-11-14 22:13:20" "$tmp/inspect" ||
	fatal "inspect of the signed image: $(cat "$tmp/inspect")"
ok "inspect names the signer and the signing time from SOURCE_DATE_EPOCH"

EPOCH_OVERRIDE=$((EPOCH + 60)) build "$tmp/later.efi" --key "$tmp/key.pem" \
	--cert "$CERT"
! cmp -s "$tmp/a.efi" "$tmp/later.efi" || fatal "signing time is not recorded"
sbverify --cert "$CERT" "$tmp/later.efi" > /dev/null 2>&1 ||
	fatal "sbverify rejects the later build"
ok "another SOURCE_DATE_EPOCH changes only the signature, still valid"

build "$tmp/unsigned.efi"
if sbverify --cert "$CERT" "$tmp/unsigned.efi" > /dev/null 2>&1; then
	fatal "sbverify accepts an unsigned image"
fi
"$UKIFY" inspect "$tmp/unsigned.efi" | grep -q "^signature: none" ||
	fatal "inspect does not say the unsigned image is unsigned"
ok "an unsigned build is rejected by sbverify"

# Flip one byte in the middle of .linux.
off=$(($(awk '$1 == ".linux" { print $4 }' "$tmp/inspect") + 4096))
cp "$tmp/a.efi" "$tmp/tampered.efi"
byte=$(od -An -tu1 -j "$off" -N1 "$tmp/a.efi" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
	dd of="$tmp/tampered.efi" bs=1 seek="$off" conv=notrunc 2>/dev/null
! cmp -s "$tmp/a.efi" "$tmp/tampered.efi" || fatal "tampering did not happen"
if sbverify --cert "$CERT" "$tmp/tampered.efi" > /dev/null 2>&1; then
	fatal "sbverify accepts a tampered image"
fi
"$UKIFY" inspect "$tmp/tampered.efi" | grep -q "^image digest: DOES NOT" ||
	fatal "inspect does not see the tampering"
ok "one flipped byte in .linux fails sbverify and inspect's digest check"

for cmd in build initrd inspect; do
	"$UKIFY" "$cmd" --help | grep -q "usage: ukify $cmd" ||
		fatal "ukify $cmd --help"
done
"$UKIFY" --help | grep -q "usage: ukify" || fatal "ukify --help"
expect_error 2 "missing command" "$UKIFY"
expect_error 2 "unknown command" "$UKIFY" frobnicate
expect_error 2 "--kernel" "$UKIFY" build --initrd "$tmp/initrd.zst" \
	--output "$tmp/f"
expect_error 2 "--output" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$tmp/initrd.zst"
expect_error 2 "--key and --cert" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$tmp/initrd.zst" --key "$tmp/key.pem" --output "$tmp/f"
expect_error 2 "--initrd excludes" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$tmp/initrd.zst" --init "$INIT" --output "$tmp/f"
expect_error 2 "--cmdline needs a value" "$UKIFY" build --cmdline
expect_error 2 "unknown option" "$UKIFY" build --frob
expect_error 2 "exactly one FILE" "$UKIFY" inspect
expect_error 1 "not a valid PE32+" "$UKIFY" inspect "$tmp/initrd.zst"
expect_error 1 "/nonexistent" "$UKIFY" build --kernel /nonexistent \
	--initrd "$tmp/initrd.zst" --output "$tmp/f"
expect_error 1 "not a valid PE32+" "$UKIFY" build --stub "$tmp/initrd.zst" \
	--kernel "$KERNEL" --initrd "$tmp/initrd.zst" --output "$tmp/f"
expect_error 1 "no MZ" "$UKIFY" build --kernel "$tmp/initrd.zst" \
	--initrd "$tmp/initrd.zst" --uname 6.1 --output "$tmp/f"
openssl genrsa 2048 2>/dev/null > "$tmp/other.pem"
expect_error 1 "does not match" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$tmp/initrd.zst" --key "$tmp/other.pem" --cert "$CERT" \
	--cmdline "$CMDLINE" --output "$tmp/f"
expect_error 1 "not RSA" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$tmp/initrd.zst" --key "$tmp/ca.key" --cert "$tmp/ca.pem" \
	--cmdline "$CMDLINE" --output "$tmp/f"
expect_error 1 "unencrypted" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$tmp/initrd.zst" --key "$SNAKEOIL_KEY" --cert "$CERT" \
	--cmdline "$CMDLINE" --output "$tmp/f"
# A signed image fixes its command line only if it has one naming oci=.
expect_error 2 "needs --cmdline naming oci=" "$UKIFY" build \
	--kernel "$KERNEL" --initrd "$tmp/initrd.zst" --key "$tmp/key.pem" \
	--cert "$CERT" --output "$tmp/f"
expect_error 2 "needs --cmdline naming oci=" "$UKIFY" build \
	--kernel "$KERNEL" --initrd "$tmp/initrd.zst" --key "$tmp/key.pem" \
	--cert "$CERT" --cmdline "console=ttyS0 xoci=a oci= ociboot.break=report" \
	--output "$tmp/f"
expect_error 1 "modules in" "$UKIFY" build --kernel "$KERNEL" --init "$INIT" \
	--modules-dir "$MODDIR" --uname 9.9.9 --output "$tmp/f"
printf 'oops\n' > "$tmp/bad-sbat"
expect_error 1 "SBAT" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$tmp/initrd.zst" --sbat "$tmp/bad-sbat" --output "$tmp/f"
[ ! -e "$tmp/f" ] || fatal "a failed build left its output behind"
ok "--help for each command; usage errors exit 2, failures exit 1," \
	"one line each"

testlib_finish
