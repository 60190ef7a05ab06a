#!/bin/sh
# The init binary outside PID 1: its --version (format, and a build-id equal
# to readelf's), --test-mode --cmdline on good and bad command lines (output
# and exit status), static linking, size, and the refusal to run otherwise.
set -u
. scripts/testlib.sh
need_commands readelf file
init=$BUILD/init
need_driver "$init"
# The network boot (DHCP, DNS, HTTP, BearSSL's TLS client, the registry
# client) is about 120 KB of it, tpm2-tss's ESAPI for encrypted sessions
# about 37 KB, the cache device and the stage children about 12 KB;
# docs/size.md's budget for /init is 512 KiB.
size_max=491520

# --- --version ---------------------------------------------------------------
out=$("$init" --version) || fail "--version exited $?"
version=$(cat VERSION)
readelf_id=$(readelf -n "$init" | sed -n 's/.*Build ID: *//p')
echo "$out" | grep -Eqx "ociboot-init [^ ]+ build-id [0-9a-f]{40}" &&
	ok "--version format: $out" || fail "--version format: '$out'"
[ "$out" = "ociboot-init $version build-id $readelf_id" ] &&
	ok "--version build-id equals readelf -n ($readelf_id)" ||
	fail "--version '$out', readelf says '$readelf_id', VERSION '$version'"

# --- --test-mode --cmdline: good lines ----------------------------------------
check_config() {	# check_config CMDLINE EXPECTED_OUTPUT
	got=$("$init" --test-mode --cmdline "$1" 2>&1)
	status=$?
	if [ "$status" = 0 ] && [ "$got" = "$2" ]; then
		ok "config of '$1'"
	else
		fail "config of '$1' (exit $status):"
		printf '%s\n--- expected:\n%s\n' "$got" "$2"
	fi
}

defaults='ociboot.on_failure=halt
ociboot.reboot_delay=10
ociboot.break=none
ociboot.debug=0
ociboot.tpm=optional
ociboot.verity=eio'

check_config 'console=ttyS0 quiet' "oci=
oci.kind=none
$defaults"

check_config 'console=ttyS0 oci=http://10.0.2.100:5000/ociboot/system:v1 ociboot.break=report' \
'oci=http://10.0.2.100:5000/ociboot/system:v1
oci.kind=registry
oci.scheme=http
oci.host=10.0.2.100
oci.host_kind=ipv4
oci.port=5000
oci.repository=ociboot/system
oci.tag=v1
ociboot.on_failure=halt
ociboot.reboot_delay=10
ociboot.break=report
ociboot.debug=0
ociboot.tpm=optional
ociboot.verity=eio'

check_config '"oci=https://[2001:DB8::0:1]/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ociboot.on_failure=reboot ociboot.reboot_delay=2 ociboot.debug' \
'oci=https://[2001:db8::1]/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
oci.kind=registry
oci.scheme=https
oci.host=2001:db8::1
oci.host_kind=ipv6
oci.port=443
oci.repository=a/b
oci.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ociboot.on_failure=reboot
ociboot.reboot_delay=2
ociboot.break=none
ociboot.debug=1
ociboot.tpm=optional
ociboot.verity=eio'

check_config 'oci=PARTUUID=8c8f8eff-ac95-4770-814a-55aaf1c70a38:/oci ociboot.on_failure=poweroff -- ociboot.ignored' \
'oci=PARTUUID=8c8f8eff-ac95-4770-814a-55aaf1c70a38:/oci:latest
oci.kind=device
oci.device_key=PARTUUID
oci.device_value=8c8f8eff-ac95-4770-814a-55aaf1c70a38
oci.path=/oci
oci.tag=latest
ociboot.on_failure=poweroff
ociboot.reboot_delay=10
ociboot.break=none
ociboot.debug=0
ociboot.tpm=optional
ociboot.verity=eio'

check_config 'oci=dhcp' "oci=dhcp
oci.kind=dhcp
$defaults"

check_config 'oci=dhcp ociboot.verity=restart' "oci=dhcp
oci.kind=dhcp
ociboot.on_failure=halt
ociboot.reboot_delay=10
ociboot.break=none
ociboot.debug=0
ociboot.tpm=optional
ociboot.verity=restart"

# --- --test-mode --cmdline: bad lines -----------------------------------------
check_bad() {	# check_bad CMDLINE EXPECTED_REASON
	got=$("$init" --test-mode --cmdline "$1" 2>&1)
	status=$?
	want="ociboot-init: bad command line: $2"
	if [ "$status" = 1 ] && [ "$got" = "$want" ]; then
		ok "refused '$1': $2"
	else
		fail "'$1' (exit $status): got '$got', want '$want'"
	fi
}

check_bad 'quiet ociboot.frobnicate=1' \
	'ociboot.frobnicate=1: unknown ociboot option'
check_bad 'oci=http://h:0/r' \
	'oci=http://h:0/r: port is not a number from 1 to 65535'
check_bad 'oci=LABEL=x:/a/../b' \
	"oci=LABEL=x:/a/../b: PATH has a '.' or '..' component"
check_bad 'oci=dhcp oci=dhcp' 'oci=dhcp: given more than once'
check_bad 'ociboot.reboot_delay=3601' \
	'ociboot.reboot_delay=3601: must be a whole number of seconds from 0 to 3600'
check_bad 'ociboot.on_failure=explode' \
	'ociboot.on_failure=explode: must be halt, reboot or poweroff'
check_bad 'ociboot.break=nowhere' \
	'ociboot.break=nowhere: must name a stage to stop after: report'
check_bad 'ociboot.debug=2' \
	'ociboot.debug=2: must be 0 or 1, or given without a value'
check_bad 'ociboot.verity=ignore' \
	'ociboot.verity=ignore: must be eio, restart or panic'
# Control bytes in a bad value come out escaped, on one line (a tab
# splits parameters unless quoted, as in the kernel).
check_bad "$(printf '"ociboot.x=a\tb\001"')" \
	'ociboot.x=a\x09b\x01: unknown ociboot option'
check_bad "$(printf 'ociboot.x=a\tb')" 'ociboot.x=a: unknown ociboot option'

# --- anything else: not PID 1 -------------------------------------------------
for args in '' '--help' '--test-mode' '--version extra'; do
	# shellcheck disable=SC2086
	got=$("$init" $args 2>&1)
	status=$?
	if [ "$status" = 1 ] && [ "$got" = "ociboot-init: must run as PID 1" ]; then
		ok "refuses to run with '$args' outside PID 1"
	else
		fail "'$args': exit $status, '$got'"
	fi
done

# --- the binary ---------------------------------------------------------------
file_says=$(file -b "$init")
case $file_says in
*"statically linked"*) ok "file: statically linked" ;;
*) fail "file says: $file_says" ;;
esac
readelf -lW "$init" | grep -q INTERP &&
	fail "has a program interpreter" || ok "no program interpreter"
size=$(stat -c %s "$init")
[ "$size" -lt "$size_max" ] && ok "size $size bytes < $size_max" ||
	fail "size $size bytes >= $size_max"
# PID 1 must never exit: no exit()/_exit()/abort() calls in its sources
# (fuzzers and unit tests are not part of it).
srcs=$(ls init/*.c | grep -Ev '_(test|fuzz)\.c$')
# shellcheck disable=SC2086
if grep -nE '\b(exit|_exit|abort)[[:space:]]*\(' $srcs; then
	fail "init/*.c calls exit, _exit or abort"
else
	ok "no exit/_exit/abort calls in init/*.c"
fi

testlib_finish
