# tpm: TPM 2.0 access over tpm2-tss (tss2-sys, tcti-device, tcti-swtpm):
# PCR reads, NV indices and policy sessions (nv), policy digests (policy)
# and ociboot's NV layout (layout, docs/tpm.md).
tpm_USES := lib crypto
tpm_INIT := tpm.c nv.c policy.c layout.c key.c crypto_bearssl.c esys.c \
	loaded.c
tpm_TESTLIB := tpm_fake.c

# The unit test includes tpm/tpm.c itself (to plug a fake TCTI into its
# internals), then starts its own swtpm twice (socket for tcti-swtpm, a pty
# in character-device mode for tcti-device) and compares with tpm2-tools.
# With OCIBOOT_TPM_TCTI=device:/dev/tpmrm0 (or swtpm:path=...) in the
# environment it compares against that TPM instead, read-only.
# policy: known answers for PolicyPCR digests (tpm2-tools in the shell
# test); nv: the NV_ReadPublic, NV_Read and GetRandom answers' checks over
# the fake TCTI; loaded: the GetCapability(TPM_CAP_HANDLES) answers' checks
# over the fake TCTI (counting and flushing against swtpm in the shell test).
tpm_TESTS := tpm policy nv crypto_bearssl esys loaded

# The fake TCTI answering with fuzzer-chosen PCR_Read responses; nv: with
# fuzzer-chosen NV_ReadPublic / NV_Read / GetRandom answers.
tpm_FUZZERS := tpm nv

# `ociboot tpm` against swtpm: provision, tpm2_nvreadpublic of every index
# against docs/tpm.md, the policy against tpm2_policypcr, refusals.
shell_tests += tpm/tpm_test.sh
