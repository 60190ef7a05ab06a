#!/bin/sh
# SPDX-License-Identifier: MIT
# Benchmark, not a test: download and verify one large blob (random data,
# MEGABYTES of it) from docker-registry on loopback with `ociboot pull`
# (net/registry.c: HTTP client, sha256 while it streams, written into an
# OCI layout on tmpfs and renamed into place) against `curl | sha256sum`
# and `curl | openssl dgst -sha256` on the same blob, same run, the three
# interleaved; best of RUNS (default 5) wall times each, MB/s, and our
# throughput as a ratio to each (target: >= 0.9 of curl | sha256sum).
# Also checks every digest agrees.
#
# usage: bench/pull.sh [MEGABYTES]   (run from the repository root)
set -eu
. scripts/testlib.sh
MB=${1:-200}
RUNS=${RUNS:-5}
tool=$BUILD/ociboot

need_commands docker-registry skopeo curl sha256sum openssl ss
need_driver "$tool"
dir=/dev/shm
[ -d "$dir" ] && [ -w "$dir" ] || dir=${TMPDIR:-/tmp}
testlib_tmpdir "$dir"

# An OCI layout holding one image whose only layer is the blob.
lay=$tmp/lay
mkdir -p "$lay/blobs/sha256"
head -c "$((MB * 1024 * 1024))" /dev/urandom > "$tmp/data"
hex=$(sha256sum < "$tmp/data" | cut -d' ' -f1)
mv "$tmp/data" "$lay/blobs/sha256/$hex"
printf '{}' > "$tmp/config"
chex=$(sha256sum < "$tmp/config" | cut -d' ' -f1)
mv "$tmp/config" "$lay/blobs/sha256/$chex"
printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s",'`
	`'"digest":"sha256:%s","size":2},"layers":[{"mediaType":'`
	`'"application/octet-stream","digest":"sha256:%s","size":%d}]}' \
	application/vnd.oci.image.manifest.v1+json \
	application/vnd.oci.image.config.v1+json "$chex" "$hex" \
	"$((MB * 1024 * 1024))" > "$tmp/manifest"
mhex=$(sha256sum < "$tmp/manifest" | cut -d' ' -f1)
msize=$(stat -c %s "$tmp/manifest")
mv "$tmp/manifest" "$lay/blobs/sha256/$mhex"
printf '{"imageLayoutVersion":"1.0.0"}' > "$lay/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":'`
	`'"sha256:%s","size":%d,"annotations":{"%s":"big"}}]}' \
	application/vnd.oci.image.manifest.v1+json "$mhex" "$msize" \
	org.opencontainers.image.ref.name > "$lay/index.json"

registry_start || { echo "docker-registry did not start" >&2; exit 1; }
skopeo copy -q --dest-tls-verify=false "oci:$lay:big" \
	"docker://127.0.0.1:$registry_port/bench/blob:big"
rm -rf "$lay"
url=http://127.0.0.1:$registry_port/v2/bench/blob/blobs/sha256:$hex

# One timed run of COMMAND..., its standard output in $tmp/out: seconds.
timed() {
	t0=$(bench_now)
	"$@" > "$tmp/out"
	t1=$(bench_now)
	echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }'
}

# best OLD NEW: the smaller of two times (OLD may be empty).
best() {
	echo "$1 $2" | awk '{ print (NF == 1 || $2 < $1) ? $NF : $1 }'
}

# The three interleaved, run after run, so that a machine whose load
# changes during the benchmark slows all three alike; best of RUNS each.
t_ours= t_sha256sum= t_openssl=
i=0
while [ "$i" -lt "$RUNS" ]; do
	rm -rf "$tmp/pulled"
	t=$(timed "$tool" pull -q \
		"http://127.0.0.1:$registry_port/bench/blob:big" "$tmp/pulled")
	t_ours=$(best "$t_ours" "$t")
	got_ours=$(sha256sum < "$tmp/pulled/blobs/sha256/$hex" | cut -d' ' -f1)
	t=$(timed sh -c "curl -sf '$url' | sha256sum")
	t_sha256sum=$(best "$t_sha256sum" "$t")
	got_sha256sum=$(cut -d' ' -f1 "$tmp/out")
	t=$(timed sh -c "curl -sf '$url' | openssl dgst -sha256")
	t_openssl=$(best "$t_openssl" "$t")
	got_openssl=$(awk '{ print $NF }' "$tmp/out")
	i=$((i + 1))
done

same="identical digests"
for d in "$got_ours" "$got_sha256sum" "$got_openssl"; do
	[ "$d" = "$hex" ] || same="DIGESTS DIFFER ($d)"
done
echo "download + sha256 of a $MB MB blob from docker-registry on" \
	"loopback, best of $RUNS ($same):"
bench_row "ociboot pull (to tmpfs)" "$t_ours" "$MB"
bench_row "curl | sha256sum" "$t_sha256sum" "$MB"
bench_row "curl | openssl dgst -sha256" "$t_openssl" "$MB"
bench_ratio "throughput ours / curl|sha256sum" "$t_sha256sum" "$t_ours"
bench_ratio "throughput ours / curl|openssl" "$t_openssl" "$t_ours"
[ "$same" = "identical digests" ]
