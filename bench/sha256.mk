# bench/sha256.sh times crypto/sha256.c against sha256sum and openssl. It
# drives the `sum` mode of crypto/sha256_test.c built like the host tool
# (-O2, no sanitizers), so the numbers are those `ociboot` would see.
$(BUILD)/bench/sha256: crypto/sha256_test.c $(SHA256_SRCS) \
		$(HEADERS) | $(DEPS)/.built
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ crypto/sha256_test.c $(SHA256_SRCS) \
		$(HOST_LDFLAGS) -lcmocka -lcrypto -lbearssl
