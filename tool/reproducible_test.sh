#!/bin/sh
# SPDX-License-Identifier: MIT
# Reproducible by default: the same root filesystem tree, built twice with
# its files' mtimes set to two different days in between and no --salt,
# --uuid or SOURCE_DATE_EPOCH, gives the same layer digest, the same image
# manifest digest and the same system manifest digest (docs/layers.md,
# "Reproducibility"). With an RSA product key the signature is the same
# too; with an ECDSA one (a fresh nonce each time) only the signed bytes
# are, and the signature still verifies. A tag moved to another image is
# said on stderr.
set -u
. scripts/testlib.sh
tool=$BUILD/ociboot
need_driver "$tool"
testlib_tmpdir
unset SOURCE_DATE_EPOCH

product=6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab
"$tool" keys ca --out-key "$tmp/keys/ca.key" --out-cert "$tmp/keys/ca.pem" \
	> /dev/null &&
"$tool" keys product --ca-key "$tmp/keys/ca.key" --ca-cert "$tmp/keys/ca.pem" \
	--product "$product" --out-key "$tmp/keys/ec.key" \
	--out-cert "$tmp/keys/ec.pem" > /dev/null &&
"$tool" keys product --ca-key "$tmp/keys/ca.key" --ca-cert "$tmp/keys/ca.pem" \
	--product "$product" --rsa 2048 --out-key "$tmp/keys/rsa.key" \
	--out-cert "$tmp/keys/rsa.pem" > /dev/null ||
	fatal "keys"

tree=$tmp/rootfs
mkdir -p "$tree/bin" "$tree/etc" "$tree/usr/share/doc"
cp /bin/busybox "$tree/bin/busybox"
ln -s busybox "$tree/bin/sh"
echo "reproducible" > "$tree/etc/motd"
head -c 300000 /dev/urandom > "$tree/usr/share/doc/blob"

# build N DATE: every source file's mtime set to DATE, then the chain into
# $tmp/N; prints nothing, leaves the digests in $tmp/N/*.out.
build() {
	d=$tmp/$1
	find "$tree" -exec touch -h -d "$2" {} +
	"$tool" layer create --from-dir "$tree" --output "$d/base.layer" \
		> "$d.layer.out" &&
	"$tool" image create --layout "$d/store/oci" --tag rootfs \
		--layer "$d/base.layer" --entrypoint /sbin/init \
		> "$d.image.out" &&
	"$tool" manifest create --product "$product" --version 1 \
		--rootfs-layout "$d/store/oci" --rootfs-tag rootfs \
		--output "$d/system.json" > "$d.system.out" &&
	for k in ec rsa; do
		"$tool" manifest sign --key "$tmp/keys/$k.key" \
			--in "$d/system.json" --out "$d/system.$k.sig" \
			> /dev/null || return 1
	done
}
digest() { sed -n 's/^digest: //p' "$1"; }

build a '2001-02-03 04:05:06' || fatal "first build"
build b '2026-11-30 23:59:59' || fatal "second build"

check_equal "the same layer digest" "$(digest "$tmp/b.layer.out")" \
	"$(digest "$tmp/a.layer.out")"
check "the same layer blob" cmp -s "$tmp/a/base.layer" "$tmp/b/base.layer"
check_equal "the same image manifest digest" "$(digest "$tmp/b.image.out")" \
	"$(digest "$tmp/a.image.out")"
check_equal "the same system manifest digest" \
	"$(digest "$tmp/b.system.out")" "$(digest "$tmp/a.system.out")"
check "the same system manifest bytes" \
	cmp -s "$tmp/a/system.json" "$tmp/b/system.json"
check "the same RSA PKCS#1 v1.5 signature" \
	cmp -s "$tmp/a/system.rsa.sig" "$tmp/b/system.rsa.sig"
verify_ec() {
	"$tool" keys verify --ca "$tmp/keys/ca.pem" --cert "$tmp/keys/ec.pem" \
		--in "$tmp/b/system.json" --sig "$tmp/b/system.ec.sig" \
		> /dev/null
}
check "the ECDSA signature of the second build verifies" verify_ec
# The same tag over another image is said, not done silently; the same
# image again is not a move.
"$tool" image create --layout "$tmp/a/store/oci" --tag rootfs \
	--layer "$tmp/a/base.layer" --entrypoint /sbin/init > /dev/null \
	2> "$tmp/same.err"
check_equal "re-tagging the same image says nothing" "$(cat "$tmp/same.err")" ""
"$tool" image create --layout "$tmp/a/store/oci" --tag rootfs \
	--layer "$tmp/a/base.layer" --entrypoint /bin/sh > /dev/null \
	2> "$tmp/move.err"
grep -q "store/oci: tag rootfs moves from $(digest "$tmp/a.image.out") to sha256:" \
	"$tmp/move.err" && ok "a moved tag is said on stderr" ||
	fail "a moved tag: '$(cat "$tmp/move.err")'"
testlib_finish 9
