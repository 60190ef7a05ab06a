# The benchmarks' drivers: a unit test's driver mode built like the host tool
# (-O2, no sanitizers), so the numbers are those `ociboot` would see.
# bench/sha256.sh drives crypto/sha256_test.c's `sum` mode; bench/verity.sh
# drives layer/verity_tree_test.c's `format` mode. The test's fixtures (the
# F_TESTLIB of its folder and of those it uses) are linked as host objects.
bench_fixtures = $(foreach f,$(1) $($(1)_USES) $($(1)_TEST_USES), \
	$(patsubst %.c,$(BUILD)/obj/host/$(f)/%.o,$($(f)_TESTLIB)))
define bench_rule
$(BUILD)/bench/$(2): $(BUILD)/obj/host/$(1)/$(2)_test.o \
		$(call bench_fixtures,$(1)) \
		$(call libs,host,$(1) $($(1)_USES) $($(1)_TEST_USES))
	@mkdir -p $$(@D)
	$(CC) $(HOST_LDFLAGS) -o $$@ $$< $$(filter %.o,$$(wordlist 2,999,$$^)) \
		$$(call group,$$(filter %.a,$$^)) -lcmocka $(HOST_LIBS)
endef
$(eval $(call bench_rule,crypto,sha256))
$(eval $(call bench_rule,layer,verity_tree))
