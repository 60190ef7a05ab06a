# tpm: TPM 2.0 access over tpm2-tss (tss2-sys, tcti-device, tcti-swtpm).
tpm_USES := lib crypto
tpm_INIT := tpm.c
tpm_TESTLIB := tpm_fake.c

# The unit test includes tpm/tpm.c itself (to plug a fake TCTI into its
# internals), then starts its own swtpm twice (socket for tcti-swtpm, a pty
# in character-device mode for tcti-device) and compares with tpm2-tools.
# With OCIBOOT_TPM_TCTI=device:/dev/tpmrm0 (or swtpm:path=...) in the
# environment it compares against that TPM instead, read-only.
tpm_TESTS := tpm

# The fake TCTI answering with fuzzer-chosen PCR_Read responses.
tpm_FUZZERS := tpm
