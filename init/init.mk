# init: PID 1, the only folder that sequences the others.
init_USES := lib crypto oci fs tpm net trust service
init_MAIN := main.c
init_INIT := boot.c pid1.c fail.c log.c cmdline.c modules.c buildid.c \
	lockdown.c firmware.c verified.c switch_root.c timing.c tpm_boot.c \
	services.c network.c netcmdline.c netcache.c modload.c storefs.c
# Stages that read disks run in a child of PID 1 under a deadline.
init_INIT += stage_bounded.c
# What the kernel saw, for the store-not-found line.
init_INIT += devices.c

# The boot stages' test builds layers with the host layer builder.
init_TEST_USES := layer

init_TESTS := cmdline modules buildid lockdown log firmware switch_root \
	verified timing devices tpm_boot netcmdline storefs
init_TESTS += stage_bounded
init_FUZZERS := cmdline modules firmware switch_root lockdown

shell_tests += init/init_test.sh
