# ukify: the initrd and unified kernel image builder of the host tool.
tool_SRCS += ukify/main.c ukify/file.c ukify/cpio.c ukify/moddep.c \
	ukify/initrd.c ukify/pe.c ukify/bzimage.c ukify/uki.c \
	ukify/authenticode.c

tests += cpio moddep pe bzimage uki authenticode
test_cpio_SRCS := ukify/cpio.c ukify/cpio_test.c
test_moddep_SRCS := ukify/moddep.c ukify/moddep_test.c
test_pe_SRCS := ukify/pe.c ukify/pe_fixture.c ukify/pe_test.c
test_bzimage_SRCS := ukify/bzimage.c ukify/bzimage_test.c
test_uki_SRCS := ukify/uki.c ukify/pe.c ukify/pe_fixture.c ukify/uki_test.c
test_authenticode_SRCS := ukify/authenticode.c ukify/pe.c ukify/pe_fixture.c \
	$(SHA256_SRCS) ukify/authenticode_test.c
test_authenticode_LIBS := -lcrypto

fuzzers += moddep pe bzimage
fuzz_moddep_SRCS := ukify/moddep.c ukify/moddep_fuzz.c
fuzz_pe_SRCS := ukify/pe.c ukify/pe_fixture.c ukify/pe_fuzz.c
fuzz_bzimage_SRCS := ukify/bzimage.c ukify/bzimage_fuzz.c

shell_tests += ukify/initrd_test.sh ukify/ukify_test.sh
