# net: HTTP/1.1 over TCP and TLS (BearSSL) and the OCI distribution client
# that pulls a signed system and its images into an OCI layout (init and
# host tool); getaddrinfo() behind the resolver hook for the host tool.
net_USES := lib crypto oci
net_INIT := url.c http_parse.c auth.c tls.c http.c registry.c
net_HOST := resolve_host.c

net_TESTS := url http_parse auth http
net_FUZZERS := url http www_authenticate

# Pulls from docker-registry (HTTP, and HTTPS with a test CA made by
# openssl) and from a registry with faults, compared with skopeo and
# sha256sum.
shell_tests += net/registry_test.sh
shell_tests += net/registry_tls_test.sh
