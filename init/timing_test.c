/* SPDX-License-Identifier: MIT */
/*
 * The init's stage timing: totals, the log's summary and the TIME lines of
 * /run/ociboot/boot, including a table fuller than its cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "init/timing.h"

static void fill(struct timing *t)
{
	memset(t, 0, sizeof(*t));
	timing_add(t, "early", 2103, 2105);
	timing_add(t, "cmdline", 2105, 2105);
	timing_add(t, "modules", 2105, 2285);
	timing_add(t, "verify", 2285, 2325);
}

static void test_total(void **state)
{
	struct timing t;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(timing_total_ms(&t, 5000), 0);
	fill(&t);
	assert_int_equal(t.start_ms, 2103);
	assert_int_equal(timing_total_ms(&t, 2330), 227);
}

static void test_summary(void **state)
{
	char buf[256];
	struct strbuf sb;
	struct timing t;

	(void)state;
	fill(&t);
	strbuf_init(&sb, buf, sizeof(buf));
	timing_summary(&t, 2330, &sb);
	assert_string_equal(buf, "227 ms from /init to now (the kernel took "
			    "2103 ms): early 2, modules 180, verify 40");
}

static void test_format(void **state)
{
	char buf[512];
	struct strbuf sb;
	struct timing t;

	(void)state;
	fill(&t);
	strbuf_init(&sb, buf, sizeof(buf));
	timing_format(&t, 2330, &sb);
	assert_string_equal(buf, "TIME_KERNEL_MS=2103\n"
			    "TIME_INIT_MS=227\n"
			    "TIME_STAGE=2103 2 early\n"
			    "TIME_STAGE=2105 0 cmdline\n"
			    "TIME_STAGE=2105 180 modules\n"
			    "TIME_STAGE=2285 40 verify\n");
}

static void test_cap(void **state)
{
	struct timing t;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (int i = 0; i < TIMING_STAGES_MAX + 3; i++)
		timing_add(&t, "s", 10 * i, 10 * i + 1);
	assert_int_equal(t.count, TIMING_STAGES_MAX);
	assert_int_equal(t.start_ms, 0);
	assert_int_equal(timing_total_ms(&t, 1000), 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_total),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
