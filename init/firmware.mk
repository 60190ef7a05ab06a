# The Secure Boot state from efivarfs. The init's own fragment adds
# init/firmware.c to init_SRCS; this one adds its test and fuzzer.
tests += firmware
test_firmware_SRCS := init/firmware_test.c init/firmware.c lib/fileio.c

fuzzers += firmware
fuzz_firmware_SRCS := init/firmware_fuzz.c init/firmware.c lib/fileio.c
