#!/bin/sh
# SPDX-License-Identifier: MIT
# End-to-end test of `ociboot image` and the OCI layout reader against
# independent tools:
#   - two layers from `ociboot layer create`, one from gensquashfs +
#     `veritysetup format` (the interop case), made into images;
#   - every blob's name is its sha256 (sha256sum), the index names the
#     printed manifest digest, the config says what was asked (jq), the
#     diff_ids are the layer digests, and `veritysetup verify` accepts each
#     layer with the root hash of its annotation (and veritysetup's own
#     printed root hash is the annotation of the gensquashfs layer);
#   - the same inputs give the same bytes, in a new layout or again in the
#     same one; retagging replaces one tag and keeps the others;
#   - skopeo: `inspect --raw` gives our manifest and config bytes, `copy`
#     to another layout keeps the manifest digest and every blob, and a
#     push to docker-registry and a pull back into a new layout too;
#   - our reader (`image inspect --verify`) reads the layouts skopeo wrote,
#     including a stacker-style image (pretty-printed JSON, the legacy
#     annotation, `+zstd+verity`) that skopeo copied from a hand-made
#     `dir:` image;
#   - a flipped byte in the config blob is refused, naming its digest (and
#     skopeo refuses it too); a flipped byte in a layer only by --verify; a
#     missing layer blob is named.
# Needs skopeo, docker-registry, curl, jq, gensquashfs, veritysetup.
set -u
. scripts/testlib.sh
need_commands skopeo docker-registry curl ss jq gensquashfs veritysetup \
	sha256sum
tool=$BUILD/ociboot
need_driver "$tool"
testlib_tmpdir

SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
UUID=8b1e0a2c-3d4f-4a5b-9c6d-7e8f90a1b2c3
export SOURCE_DATE_EPOCH=1700000000
CREATED=2023-11-14T22:13:20Z
REF=org.opencontainers.image.ref.name
ROOT=io.stackeroci.stacker.atomfs_verity_root_hash

# Every file of LAYOUT/blobs/sha256 is named by its sha256.
blobs_named_by_digest() {
	for f in "$1"/blobs/sha256/*; do
		[ "$(sha256sum < "$f" | cut -d' ' -f1)" = "${f##*/}" ] ||
			return 1
	done
}

# same_blobs A B TAG: the image TAG has the same manifest digest in layouts
# A and B, and its manifest, config and layer blobs are identical.
same_blobs() {
	da=$(index_digest "$1" "$3")
	[ -n "$da" ] && [ "$da" = "$(index_digest "$2" "$3")" ] || return 1
	m=$(blob "$1" "$da")
	for d in "$da" $(jq -r '.config.digest, .layers[].digest' "$m"); do
		cmp -s "$(blob "$1" "$d")" "$(blob "$2" "$d")" || return 1
	done
}

# --- layers -----------------------------------------------------------------

mkdir -p "$tmp/t1/etc" "$tmp/t1/sbin" "$tmp/t2/etc" "$tmp/t3/etc"
echo base > "$tmp/t1/etc/os-release"
printf '#!/bin/sh\nexec sh\n' > "$tmp/t1/sbin/init"
chmod 755 "$tmp/t1/sbin/init"
dd if=/dev/urandom of="$tmp/t1/big" bs=64k count=40 status=none
echo app > "$tmp/t2/etc/app.conf"
echo interop > "$tmp/t3/etc/hello"

for n in 1 2; do
	if ! "$tool" layer create --from-dir "$tmp/t$n" --output "$tmp/l$n" \
		--salt "$SALT" --uuid "$UUID" --mtime 0 --owner 0:0 \
		> "$tmp/l$n.out"; then
		fail "ociboot layer create t$n"
		exit 1
	fi
done
ok "two layers from ociboot layer create"

# The interop layer: gensquashfs (zstd, padded to 4096 by default), then
# veritysetup appends superblock and tree at the padded size.
gensquashfs -q -D "$tmp/t3" -c zstd --all-root "$tmp/l3" ||
	{ fail "gensquashfs"; exit 1; }
size=$(stat -c %s "$tmp/l3")
[ $((size % 4096)) = 0 ] || truncate -s $(((size + 4095) / 4096 * 4096)) \
	"$tmp/l3"
l3_offset=$(stat -c %s "$tmp/l3")
l3_root=$(veritysetup format --data-block-size=4096 --hash-block-size=4096 \
	--hash-offset="$l3_offset" "$tmp/l3" "$tmp/l3" |
	sed -n 's/^Root hash:[[:space:]]*//p')
check "veritysetup formats the gensquashfs layer" test -n "$l3_root"

# --- image create -----------------------------------------------------------

lay=$tmp/lay
create() {	# create LAYOUT TAG LAYER...
	l=$1 t=$2
	shift 2
	args=
	for x; do args="$args --layer $x"; done
	# shellcheck disable=SC2086
	"$tool" image create --layout "$l" --tag "$t" $args \
		--entrypoint /sbin/init --entrypoint --debug \
		--cmd 'two words' --env PATH=/usr/bin:/bin --env 'Q="x"' \
		--workdir /srv
}

if ! create "$lay" v1 "$tmp/l1" "$tmp/l2" > "$tmp/create.out"; then
	fail "image create"
	exit 1
fi
digest=$(sed -n 's/^digest: //p' "$tmp/create.out")
manifest=$(blob "$lay" "$digest")
check "image create prints the digest index.json has for v1" \
	test "$(index_digest "$lay" v1)" = "$digest"
check "the manifest blob hashes to the printed digest" \
	test "sha256:$(sha256sum < "$manifest" | cut -d' ' -f1)" = "$digest"
check "every blob is named by its sha256" blobs_named_by_digest "$lay"
check "oci-layout is version 1.0.0" \
	test "$(jq -r .imageLayoutVersion "$lay/oci-layout")" = 1.0.0

config=$(blob "$lay" "$(jq -r .config.digest "$manifest")")
check "config: what was asked, per jq" test "$(jq -c \
	'[.architecture, .os, .created, .config.Entrypoint, .config.Cmd,
	  .config.Env, .config.WorkingDir, .rootfs.type]' "$config")" = \
	'["amd64","linux","'$CREATED'",["/sbin/init","--debug"],["two words"],["PATH=/usr/bin:/bin","Q=\"x\""],"/srv","layers"]'
check "diff_ids are the layer digests, bottom first" test \
	"$(jq -c .rootfs.diff_ids "$config")" = \
	"$(jq -c '[.layers[].digest]' "$manifest")"
check "layer digests are those layer create printed" test \
	"$(jq -r '.layers[].digest' "$manifest" | tr '\n' ' ')" = \
	"$(sed -n 's/^digest: //p' "$tmp/l1.out" "$tmp/l2.out" | tr '\n' ' ')"
check "media types and sizes" test "$(jq -c \
	'[.mediaType, .config.mediaType, .layers[].mediaType,
	  (.layers[].size | tostring)]' "$manifest")" = \
	"[\"application/vnd.oci.image.manifest.v1+json\",\"application/vnd.oci.image.config.v1+json\",\"application/vnd.stacker.image.layer.squashfs+zstd\",\"application/vnd.stacker.image.layer.squashfs+zstd\",\"$(stat -c %s "$tmp/l1")\",\"$(stat -c %s "$tmp/l2")\"]"

# Each annotation is the real root hash: veritysetup verifies the blob
# with it, and refuses it with the other layer's.
n=0
for l in "$tmp/l1" "$tmp/l2"; do
	root=$(jq -r ".layers[$n].annotations[\"$ROOT\"]" "$manifest")
	check "veritysetup verify accepts layer $n with its annotation" \
		veritysetup verify --data-block-size=4096 \
		--hash-block-size=4096 --hash-offset="$(hash_offset "$l")" \
		"$l" "$l" "$root"
	other=$(jq -r ".layers[$((1 - n))].annotations[\"$ROOT\"]" "$manifest")
	if veritysetup verify --hash-offset="$(hash_offset "$l")" "$l" "$l" \
		"$other" 2> /dev/null; then
		fail "veritysetup accepted layer $n with another root hash"
	else
		ok "veritysetup refuses layer $n with another root hash"
	fi
	n=$((n + 1))
done

# The interop layer: the annotation is veritysetup's printed root hash.
"$tool" image create --layout "$lay" --tag interop --layer "$tmp/l3" \
	> /dev/null || fail "image create of the gensquashfs layer"
check "gensquashfs + veritysetup layer: annotation = veritysetup's root" \
	test "$(jq -r ".layers[0].annotations[\"$ROOT\"]" \
	"$(manifest_of "$lay" interop)")" = "$l3_root"

# A bad layer is refused before anything is written.
head -c 20000 /dev/urandom > "$tmp/junk"
if "$tool" image create --layout "$tmp/nolayout" --tag v1 \
	--layer "$tmp/l1" --layer "$tmp/junk" > /dev/null 2> "$tmp/err"; then
	fail "image create took a blob that is no layer"
else
	check "a blob that is no layer is refused, the layout left unmade" \
		test ! -e "$tmp/nolayout"
fi

# --- determinism and tags -----------------------------------------------------

create "$tmp/again" v1 "$tmp/l1" "$tmp/l2" > /dev/null
check "the same inputs in a new layout: the same manifest digest" \
	test "$(index_digest "$tmp/again" v1)" = "$digest"
check "... and the same blobs" same_blobs "$lay" "$tmp/again" v1
cp "$lay/index.json" "$tmp/index.before"
create "$lay" v1 "$tmp/l1" "$tmp/l2" > /dev/null
check "creating it again leaves index.json as it was" \
	cmp -s "$lay/index.json" "$tmp/index.before"
check "index.json: the tags in order, one entry each" test \
	"$(jq -c "[.manifests[].annotations[\"$REF\"]]" "$lay/index.json")" = \
	'["interop","v1"]'
cp -a "$lay" "$tmp/retag"
interop_before=$(jq -c '.manifests[0]' "$tmp/retag/index.json")
create "$tmp/retag" v1 "$tmp/l2" > /dev/null
check "retagging v1 changes its digest" \
	test "$(index_digest "$tmp/retag" v1)" != "$digest"
check "retagging v1 keeps the interop entry as it was" test \
	"$(jq -c '.manifests[0]' "$tmp/retag/index.json")" = "$interop_before"

# --- skopeo: layouts ----------------------------------------------------------

skopeo inspect --raw "oci:$lay:v1" > "$tmp/raw" 2> "$tmp/skopeo.err"
check "skopeo inspect --raw gives our manifest bytes" cmp -s "$tmp/raw" \
	"$manifest"
skopeo inspect --config --raw "oci:$lay:v1" > "$tmp/rawconfig" \
	2> "$tmp/skopeo.err"
check "skopeo inspect --config --raw gives our config bytes" \
	cmp -s "$tmp/rawconfig" "$config"
if skopeo copy -q "oci:$lay:v1" "oci:$tmp/copy:v1" 2> "$tmp/skopeo.err"
then
	check "skopeo copy to a layout keeps the digest and every blob" \
		same_blobs "$lay" "$tmp/copy" v1
	check "skopeo copy keeps our squashfs media types" test "$(jq -r \
		'.layers[].mediaType' "$(manifest_of "$tmp/copy" v1)" |
		sort -u)" = application/vnd.stacker.image.layer.squashfs+zstd
	"$tool" image inspect --layout "$tmp/copy" --tag v1 --verify \
		> "$tmp/inspect.out" 2>&1
	check "image inspect --verify reads skopeo's layout" \
		grep -qx "manifest: $digest" "$tmp/inspect.out"
else
	cat "$tmp/skopeo.err"
	fail "skopeo copy oci: -> oci:"
fi

# --- skopeo: a registry ---------------------------------------------------------

if registry_start; then
	ok "docker-registry answers /v2/ on 127.0.0.1:$registry_port"
	remote=docker://127.0.0.1:$registry_port/test/image:v1
	if skopeo copy -q --dest-tls-verify=false "oci:$lay:v1" "$remote" \
		2> "$tmp/skopeo.err"; then
		ok "skopeo pushes the image"
		skopeo inspect --raw --tls-verify=false "$remote" > "$tmp/rraw"
		check "the registry serves our manifest bytes" \
			cmp -s "$tmp/rraw" "$manifest"
		skopeo copy -q --src-tls-verify=false "$remote" \
			"oci:$tmp/pulled:v1" 2> "$tmp/skopeo.err" ||
			cat "$tmp/skopeo.err"
		check "pulled back: same manifest digest and every blob" \
			same_blobs "$lay" "$tmp/pulled" v1
		"$tool" image inspect --layout "$tmp/pulled" --tag v1 \
			--verify > "$tmp/inspect.out" 2>&1
		check "image inspect --verify reads the pulled layout" \
			grep -qx "manifest: $digest" "$tmp/inspect.out"
	else
		cat "$tmp/skopeo.err"
		fail "skopeo push to docker-registry"
	fi
else
	cat "$tmp/registry.log"
	fail "docker-registry did not start"
fi

# --- an image from another tool -------------------------------------------------
# Hand-made in skopeo's dir: format, as stacker writes it (indented JSON,
# the +verity media type, the legacy annotation), copied by skopeo into a
# layout that only skopeo wrote.

d=$tmp/dir
mkdir -p "$d"
l3_hex=$(sha256sum < "$tmp/l3" | cut -d' ' -f1)
cp "$tmp/l3" "$d/$l3_hex"
printf '{\n  "architecture": "amd64",\n  "os": "linux",\n  "rootfs": {\n    "type": "layers",\n    "diff_ids": [\n      "sha256:%s"\n    ]\n  }\n}\n' \
	"$l3_hex" > "$tmp/stacker.config"
cfg_hex=$(sha256sum < "$tmp/stacker.config" | cut -d' ' -f1)
cp "$tmp/stacker.config" "$d/$cfg_hex"
printf '{\n  "schemaVersion": 2,\n  "mediaType": "application/vnd.oci.image.manifest.v1+json",\n  "config": {\n    "mediaType": "application/vnd.oci.image.config.v1+json",\n    "digest": "sha256:%s",\n    "size": %d\n  },\n  "layers": [\n    {\n      "mediaType": "application/vnd.stacker.image.layer.squashfs+zstd+verity",\n      "digest": "sha256:%s",\n      "size": %d,\n      "annotations": {\n        "io.stackeroci.stacker.squashfs_verity_root_hash": "%s"\n      }\n    }\n  ]\n}\n' \
	"$cfg_hex" "$(stat -c %s "$tmp/stacker.config")" "$l3_hex" \
	"$(stat -c %s "$tmp/l3")" "$l3_root" > "$d/manifest.json"
echo 'Directory Transport Version: 1.1' > "$d/version"
if skopeo copy -q "dir:$d" "oci:$tmp/stacker:latest" 2> "$tmp/skopeo.err"
then
	"$tool" image inspect --layout "$tmp/stacker" --tag latest --verify \
		> "$tmp/inspect.out" 2>&1
	check "image inspect --verify reads a stacker-style image" grep -qx \
		"manifest: sha256:$(sha256sum < "$d/manifest.json" |
		cut -d' ' -f1)" "$tmp/inspect.out"
	check "... and finds veritysetup's root hash in it" \
		grep -qx "layer\[0\].root_hash: $l3_root" "$tmp/inspect.out"
else
	cat "$tmp/skopeo.err"
	fail "skopeo copy dir: -> oci:"
fi

# --- tampering ------------------------------------------------------------------

cp -a "$lay" "$tmp/bad"
config_digest=$(jq -r .config.digest "$manifest")
flip_byte "$(blob "$tmp/bad" "$config_digest")" 10 1
if "$tool" image inspect --layout "$tmp/bad" --tag v1 > /dev/null \
	2> "$tmp/err"; then
	fail "a tampered config blob was accepted"
else
	check "a tampered config blob is refused, naming its digest" \
		grep -q "content has digest .*, not the descriptor's $config_digest" \
		"$tmp/err"
	cat "$tmp/err"
fi
if skopeo copy -q "oci:$tmp/bad:v1" "oci:$tmp/bad-copy:v1" 2> /dev/null; then
	fail "skopeo copied a tampered config blob"
else
	ok "skopeo refuses the tampered config blob too"
fi

cp -a "$lay" "$tmp/badlayer"
layer_digest=$(jq -r '.layers[1].digest' "$manifest")
flip_byte "$(blob "$tmp/badlayer" "$layer_digest")" 100 1
check "a tampered layer passes the size-only check" \
	"$tool" image inspect --layout "$tmp/badlayer" --tag v1 > /dev/null
if "$tool" image inspect --layout "$tmp/badlayer" --tag v1 --verify \
	> /dev/null 2> "$tmp/err"; then
	fail "image inspect --verify accepted a tampered layer"
else
	ok "image inspect --verify refuses a tampered layer: $(cat "$tmp/err")"
fi
rm "$(blob "$tmp/badlayer" "$layer_digest")"
if "$tool" image inspect --layout "$tmp/badlayer" --tag v1 > /dev/null \
	2> "$tmp/err"; then
	fail "a missing layer blob was not noticed"
else
	check "a missing layer blob is named" \
		grep -q "blob $layer_digest is missing" "$tmp/err"
fi

testlib_finish
