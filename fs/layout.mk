# fs/layout: OCI image layouts (reading, for the init and the host tool;
# writing, host only), the deterministic JSON writer, and `ociboot image`.
init_SRCS += fs/layout.c
tool_SRCS += fs/layout.c fs/layout_write.c fs/jsonw.c tool/image.c

tests += jsonw layout
test_jsonw_SRCS := fs/jsonw_test.c fs/jsonw.c fs/json.c
test_layout_SRCS := fs/layout_test.c fs/layout.c fs/layout_write.c \
	fs/jsonw.c fs/oci.c fs/json.c lib/fileio.c $(SHA256_SRCS)

fuzzers += layout jsonw
fuzz_layout_SRCS := fs/layout_fuzz.c fs/layout.c fs/oci.c fs/json.c \
	lib/fileio.c $(SHA256_SRCS)
fuzz_jsonw_SRCS := fs/jsonw_fuzz.c fs/jsonw.c fs/json.c

# Images made by `ociboot image create` against skopeo (inspect, copy
# between layouts, push to and pull from docker-registry), veritysetup's
# root hash, and layouts written by skopeo read back by `image inspect`.
shell_tests += fs/layout_test.sh
