# bench/verity.sh times fs/verity.c against veritysetup. It drives the
# format mode of fs/verity_test.c built like the host tool (-O2, no
# sanitizers), so the numbers are those `ociboot` would see.
$(BUILD)/bench/verity: fs/verity_test.c fs/verity.c lib/fileio.c \
		$(SHA256_SRCS) $(HEADERS) | $(DEPS)/.built
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ fs/verity_test.c fs/verity.c \
		lib/fileio.c $(SHA256_SRCS) $(HOST_LDFLAGS) -lcmocka -lbearssl
