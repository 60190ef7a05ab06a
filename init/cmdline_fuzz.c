/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the kernel command line parser: every input either parses into a
 * configuration that prints, or fails with a reason and a valid policy;
 * splitting never yields a parameter outside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "init/cmdline.h"
#include "lib/util.h"

static void check_split(const char *buf, size_t len)
{
	struct cmdline_cursor cur;
	struct cmdline_param p;
	size_t count = 0;

	cmdline_cursor_init(&cur, buf, len);
	while (cmdline_next(&cur, &p) > 0) {
		if (p.key < buf || p.key + p.key_len > buf + len)
			__builtin_trap();
		if (p.value < buf || p.value + p.value_len > buf + len)
			__builtin_trap();
		if (++count > len)
			__builtin_trap();	/* no progress */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct ociboot_config config;
	struct failure_policy policy;
	struct error err;
	char out[CMDLINE_FORMAT_MAX];

	check_split(buf, size);
	if (cmdline_parse(buf, size, &config, &err) < 0) {
		cmdline_failure_policy(buf, size, &policy);
		if (!err.why[0] || err.code >= 0 ||
		    !failure_action_name(policy.action) ||
		    policy.reboot_delay_s > CMDLINE_REBOOT_DELAY_MAX)
			__builtin_trap();
		return 0;
	}
	if (cmdline_format(&config, out, sizeof(out)) <= 0)
		__builtin_trap();
	return 0;
}
