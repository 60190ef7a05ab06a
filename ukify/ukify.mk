# ukify: the reproducible initrd (cpio, modules resolved from modules.dep)
# and the signed unified kernel image (PE layout on the systemd stub,
# Authenticode). Host only; `ociboot ukify` is tool/ukify.c.
ukify_USES := lib crypto
ukify_HOST := cpio.c moddep.c modsets.c initrd.c pe.c bzimage.c uki.c \
	authenticode.c
ukify_TESTLIB := pe_fixture.c

ukify_TESTS := cpio moddep modsets pe bzimage uki authenticode
ukify_FUZZERS := moddep pe bzimage authenticode

shell_tests += ukify/initrd_test.sh ukify/ukify_test.sh
