# tool: the host command `ociboot` (keys, layer, image, manifest, verify,
# limits, ukify), one file a command over the subsystems below it.
tool_USES := lib crypto oci fs tpm net trust layer ukify
tool_MAIN := main.c
tool_HOST := cli.c keys.c layer.c image.c manifest.c verify.c ukify.c \
	limits.c pull.c tpm.c
# Output files and progress lines, shared by the commands.
tool_HOST += output.c progress.c

tool_TESTS := cli commands

# Reproducible by default: layer, image and system manifest digests.
shell_tests += tool/reproducible_test.sh
