# net: the network boot's link half: rtnetlink helpers in libmnl's shape,
# interfaces, addresses and routes, the DHCPv4 client, the ip= static
# configuration, DNS A lookups, and net_up() that the init calls. See
# docs/network.md.
net_USES := lib crypto oci
net_INIT := nl.c link.c addr.c ipconfig.c dhcp.c dns.c net.c sys.c
net_TESTS := nl dhcp dns ipconfig
net_FUZZERS := nl dhcp dns
