# PID 1: the init in the initrd, and the tests of its pure parts.
init_SRCS += init/main.c init/pid1.c init/fail.c init/log.c init/file.c \
	init/cmdline.c init/modules.c init/buildid.c init/lockdown.c \
	init/firmware.c init/verified.c fs/oci_ref.c tpm/tpm.c

tests += cmdline
test_cmdline_SRCS := init/cmdline_test.c init/cmdline.c fs/oci_ref.c \
	$(SHA256_SRCS)

fuzzers += cmdline
fuzz_cmdline_SRCS := init/cmdline_fuzz.c init/cmdline.c fs/oci_ref.c \
	$(SHA256_SRCS)

tests += modules
test_modules_SRCS := init/modules_test.c init/modules.c

fuzzers += modules
fuzz_modules_SRCS := init/modules_fuzz.c init/modules.c

tests += buildid
test_buildid_SRCS := init/buildid_test.c init/buildid.c

tests += lockdown
test_lockdown_SRCS := init/lockdown_test.c init/lockdown.c init/file.c \
	lib/fileio.c

tests += log
test_log_SRCS := init/log_test.c init/log.c init/file.c lib/fileio.c

shell_tests += init/init_test.sh
