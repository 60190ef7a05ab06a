#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end test of the signed system: `ociboot keys`, `layer create`,
# `image create`, `manifest create/sign/package` make one, and
# `ociboot verify` (trust/system.c, the init's code) accepts it and prints
# each step. Then each link of the chain is broken, in a copy of the
# layout, and must be refused with its own reason:
#   - a manifest signed by a key the CA never certified (with the real
#     product certificate: the signature does not match; with its own
#     self-signed certificate: not issued by a trusted CA);
#   - a certificate from another CA (naming that CA);
#   - the system manifest edited after signing, its digest fixed up in the
#     artifact and the index, so only the signature can catch it;
#   - an image manifest naming a missing layer blob;
#   - a layer blob one byte longer, or shorter, than its descriptor;
#   - a corrupted verity superblock;
#   - a machine of another product (--product), a manifest for a product
#     other than its certificate's, a validation time after expiry;
#   - what only the host's full check sees (the boot leaves it to
#     dm-verity): a flipped data byte, a flipped hash-tree byte and a wrong
#     root hash, each in an image signed as it is.
# References: jq and sha256sum for the documents and digests, openssl for
# the certificate's DER and the signature (`openssl dgst -verify` and our
# `keys verify` agree), veritysetup for the root hashes, skopeo for the
# artifact's manifest, and docker-registry for a push and pull back of the
# whole system that verifies again.
# Needs openssl, jq, sha256sum, veritysetup, skopeo, docker-registry, curl
# and ss.
set -u
. scripts/testlib.sh
need_commands openssl jq sha256sum veritysetup skopeo docker-registry \
	curl ss
tool=$(cd "$(dirname "$BUILD/ociboot")" && pwd)/ociboot
need_driver "$tool"

testlib_tmpdir
cd "$tmp" || exit 1

# quiet COMMAND...: COMMAND with its standard output dropped.
quiet() {
	"$@" > /dev/null
}

# must DESCRIPTION COMMAND...: the setup step COMMAND must succeed.
must() {
	what=$1
	shift
	if ! "$@" > "$tmp/must.out" 2>&1; then
		cat "$tmp/must.out"
		fatal "$what"
	fi
}

U=5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31
U2=0a16c2d6-4ed8-4e34-9ef8-780a5148b423
SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
REF=org.opencontainers.image.ref.name
ROOT=io.stackeroci.stacker.atomfs_verity_root_hash
ROOT_LEGACY=io.stackeroci.stacker.squashfs_verity_root_hash
SYSTEM_TYPE=application/vnd.ociboot.system.v1
EMPTY=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
export SOURCE_DATE_EPOCH=1700000000

sha() {		# sha FILE: its digest as OCI writes it
	echo "sha256:$(sha256sum < "$1" | cut -d' ' -f1)"
}

der_sha() {	# der_sha PEM: the digest of the certificate's DER form
	echo "sha256:$(openssl x509 -in "$1" -outform DER | sha256sum |
		cut -d' ' -f1)"
}

size() {
	stat -c %s "$1"
}

# put LAYOUT FILE: store FILE as a blob; prints its digest.
put() {
	d=$(sha "$2")
	cp "$2" "$(blob "$1" "$d")"
	echo "$d"
}

# retag LAYOUT TAG FILE: store the manifest FILE and point TAG at it.
retag() {
	d=$(put "$1" "$3")
	jq -c --arg t "$2" --arg d "$d" --argjson s "$(size "$3")" \
		'.manifests |= map(if .annotations["'$REF'"] == $t
			then .digest = $d | .size = $s else . end)' \
		"$1/index.json" > "$tmp/index.new" &&
		mv "$tmp/index.new" "$1/index.json"
}

# verify LAYOUT [ARGS...]: ociboot verify with our CA, of the tag system
# unless ARGS name another.
verify() {
	l=$1
	shift
	case " $* " in
	*" --tag "*|*" --digest "*) set -- "$@" ;;
	*) set -- --tag system "$@" ;;
	esac
	"$tool" verify --layout "$l" --ca "$tmp/ca.pem" "$@"
}

# refused LABEL PATTERN LAYOUT [ARGS...]: verify fails (exit 1) with one
# line on stderr matching the grep -E "^ociboot verify: PATTERN".
refused() {
	label=$1 pattern="^ociboot verify: $2"
	shift 2
	verify "$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	if [ "$got" != 1 ]; then
		fail "$label: exit $got, want 1 ($(cat "$tmp/err"))"
	elif [ "$(wc -l < "$tmp/err")" != 1 ]; then
		fail "$label: wants one line on stderr: $(cat "$tmp/err")"
	elif ! grep -Eq "$pattern" "$tmp/err"; then
		fail "$label: wants /$pattern/: $(cat "$tmp/err")"
	else
		ok "$label: $(cat "$tmp/err")"
	fi
}

# --- keys -------------------------------------------------------------------

must "keys ca" "$tool" keys ca --out-key ca.key --out-cert ca.pem
must "keys product" "$tool" keys product --ca-key ca.key --ca-cert ca.pem \
	--product "$U" --out-key product.key --out-cert product.pem
must "another CA" "$tool" keys ca --out-key other-ca.key \
	--out-cert other-ca.pem --subject "CN=Other CA"
must "a product of another CA" "$tool" keys product --ca-key other-ca.key \
	--ca-cert other-ca.pem --product "$U" --out-key other.key \
	--out-cert other.pem
# A key the CA never certified, with a self-signed product certificate.
must "a self-signed product key" openssl req -new -x509 -newkey ec \
	-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue.key \
	-out rogue.pem -days 30 -subj "/CN=rogue/serialNumber=$U" \
	-addext "keyUsage=critical,digitalSignature" \
	-addext "basicConstraints=critical,CA:FALSE"

# --- layers, image, system --------------------------------------------------

mkdir -p t1/etc t1/sbin t2/etc
echo base > t1/etc/os-release
printf '#!/bin/sh\nexec sh\n' > t1/sbin/init
chmod 755 t1/sbin/init
dd if=/dev/urandom of=t1/big bs=64k count=8 status=none
echo app > t2/etc/app.conf
for n in 1 2; do
	must "layer create t$n" "$tool" layer create --from-dir "t$n" \
		--output "l$n" --salt "$SALT" --mtime 0 --owner 0:0
done
must "image create" "$tool" image create --layout lay --tag rootfs \
	--layer l1 --layer l2 --entrypoint /sbin/init --env A=b
must "image create (a service)" "$tool" image create --layout lay \
	--tag sshd --layer l2

create() {	# create OUTPUT PRODUCT [ARGS...]
	out=$1 product=$2
	shift 2
	"$tool" manifest create --product "$product" --version 7 \
		--rootfs-layout lay --rootfs-tag rootfs \
		--rootfs-repository acme/router/rootfs "$@" --output "$out"
}

must "manifest create" create system.json "$U" --service sshd=lay:sshd
must "manifest sign" "$tool" manifest sign --key product.key \
	--in system.json --out system.sig
must "manifest package" "$tool" manifest package --layout lay \
	--tag system --manifest system.json --signature system.sig \
	--cert product.pem
artifact=$(manifest_of lay system)

# --- the good system --------------------------------------------------------

if verify lay > verify.out 2> verify.err; then
	ok "ociboot verify accepts the system"
else
	fail "ociboot verify refused the system: $(cat verify.err)"
fi
check "... and ends with OK" test "$(tail -n 1 verify.out)" = OK
cat verify.out
image=$(index_digest lay rootfs)
for l in l1 l2; do
	root=$(jq -r ".layers[] | select(.digest == \"$(sha "$l")\") |
		.annotations[\"$ROOT\"]" "$(blob lay "$image")")
	check "veritysetup verifies $l with its signed root hash" \
		veritysetup verify --hash-offset="$(hash_offset "$l")" \
		"$l" "$l" "$root"
	check "the summary names $l, its root hash and hash offset" grep -q \
		"^layer .: $(sha "$l") $(size "$l") bytes, root hash $root, \
hash offset $(hash_offset "$l") " verify.out
done
check "the summary names artifact, product, version, rootfs, service" sh -c "
	grep -qx 'artifact: $(index_digest lay system) ($(size "$artifact") \
bytes, tag \"system\")' verify.out &&
	grep -qx 'product: $U (the certificate'\"'\"'s)' verify.out &&
	grep -qx 'version: 7' verify.out &&
	grep -q '^rootfs: image $image ' verify.out &&
	grep -q '^service sshd: image $(index_digest lay sshd)' verify.out"
check "verify by digest, with the machine's product, works too" quiet \
	"$tool" verify --layout lay --digest "$(index_digest lay system)" \
	--ca ca.pem --product "$U"

# The system manifest: what was asked, parsed back by jq.
jq -r '.schemaVersion, .mediaType, .product, .version, .rootfs.repository,
	.rootfs.digest, .rootfs.mediaType, .rootfs.size, .services[0].name,
	.services[0].digest, (.services | length)' system.json > fields
cat > want <<WANT
1
application/vnd.ociboot.system.manifest.v1+json
$U
7
acme/router/rootfs
$image
application/vnd.oci.image.manifest.v1+json
$(size "$(blob lay "$image")")
sshd
$(index_digest lay sshd)
1
WANT
check "system manifest: the fields asked for (jq)" cmp -s fields want
create again.json "$(echo "$U" | tr a-f A-F)" --service sshd=lay:sshd \
	> /dev/null
check "manifest create: the same input gives the same bytes (UUID case \
folded)" cmp -s system.json again.json

# The artifact: the format of docs/formats.md, digests by sha256sum.
jq -r '.schemaVersion, .mediaType, .artifactType, .config.mediaType,
	.config.digest, .config.size, .layers[].mediaType,
	(.layers | length)' "$artifact" > fields
cat > want <<WANT
2
application/vnd.oci.image.manifest.v1+json
$SYSTEM_TYPE
application/vnd.oci.empty.v1+json
$EMPTY
2
application/vnd.ociboot.system.manifest.v1+json
application/vnd.ociboot.system.signature.v1
application/vnd.ociboot.system.certificate.v1+der
3
WANT
check "artifact: artifactType, empty config, three layers (jq)" \
	cmp -s fields want
check "the empty config blob is the 2 bytes {}" test \
	"$(cat "$(blob lay "$EMPTY")")" = "{}"
openssl x509 -in product.pem -outform DER -out product.der
n=0
for f in system.json system.sig product.der; do
	check "layer $n of the artifact is $f: digest and size" test \
		"$(jq -r ".layers[$n] | \"\(.digest) \(.size)\"" "$artifact")" \
		= "$(sha "$f") $(size "$f")"
	n=$((n + 1))
done
check "every blob is named by its sha256" sh -c '
	for f in lay/blobs/sha256/*; do
		[ "$(sha256sum < "$f" | cut -d" " -f1)" = "${f##*/}" ] ||
			exit 1
	done'
cp -a lay der
must "package with a DER certificate" "$tool" manifest package \
	--layout der --tag system --manifest system.json \
	--signature system.sig --cert product.der
check "a DER certificate gives the same artifact as PEM" test \
	"$(index_digest der system)" = "$(index_digest lay system)"

# The signature in the artifact: openssl and `keys verify` agree.
man_blob=$(blob lay "$(jq -r '.layers[0].digest' "$artifact")")
sig_blob=$(blob lay "$(jq -r '.layers[1].digest' "$artifact")")
cert_blob=$(blob lay "$(jq -r '.layers[2].digest' "$artifact")")
openssl x509 -inform DER -in "$cert_blob" -noout -pubkey > pub.pem
check "openssl dgst -verify accepts the artifact's signature" sh -c \
	"openssl dgst -sha256 -verify pub.pem -signature '$sig_blob' \
	'$man_blob' | grep -qx 'Verified OK'"
check "keys verify accepts it too" quiet "$tool" keys verify --ca ca.pem \
	--cert "$cert_blob" --in "$man_blob" --sig "$sig_blob"
sed 's/"version":7/"version":8/' system.json > edited.json
if openssl dgst -sha256 -verify pub.pem -signature "$sig_blob" \
	edited.json > /dev/null 2>&1; then
	fail "openssl accepted the signature over an edited manifest"
elif "$tool" keys verify --ca ca.pem --cert "$cert_blob" \
	--in edited.json --sig "$sig_blob" > /dev/null 2>&1; then
	fail "keys verify accepted the signature over an edited manifest"
else
	ok "both refuse the signature over an edited manifest"
fi

# skopeo reads the artifact's manifest as we wrote it.
if skopeo inspect --raw oci:lay:system > raw 2> skopeo.err; then
	check "skopeo inspect --raw gives the artifact's manifest bytes" \
		cmp -s raw "$artifact"
else
	fail "skopeo inspect --raw oci:lay:system: $(cat skopeo.err)"
fi

# --- broken links, each in a copy of the layout -----------------------------

# A key the CA never certified, with the real product certificate.
cp -a lay rogue-key
must "sign with a rogue key" "$tool" manifest sign --key rogue.key \
	--in system.json --out rogue.sig
must "package" "$tool" manifest package --layout rogue-key --tag system \
	--manifest system.json --signature rogue.sig --cert product.pem
refused "signed by an uncertified key" \
	"signature of system manifest $(sha system.json) by 'CN=ociboot \
product, serialNumber=$U': signature does not match: verification failed$" \
	rogue-key

# ... with its own self-signed certificate.
cp -a lay rogue-cert
must "package" "$tool" manifest package --layout rogue-cert --tag system \
	--manifest system.json --signature rogue.sig --cert rogue.pem
refused "a self-signed product certificate" \
	"certificate $(der_sha rogue.pem): signer certificate 'CN=rogue.*: \
certificate not issued by a trusted CA: verification failed$" \
	rogue-cert

# A product certificate (and key) from another CA.
cp -a lay other-ca
must "sign with the other CA's product key" "$tool" manifest sign \
	--key other.key --in system.json --out other.sig
must "package" "$tool" manifest package --layout other-ca --tag system \
	--manifest system.json --signature other.sig --cert other.pem
refused "a certificate from another CA" \
	"certificate $(der_sha other.pem): signer certificate 'CN=ociboot \
product, serialNumber=$U' issued by 'CN=Other CA': certificate not issued \
by a trusted CA: verification failed$" \
	other-ca

# The system manifest edited after signing; the artifact and the index
# fixed up, so every digest matches and only the signature can tell.
cp -a lay edited
edited_digest=$(put edited edited.json)
jq -c --arg d "$edited_digest" --argjson s "$(size edited.json)" \
	'.layers[0].digest = $d | .layers[0].size = $s' "$artifact" \
	> edited-artifact.json
retag edited system edited-artifact.json
refused "the system manifest edited after signing" \
	"signature of system manifest $edited_digest by 'CN=ociboot product, \
serialNumber=$U': signature does not match: verification failed$" \
	edited
check "... while its digests all match (the edit is not caught earlier)" \
	test "$(sha "$(blob edited "$(jq -r '.layers[0].digest' \
	"$(manifest_of edited system)")")")" = "$edited_digest"

# The image manifest names a layer blob that is not there.
cp -a lay missing
layer1=$(sha l2)
rm "$(blob missing "$layer1")"
refused "a missing layer blob" \
	"layer 1 $layer1: blob $layer1 is missing: No such file or directory$" \
	missing

# Layer blobs one byte longer and one byte shorter than their descriptor.
cp -a lay longer
printf x >> "$(blob longer "$layer1")"
refused "a layer blob one byte longer" \
	"layer 1 $layer1: size $(($(size l2) + 1)) differs from the \
descriptor's $(size l2): verification failed$" \
	longer
cp -a lay shorter
layer0=$(sha l1)
truncate -s -1 "$(blob shorter "$layer0")"
refused "a layer blob one byte shorter" \
	"layer 0 $layer0: size $(($(size l1) - 1)) differs from the \
descriptor's $(size l1): verification failed$" \
	shorter

# A corrupted verity superblock (its version field), caught without
# hashing the blob.
cp -a lay badsuper
flip_byte "$(blob badsuper "$layer0")" $(($(hash_offset l1) + 8)) 1
refused "a corrupted verity superblock" \
	"layer 0 $layer0: verity superblock \(at byte $(hash_offset l1)\): \
malformed input$" \
	badsuper

# Products and time.
refused "a machine of another product" \
	"system manifest $(sha system.json) signed by 'CN=ociboot product, \
serialNumber=$U': for product $U, not this machine's $U2: verification \
failed$" \
	lay --product "$U2"
cp -a lay wrong-product
must "a manifest for another product" create other-product.json "$U2"
must "sign it" "$tool" manifest sign --key product.key \
	--in other-product.json --out other-product.sig
must "package it" "$tool" manifest package --layout wrong-product \
	--tag system --manifest other-product.json \
	--signature other-product.sig --cert product.pem
refused "a manifest for a product other than its certificate's" \
	"system manifest $(sha other-product.json) signed by 'CN=ociboot \
product, serialNumber=$U': for product $U2, but its signer's certificate \
is for product $U: verification failed$" \
	wrong-product
refused "a validation time after the certificate expired" \
	"certificate $(der_sha product.pem): signer certificate 'CN=ociboot \
product, serialNumber=$U': certificate expired or not yet valid at 2096-" \
	lay --time 4000000000
refused "a tag that is not there" \
	"index.json: no manifest is tagged 'nope': No such file or \
directory$" lay \
	--tag nope

# --- what only the full check sees ------------------------------------------
# Each damaged layer is put in a new image that is signed as it is, so
# every digest matches and the boot's checks pass; the boot leaves these
# to dm-verity, `ociboot verify` recomputes them.

# signed_with_layer NAME FILE [ROOT]: a layout NAME whose rootfs image has
# FILE (a copy of l1, damaged) as its bottom layer (and ROOT as its root
# hash annotation), signed and packaged.
signed_with_layer() {
	cp -a lay "$1"
	d=$(put "$1" "$2")
	jq -c --arg d "$d" --argjson s "$(size "$2")" --arg r "${3:-}" \
		'.layers[0].digest = $d | .layers[0].size = $s |
		 if $r != "" then .layers[0].annotations["'$ROOT'"] = $r |
			.layers[0].annotations["'$ROOT_LEGACY'"] = $r
		 else . end' "$(blob lay "$image")" > "$1.image.json"
	retag "$1" rootfs "$1.image.json"
	"$tool" manifest create --product "$U" --version 7 \
		--rootfs-layout "$1" --rootfs-tag rootfs --output "$1.json" \
		> /dev/null &&
	"$tool" manifest sign --key product.key --in "$1.json" \
		--out "$1.sig" > /dev/null &&
	"$tool" manifest package --layout "$1" --tag system \
		--manifest "$1.json" --signature "$1.sig" \
		--cert product.pem > /dev/null
}

# full_check_refuses LABEL PATTERN LAYOUT: the boot's checks pass (the
# summary is printed), the full check fails with PATTERN.
full_check_refuses() {
	refused "$1" "$2" "$3"
	check "... after the boot's checks passed" grep -q '^layer 0: ' \
		"$tmp/out"
}

offset=$(hash_offset l1)
cp l1 data-flipped
flip_byte data-flipped 5000 1
must "an image with a flipped data byte" signed_with_layer data \
	data-flipped
full_check_refuses "a flipped data byte" \
	"layer 0 $(sha data-flipped): hash block [0-9]+ \
\(offset [0-9]+\) differs from the one its data gives$" \
	data
cp l1 tree-flipped
flip_byte tree-flipped $((offset + 4096 + 7)) 1
must "an image with a flipped hash-tree byte" signed_with_layer tree \
	tree-flipped
full_check_refuses "a flipped hash-tree byte" \
	"layer 0 $(sha tree-flipped): hash block \
$((offset / 4096 + 1)) \(offset $((offset + 4096))\) differs" \
	tree
cp l1 root-wrong
must "an image with another root hash" signed_with_layer root root-wrong \
	"$(printf '%064d' 0)"
full_check_refuses "a wrong root hash annotation" \
	"layer 0 $(sha l1): verity root hash [0-9a-f]{64} is not \
the signed annotation's 0{64}$" \
	root

# --- a registry round trip --------------------------------------------------

if registry_start; then
	remote=docker://127.0.0.1:$registry_port/acme/router
	if skopeo copy -q --dest-tls-verify=false oci:lay:system \
		"$remote:system" 2> skopeo.err &&
		skopeo copy -q --dest-tls-verify=false oci:lay:rootfs \
			"$remote:rootfs" 2>> skopeo.err &&
		skopeo copy -q --src-tls-verify=false "$remote:system" \
			oci:pulled:system 2>> skopeo.err &&
		skopeo copy -q --src-tls-verify=false "$remote:rootfs" \
			oci:pulled:rootfs 2>> skopeo.err &&
		skopeo copy -q --dest-tls-verify=false oci:lay:sshd \
			"$remote/sshd:sshd" 2>> skopeo.err &&
		skopeo copy -q --src-tls-verify=false "$remote/sshd:sshd" \
			oci:pulled:sshd 2>> skopeo.err; then
		check "pushed and pulled back: the same artifact digest" test \
			"$(index_digest pulled system)" = \
			"$(index_digest lay system)"
		check "... the same blobs" sh -c "
			for d in \$(jq -r '.config.digest, .layers[].digest' \
				'$artifact'); do
				cmp -s 'lay/blobs/sha256/'\${d#sha256:} \
					'pulled/blobs/sha256/'\${d#sha256:} ||
					exit 1
			done"
		check "ociboot verify accepts the pulled layout" quiet \
			verify pulled --product "$U"
	else
		cat skopeo.err
		fail "skopeo round trip through docker-registry"
	fi
else
	cat "$tmp/registry.log"
	fail "docker-registry did not start"
fi

testlib_finish
