# The benchmarks' drivers: a unit test's driver mode built like the host tool
# (-O2, no sanitizers), so the numbers are those `ociboot` would see.
# bench/sha256.sh drives crypto/sha256_test.c's `sum` mode; bench/verity.sh
# drives layer/verity_tree_test.c's `format` mode.
define bench_rule
$(BUILD)/bench/$(2): $(BUILD)/obj/host/$(1)/$(2)_test.o \
		$(call libs,host,$(1) $($(1)_USES) $($(1)_TEST_USES))
	@mkdir -p $$(@D)
	$(CC) $(HOST_LDFLAGS) -o $$@ $$< $$(call group,$$(filter %.a,$$^)) \
		-lcmocka $(HOST_LIBS)
endef
$(eval $(call bench_rule,crypto,sha256))
$(eval $(call bench_rule,layer,verity_tree))
