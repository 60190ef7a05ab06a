# net: the network boot. The link half: rtnetlink functions in libmnl's
# shape, interfaces, addresses and routes, the DHCPv4 client, the ip= static
# configuration, DNS A lookups, and net_up() that the init calls (see
# docs/network.md). The fetch half: HTTP/1.1 over TCP and TLS (BearSSL) and
# the OCI distribution client that pulls a signed system and its images
# into an OCI layout (see docs/registry.md); getaddrinfo() behind the
# resolver hook for the host tool.
net_USES := lib crypto oci
net_INIT := nl.c link.c addr.c ipconfig.c dhcp.c dns.c net.c sys.c \
	url.c http_parse.c auth.c tls.c http.c registry.c
net_HOST := resolve_host.c

net_TESTS := nl dhcp dns ipconfig net url http_parse auth http
net_FUZZERS := nl dhcp dns url http www_authenticate

# net_up() in network namespaces of its own against dnsmasq (DHCP, DNS),
# checked with iproute2; no answer and no carrier fail at their deadlines.
shell_tests += net/net_test.sh
# Pulls from docker-registry (HTTP, and HTTPS with a test CA made by
# openssl) and from a registry with faults, compared with skopeo and
# sha256sum.
shell_tests += net/registry_test.sh
shell_tests += net/registry_tls_test.sh
