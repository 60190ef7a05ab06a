#!/bin/sh
# kernel.efi built by `ukify build`, checked with independent tools:
# sbverify (Authenticode), objdump (PE layout), sha256sum (section bytes).
# Signs with the key OVMF ships enrolled, as the demo does.
set -eu

BUILD=${BUILD:-build}
UKIFY=$BUILD/ukify
KVER=${KVER:-$(dpkg-query -W -f '${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p')}
KERNEL=/boot/vmlinuz-$KVER
MODDIR=/lib/modules/$KVER
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
SNAKEOIL_KEY=/usr/share/ovmf/PkKek-1-snakeoil.key
CERT=/usr/share/ovmf/PkKek-1-snakeoil.pem
CMDLINE="console=ttyS0 ociboot.test=1"
EPOCH=1700000000

checks=0
fail() { echo "FAIL: $*"; exit 1; }
ok() { checks=$((checks + 1)); echo "ok: $*"; }

[ -x "$UKIFY" ] || fail "$UKIFY not built"
for f in "$KERNEL" "$MODDIR/modules.dep" "$STUB" "$SNAKEOIL_KEY" "$CERT"; do
	[ -f "$f" ] || fail "$f missing (run scripts/install-packages)"
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

INIT=$BUILD/init
[ -f "$INIT" ] || INIT=/bin/true
openssl rsa -in "$SNAKEOIL_KEY" -passin pass:snakeoil -out "$T/key.pem" \
	2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$T/ca.key" -subj /CN=test-ca -days 1 -out "$T/ca.pem" \
	2>/dev/null
{
	echo "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md"
	echo "ociboot.test,1,ociboot,ociboot,0.1.0,https://example.invalid/"
} > "$T/sbat.csv"
initrd_args="--init $INIT --modules-dir $MODDIR --module dm-verity
	--module overlay --module squashfs --module loop --module virtio_blk
	--module virtio_net --ca $T/ca.pem"

build() {	# build OUTPUT [EXTRA ARGS...]
	out=$1
	shift
	# shellcheck disable=SC2086
	SOURCE_DATE_EPOCH=${EPOCH_OVERRIDE:-$EPOCH} "$UKIFY" build \
		--stub "$STUB" --kernel "$KERNEL" $initrd_args \
		--cmdline "$CMDLINE" --sbat "$T/sbat.csv" --output "$out" "$@"
}

build "$T/a.efi" --key "$T/key.pem" --cert "$CERT"
build "$T/b.efi" --key "$T/key.pem" --cert "$CERT"
cmp "$T/a.efi" "$T/b.efi" || fail "two signed builds differ"
ok "two signed builds from the same inputs are byte-identical"

SOURCE_DATE_EPOCH=$EPOCH "$BUILD/ociboot" ukify build --stub "$STUB" \
	--kernel "$KERNEL" $initrd_args --cmdline "$CMDLINE" \
	--sbat "$T/sbat.csv" --key "$T/key.pem" --cert "$CERT" \
	--output "$T/c.efi"
cmp "$T/a.efi" "$T/c.efi" || fail "'ociboot ukify build' differs"
ok "'ociboot ukify build' gives the same bytes as 'ukify build'"

sbverify --cert "$CERT" "$T/a.efi" > "$T/sbverify.log" 2>&1 ||
	fail "sbverify rejects our signature: $(cat "$T/sbverify.log")"
ok "sbverify --cert accepts the signed image"

# objdump's reading of the section table must match ours, line for line.
objdump -h "$T/a.efi" > "$T/objdump.raw" || fail "objdump -h failed"
awk '$1 ~ /^[0-9]+$/ { print $2, $3, $4, $6 }' "$T/objdump.raw" |
while read -r name size vma off; do
	printf '%s 0x%08x 0x%08x 0x%08x\n' "$name" "0x$vma" "0x$size" "0x$off"
done > "$T/objdump"
"$UKIFY" inspect "$T/a.efi" > "$T/inspect"
awk '$1 ~ /^\./ { print $1, $2, $3, $4 }' "$T/inspect" > "$T/ours"
cmp -s "$T/objdump" "$T/ours" ||
	fail "objdump and inspect disagree: $(diff "$T/objdump" "$T/ours")"
for s in .osrel .cmdline .uname .sbat .linux .initrd; do
	[ "$(grep -c "^$s " "$T/objdump")" = 1 ] ||
		fail "objdump does not show exactly one $s"
done
ok "objdump -h: .osrel .cmdline .uname .sbat .linux .initrd once each;" \
	"same layout as inspect"

order=$(awk '{ printf "%s ", $1 }' "$T/objdump")
case $order in
*".osrel .cmdline .uname .sbat .linux .initrd ") ;;
*) fail "added sections out of order: $order" ;;
esac
prev=0
while read -r name vma size off; do
	[ $((vma)) -ge "$prev" ] || fail "$name overlaps the section before"
	prev=$((vma + size))
done < "$T/objdump"
ok "sections in order, addresses ascending without overlap"

section_sha() { awk -v s="$1" '$1 == s { print $5 }' "$T/inspect"; }
sha() { sha256sum | cut -d' ' -f1; }
[ "$(section_sha .linux)" = "$(sha < "$KERNEL")" ] ||
	fail ".linux is not the kernel"
# shellcheck disable=SC2086
SOURCE_DATE_EPOCH=$EPOCH "$UKIFY" initrd $initrd_args \
	--output "$T/initrd.zst"
[ "$(section_sha .initrd)" = "$(sha < "$T/initrd.zst")" ] ||
	fail ".initrd is not what 'ukify initrd' builds from the same inputs"
[ "$(section_sha .uname)" = "$(printf %s "$KVER" | sha)" ] ||
	fail ".uname is not $KVER"
[ "$(section_sha .cmdline)" = "$(printf %s "$CMDLINE" | sha)" ] ||
	fail ".cmdline is not the command line"
ok "inspect: sha256 of .linux/.initrd/.uname/.cmdline = sha256sum of the inputs"

objcopy -O binary --only-section=.osrel "$T/a.efi" "$T/osrel"
grep -qx 'ID=ociboot' "$T/osrel" && grep -q '^VERSION_ID=' "$T/osrel" ||
	fail "default .osrel: $(cat "$T/osrel")"
objcopy -O binary --only-section=.sbat "$T/a.efi" "$T/sbat"
objcopy -O binary --only-section=.sbat "$STUB" "$T/stub-sbat"
tr -d '\000' < "$T/stub-sbat" > "$T/expected-sbat"
tail -n 1 "$T/sbat.csv" >> "$T/expected-sbat"
tr -d '\000' < "$T/sbat" | cmp -s - "$T/expected-sbat" ||
	fail ".sbat is not the stub's entries plus ours"
[ "$(grep -c '^sbat,' "$T/sbat")" = 1 ] || fail "two sbat header lines"
ok ".osrel generated; .sbat = the stub's lines + the product's (one header)"

grep -q "^signer: .*O=SnakeOil" "$T/inspect" &&
	grep -q "^image digest: matches" "$T/inspect" &&
	grep -q "^signature: valid" "$T/inspect" &&
	grep -q "^signing time: 2023-11-14 22:13:20" "$T/inspect" ||
	fail "inspect of the signed image: $(cat "$T/inspect")"
ok "inspect names the signer and the signing time from SOURCE_DATE_EPOCH"

EPOCH_OVERRIDE=$((EPOCH + 60)) build "$T/later.efi" --key "$T/key.pem" \
	--cert "$CERT"
! cmp -s "$T/a.efi" "$T/later.efi" || fail "signing time is not recorded"
sbverify --cert "$CERT" "$T/later.efi" > /dev/null 2>&1 ||
	fail "sbverify rejects the later build"
ok "another SOURCE_DATE_EPOCH changes only the signature, still valid"

build "$T/unsigned.efi"
if sbverify --cert "$CERT" "$T/unsigned.efi" > /dev/null 2>&1; then
	fail "sbverify accepts an unsigned image"
fi
"$UKIFY" inspect "$T/unsigned.efi" | grep -q "^signature: none" ||
	fail "inspect does not say the unsigned image is unsigned"
ok "an unsigned build is rejected by sbverify"

# Flip one byte in the middle of .linux.
off=$(($(awk '$1 == ".linux" { print $4 }' "$T/inspect") + 4096))
cp "$T/a.efi" "$T/tampered.efi"
byte=$(od -An -tu1 -j "$off" -N1 "$T/a.efi" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
	dd of="$T/tampered.efi" bs=1 seek="$off" conv=notrunc 2>/dev/null
! cmp -s "$T/a.efi" "$T/tampered.efi" || fail "tampering did not happen"
if sbverify --cert "$CERT" "$T/tampered.efi" > /dev/null 2>&1; then
	fail "sbverify accepts a tampered image"
fi
"$UKIFY" inspect "$T/tampered.efi" | grep -q "^image digest: DOES NOT" ||
	fail "inspect does not see the tampering"
ok "one flipped byte in .linux fails sbverify and inspect's digest check"

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
for cmd in build initrd inspect; do
	"$UKIFY" "$cmd" --help | grep -q "usage: ukify $cmd" ||
		fail "ukify $cmd --help"
done
"$UKIFY" --help | grep -q "usage: ukify" || fail "ukify --help"
expect 2 "missing command" "$UKIFY"
expect 2 "unknown command" "$UKIFY" frobnicate
expect 2 "--kernel" "$UKIFY" build --initrd "$T/initrd.zst" --output "$T/f"
expect 2 "--output" "$UKIFY" build --kernel "$KERNEL" --initrd "$T/initrd.zst"
expect 2 "--key and --cert" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$T/initrd.zst" --key "$T/key.pem" --output "$T/f"
expect 2 "--initrd excludes" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$T/initrd.zst" --init "$INIT" --output "$T/f"
expect 2 "--cmdline needs a value" "$UKIFY" build --cmdline
expect 2 "unknown option" "$UKIFY" build --frob
expect 2 "exactly one FILE" "$UKIFY" inspect
expect 1 "not a valid PE32+" "$UKIFY" inspect "$T/initrd.zst"
expect 1 "/nonexistent" "$UKIFY" build --kernel /nonexistent \
	--initrd "$T/initrd.zst" --output "$T/f"
expect 1 "not a valid PE32+" "$UKIFY" build --stub "$T/initrd.zst" \
	--kernel "$KERNEL" --initrd "$T/initrd.zst" --output "$T/f"
expect 1 "no MZ" "$UKIFY" build --kernel "$T/initrd.zst" \
	--initrd "$T/initrd.zst" --uname 6.1 --output "$T/f"
openssl genrsa 2048 2>/dev/null > "$T/other.pem"
expect 1 "does not match" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$T/initrd.zst" --key "$T/other.pem" --cert "$CERT" \
	--output "$T/f"
expect 1 "not RSA" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$T/initrd.zst" --key "$T/ca.key" --cert "$T/ca.pem" \
	--output "$T/f"
expect 1 "unencrypted" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$T/initrd.zst" --key "$SNAKEOIL_KEY" --cert "$CERT" \
	--output "$T/f"
expect 1 "modules in" "$UKIFY" build --kernel "$KERNEL" --init "$INIT" \
	--modules-dir "$MODDIR" --uname 9.9.9 --output "$T/f"
printf 'oops\n' > "$T/bad-sbat"
expect 1 "SBAT" "$UKIFY" build --kernel "$KERNEL" \
	--initrd "$T/initrd.zst" --sbat "$T/bad-sbat" --output "$T/f"
[ ! -e "$T/f" ] || fail "a failed build left its output behind"
ok "--help for each command; usage errors exit 2, failures exit 1," \
	"one line each"

echo "$checks passed, 0 failed"
