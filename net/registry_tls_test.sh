#!/bin/sh
# SPDX-License-Identifier: MIT
# `ociboot pull` over HTTPS (net/tls.c, BearSSL) with a test CA made by
# openssl: docker-registry serving TLS for localhost is pulled from with
# that CA (the blobs are skopeo's, byte for byte), and each check is broken
# once and refused with its reason: a server certificate from another CA,
# one for another host name, one expired at the check time (--time), an
# IP address instead of a host name, and https without any CA given.
# Needs openssl, jq, sha256sum, skopeo, docker-registry, curl, ss.
set -u
. scripts/testlib.sh
need_commands openssl jq sha256sum skopeo docker-registry curl ss
tool=$(cd "$(dirname "$BUILD/ociboot")" && pwd)/ociboot
need_driver "$tool"

testlib_tmpdir
cd "$tmp" || exit 1
export SOURCE_DATE_EPOCH=1700000000

must() {
	what=$1
	shift
	if ! "$@" > "$tmp/must.out" 2>&1; then
		cat "$tmp/must.out"
		fatal "$what"
	fi
}

# ca NAME: a CA key and certificate NAME.key, NAME.pem.
ca() {
	must "CA $1" openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" \
		-out "$1.pem" -days 3650 -subj "/CN=$1 test TLS CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign"
}

# server NAME CA HOST DAYS: a server certificate for HOST signed by CA.
server() {
	must "server key $1" openssl req -new -newkey ec \
		-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
		-out "$1.csr" -subj "/CN=$3"
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$3" \
		> "$1.ext"
	must "server certificate $1" openssl x509 -req -in "$1.csr" \
		-CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days "$4" \
		-extfile "$1.ext" -out "$1.pem"
}

ca ca
ca other
server good ca localhost 30
server stranger other localhost 30
server misnamed ca registry.example 30

mkdir -p t/etc
echo tls > t/etc/os-release
head -c 200000 /dev/urandom > t/data
must "layer create" "$tool" layer create --from-dir t --output l \
	--mtime 0 --owner 0:0
must "image create" "$tool" image create --layout lay --tag rootfs --layer l

port=$(free_port)
mkdir -p registry certs
cp ca.pem certs/ca.crt
cat > registry.yml <<-EOF2
version: 0.1
storage:
  filesystem:
    rootdirectory: $tmp/registry
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $tmp/good.pem
    key: $tmp/good.key
EOF2
docker-registry serve registry.yml > registry.log 2>&1 &
registry_pid=$!
testlib_on_exit "kill $registry_pid 2> /dev/null;$(
	) wait $registry_pid 2> /dev/null"
for _ in $(seq 100); do
	curl -sf --cacert ca.pem "https://localhost:$port/v2/" > /dev/null &&
		break
	sleep 0.1
done
must "skopeo push over TLS" skopeo copy -q --dest-cert-dir certs \
	oci:lay:rootfs "docker://localhost:$port/acme/rootfs:rootfs"
must "skopeo pull over TLS" skopeo copy -q --src-cert-dir certs \
	"docker://localhost:$port/acme/rootfs:rootfs" oci:ref:rootfs

if "$tool" pull -q --ca ca.pem "https://localhost:$port/acme/rootfs:rootfs" \
	got > out 2> err; then
	ok "pull over HTTPS with the registry's CA"
else
	fatal "pull over HTTPS: $(cat err)"
fi
same=yes
for b in ref/blobs/sha256/*; do
	cmp -s "$b" "got/blobs/sha256/${b##*/}" || same="no: ${b##*/}"
done
check_equal "... the same blobs as skopeo's" "$same" yes
check_equal "... the same manifest digest" "$(index_digest got rootfs)" \
	"$(index_digest ref rootfs)"

# refused WHAT PATTERN ARGS...: the pull fails with one line matching.
refused() {
	what=$1 pattern=$2
	shift 2
	if "$tool" pull -q --timeout 20 "$@" refused.d > out 2> err; then
		fail "$what: accepted"
	elif grep -q -- "$pattern" err; then
		ok "$what: $(cat err)"
	else
		fail "$what: said '$(cat err)', not '$pattern'"
	fi
}

# tls_server NAME: openssl s_server with certificate NAME on $sport. The
# port is free when chosen, but another test may take it before s_server
# binds it (s_server then exits): try again on another port.
tls_server() {
	for _ in 1 2 3 4 5; do
		sport=$(free_port)
		openssl s_server -quiet -www -accept "$sport" \
			-cert "$1.pem" -key "$1.key" > /dev/null 2>&1 &
		spid=$!
		testlib_on_exit "kill $spid 2> /dev/null; wait $spid 2> /dev/null"
		for _ in $(seq 100); do
			ss -ltn | grep -q ":$sport " && return 0
			kill -0 "$spid" 2> /dev/null || break
			sleep 0.1
		done
		kill "$spid" 2> /dev/null
	done
	fatal "openssl s_server with $1.pem did not listen"
}

refused "a registry CA we were not given" \
	"does not chain to a trusted TLS CA" --ca other.pem \
	"https://localhost:$port/acme/rootfs:rootfs"
tls_server stranger
refused "a server certificate from another CA" \
	"does not chain to a trusted TLS CA" --ca ca.pem \
	"https://localhost:$sport/acme/rootfs:rootfs"
tls_server misnamed
refused "a server certificate for another host name" \
	"is not for the host name localhost" --ca ca.pem \
	"https://localhost:$sport/acme/rootfs:rootfs"
refused "a server certificate expired at the check time" \
	"not valid at" --ca ca.pem --time $(($(date +%s) + 40 * 86400)) \
	"https://localhost:$port/acme/rootfs:rootfs"
refused "an IP address instead of a host name" \
	"HTTPS needs a host name" --ca ca.pem \
	"https://127.0.0.1:$port/acme/rootfs:rootfs"
refused "https without a CA" "https needs TLS CA certificates" \
	"https://localhost:$port/acme/rootfs:rootfs"

testlib_finish 9
