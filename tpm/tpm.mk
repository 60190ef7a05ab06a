# TPM 2.0 access over tpm2-tss (tss2-sys, tcti-device, tcti-swtpm).
# The init's own fragment adds tpm/tpm.c to init_SRCS; the host tool links it
# here to talk to swtpm when provisioning.
tool_SRCS += tpm/tpm.c

# The unit test includes tpm/tpm.c itself (to plug a fake TCTI into its
# internals), then starts its own swtpm twice (socket for tcti-swtpm, a pty in
# character-device mode for tcti-device) and compares with tpm2-tools.
# With OCIBOOT_TPM_TCTI=device:/dev/tpmrm0 (or swtpm:path=...) in the
# environment it compares against that TPM instead, read-only.
tests += tpm
test_tpm_SRCS := tpm/tpm_test.c $(SHA256_SRCS)
test_tpm_LIBS := -ltss2
$(BUILD)/tests/tpm: tpm/tpm.c
