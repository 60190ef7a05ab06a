#!/bin/sh
# SPDX-License-Identifier: MIT
# `ociboot tpm` against swtpm, with tpm2-tools as the reference:
#   - the PolicyPCR(sha256:7) digest against tpm2_policypcr (trial session);
#   - provisioning, then tpm2_nvreadpublic of every index against the table
#     of docs/tpm.md (attributes, size) and the policy digest;
#   - what a provisioned TPM refuses: a second provisioning (naming what is
#     there), --force once the owner authorization is set, rewriting the
#     product, writing or undefining the floor with the empty owner auth;
#   - the sealed disk key: refused under another PCR 7 (0x99d), read under
#     the right one, then read-locked (0x148) until the TPM restarts;
#   - status before and after;
#   - the bus: provisioning through a socat proxy that dumps every byte
#     between the tool and swtpm; neither the disk key nor the owner or
#     lockout authorization (read back afterwards, directly) may appear in
#     it, while a tpm2-tools read and owner write in clear through the same
#     proxy do show them (so the check can fail).
. scripts/testlib.sh
. scripts/swtpm.sh
set -u

need_commands openssl socat swtpm swtpm_ioctl tpm2_nvreadpublic tpm2_readpublic tpm2_startauthsession \
	tpm2_policypcr tpm2_flushcontext tpm2_nvread tpm2_nvwrite \
	tpm2_nvundefine tpm2_nvreadlock tpm2_pcrread tpm2_shutdown tpm2_startup
need_driver "$BUILD/ociboot"
need_file docs/tpm.md
testlib_tmpdir
ociboot=$(cd "$(dirname "$BUILD/ociboot")" && pwd)/ociboot
docs=$(pwd)/docs/tpm.md
cd "$tmp" || exit 1

PRODUCT=$(random_uuid)
MACHINE=$(random_uuid)
PCR7=$(random_hex 32)
"$ociboot" keys ca --subject 'CN=provisioning CA' --out-key ca.key \
	--out-cert ca.pem > /dev/null || fatal "ociboot keys ca"
CA="--ca-key ca.key --ca-cert ca.pem"

# swtpm_start DIR: a swtpm on DIR/tpm.sock for tcti-swtpm and tpm2-tools
# (scripts/swtpm.sh), killed when the test ends.
swtpm_start() {
	mkdir -p "$1"
	testlib_on_exit "kill \$(cat '$1/host.pid' 2>/dev/null) 2>/dev/null"
	host_swtpm_start "$1" || fatal "swtpm did not start, or made no socket"
}

swtpm_start "$tmp/tpm"
TCTI=swtpm:path=$tmp/tpm/tpm.sock
export TPM2TOOLS_TCTI=$TCTI

# --- the policy digest ------------------------------------------------------

# trial_policy PCR7HEX: tpm2_policypcr's digest for that value, in hex.
trial_policy() {
	echo "$1" | xxd -r -p > pcr.bin
	tpm2_startauthsession -S trial.ctx &&
		tpm2_policypcr -S trial.ctx -l sha256:7 -f pcr.bin \
			-L policy.bin > /dev/null &&
		tpm2_flushcontext trial.ctx && xxd -p -c 64 policy.bin
}

for v in "$(printf '%064d' 0)" "$PCR7" "$(random_hex 32)"; do
	check_equal "PolicyPCR(sha256:7=$v) as tpm2_policypcr" \
		"$("$ociboot" tpm policy --pcr7 "$v")" "$(trial_policy "$v")"
done
POLICY=$(trial_policy "$PCR7")

# --- provisioning -----------------------------------------------------------

expect_exit 0 "status of a fresh TPM" "$ociboot" tpm status --tcti "$TCTI"
check "a fresh TPM is not provisioned" grep -qx "not provisioned" out

# shellcheck disable=SC2086
expect_exit 0 "provision" "$ociboot" tpm provision --product "$PRODUCT" \
	--pcr7 "$PCR7" --tcti "$TCTI" --machine "$MACHINE" $CA
check "provision names the product" grep -qx "product  $PRODUCT" out
check "provision names the machine" grep -qx "machine  $MACHINE" out
check "provision names the policy" grep -qx "policy   sha256:$POLICY" out

# docs_rows: "INDEX NAME SIZE ATTRIBUTES POLICY" from docs/tpm.md's table
# (SIZE a number, or MIN..MAX).
docs_rows() {
	sed -n 's/^| \(0x015001[0-9a-f]*\) | \([a-z-]*\) | \([0-9.]*\) | \(.*\) | \(.*\) |$/\1 \2 \3 \4 \5/p' \
		"$docs" | sed 's/\\|/|/g'
}

# size_ok GOT SIZE: GOT is SIZE, or within SIZE's MIN..MAX.
size_ok() {
	case $2 in
	*..*) [ "$1" -ge "${2%..*}" ] && [ "$1" -le "${2#*..}" ] ;;
	*) [ "$1" = "$2" ] ;;
	esac
}

# sorted_attrs LIST: the '|'-separated names sorted, state bits dropped.
sorted_attrs() {
	echo "$1" | tr '|' '\n' | grep -v -x -e written -e writelocked \
		-e readlocked | sort | tr '\n' '|'
}

rows=$(docs_rows)
check_equal "docs/tpm.md lists 5 indices" "$(echo "$rows" | wc -l)" 5
echo "$rows" | while read -r index name size attrs policy; do
	tpm2_nvreadpublic "$index" > pub.yaml 2> pub.err ||
		{ fail "tpm2_nvreadpublic $index: $(cat pub.err)"; continue; }
	got_attrs=$(sed -n 's/^ *friendly: \(.*\)$/\1/p' pub.yaml | tail -n 1)
	got_size=$(sed -n 's/^ *size: \([0-9]*\)$/\1/p' pub.yaml)
	got_policy=$(sed -n 's/^ *authorization policy: *\([0-9A-Fa-f]*\)$/\1/p' \
		pub.yaml | tr 'A-F' 'a-f')
	check_equal "$name $index attributes as docs/tpm.md" \
		"$(sorted_attrs "$got_attrs")" "$(sorted_attrs "$attrs")"
	check "$name $index size $got_size as docs/tpm.md ($size)" \
		size_ok "$got_size" "$size"
	case $policy in
	none) want_policy= ;;
	*) want_policy=$POLICY ;;
	esac
	check_equal "$name $index policy ($policy)" "$got_policy" "$want_policy"
	case $name in
	product|disk-key|admin|identity)
		check "$name $index written and write-locked" \
			grep -q 'friendly: .*writelocked.*written' pub.yaml ;;
	floor)
		check "$name $index written" grep -q 'friendly: .*written' pub.yaml ;;
	esac
done

check_equal "the product index holds the UUID" \
	"$(tpm2_nvread 0x01500100 -C 0x01500100 2>/dev/null)" "$PRODUCT"
check_equal "the floor is 0" \
	"$(tpm2_nvread 0x01500101 -C 0x01500101 2>/dev/null | xxd -p)" \
	0000000000000000

# --- the machine identity ---------------------------------------------------

tpm2_nvread 0x01500120 -C 0x01500120 > machine.der 2>/dev/null
check_equal "the identity certificate's subject" \
	"$(openssl x509 -inform DER -in machine.der -noout -subject \
		-nameopt RFC2253)" \
	"subject=serialNumber=PID:$PRODUCT SN:$MACHINE,CN=$MACHINE"
openssl x509 -inform DER -in machine.der -out machine.pem
verify_machine() {
	openssl verify -CAfile ca.pem -purpose sslclient machine.pem > /dev/null
}
check "the identity certificate chains to the provisioning CA" verify_machine
tpm2_readpublic -c 0x81000100 -f pem -o key.pem > key.yaml 2>&1
check_equal "the certificate is for the key in the TPM" \
	"$(openssl x509 -in machine.pem -pubkey -noout)" "$(cat key.pem)"
check_equal "the key's attributes (docs/tpm.md)" \
	"$(sed -n 's/^ *value: \(fixedtpm.*\)$/\1/p' key.yaml)" \
	"fixedtpm|fixedparent|sensitivedataorigin|adminwithpolicy|noda|sign"
check_equal "the key's policy is the secrets' PolicyPCR" \
	"$(sed -n 's/^authorization policy: *\([0-9a-fA-F]*\)$/\1/p' key.yaml |
		tr 'A-F' 'a-f')" "$POLICY"
check "the key's type: ECC P-256" grep -q "value: NIST p256" key.yaml

# --- what a provisioned TPM refuses -----------------------------------------

# shellcheck disable=SC2086
expect_exit 1 "a second provisioning is refused" "$ociboot" tpm provision \
	--product "$PRODUCT" --pcr7 "$PCR7" --tcti "$TCTI" $CA
check "the refusal names what is there" grep -q \
	"already provisioned: product 0x01500100 (36 bytes, .*), floor 0x01500101 .*, admin 0x01500110 .*, disk-key 0x01500111 .*, identity 0x01500120 .*, key 0x81000100 (ECDSA P-256); --force replaces them" err
# shellcheck disable=SC2086
expect_exit 1 "--force is refused once the owner auth is set" \
	"$ociboot" tpm provision --product "$PRODUCT" --pcr7 "$PCR7" \
	--tcti "$TCTI" --force $CA
check "the refusal says why" grep -q "owner authorization is set.*0x9a2" err

printf '%s' "$(random_uuid)" > other
tpm2_nvwrite 0x01500100 -C 0x01500100 -i other > nvw.out 2>&1 &&
	fail "product rewritten with its own auth" ||
	check "rewriting the product with its own auth: unavailable (0x12F)" \
		grep -q "0x12F" nvw.out
tpm2_nvwrite 0x01500100 -C o -i other > nvw.out 2>&1 && fail "product rewritten" ||
	check "rewriting the product as owner: bad auth (0x9a2)" \
		grep -q "0x9A2" nvw.out
head -c 8 /dev/zero > zero8
tpm2_nvwrite 0x01500101 -C o -i zero8 > nvw.out 2>&1 && fail "floor written" ||
	check "writing the floor with the empty owner auth: 0x9a2" \
		grep -q "0x9A2" nvw.out
tpm2_nvundefine 0x01500101 -C o > nvu.out 2>&1 && fail "floor undefined" ||
	check "undefining the floor with the empty owner auth: 0x9a2" \
		grep -q "0x9A2" nvu.out

# --- the sealed disk key ----------------------------------------------------

# policy_read INDEX OUT: read INDEX through a PolicyPCR(sha256:7) session.
policy_read() {
	tpm2_startauthsession --policy-session -S s.ctx &&
		tpm2_policypcr -S s.ctx -l sha256:7 > /dev/null &&
		tpm2_nvread "$1" -C "$1" -P session:s.ctx > "$2" 2> read.err
	status=$?
	tpm2_flushcontext s.ctx 2>/dev/null
	return "$status"
}

policy_read 0x01500111 key && fail "disk key read under another PCR 7" ||
	check "the disk key under another PCR 7: policy fail (0x99D)" \
		grep -q "0x99D" read.err

# A second TPM, sealed to the PCR 7 it holds now: the key reads once,
# then the read lock holds until the TPM restarts.
swtpm_start "$tmp/tpm2"
TCTI2=swtpm:path=$tmp/tpm2/tpm.sock
TPM2TOOLS_TCTI=$TCTI2
# shellcheck disable=SC2086
expect_exit 0 "provision with --pcr7-from-tpm" "$ociboot" tpm provision \
	--product "$PRODUCT" --pcr7-from-tpm --tcti "$TCTI2" $CA
expect_exit 0 "status of a provisioned TPM" "$ociboot" tpm status \
	--tcti "$TCTI2"
check "status: provisioned" grep -qx provisioned out
check "status shows the product" grep -qx "product    $PRODUCT" out
check "status: the policy matches PCR 7 now" \
	grep -qx "disk-key   policy matches PCR 7 now" out
check "the disk key reads under its PCR 7" policy_read 0x01500111 key
check_equal "the disk key is 32 bytes" "$(wc -c < key)" 32
tpm2_startauthsession --policy-session -S s.ctx &&
	tpm2_policypcr -S s.ctx -l sha256:7 > /dev/null &&
	check "read-lock under the policy" \
		tpm2_nvreadlock 0x01500111 -C 0x01500111 -P session:s.ctx
tpm2_flushcontext s.ctx 2>/dev/null
policy_read 0x01500111 key2 && fail "read after the read lock" ||
	check "read after the read lock: NV locked (0x148)" \
		grep -q "0x148" read.err
tpm2_shutdown -c > /dev/null 2>&1
swtpm_ioctl --unix "$tmp/tpm2/tpm.sock.ctrl" -i > /dev/null 2>&1
tpm2_startup -c > /dev/null 2>&1
check "after a TPM restart the key reads again" policy_read 0x01500111 key2
check "the same key" cmp -s key key2

# A TPM holding one of our indices but still with the empty owner
# authorization (a provisioning that failed half-way, say): refused
# naming it, then --force replaces it.
swtpm_start "$tmp/tpm3"
TCTI3=swtpm:path=$tmp/tpm3/tpm.sock
TPM2TOOLS_TCTI=$TCTI3 tpm2_nvdefine 0x01500100 -C o -s 36 \
	-a "ownerwrite|ownerread|authread" > /dev/null 2>&1 ||
	fail "tpm2_nvdefine 0x01500100"
# shellcheck disable=SC2086
expect_exit 1 "a half-provisioned TPM is refused" "$ociboot" tpm provision \
	--product "$PRODUCT" --pcr7 "$PCR7" --tcti "$TCTI3" $CA
check "the refusal names the index" grep -q \
	"already provisioned: product 0x01500100 (36 bytes, ownerwrite|ownerread|authread); --force replaces them" err
# shellcheck disable=SC2086
expect_exit 0 "--force replaces it" "$ociboot" tpm provision \
	--product "$PRODUCT" --pcr7 "$PCR7" --tcti "$TCTI3" --force $CA
expect_exit 0 "status after --force" "$ociboot" tpm status --tcti "$TCTI3"
check "provisioned after --force" grep -qx provisioned out

# --- the bus ----------------------------------------------------------------

# A proxy in front of a fourth swtpm: socat -x writes every byte either way
# as hex to bus.log. tcti-swtpm finds the control socket at PATH.ctrl.
swtpm_start "$tmp/tpm4"
socat -x UNIX-LISTEN:"$tmp/tpm4/proxy.sock",fork \
	UNIX-CONNECT:"$tmp/tpm4/tpm.sock" 2> bus.log &
socat_pid=$!
testlib_on_exit "kill $socat_pid 2>/dev/null"
ln -s "$tmp/tpm4/tpm.sock.ctrl" "$tmp/tpm4/proxy.sock.ctrl"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -S "$tmp/tpm4/proxy.sock" ] && break
	sleep 0.1
done
PROXY=swtpm:path=$tmp/tpm4/proxy.sock
DIRECT=swtpm:path=$tmp/tpm4/tpm.sock

# bus_hex: every byte the proxy saw, as one line of lower-case hex.
bus_hex() {
	grep '^ [0-9a-f][0-9a-f]' bus.log | tr -d ' \n'
}

# on_bus HEX: some 8-byte piece of HEX (at a byte boundary) is in bus_hex.
on_bus() {
	bus=$(bus_hex)
	i=0
	while [ "$i" -le $((${#1} - 16)) ]; do
		piece=$(echo "$1" | cut -c$((i + 1))-$((i + 16)))
		case $bus in
		*"$piece"*) return 0 ;;
		esac
		i=$((i + 2))
	done
	return 1
}

# shellcheck disable=SC2086
expect_exit 0 "provision through the recording proxy" "$ociboot" tpm \
	provision --product "$PRODUCT" --pcr7-from-tpm --tcti "$PROXY" $CA
check "the proxy saw the provisioning" test -s bus.log
TPM2TOOLS_TCTI=$DIRECT
policy_read 0x01500111 key4 || fail "reading the disk key directly"
policy_read 0x01500110 admin4 || fail "reading admin directly"
KEY4=$(xxd -p -c 64 key4)
OWNER4=$(head -c 32 admin4 | xxd -p -c 64)
LOCKOUT4=$(tail -c 32 admin4 | xxd -p -c 64)
check_equal "the disk key is 32 bytes" "${#KEY4}" 64
check_equal "admin is 64 bytes" "$(wc -c < admin4)" 64
on_bus "$KEY4" && fail "the disk key crossed the bus in clear" ||
	ok "the disk key never crossed the bus in clear"
on_bus "$OWNER4" && fail "the owner authorization crossed the bus in clear" ||
	ok "the owner authorization never crossed the bus in clear"
on_bus "$LOCKOUT4" &&
	fail "the lockout authorization crossed the bus in clear" ||
	ok "the lockout authorization never crossed the bus in clear"

# The control: tpm2-tools' unsalted policy read and password write, through
# the same proxy, put both on the bus, where on_bus finds them.
TPM2TOOLS_TCTI=$PROXY
check "tpm2_nvread of the disk key through the proxy" \
	policy_read 0x01500111 key5
check "an unencrypted read shows the disk key on the bus" on_bus "$KEY4"
# tpm2-tools 5.4 protects its own password authorizations, so the owner
# write in clear is a raw TPM2_NV_Write of the floor (0) with a password
# session (TPM_RS_PW, continueSession), as tss2-sys sends it.
nv_write_pw() {
	printf '%s' "8002 0000004b 00000137 40000001 01500101 00000029" \
		"40000009 0000 01 0020 $1 0008 0000000000000000 0000" |
		tr -d ' ' | xxd -r -p |
		socat -t 2 - UNIX-CONNECT:"$tmp/tpm4/proxy.sock" | xxd -p |
		tr -d '\n'
}
check_equal "a raw NV_Write of the floor with the owner password" \
	"$(nv_write_pw "$OWNER4")" "80020000001300000000000000000000010000"
check "a password session shows the owner authorization on the bus" \
	on_bus "$OWNER4"

# --- what a client leaves loaded ---------------------------------------------

# getcap_count CAP: how many handles tpm2_getcap lists for CAP.
getcap_count() {
	tpm2_getcap "$1" | grep -c '^- 0x' || true
}

# reference_loaded: "N transient objects, M sessions" as tpm2_getcap
# lists them (a session saved out of the TPM is listed as saved).
reference_loaded() {
	echo "$(getcap_count handles-transient) transient objects," \
		"$(($(getcap_count handles-loaded-session) +
			$(getcap_count handles-saved-session))) sessions"
}

swtpm_start "$tmp/tpm5"
TCTI5=swtpm:path=$tmp/tpm5/tpm.sock
TPM2TOOLS_TCTI=$TCTI5
tpm2_createprimary -C o -c primary.ctx > /dev/null &&
	tpm2_startauthsession -S hmac.ctx &&
	tpm2_startauthsession --policy-session -S policy.ctx ||
	fatal "tpm2-tools could not leave an object and sessions loaded"
check_equal "tpm2_getcap lists what tpm2-tools left" "$(reference_loaded)" \
	"1 transient objects, 2 sessions"
expect_exit 0 "status with an object and sessions left" "$ociboot" tpm \
	status --tcti "$TCTI5"
check_equal "status counts them as tpm2_getcap lists them" \
	"$(sed -n 's/^loaded   //p' "$tmp/out")" "$(reference_loaded)"
expect_exit 0 "flush" "$ociboot" tpm flush --tcti "$TCTI5"
check_equal "flush says what it flushed" "$(cat "$tmp/out")" \
	"flushed 1 transient objects, 2 sessions"
check_equal "tpm2_getcap lists nothing after the flush" \
	"$(reference_loaded)" "0 transient objects, 0 sessions"
expect_exit 0 "flush again" "$ociboot" tpm flush --tcti "$TCTI5"
check_equal "nothing is left to flush" "$(cat "$tmp/out")" \
	"flushed 0 transient objects, 0 sessions"
expect_exit 1 "flush without a TPM" "$ociboot" tpm flush \
	--tcti "swtpm:path=$tmp/absent.sock"

testlib_finish 63
