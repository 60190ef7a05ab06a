# SHA-256 (crypto/sha256.h): the streaming layer over BearSSL and SHA-NI.
# Everything links both sources through $(SHA256_SRCS) (see the Makefile).

# Known answers, OpenSSL as the reference, each compression function.
tests += sha256
test_sha256_SRCS := crypto/sha256_test.c $(SHA256_SRCS)
test_sha256_LIBS := -lcrypto

# The two compression functions against each other and the one-shot form,
# on fuzzer-chosen data and chunking; sha256_from_hex on the same bytes.
fuzzers += sha256
fuzz_sha256_SRCS := crypto/sha256_fuzz.c $(SHA256_SRCS)
