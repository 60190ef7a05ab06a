#!/bin/sh
# SPDX-License-Identifier: MIT
# net_up() for real, through $BUILD/tests/net, against dnsmasq as the DHCP
# and DNS server, in network namespaces this test makes (nothing leaves
# them): the client in its own (unshare -n), dnsmasq in another, joined by
# a veth pair. Checked with iproute2 as the independent reference (ip addr,
# ip route, ip link) and dnsmasq's own lease file and log:
#   - DHCP: address, prefix, default route, MTU, DNS server, domain, host
#     name, and the oci= location dnsmasq sends as option 43 sub-option 1
#     to vendor class "ociboot";
#   - DNS: a host record dnsmasq serves, resolved through the DHCP-given
#     server; a name it does not know is refused as NXDOMAIN;
#   - ip= static configuration, the same checks;
#   - no carrier, and no DHCP answer: each fails after its deadline with
#     one line naming the interface and the reason;
#   - two interfaces, the first without carrier: it is named and skipped,
#     the second gets the lease.
# Skipped (a failure under CI=true) when not root.
set -u
. scripts/testlib.sh
need_commands dnsmasq ip unshare nsenter
driver=$BUILD/tests/net
need_driver "$driver"
need_root "network namespaces"
if [ "${OCIBOOT_NET_TEST_NS:-}" != 1 ]; then
	exec unshare -n env OCIBOOT_NET_TEST_NS=1 sh "$0" "$@"
fi

testlib_tmpdir
server_pid= dnsmasq_pid=
# dnsmasq_stop: stop the dnsmasq dnsmasq_start started, if running.
dnsmasq_stop() {
	[ -n "$dnsmasq_pid" ] || return 0
	kill "$dnsmasq_pid" 2> /dev/null
	wait "$dnsmasq_pid" 2> /dev/null
	dnsmasq_pid=
	return 0
}
stop() {
	dnsmasq_stop
	[ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null &&
		wait "$server_pid" 2> /dev/null
	return 0
}
testlib_on_exit stop

client_mac=52:54:00:0c:11:01
oci=http://registry.ociboot.test:5000/ociboot/system:prod

# The server's namespace, held by a sleeping process of its own.
unshare -n sleep 600 &
server_pid=$!
# Until it has its own namespace (unshare runs before it execs sleep).
for _ in $(seq 50); do
	[ "$(readlink "/proc/$server_pid/ns/net")" != \
		"$(readlink /proc/self/ns/net)" ] && break
	sleep 0.1
done
[ "$(readlink "/proc/$server_pid/ns/net")" != \
	"$(readlink /proc/self/ns/net)" ] || fatal "the server's namespace"
in_server() { nsenter -t "$server_pid" -n "$@"; }
ip link set lo up
ip link add veth-c address "$client_mac" type veth peer name veth-s \
	netns "/proc/$server_pid/ns/net" || fatal "veth pair"
in_server ip link set lo up
in_server ip addr add 10.99.0.1/24 dev veth-s
in_server ip link set veth-s up

# dnsmasq_start: DHCP with every option the client reads, and DNS. No
# ping of an address before offering it (dnsmasq's default holds the
# first OFFER about 3 s).
dnsmasq_start() {
	: > "$tmp/leases"
	# nsenter execs dnsmasq: $! is dnsmasq itself.
	nsenter -t "$server_pid" -n dnsmasq --keep-in-foreground \
		--conf-file=/dev/null \
		--user=root --group=root --pid-file="$tmp/dnsmasq.pid" \
		--interface=veth-s --bind-interfaces --no-resolv --no-hosts \
		--dhcp-leasefile="$tmp/leases" --log-dhcp --log-queries \
		--log-facility="$tmp/dnsmasq.log" \
		--no-ping --dhcp-range=10.99.0.50,10.99.0.50,255.255.255.0,1h \
		--dhcp-option=option:router,10.99.0.254 \
		--dhcp-option=option:dns-server,10.99.0.1 \
		--dhcp-option=option:domain-name,ociboot.test \
		--dhcp-option=option:mtu,1400 \
		--dhcp-host="$client_mac,node-1" \
		--dhcp-option="vendor:ociboot,1,$oci" \
		--local=/test/ \
		--host-record=registry.ociboot.test,10.99.0.7 &
	dnsmasq_pid=$!
	for _ in $(seq 50); do
		grep -q "started" "$tmp/dnsmasq.log" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}

# value KEY: the value of KEY= in the driver's output.
value() {
	sed -n "s/^$1=//p" "$tmp/out" | tr '\n' ' ' | sed 's/ $//'
}

reset_client() {
	ip addr flush dev veth-c
	ip route flush dev veth-c 2> /dev/null
	ip link set veth-c down
	ip link set veth-c mtu 1500
}

# --- DHCP and DNS ------------------------------------------------------------

check "dnsmasq started" dnsmasq_start || { cat "$tmp/dnsmasq.log"; exit 1; }
expect_exit 0 "net up with DHCP" "$driver" up "" 20000 \
	registry.ociboot.test || cat "$tmp/err"
check_equal "interface" "$(value ifname)" veth-c
check_equal "source" "$(value source)" dhcp
check_equal "address" "$(value address)" 10.99.0.50/24
check_equal "gateway" "$(value gateway)" 10.99.0.254
check_equal "DNS servers" "$(value dns)" 10.99.0.1
check_equal "domain" "$(value domain)" ociboot.test
check_equal "host name" "$(value hostname)" node-1
check_equal "MTU" "$(value mtu)" 1400
check_equal "server identifier" "$(value server)" 10.99.0.1
check_equal "lease" "$(value lease)" 3600
check_equal "oci= from DHCP" "$(value oci)" "$oci"
check_equal "resolved through the DHCP-given server" \
	"$(sed -n 's/^resolve registry.ociboot.test=//p' "$tmp/out")" \
	10.99.0.7
# What the kernel holds, as iproute2 shows it.
check_equal "ip addr" "$(ip -4 -o addr show dev veth-c |
	awk '{ print $4, $5, $6 }')" "10.99.0.50/24 brd 10.99.0.255"
check_equal "ip route default" "$(ip -4 route show default |
	awk '{ print $1, $2, $3, $4, $5, $6, $7 }')" \
	"default via 10.99.0.254 dev veth-c proto dhcp"
check_equal "ip link mtu" "$(ip -o link show dev veth-c |
	sed -n 's/.* mtu \([0-9]*\) .*/\1/p')" 1400
check "ip link up" sh -c "ip -o link show dev veth-c | grep -q '<.*UP.*>'"
# What the server saw.
check "dnsmasq leased it to our MAC" grep -q "$client_mac 10.99.0.50" \
	"$tmp/leases"
check "dnsmasq saw vendor class ociboot" \
	grep -q 'vendor class: ociboot' "$tmp/dnsmasq.log"
check "dnsmasq sent option 43" grep -q 'sent size: *[0-9]* option: *43' \
	"$tmp/dnsmasq.log"
check "dnsmasq answered the A query" grep -q \
	'config registry.ociboot.test is 10.99.0.7' "$tmp/dnsmasq.log"

# dnsmasq is the authority for .test (--local): it says no such name. A
# name elsewhere it cannot forward (--no-resolv): it refuses, at once.
reset_client
expect_error 1 "registry.nowhere.test: DNS answer: no such name (NXDOMAIN)" \
	"$driver" up "" 20000 registry.nowhere.test
reset_client
start=$(date +%s%N)
expect_error 1 "registry.example.org: DNS answer: server failure (RCODE 5)" \
	"$driver" up "" 20000 registry.example.org
elapsed=$((($(date +%s%N) - start) / 1000000))
check "a refusal ends the lookup at once ($elapsed ms)" test "$elapsed" -lt 5000

# --- static: ip= -------------------------------------------------------------

reset_client
expect_exit 0 "net up with ip=" "$driver" up \
	"10.99.0.60::10.99.0.254:255.255.255.0:node-2:veth-c:off:10.99.0.1" \
	10000 registry.ociboot.test || cat "$tmp/err"
check_equal "static source" "$(value source)" static
check_equal "static address" "$(value address)" 10.99.0.60/24
check_equal "static host name" "$(value hostname)" node-2
check_equal "static resolves" \
	"$(sed -n 's/^resolve registry.ociboot.test=//p' "$tmp/out")" \
	10.99.0.7
check_equal "static ip addr" "$(ip -4 -o addr show dev veth-c |
	awk '{ print $4 }')" 10.99.0.60/24
check_equal "static ip route default" "$(ip -4 route show default |
	awk '{ print $1, $2, $3, $4, $5 }')" \
	"default via 10.99.0.254 dev veth-c"
expect_error 1 "ip=: device 'eth/9'" "$driver" up \
	"10.99.0.60:::24::eth/9" 1000
expect_error 1 "eth7: ip= names this interface, but the Ethernet ones" \
	"$driver" up ":::::eth7" 1000

# --- failures after their deadlines ----------------------------------------

reset_client
dnsmasq_stop
start=$(date +%s%N)
expect_error 1 "^veth-c: DHCP: no answer after [0-9]* ms: [0-9]* \
messages\{0,1\} sent: timed out$" "$driver" up "" 3000
elapsed=$((($(date +%s%N) - start) / 1000000))
check "no DHCP answer: gave up after the 3 s deadline ($elapsed ms)" \
	test "$elapsed" -ge 3000 -a "$elapsed" -lt 5000

reset_client
in_server ip link set veth-s down
start=$(date +%s%N)
expect_error 1 "^veth-c: no carrier after [0-9]* ms" "$driver" up "" 1500
elapsed=$((($(date +%s%N) - start) / 1000000))
check "no carrier: gave up at the deadline ($elapsed ms)" \
	test "$elapsed" -ge 1400 -a "$elapsed" -lt 3000

# --- several interfaces -------------------------------------------------------
# veth-a (no carrier: its peer stays down) comes before veth-c in the
# kernel's order: it is tried, named and skipped, and veth-c gets the lease.

ip link del veth-c
ip link add veth-a address 52:54:00:0c:11:0a type veth peer name veth-b \
	netns "/proc/$server_pid/ns/net" || fatal "second veth pair"
ip link add veth-c address "$client_mac" type veth peer name veth-s \
	netns "/proc/$server_pid/ns/net" || fatal "veth pair again"
in_server ip addr add 10.99.0.1/24 dev veth-s
in_server ip link set veth-s up
check "dnsmasq started again" dnsmasq_start
start=$(date +%s%N)
expect_exit 0 "net up with two interfaces" "$driver" up "" 20000 ||
	cat "$tmp/err"
elapsed=$((($(date +%s%N) - start) / 1000000))
check_equal "the second interface got the lease" "$(value ifname)" veth-c
check_equal "its address" "$(value address)" 10.99.0.50/24
check "the first was named and skipped" grep -q \
	"^skipped: veth-a: no carrier after [0-9]* ms: timed out$" "$tmp/out"
check "the carrier wait took its 5 s ($elapsed ms)" \
	test "$elapsed" -ge 5000 -a "$elapsed" -lt 7000
check_equal "veth-a has no address" "$(ip -4 -o addr show dev veth-a)" ""

testlib_finish 30
