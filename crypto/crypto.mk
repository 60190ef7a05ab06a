# crypto: SHA-256 (BearSSL and SHA-NI), the DER reader, names, certificates,
# the X.509 chain to the CA and detached signatures (init and host tool);
# key generation and signing with OpenSSL for `ociboot keys` (host only).
crypto_USES := lib
crypto_INIT := sha256.c sha256_ni.c der.c dn.c cert.c x509.c signature.c \
	verify_error.c
crypto_HOST := keygen.c
crypto_TESTLIB := openssl_fixture.c

# Known answers and OpenSSL as the reference; fuzzers on every parser.
crypto_TESTS := sha256 der dn cert x509
crypto_FUZZERS := sha256 dn cert x509 der

# Our `keys` output against openssl, and openssl's signatures against our
# `keys verify`.
shell_tests += crypto/keys_test.sh
