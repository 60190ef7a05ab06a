# fs/system: verification of a signed system in an OCI layout (the init's
# and `ociboot verify`'s shared code), and the host commands
# `ociboot manifest` (create, sign, package) and `ociboot verify`.
init_SRCS += fs/system.c
tool_SRCS += fs/system.c tool/manifest.c tool/verify.c

# The unit test builds layouts with the host writers, layers with the
# layer builder, and certificates and signatures with the openssl tool.
tests += system
test_system_SRCS := fs/system_test.c fs/system.c fs/layout.c \
	fs/layout_write.c fs/jsonw.c fs/oci.c fs/json.c fs/layer.c \
	fs/dirscan.c fs/squashfs_super.c fs/verity.c $(SHA256_SRCS) \
	crypto/der.c crypto/dn.c crypto/cert.c \
	crypto/x509.c crypto/signature.c crypto/verify_error.c \
	crypto/openssl_fixture.c lib/fileio.c
test_system_LIBS := -lsquashfs

# Keys, layers, an image and a signed system made by the tool, verified,
# then broken one way at a time; openssl and skopeo as references.
shell_tests += fs/system_test.sh
