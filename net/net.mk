# net: the network boot's link half: rtnetlink functions in libmnl's shape,
# interfaces, addresses and routes, the DHCPv4 client, the ip= static
# configuration, DNS A lookups, and net_up() that the init calls. See
# docs/network.md.
net_USES := lib crypto oci
net_INIT := nl.c link.c addr.c ipconfig.c dhcp.c dns.c net.c sys.c
net_TESTS := nl dhcp dns ipconfig net
net_FUZZERS := nl dhcp dns

# net_up() in network namespaces of its own against dnsmasq (DHCP, DNS),
# checked with iproute2; no answer and no carrier fail at their deadlines.
shell_tests += net/net_test.sh
