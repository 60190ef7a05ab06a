# trust: the trust decision. Verification of a signed system in an OCI
# layout (the init's and `ociboot verify`'s shared code) and its
# description for the booted system.
trust_USES := lib crypto oci fs
trust_INIT := system.c services.c
# The unit test builds layers with the host layer builder.
trust_TEST_USES := layer

trust_TESTS := system

# Keys, layers, an image and a signed system made by the tool, verified,
# then broken one way at a time; openssl and skopeo as references.
shell_tests += trust/system_test.sh
