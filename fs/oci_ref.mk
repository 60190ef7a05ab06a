# The oci= location parser, shared by the init and the host tool.
tests += oci_ref
test_oci_ref_SRCS := fs/oci_ref_test.c fs/oci_ref.c $(SHA256_SRCS)

fuzzers += oci_ref
fuzz_oci_ref_SRCS := fs/oci_ref_fuzz.c fs/oci_ref.c $(SHA256_SRCS)
