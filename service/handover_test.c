/* SPDX-License-Identifier: MIT */
/*
 * The service file the init hands over: a valid one read back field by
 * field, every refusal table-driven with its line, and truncation at
 * every offset refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/util.h"
#include "service/handover.h"

#define D1 "sha256:1111111111111111111111111111111111111111" \
	"111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222" \
	"222222222222222222222222"
#define H "abababababababababababababababababababababababababababababababab"

static const char valid[] =
	"NAME=web\n"
	"IMAGE=" D1 "\n"
	"CONFIG=" D2 "\n"
	"LAYERS=2\n"
	"LAYER0=" D1 " " H " /run/ociboot/services/web/layers/0\n"
	"LAYER1=" D2 " " H " /run/ociboot/services/web/layers/1\n";

static void test_valid(void **state)
{
	static struct handover h;
	struct error err;

	assert_int_equal(handover_parse(valid, strlen(valid), &h, &err), 0);
	assert_string_equal(h.name, "web");
	assert_int_equal(h.image_digest[0], 0x11);
	assert_int_equal(h.config_digest[31], 0x22);
	assert_int_equal(h.layer_count, 2);
	assert_int_equal(h.layers[1].digest[0], 0x22);
	assert_int_equal(h.layers[0].root_hash[0], 0xab);
	assert_string_equal(h.layers[1].dir,
			    "/run/ociboot/services/web/layers/1");
}

struct bad_case {
	const char *text;
	int want;
	const char *why;	/* a part of err.why */
};

static const struct bad_case bad[] = {
	{ "", -OCIBOOT_EMALFORMED, "line 1: missing (NAME=)" },
	{ "NAME=Web\n", -OCIBOOT_EMALFORMED, "line 1: not a service name" },
	{ "NAME=web\nIMAGE=sha256:12\n", -OCIBOOT_EMALFORMED, "line 2" },
	{ "NAME=web\nCONFIG=" D1 "\n", -OCIBOOT_EMALFORMED,
	  "line 2: not the key" },
	{ "NAME=web\nIMAGE=" D1 "\nCONFIG=" D2 "\nLAYERS=0\n",
	  -OCIBOOT_ETOOBIG, "line 4: layers out of range" },
	{ "NAME=web\nIMAGE=" D1 "\nCONFIG=" D2 "\nLAYERS=128\n",
	  -OCIBOOT_ETOOBIG, "line 4" },
	{ "NAME=web\nIMAGE=" D1 "\nCONFIG=" D2 "\nLAYERS=x\n",
	  -OCIBOOT_EMALFORMED, "line 4: not a count" },
	{ "NAME=web\nIMAGE=" D1 "\nCONFIG=" D2 "\nLAYERS=1\n",
	  -OCIBOOT_EMALFORMED, "line 5: missing (LAYER0=)" },
	{ "NAME=web\nIMAGE=" D1 "\nCONFIG=" D2 "\nLAYERS=1\nLAYER0=" D1
	  " " H " /run/ociboot/services/db/layers/0\n", -OCIBOOT_EMALFORMED,
	  "line 5: not the service's layer directory" },
	{ "NAME=web\nIMAGE=" D1 "\nCONFIG=" D2 "\nLAYERS=1\nLAYER0=" D1
	  " zz" H " /x\n", -OCIBOOT_EMALFORMED, "line 5" },
	{ "NAME=web\nIMAGE=" D1 "\nCONFIG=" D2 "\nLAYERS=1\nLAYER1=" D1
	  " " H " /x\n", -OCIBOOT_EMALFORMED, "line 5: not the key" },
	{ "NAME=web\nIMAGE=" D1 "\nCONFIG=" D2 "\nLAYERS=1\nLAYER0=" D1
	  " " H " /run/ociboot/services/web/layers/0\nEXTRA=1\n",
	  -OCIBOOT_EMALFORMED, "line 6: more lines" },
};

static void test_bad(void **state)
{
	static struct handover h;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct error err;
		int r = handover_parse(bad[i].text, strlen(bad[i].text), &h,
				       &err);

		if (r != bad[i].want || !strstr(err.why, bad[i].why))
			fail_msg("case %zu: got %d '%s', want %d '%s'", i, r,
				 err.why, bad[i].want, bad[i].why);
		assert_string_equal(h.name, "");
		assert_int_equal(h.layer_count, 0);
	}
}

/* Every prefix short of the last newline is refused. */
static void test_truncated(void **state)
{
	static struct handover h;
	size_t len = strlen(valid);

	for (size_t n = 0; n + 1 < len; n++) {
		struct error err;

		if (handover_parse(valid, n, &h, &err) == 0)
			fail_msg("prefix of %zu bytes accepted", n);
		assert_true(error_failed(&err));
	}
	assert_int_equal(handover_parse(valid, len - 1, &h, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
