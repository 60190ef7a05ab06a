# fs/oci: OCI image-spec documents and the system manifest.
init_SRCS += fs/oci.c
tool_SRCS += fs/oci.c

tests += oci
test_oci_SRCS := fs/oci_test.c fs/oci.c fs/json.c $(SHA256_SRCS)

fuzzers += oci
fuzz_oci_SRCS := fs/oci_fuzz.c fs/oci.c fs/json.c $(SHA256_SRCS)
