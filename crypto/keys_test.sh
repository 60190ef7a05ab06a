#!/bin/sh
# SPDX-License-Identifier: MIT
# `ociboot keys` against the openssl tool, for EC P-256 (the default),
# P-384 and RSA 2048:
#   - the CA and product certificates we make pass `openssl verify` and
#     carry the extensions, criticality, subject serialNumber, key and
#     validity asked for (`openssl x509 -text / -ext`);
#   - private keys are mode 0600 and no output file is ever replaced
#     without --force;
#   - our signatures pass `openssl dgst -verify`, and openssl's signatures
#     pass our `keys verify` (the init's code), which also refuses tampered
#     data, another key's signature, a truncated signature, another CA and
#     times outside the validity, agreeing with `openssl verify -attime`;
#   - usage errors exit 2, failures 1, each with one line saying why.
#
# Needs $BUILD/ociboot and openssl.
set -u
. scripts/testlib.sh
need_commands openssl
need_driver "$BUILD/ociboot"
ociboot=$(cd "$(dirname "$BUILD/ociboot")" && pwd)/ociboot

testlib_tmpdir
cd "$tmp" || exit 1

mode_of() {
	stat -c %a "$1"
}

# has_ext CERT NAME CRITICAL VALUE: `openssl x509 -ext NAME` shows the
# extension, critical or not as asked, with VALUE in it.
has_ext() {
	text=$(openssl x509 -in "$1" -noout -ext "$2")
	header=$(echo "$text" | head -n 1)
	case $3 in
	critical) echo "$header" | grep -q ': critical$' ||
		{ fail "$1: $2 not critical: $header"; return; } ;;
	*) echo "$header" | grep -q ': critical$' &&
		{ fail "$1: $2 critical: $header"; return; } ;;
	esac
	echo "$text" | tail -n +2 | grep -q "$4" ||
		{ fail "$1: $2 lacks '$4': $text"; return; }
	ok "$1: $2 $3 $4"
}

openssl_time() {	# openssl_time CERT startdate|enddate: Unix seconds
	date -u -d "$(openssl x509 -in "$1" -noout -"$2" | cut -d= -f2)" +%s
}

hash_of() {	# the digest our signatures use with the key in CERT
	if openssl x509 -in "$1" -noout -text | grep -q 'NIST CURVE: P-384'
	then
		echo sha384
	else
		echo sha256
	fi
}

uuid=0f5c2a4e-7b1d-4c3e-9a8f-1e2d3c4b5a69
head -c 200000 /dev/urandom > data

# check_kind NAME KEY_OPTIONS KEY_TEXT SIG_ALG
check_kind() {
	name=$1 opts=$2 key_text=$3 sig_alg=$4
	now=$(date +%s)
	# shellcheck disable=SC2086
	expect_exit 0 "$name: keys ca" "$ociboot" keys ca $opts \
		--out-key "$name-ca.key" --out-cert "$name-ca.pem" \
		--subject "CN=$name CA,O=ociboot tests" || return
	# shellcheck disable=SC2086
	expect_exit 0 "$name: keys product" "$ociboot" keys product $opts \
		--ca-key "$name-ca.key" --ca-cert "$name-ca.pem" \
		--product "$uuid" --subject "CN=$name product" \
		--out-key "$name-p.key" --out-cert "$name-p.pem" || return

	# Key files.
	for f in "$name-ca.key" "$name-p.key"; do
		[ "$(mode_of "$f")" = 600 ] && ok "$f mode 600" ||
			fail "$f mode $(mode_of "$f")"
		openssl pkey -in "$f" -noout 2> /dev/null &&
			ok "$f is an unencrypted key openssl reads" ||
			fail "$f: openssl cannot read it"
	done

	# The chain, by openssl.
	out=$(openssl verify -CAfile "$name-ca.pem" "$name-p.pem" 2>&1)
	[ "$out" = "$name-p.pem: OK" ] && ok "openssl verify: $out" ||
		fail "openssl verify: $out"
	out=$(openssl verify -CAfile "$name-ca.pem" "$name-ca.pem" 2>&1)
	[ "$out" = "$name-ca.pem: OK" ] && ok "openssl verify: $out" ||
		fail "openssl verify: $out"

	# CA extensions.
	has_ext "$name-ca.pem" basicConstraints critical 'CA:TRUE'
	has_ext "$name-ca.pem" keyUsage critical \
		'^ *Certificate Sign, CRL Sign$'
	has_ext "$name-ca.pem" subjectKeyIdentifier non-critical ':'
	# Product extensions.
	has_ext "$name-p.pem" basicConstraints critical 'CA:FALSE'
	has_ext "$name-p.pem" keyUsage critical '^ *Digital Signature$'
	has_ext "$name-p.pem" extendedKeyUsage non-critical \
		'^ *Code Signing$'
	has_ext "$name-p.pem" authorityKeyIdentifier non-critical ':'
	has_ext "$name-p.pem" subjectKeyIdentifier non-critical ':'
	ca_ski=$(openssl x509 -in "$name-ca.pem" -noout \
		-ext subjectKeyIdentifier | tail -n 1 | tr -d ' ')
	p_aki=$(openssl x509 -in "$name-p.pem" -noout \
		-ext authorityKeyIdentifier | tail -n 1 | tr -d ' ')
	[ "$ca_ski" = "$p_aki" ] && ok "authority key id is the CA's" ||
		fail "AKI $p_aki, CA SKI $ca_ski"

	# Subjects, keys, versions, serial numbers, validity.
	text=$(openssl x509 -in "$name-p.pem" -noout -text)
	subject=$(openssl x509 -in "$name-p.pem" -noout -subject \
		-nameopt RFC2253)
	[ "$subject" = "subject=serialNumber=$uuid,CN=$name product" ] &&
		ok "product subject: $subject" || fail "subject: $subject"
	issuer=$(openssl x509 -in "$name-p.pem" -noout -issuer \
		-nameopt RFC2253)
	[ "$issuer" = "issuer=O=ociboot tests,CN=$name CA" ] &&
		ok "product issuer: $issuer" || fail "issuer: $issuer"
	echo "$text" | grep -q 'Version: 3 (0x2)' && ok "X.509 v3" ||
		fail "not v3"
	echo "$text" | grep -q "$key_text" && ok "key: $key_text" ||
		fail "key is not $key_text"
	echo "$text" | grep -q "Signature Algorithm: $sig_alg" &&
		ok "signed with $sig_alg" || fail "not signed with $sig_alg"
	for c in "$name-ca.pem" "$name-p.pem"; do
		serial=$(openssl x509 -in "$c" -noout -serial | cut -d= -f2)
		[ ${#serial} = 32 ] && ok "$c: 128-bit serial $serial" ||
			fail "$c: serial $serial"
		nb=$(openssl_time "$c" startdate)
		na=$(openssl_time "$c" enddate)
		d=$((now - 86400 - nb))
		[ "${d#-}" -le 120 ] && ok "$c: notBefore is now - 1 day" ||
			fail "$c: notBefore $nb, now $now"
		case $c in
		*-ca.pem) days=3650 ;;
		*) days=1095 ;;
		esac
		[ $((na - nb)) = $((days * 86400)) ] &&
			ok "$c: valid $days days" || fail "$c: $nb to $na"
	done

	# Our signature, checked by openssl.
	expect_exit 0 "$name: keys sign" "$ociboot" keys sign \
		--key "$name-p.key" --in data --out "$name.sig" || return
	openssl x509 -in "$name-p.pem" -pubkey -noout > "$name.pub"
	hash=$(hash_of "$name-p.pem")
	out=$(openssl dgst -"$hash" -verify "$name.pub" \
		-signature "$name.sig" data 2>&1)
	[ "$out" = "Verified OK" ] &&
		ok "openssl dgst -$hash -verify our signature: $out" ||
		fail "openssl dgst -verify: $out"
	# ... and by us.
	expect_exit 0 "$name: keys verify our signature" "$ociboot" keys \
		verify --ca "$name-ca.pem" --cert "$name-p.pem" --in data \
		--sig "$name.sig"
	grep -q "^product: $uuid\$" out && ok "prints the product ID" ||
		fail "keys verify printed: $(cat out)"
	nameopt=esc_2253,esc_ctrl,esc_msb,sep_comma_plus_space,sname
	want=$(openssl x509 -in "$name-p.pem" -noout -subject \
		-nameopt "$nameopt,dump_nostr,dump_der" | sed 's/^subject=//')
	grep -qxF "subject: $want" out && ok "prints the subject: $want" ||
		fail "subject printed: $(grep subject out), openssl: $want"

	# openssl's signature, checked by us.
	openssl dgst -"$hash" -sign "$name-p.key" -out "$name.ossl.sig" data
	expect_exit 0 "$name: keys verify openssl's signature" "$ociboot" \
		keys verify --ca "$name-ca.pem" --cert "$name-p.pem" \
		--in data --sig "$name.ossl.sig"

	# Refusals.
	cp data tampered
	printf 'x' | dd of=tampered bs=1 seek=1000 conv=notrunc 2> /dev/null
	expect_exit 1 "$name: tampered data" "$ociboot" keys verify \
		--ca "$name-ca.pem" --cert "$name-p.pem" --in tampered \
		--sig "$name.sig" &&
		grep -q 'signature does not match' err ||
		fail "tampered: $(cat err)"
	size=$(stat -c %s "$name.sig")
	head -c $((size - 1)) "$name.sig" > short.sig
	expect_exit 1 "$name: truncated signature" "$ociboot" keys verify \
		--ca "$name-ca.pem" --cert "$name-p.pem" --in data \
		--sig short.sig && grep -q 'signature is malformed' err ||
		fail "truncated: $(cat err)"
}

check_kind ec "" "NIST CURVE: P-256" ecdsa-with-SHA256
check_kind p384 "--curve P-384" "NIST CURVE: P-384" ecdsa-with-SHA384
check_kind rsa "--rsa 2048" "Public-Key: (2048 bit)" sha256WithRSAEncryption

# Another key's signature, another CA.
expect_exit 1 "signature by another key" "$ociboot" keys verify \
	--ca ec-ca.pem --cert ec-p.pem --in data --sig p384.sig
expect_exit 1 "certificate from another CA" "$ociboot" keys verify \
	--ca rsa-ca.pem --cert ec-p.pem --in data --sig ec.sig &&
	grep -q 'not issued by a trusted CA' err || fail "$(cat err)"
expect_exit 0 "either of two CAs" "$ociboot" keys verify --ca rsa-ca.pem \
	--ca ec-ca.pem --cert ec-p.pem --in data --sig ec.sig
mkdir cas && cp rsa-ca.pem ec-ca.pem cas/
expect_exit 0 "a CA directory" "$ociboot" keys verify --ca cas \
	--cert ec-p.pem --in data --sig ec.sig
expect_exit 1 "a product certificate as the CA" "$ociboot" keys verify \
	--ca ec-p.pem --cert ec-p.pem --in data --sig ec.sig

# Validity, against openssl verify -attime, with a product made valid
# only in 2030 by --not-before.
expect_exit 0 "keys product --not-before 2030" "$ociboot" keys product \
	--ca-key ec-ca.key --ca-cert ec-ca.pem --product "$uuid" \
	--not-before 1893456000 --days 10 --out-key future.key \
	--out-cert future.pem
"$ociboot" keys sign --key future.key --in data --out future.sig > /dev/null
nb=$(openssl_time future.pem startdate)
na=$(openssl_time future.pem enddate)
[ "$nb" = 1893456000 ] && [ "$na" = $((1893456000 + 10 * 86400)) ] &&
	ok "dates as asked" || fail "future.pem: $nb to $na"
# (At notAfter itself RFC 5280 and BearSSL say valid, OpenSSL expired:
# that second is checked on its own below.)
for t in $(($(date +%s) + 3600)) $((nb - 1)) "$nb" $((nb + 86400)) \
	 $((na - 1)) $((na + 1)); do
	if openssl verify -attime "$t" -CAfile ec-ca.pem future.pem \
		> /dev/null 2>&1; then
		want=0
	else
		want=1
	fi
	expect_exit $want "at $t as openssl verify -attime" "$ociboot" keys \
		verify --ca ec-ca.pem --cert future.pem --time "$t" --in data \
		--sig future.sig
done
grep -q 'certificate expired or not yet valid at ' err ||
	fail "expiry message: $(cat err)"
expect_exit 0 "at notAfter itself (RFC 5280: inclusive)" "$ociboot" keys \
	verify --ca ec-ca.pem --cert future.pem --time "$na" --in data \
	--sig future.sig

# Never replace a file without --force.
cp ec-ca.key before.key
cp ec-ca.pem before.pem
expect_exit 1 "existing CA key refused" "$ociboot" keys ca \
	--out-key ec-ca.key --out-cert new.pem &&
	grep -q 'ec-ca.key exists' err && grep -q -- '--force' err ||
	fail "refusal: $(cat err)"
[ ! -e new.pem ] && ok "nothing written beside the refusal" ||
	fail "new.pem written"
expect_exit 1 "existing certificate refused" "$ociboot" keys ca \
	--out-key new.key --out-cert ec-ca.pem
[ ! -e new.key ] && ok "no key left behind" || fail "new.key written"
expect_exit 1 "existing signature refused" "$ociboot" keys sign \
	--key ec-p.key --in data --out ec.sig
cmp -s ec-ca.key before.key && cmp -s ec-ca.pem before.pem &&
	ok "existing files untouched" || fail "files changed"
ln -s nowhere dangling.key
expect_exit 1 "a dangling symlink is not followed" "$ociboot" keys ca \
	--out-key dangling.key --out-cert d.pem
[ ! -e nowhere ] && ok "symlink target not created" ||
	fail "created through a symlink"
expect_exit 0 "--force replaces" "$ociboot" keys ca --force \
	--out-key ec-ca.key --out-cert ec-ca.pem
cmp -s ec-ca.key before.key && fail "--force did not replace the key" ||
	ok "--force wrote a new key"
[ "$(mode_of ec-ca.key)" = 600 ] && ok "replaced key mode 600" ||
	fail "replaced key mode $(mode_of ec-ca.key)"
ls | grep -E '[.](key|pem|sig)[.]' &&
	fail "temporary files left: $(ls)" || ok "no temporary files left"
expect_exit 1 "old product under the new CA" "$ociboot" keys verify \
	--ca ec-ca.pem --cert ec-p.pem --in data --sig ec.sig

# Product certificates only from a CA, with its own key.
expect_exit 1 "issuing with a non-CA certificate" "$ociboot" keys product \
	--ca-key ec-p.key --ca-cert ec-p.pem --product "$uuid" \
	--out-key x.key --out-cert x.pem
expect_exit 1 "issuing with another CA's key" "$ociboot" keys product \
	--ca-key rsa-ca.key --ca-cert p384-ca.pem --product "$uuid" \
	--out-key x.key --out-cert x.pem
[ ! -e x.key ] && [ ! -e x.pem ] && ok "nothing written" ||
	fail "x.key or x.pem written"

# Usage errors.
expect_exit 2 "--rsa 1024" "$ociboot" keys ca --rsa 1024 --out-key a \
	--out-cert b
expect_exit 2 "--rsa 8192" "$ociboot" keys ca --rsa 8192 --out-key a \
	--out-cert b
expect_exit 2 "--curve P-521" "$ociboot" keys ca --curve P-521 --out-key a \
	--out-cert b
expect_exit 2 "missing --out-cert" "$ociboot" keys ca --out-key a
expect_exit 2 "unknown option" "$ociboot" keys ca --out-key a \
	--out-cert b --colour
expect_exit 2 "bad --days" "$ociboot" keys ca --out-key a --out-cert b \
	--days 0
expect_exit 2 "not a UUID" "$ociboot" keys product --ca-key ec-ca.key \
	--ca-cert ec-ca.pem --product "{$uuid}" --out-key a --out-cert b
expect_exit 2 "serialNumber in --subject" "$ociboot" keys product \
	--ca-key ec-ca.key --ca-cert ec-ca.pem --product "$uuid" \
	--subject "CN=x,serialNumber=$uuid" --out-key a --out-cert b
expect_exit 2 "unknown subject attribute" "$ociboot" keys ca \
	--subject 'XX=y' --out-key a --out-cert b
expect_exit 2 "keys verify without --sig" "$ociboot" keys verify \
	--ca ec-ca.pem --cert ec-p.pem --in data
expect_exit 2 "keys without a command" "$ociboot" keys
expect_exit 2 "unknown keys command" "$ociboot" keys frobnicate
[ ! -e a ] && [ ! -e b ] && ok "usage errors write nothing" ||
	fail "a usage error wrote a or b"
for c in ca product sign verify; do
	expect_exit 0 "keys $c --help" "$ociboot" keys $c --help &&
		grep -q "usage: ociboot keys $c" out ||
		fail "keys $c --help: $(cat out)"
done

# An upper-case product ID is written in lower case; OpenSSL-style
# subjects with escapes are kept.
expect_exit 0 "upper-case UUID" "$ociboot" keys product --ca-key rsa-ca.key \
	--ca-cert rsa-ca.pem --product 0F5C2A4E-7B1D-4C3E-9A8F-1E2D3C4B5A69 \
	--subject '/CN=a\/b/O=x, y' --out-key u.key --out-cert u.pem
subject=$(openssl x509 -in u.pem -noout -subject -nameopt RFC2253)
[ "$subject" = "subject=serialNumber=$uuid,O=x\\, y,CN=a/b" ] &&
	ok "subject $subject" || fail "subject $subject"

testlib_finish 151
