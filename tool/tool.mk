# tool: the host command `ociboot` (keys, layer, image, manifest, verify,
# limits, ukify), one file a command over the subsystems below it.
tool_USES := lib crypto oci fs tpm trust layer ukify
tool_MAIN := main.c
tool_HOST := cli.c keys.c layer.c image.c manifest.c verify.c ukify.c \
	limits.c tpm.c

tool_TESTS := cli commands
