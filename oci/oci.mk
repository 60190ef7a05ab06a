# oci: the JSON codec, OCI image-spec documents and the system manifest,
# oci= locations, and OCI image layouts (read by the init and the host tool;
# written by the host tool only), and the deterministic JSON writer (the
# host tool's documents, and the service starter's config.json).
oci_USES := lib crypto
oci_INIT := json.c oci.c oci_ref.c layout.c jsonw.c
oci_HOST := layout_write.c

oci_TESTS := json jsonw oci oci_ref layout limits
oci_FUZZERS := json jsonw oci oci_ref layout

# Images made by `ociboot image create` against skopeo (inspect, copy
# between layouts, push to and pull from docker-registry), veritysetup's
# root hash, and layouts written by skopeo read back by `image inspect`.
shell_tests += oci/layout_test.sh
