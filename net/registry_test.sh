#!/bin/sh
# SPDX-License-Identifier: MIT
# `ociboot pull` (net/registry.c, the init's distribution client) against a
# real registry and a misbehaving one:
#   - docker-registry on loopback holding a signed system pushed by skopeo:
#     the pulled layout verifies (`ociboot verify`), every blob is named by
#     its sha256 (sha256sum) and is byte for byte the one skopeo pulls;
#     a second pull fetches nothing; a damaged blob is fetched again; a
#     mirror that is down and one that serves a wrong blob are passed over
#     for the origin; a missing tag is refused (404);
#   - net/fault_registry.py serving the same layout: a registry that dies
#     mid-blob (resumed with Range; restarted when Range is ignored),
#     429/503 then success, image indexes (linux/amd64 taken; refused
#     without one), blobs redirected to an object store on another port
#     behind a bearer-token challenge (the token is never sent to the
#     store), a partial blob left by an earlier run (resumed from its end;
#     fetched again whole when it was wrong), a damaged copy in the layout
#     (named on stderr, fetched alone), a redirect loop, a blob that does
#     not match its digest, and a registry that never answers (deadline).
# Needs openssl, jq, sha256sum, skopeo, docker-registry, curl, ss, python3.
set -u
. scripts/testlib.sh
need_commands openssl jq sha256sum skopeo docker-registry curl ss python3
tool=$(cd "$(dirname "$BUILD/ociboot")" && pwd)/ociboot
fault=$(pwd)/net/fault_registry.py
need_driver "$tool"

testlib_tmpdir
cd "$tmp" || exit 1
export SOURCE_DATE_EPOCH=1700000000
U=5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31

# must DESCRIPTION COMMAND...: the setup step COMMAND must succeed.
must() {
	what=$1
	shift
	if ! "$@" > "$tmp/must.out" 2>&1; then
		cat "$tmp/must.out"
		fatal "$what"
	fi
}

# --- a signed system in docker-registry -------------------------------------

must "keys ca" "$tool" keys ca --out-key ca.key --out-cert ca.pem
must "keys product" "$tool" keys product --ca-key ca.key --ca-cert ca.pem \
	--product "$U" --out-key product.key --out-cert product.pem
mkdir -p t1/etc t1/sbin t2/etc
echo base > t1/etc/os-release
printf '#!/bin/sh\n' > t1/sbin/init
chmod 755 t1/sbin/init
head -c 3000000 /dev/urandom > t1/big
echo app > t2/etc/app.conf
for n in 1 2; do
	must "layer create t$n" "$tool" layer create --from-dir "t$n" \
		--output "l$n" --mtime 0 --owner 0:0
done
must "image create" "$tool" image create --layout lay --tag rootfs \
	--layer l1 --entrypoint /sbin/init
must "image create (service)" "$tool" image create --layout svc --tag sshd \
	--layer l2
must "manifest create" "$tool" manifest create --product "$U" --version 7 \
	--rootfs-layout lay --rootfs-tag rootfs \
	--rootfs-repository acme/rootfs --service sshd=svc:sshd \
	--output system.json
must "manifest sign" "$tool" manifest sign --key product.key \
	--in system.json --out system.sig
must "manifest package" "$tool" manifest package --layout lay --tag system \
	--manifest system.json --signature system.sig --cert product.pem

registry_start || fatal "docker-registry did not start ($(cat registry.log))"
origin=http://127.0.0.1:$registry_port
remote=docker://127.0.0.1:$registry_port
must "skopeo push system" skopeo copy -q --dest-tls-verify=false \
	oci:lay:system "$remote/acme/system:system"
must "skopeo push rootfs" skopeo copy -q --dest-tls-verify=false \
	oci:lay:rootfs "$remote/acme/rootfs:rootfs"
must "skopeo push service" skopeo copy -q --dest-tls-verify=false \
	oci:svc:sshd "$remote/acme/system:sshd"
big=$(jq -r '.layers[0].digest' "$(manifest_of lay rootfs)" | cut -c8-)
bigsize=$(jq -r '.layers[0].size' "$(manifest_of lay rootfs)")

# pull OUT [ARGS...] REF: ociboot pull, quiet, output in $tmp/out/err.
pull() {
	out=$1
	shift
	"$tool" pull -q --timeout 60 "$@" "$out" > "$tmp/out" 2> "$tmp/err"
}

verifies() {	# verifies LAYOUT: ociboot verify says OK
	"$tool" verify --layout "$1" --ca ca.pem --tag system > verify.out \
		2>&1 && [ "$(tail -n 1 verify.out)" = OK ]
}

# every blob of LAYOUT is named by its content's sha256
named_by_digest() {
	for b in "$1"/blobs/sha256/*; do
		[ "$(sha256sum < "$b" | cut -d' ' -f1)" = "${b##*/}" ] ||
			return 1
	done
}

# --- against docker-registry ------------------------------------------------

if pull got "$origin/acme/system:system"; then
	ok "pull of the signed system from docker-registry"
else
	fatal "pull from docker-registry: $(cat err)"
fi
check "the pulled layout verifies" verifies got
check "every pulled blob is named by its sha256 (sha256sum)" \
	named_by_digest got
check "no partial blob is left" \
	test -z "$(find got/blobs -name '.partial-*')"
digest=sha256:$(skopeo inspect --tls-verify=false --raw \
	"$remote/acme/system:system" 2> /dev/null | sha256sum | cut -d' ' -f1)
check_equal "the manifest digest is that of skopeo's raw manifest" \
	"$(index_digest got system)" "$digest"
must "skopeo pull system" skopeo copy -q --src-tls-verify=false \
	"$remote/acme/system:system" oci:ref:system
must "skopeo pull rootfs" skopeo copy -q --src-tls-verify=false \
	"$remote/acme/rootfs:rootfs" oci:ref:rootfs
must "skopeo pull service" skopeo copy -q --src-tls-verify=false \
	"$remote/acme/system:sshd" oci:ref:sshd
same=yes
for b in ref/blobs/sha256/*; do
	cmp -s "$b" "got/blobs/sha256/${b##*/}" || same="no: ${b##*/}"
done
check_equal "every blob skopeo pulls is the same in ours" "$same" yes

pull got "$origin/acme/system:system"
check "a second pull fetches nothing" grep -q "0 blobs fetched" out
flip_byte "got/blobs/sha256/$big" 100
pull got "$origin/acme/system:system"
check "a damaged blob is fetched again" grep -q "1 blobs fetched" out
check "... and the layout verifies again" verifies got

# A partial blob left by an earlier run, completed from docker-registry
# (which answers the Range with 206).
mkdir -p resumed0/blobs/sha256
head -c 1234567 "got/blobs/sha256/$big" > \
	"resumed0/blobs/sha256/.partial-$big"
if pull resumed0 "$origin/acme/system:system" && verifies resumed0 &&
	test -z "$(find resumed0/blobs -name '.partial-*')"; then
	ok "a partial blob is completed from docker-registry with Range"
else
	fail "partial blob from docker-registry: $(cat err)"
fi

down=$(free_port)
if pull viamirror --mirror "http://127.0.0.1:$down" \
	"$origin/acme/system:system" && verifies viamirror; then
	ok "a mirror that is down is passed over for the origin"
else
	fail "mirror down: $(cat err)"
fi

if pull missing "$origin/acme/system:nosuchtag"; then
	fail "a missing tag was pulled"
else
	check "a missing tag is refused (HTTP 404)" grep -q "HTTP 404" err
fi

# --- against a registry with faults ------------------------------------------

fault_pid=
# fault_start ARGS...: fault_registry.py over the pulled layout, on
# $fault_port (object store on $store_port), its log in $tmp/fault.log.
fault_start() {
	fault_stop
	fault_port=$(free_port)
	store_port=$(free_port)
	: > fault.log
	python3 "$fault" "${fault_layout:-got}" "$fault_port" "$store_port" \
		fault.log "$@" \
		> fault.out 2> fault.err &
	fault_pid=$!
	for _ in $(seq 50); do
		grep -q ready fault.out 2> /dev/null && return 0
		sleep 0.1
	done
	fatal "fault_registry.py did not start: $(cat fault.err)"
}
fault_stop() {
	[ -n "$fault_pid" ] || return 0
	kill "$fault_pid" 2> /dev/null
	wait "$fault_pid" 2> /dev/null
	fault_pid=
}
testlib_on_exit fault_stop

fault_start --die-mid-blob "$big"
if pull resumed "http://127.0.0.1:$fault_port/acme/system:system" &&
	verifies resumed; then
	ok "a registry that dies mid-blob: resumed, verifies"
else
	fail "die mid-blob: $(cat err)"
fi
check "... with a Range request from where it stopped, answered 206" \
	grep -q "blobs/sha256:$big range=bytes=$((bigsize / 2))- .*-> 206" \
	fault.log

fault_start --die-mid-blob "$big" --no-range
if pull restarted "http://127.0.0.1:$fault_port/acme/system:system" &&
	verifies restarted; then
	ok "a server that ignores Range: the blob restarts from byte 0"
else
	fail "no range: $(cat err)"
fi
check "... after its Range request was answered 200" \
	grep -q "blobs/sha256:$big range=bytes=$((bigsize / 2))- .*-> 200" \
	fault.log

fault_start --flaky 3
if pull flaky "http://127.0.0.1:$fault_port/acme/system:system" &&
	verifies flaky; then
	ok "503 and 429 (Retry-After) are retried until the pull succeeds"
else
	fail "flaky: $(cat err)"
fi
check "... after both 503 and 429" sh -c \
	'grep -q -- "-> 503" fault.log && grep -q -- "-> 429" fault.log'

fault_start --token --redirect-blobs
if pull redirected "http://127.0.0.1:$fault_port/acme/system:system" &&
	verifies redirected; then
	ok "bearer token challenge, blobs redirected to another port"
else
	fail "token + redirect: $(cat err)"
fi
check "... the token was asked for with service and scope" \
	grep -q "GET /token?service=fault&scope=repository%3Aacme%2Fsystem%3Apull" \
	fault.log
check "... registry requests carried it" \
	grep -q "^$fault_port GET /v2/acme/system/blobs/.* auth=yes -> 307" \
	fault.log
check "... the object store never saw it" \
	sh -c "! grep -q '^$store_port .*auth=yes' fault.log"

# A partial blob left by an earlier run: the pull goes on from its end.
mkdir -p partial/blobs/sha256
head -c 1000000 "got/blobs/sha256/$big" > "partial/blobs/sha256/.partial-$big"
fault_start
if pull partial "http://127.0.0.1:$fault_port/acme/system:system" &&
	verifies partial; then
	ok "a partial blob left by an earlier run is completed"
else
	fail "partial: $(cat err)"
fi
check "... asking only for the rest (Range from byte 1000000)" \
	grep -q "blobs/sha256:$big range=bytes=1000000- .*-> 206" fault.log

# A damaged copy already in the layout (a cache disk changed behind our
# back): refused with both digests, removed, fetched again; no other blob
# and no manifest asked for by digest is fetched (those present match).
cp -a got damaged
printf 'X' | dd of="damaged/blobs/sha256/$big" bs=1 seek=4096 \
	conv=notrunc status=none
fault_start
if pull damaged "http://127.0.0.1:$fault_port/acme/system:system" &&
	verifies damaged && named_by_digest damaged; then
	ok "a damaged blob in the layout is fetched again"
else
	fail "damaged blob: $(cat err)"
fi
check "... named with both digests on stderr" \
	grep -q "sha256:$big: the copy already in the layout was refused and removed: blobs/sha256/$big: content has digest sha256:[0-9a-f]*, not the descriptor's sha256:$big" err
check "... and it alone fetched" \
	test "$(grep -c -e '/blobs/' -e '/manifests/sha256:' fault.log)" = 1

# A partial download an earlier run left that is wrong (not a prefix of
# the blob): resumed, it ends in a mismatch, so it is fetched once more
# from its first byte, and the pull succeeds.
mkdir -p badpartial/blobs/sha256
head -c 1000000 /dev/zero > "badpartial/blobs/sha256/.partial-$big"
fault_start
if pull badpartial "http://127.0.0.1:$fault_port/acme/system:system" &&
	verifies badpartial; then
	ok "a wrong partial download from an earlier run is fetched again whole"
else
	fail "wrong partial: $(cat err)"
fi
check "... first resumed from byte 1000000" \
	grep -q "blobs/sha256:$big range=bytes=1000000- .*-> 206" fault.log
check "... then asked for from byte 0" \
	grep -q "blobs/sha256:$big range=- .*-> 200" fault.log

# Image indexes: the linux/amd64 entry is taken; none is refused.
cp -a got multi
rootfs=$(jq -r '.layers[0].digest' "$(manifest_of got system)")
rootfs=$(jq -r .rootfs.digest "$(blob got "$rootfs")")
rsize=$(stat -c %s "$(blob got "$rootfs")")
# index NAME ARCH...: an image index tagged NAME in multi, one entry an
# arch, each the rootfs image manifest.
index() {
	name=$1
	shift
	for a; do
		printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json",'
		printf '"digest":"%s","size":%s,' "$rootfs" "$rsize"
		printf '"platform":{"architecture":"%s","os":"linux"}}\n' "$a"
	done | jq -s -c '{schemaVersion: 2, mediaType:
		"application/vnd.oci.image.index.v1+json", manifests: .}' \
		> "$name.json"
	d=sha256:$(sha256sum < "$name.json" | cut -d' ' -f1)
	cp "$name.json" "$(blob multi "$d")"
	jq --arg d "$d" --arg n "$name" --argjson s "$(stat -c %s "$name.json")" \
		'.manifests += [{mediaType: "application/vnd.oci.image.index.v1+json",
		digest: $d, size: $s, annotations:
		{"org.opencontainers.image.ref.name": $n}}]' multi/index.json \
		> multi.index && mv multi.index multi/index.json
}
index fat arm64 amd64 s390x
index armonly arm64
fault_layout=multi fault_start
if pull fromindex "http://127.0.0.1:$fault_port/acme/rootfs:fat"; then
	check_equal "an image index gives its linux/amd64 image" \
		"$(index_digest fromindex fat)" "$rootfs"
else
	fail "image index: $(cat err)"
fi
if pull armonly "http://127.0.0.1:$fault_port/acme/rootfs:armonly"; then
	fail "an index without linux/amd64 was pulled"
else
	check "an index without linux/amd64 is refused" \
		grep -q "has no linux/amd64 image manifest" err
fi

fault_start --redirect-loop
if pull loop "http://127.0.0.1:$fault_port/acme/system:system"; then
	fail "a redirect loop was followed to the end"
else
	check "a redirect loop is refused" grep -q "redirect loop" err
fi

fault_start --wrong-digest "$big"
if pull wrong "http://127.0.0.1:$fault_port/acme/system:system"; then
	fail "a blob that does not match its digest was accepted"
else
	check "a blob that does not match its digest is refused" grep -q \
		"blobs/sha256/$big: the content from .* hashes to $(
		)sha256:[0-9a-f]*, not sha256:$big" err
fi
check "... and is not kept, whole or partial" \
	sh -c "! ls -a wrong/blobs/sha256 | grep -q $big"

if pull mirrored --mirror "http://127.0.0.1:$fault_port" \
	"$origin/acme/system:system" && verifies mirrored; then
	ok "a mirror serving a wrong blob is passed over for the origin"
else
	fail "wrong mirror: $(cat err)"
fi
check "... after the mirror was asked" \
	grep -q "blobs/sha256:$big .*-> 200" fault.log
fault_stop

# A registry that accepts connections and never answers.
silent=$(free_port)
python3 -c 'import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
print("ready", flush=True); time.sleep(60)' "$silent" > silent.out &
silent_pid=$!
testlib_on_exit "kill $silent_pid 2> /dev/null"
for _ in $(seq 50); do
	grep -q ready silent.out && break
	sleep 0.1
done
start=$(date +%s)
if "$tool" pull -q --timeout 3 "http://127.0.0.1:$silent/a:b" never \
	> out 2> err; then
	fail "a registry that never answers gave something"
else
	check "a registry that never answers: refused after the deadline" \
		grep -q "gave up after .*timed out" err
fi
check "... within the deadline" test $(($(date +%s) - start)) -le 6

testlib_finish 25
