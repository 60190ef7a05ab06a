# SHA-256 (crypto/sha256.h): the streaming layer over BearSSL and SHA-NI.
# crypto/build.mk puts both sources into the init and the host tool.
# Everything else that links crypto/sha256.c should list crypto/sha256_ni.c
# beside it; without it the weak references leave only the BearSSL path.

# Known answers, OpenSSL as the reference, each compression function.
tests += sha256
test_sha256_SRCS := crypto/sha256_test.c crypto/sha256.c crypto/sha256_ni.c
test_sha256_LIBS := -lcrypto

# The two compression functions against each other and the one-shot form,
# on fuzzer-chosen data and chunking; sha256_from_hex on the same bytes.
fuzzers += sha256
fuzz_sha256_SRCS := crypto/sha256_fuzz.c crypto/sha256.c crypto/sha256_ni.c
