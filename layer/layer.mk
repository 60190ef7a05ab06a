# layer: the host-only layer builder. The tar reader and directory scanner
# that feed it, the squashfs writer (libsquashfs) and the dm-verity tree
# builder, together making reproducible squashfs + verity layer blobs.
layer_USES := lib crypto oci fs
layer_HOST := tar.c dirscan.c compress.c layer.c verity_tree.c
layer_TESTLIB := layer_fixture.c

layer_TESTS := tar layer verity_tree compress
layer_FUZZERS := tar layer compress

# Against GNU tar, unsquashfs, veritysetup and a loop mount of the image.
shell_tests += layer/tar_test.sh layer/layer_test.sh
