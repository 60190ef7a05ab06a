# Chain of trust: DER reader, names, certificates, CA anchors and chain
# validation, detached signatures (BearSSL; init and host tool), and the
# host tool's key generation and signing (OpenSSL) behind `ociboot keys`.
crypto_verify_SRCS := crypto/der.c crypto/dn.c crypto/cert.c crypto/x509.c \
	crypto/signature.c crypto/verify_error.c lib/fileio.c $(SHA256_SRCS)

init_SRCS += crypto/der.c crypto/dn.c crypto/cert.c crypto/x509.c \
	crypto/signature.c crypto/verify_error.c
tool_SRCS += crypto/der.c crypto/dn.c crypto/cert.c crypto/x509.c \
	crypto/signature.c crypto/verify_error.c crypto/keygen.c tool/keys.c

tests += dn cert x509
test_dn_SRCS := crypto/dn_test.c $(crypto_verify_SRCS)
test_dn_LIBS := -lcrypto
test_cert_SRCS := crypto/cert_test.c crypto/openssl_fixture.c $(crypto_verify_SRCS)
test_x509_SRCS := crypto/x509_test.c crypto/openssl_fixture.c $(crypto_verify_SRCS)

fuzzers += dn cert x509
fuzz_dn_SRCS := crypto/dn_fuzz.c $(crypto_verify_SRCS)
fuzz_cert_SRCS := crypto/cert_fuzz.c $(crypto_verify_SRCS)
fuzz_x509_SRCS := crypto/x509_fuzz.c $(crypto_verify_SRCS)

# Our `keys` output against openssl, and openssl's signatures against our
# `keys verify`.
shell_tests += crypto/keys_test.sh
