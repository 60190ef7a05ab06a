# init: PID 1, the only folder that sequences the others.
init_USES := lib crypto oci fs tpm net trust
init_MAIN := main.c
init_INIT := boot.c pid1.c fail.c log.c cmdline.c modules.c buildid.c \
	lockdown.c firmware.c verified.c switch_root.c timing.c \
	network.c netcmdline.c

# The boot stages' test builds layers with the host layer builder.
init_TEST_USES := layer

init_TESTS := cmdline modules buildid lockdown log firmware switch_root \
	verified timing netcmdline
init_FUZZERS := cmdline modules firmware switch_root

shell_tests += init/init_test.sh
