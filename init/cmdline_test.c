/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line: splitting with the kernel's quoting rules, the typed
 * configuration, errors and the policy salvaged from a bad line, caps, and
 * truncation at every offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init/cmdline.h"
#include "lib/util.h"

/* "WHAT: WHY" (or WHY), as the init prints a refused command line. */
static const char *reason_of(const struct error *err)
{
	static char text[ERROR_WHAT_MAX + ERROR_WHY_MAX + 2];

	snprintf(text, sizeof(text), "%s%s%s", err->what,
		 err->what[0] ? ": " : "", err->why);
	return text;
}

#define DIGEST_HEX \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* --- splitting --------------------------------------------------------- */

struct split_case {
	const char *line;
	size_t len;		/* 0: strlen(line) */
	/* Each parameter as "key" or "key=value" (value quotes dropped),
	 * joined with '|'. */
	const char *want;
};

static const struct split_case splits[] = {
	{ "", 0, "" },
	{ "   \t\n", 0, "" },
	{ "a", 0, "a" },
	{ "a b=c", 0, "a|b=c" },
	{ "  a \t b \n", 0, "a|b" },
	{ "a= b", 0, "a=|b" },
	{ "a=b=c", 0, "a=b=c" },
	{ "=a", 0, "=a" },
	{ "=a=b", 0, "=a=b" },
	{ "a=\"b c\" d", 0, "a=b c|d" },
	{ "\"a=b c\" d", 0, "a=b c|d" },
	{ "\"a b\" c", 0, "a b|c" },
	{ "a=\"b", 0, "a=b" },
	{ "a=\"", 0, "a=" },
	{ "\"\"", 0, "" },
	{ "a=b\"c d\"", 0, "a=b\"c d\"" },
	{ "a=\"b\"c", 0, "a=b\"c" },
	{ "a=\"b\"\"c\"", 0, "a=b\"\"c" },
	{ "x \"unterminated quote", 0, "x|unterminated quote" },
	{ "a -- b=c", 0, "a" },
	{ "a \"--\" b", 0, "a" },
	{ "a --=x b", 0, "a|--=x|b" },
	{ "a\xa0" "b", 0, "a|b" },
	{ "a\vb\fc\rd", 0, "a|b|c|d" },
	{ "a\0b", 3, "a" },
};

static void join_params(const char *line, size_t len, char *out, size_t size)
{
	struct cmdline_cursor cur;
	struct cmdline_param p;
	size_t used = 0;
	bool first = true;

	out[0] = '\0';
	cmdline_cursor_init(&cur, line, len);
	while (cmdline_next(&cur, &p) > 0) {
		int n;

		if (p.key_len == 0 && !p.has_value)
			continue;	/* "" : an empty parameter */
		n = snprintf(out + used, size - used, "%s%.*s%s%.*s",
			     first ? "" : "|", (int)p.key_len, p.key,
			     p.has_value ? "=" : "", (int)p.value_len,
			     p.value);
		assert_true(n >= 0 && (size_t)n < size - used);
		used += (size_t)n;
		first = false;
	}
}

static void test_split(void **state)
{
	char got[256];

	for (size_t i = 0; i < ARRAY_SIZE(splits); i++) {
		const char *line = splits[i].line;
		size_t len = splits[i].len ? splits[i].len : strlen(line);

		join_params(line, len, got, sizeof(got));
		if (!streq(got, splits[i].want))
			fail_msg("split '%s': got '%s', want '%s'", line, got,
				 splits[i].want);
	}
}

static void test_split_pointers(void **state)
{
	static const char line[] = "x=\"1 2\"  \"y=3\" z";
	struct cmdline_cursor cur;
	struct cmdline_param p;

	cmdline_cursor_init(&cur, line, strlen(line));
	assert_int_equal(cmdline_next(&cur, &p), 1);
	assert_ptr_equal(p.key, line);
	assert_int_equal(p.key_len, 1);
	assert_true(p.has_value);
	assert_ptr_equal(p.value, line + 3);
	assert_int_equal(p.value_len, 3);
	assert_int_equal(cmdline_next(&cur, &p), 1);
	assert_ptr_equal(p.key, line + 10);
	assert_int_equal(p.key_len, 1);
	assert_int_equal(p.value_len, 1);
	assert_int_equal(p.value[0], '3');
	assert_int_equal(cmdline_next(&cur, &p), 1);
	assert_false(p.has_value);
	assert_int_equal(p.key[0], 'z');
	assert_int_equal(cmdline_next(&cur, &p), 0);
	assert_int_equal(cmdline_next(&cur, &p), 0);
}

/* --- configuration ----------------------------------------------------- */

struct config_case {
	const char *line;
	const char *want;	/* cmdline_format() output */
};

#define DEFAULTS_TAIL \
	"ociboot.on_failure=halt\nociboot.reboot_delay=10\n" \
	"ociboot.break=none\nociboot.debug=0\nociboot.tpm=optional\n" \
	"ociboot.verity=eio\n"
#define NO_OCI "oci=\noci.kind=none\n"

static const struct config_case configs[] = {
	{ "", NO_OCI DEFAULTS_TAIL },
	{ "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet console=ttyS0\n",
	  NO_OCI DEFAULTS_TAIL },
	{ "ociboot=1 ociboot ociboot_x=2 ociboot-debug OCIBOOT.debug=7",
	  NO_OCI DEFAULTS_TAIL },
	{ "console=ttyS0 oci=http://10.0.2.100:5000/sys/os:v2 quiet",
	  "oci=http://10.0.2.100:5000/sys/os:v2\noci.kind=registry\n"
	  "oci.scheme=http\noci.host=10.0.2.100\noci.host_kind=ipv4\n"
	  "oci.port=5000\noci.repository=sys/os\noci.tag=v2\n" DEFAULTS_TAIL },
	{ "oci=\"https://Reg.Example/a/b@sha256:" DIGEST_HEX "\"",
	  "oci=https://reg.example/a/b@sha256:" DIGEST_HEX "\n"
	  "oci.kind=registry\noci.scheme=https\noci.host=reg.example\n"
	  "oci.host_kind=name\noci.port=443\noci.repository=a/b\n"
	  "oci.digest=sha256:" DIGEST_HEX "\n" DEFAULTS_TAIL },
	{ "oci=https://[fe80::0:1]/r",
	  "oci=https://[fe80::1]/r:latest\noci.kind=registry\n"
	  "oci.scheme=https\noci.host=fe80::1\noci.host_kind=ipv6\n"
	  "oci.port=443\noci.repository=r\noci.tag=latest\n" DEFAULTS_TAIL },
	{ "oci=PARTLABEL=ociboot:/oci/layout",
	  "oci=PARTLABEL=ociboot:/oci/layout:latest\noci.kind=device\n"
	  "oci.device_key=PARTLABEL\noci.device_value=ociboot\n"
	  "oci.path=/oci/layout\noci.tag=latest\n" DEFAULTS_TAIL },
	{ "oci=dhcp ociboot.debug",
	  "oci=dhcp\noci.kind=dhcp\nociboot.on_failure=halt\n"
	  "ociboot.reboot_delay=10\nociboot.break=none\n"
	  "ociboot.debug=1\nociboot.tpm=optional\n"
	  "ociboot.verity=eio\n" },
	{ "ociboot.debug=1", NO_OCI "ociboot.on_failure=halt\n"
	  "ociboot.reboot_delay=10\nociboot.break=none\n"
	  "ociboot.debug=1\nociboot.tpm=optional\n"
	  "ociboot.verity=eio\n" },
	{ "ociboot.debug=0", NO_OCI DEFAULTS_TAIL },
	{ "ociboot.verity=restart", NO_OCI "ociboot.on_failure=halt\n"
	  "ociboot.reboot_delay=10\nociboot.break=none\nociboot.debug=0\n"
	  "ociboot.tpm=optional\nociboot.verity=restart\n" },
	{ "ociboot.verity=panic", NO_OCI "ociboot.on_failure=halt\n"
	  "ociboot.reboot_delay=10\nociboot.break=none\nociboot.debug=0\n"
	  "ociboot.tpm=optional\nociboot.verity=panic\n" },
	{ "ociboot.verity=eio", NO_OCI DEFAULTS_TAIL },
	{ "ociboot.io_timeout=30", NO_OCI DEFAULTS_TAIL },
	{ "ociboot.io_timeout=1", NO_OCI DEFAULTS_TAIL
	  "ociboot.io_timeout=1\n" },
	{ "ociboot.io_timeout=3600", NO_OCI DEFAULTS_TAIL
	  "ociboot.io_timeout=3600\n" },
	{ "ociboot.io_timeout=0005", NO_OCI DEFAULTS_TAIL
	  "ociboot.io_timeout=5\n" },
	{ "ociboot.on_failure=reboot ociboot.reboot_delay=0",
	  NO_OCI "ociboot.on_failure=reboot\nociboot.reboot_delay=0\n"
	  "ociboot.break=none\nociboot.debug=0\nociboot.tpm=optional\n"
	  "ociboot.verity=eio\n" },
	{ "ociboot.on_failure=poweroff ociboot.reboot_delay=3600",
	  NO_OCI "ociboot.on_failure=poweroff\nociboot.reboot_delay=3600\n"
	  "ociboot.break=none\nociboot.debug=0\nociboot.tpm=optional\n"
	  "ociboot.verity=eio\n" },
	{ "ociboot.reboot_delay=0007", NO_OCI "ociboot.on_failure=halt\n"
	  "ociboot.reboot_delay=7\nociboot.break=none\n"
	  "ociboot.debug=0\nociboot.tpm=optional\n"
	  "ociboot.verity=eio\n" },
	{ "ociboot.tpm=required", NO_OCI "ociboot.on_failure=halt\n"
	  "ociboot.reboot_delay=10\nociboot.break=none\n"
	  "ociboot.debug=0\nociboot.tpm=required\n"
	  "ociboot.verity=eio\n" },
	{ "ociboot.tpm=optional", NO_OCI DEFAULTS_TAIL },
	{ "ociboot.break=report", NO_OCI "ociboot.on_failure=halt\n"
	  "ociboot.reboot_delay=10\nociboot.break=report\n"
	  "ociboot.debug=0\nociboot.tpm=optional\n"
	  "ociboot.verity=eio\n" },
	{ "\"ociboot.break=report\" -- ociboot.nonsense oci=",
	  NO_OCI "ociboot.on_failure=halt\n"
	  "ociboot.reboot_delay=10\nociboot.break=report\n"
	  "ociboot.debug=0\nociboot.tpm=optional\n"
	  "ociboot.verity=eio\n" },
};

static void test_configs(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
		struct ociboot_config config;
		struct error err;
		char out[CMDLINE_FORMAT_MAX];
		int r;

		r = cmdline_parse(configs[i].line, strlen(configs[i].line),
				  &config, &err);
		if (r != 0)
			fail_msg("'%s': %s", configs[i].line, reason_of(&err));
		r = cmdline_format(&config, out, sizeof(out));
		assert_int_equal(r, (int)strlen(configs[i].want));
		if (!streq(out, configs[i].want))
			fail_msg("'%s':\ngot:\n%swant:\n%s", configs[i].line,
				 out, configs[i].want);
	}
}

struct error_case {
	const char *line;
	int err;
	const char *reason;		/* exact */
	enum failure_action action;	/* policy salvaged */
	unsigned delay;
};

static const struct error_case errors[] = {
	{ "ociboot.foo=1", -OCIBOOT_EMALFORMED,
	  "ociboot.foo=1: unknown ociboot option", FAILURE_HALT, 10 },
	{ "ociboot.tpm=maybe", -OCIBOOT_EMALFORMED,
	  "ociboot.tpm=maybe: must be optional or required", FAILURE_HALT,
	  10 },
	{ "ociboot.", -OCIBOOT_EMALFORMED,
	  "ociboot.: unknown ociboot option", FAILURE_HALT, 10 },
	{ "ociboot.on-failure=reboot", -OCIBOOT_EMALFORMED,
	  "ociboot.on-failure=reboot: unknown ociboot option", FAILURE_HALT,
	  10 },
	{ "oci", -OCIBOOT_EMALFORMED, "oci: needs a value", FAILURE_HALT, 10 },
	{ "oci=", -OCIBOOT_EMALFORMED, "oci=: location is empty", FAILURE_HALT,
	  10 },
	{ "oci=http://h:99999/r ociboot.on_failure=reboot", -OCIBOOT_EMALFORMED,
	  "oci=http://h:99999/r: port is not a number from 1 to 65535",
	  FAILURE_REBOOT, 10 },
	{ "oci=dhcp oci=dhcp", -OCIBOOT_EMALFORMED,
	  "oci=dhcp: given more than once", FAILURE_HALT, 10 },
	{ "ociboot.on_failure=explode", -OCIBOOT_EMALFORMED,
	  "ociboot.on_failure=explode: must be halt, reboot or poweroff",
	  FAILURE_HALT, 10 },
	{ "ociboot.on_failure", -OCIBOOT_EMALFORMED,
	  "ociboot.on_failure: needs a value", FAILURE_HALT, 10 },
	{ "ociboot.verity=ignore", -OCIBOOT_EMALFORMED,
	  "ociboot.verity=ignore: must be eio, restart or panic",
	  FAILURE_HALT, 10 },
	{ "ociboot.verity", -OCIBOOT_EMALFORMED,
	  "ociboot.verity: needs a value", FAILURE_HALT, 10 },
	{ "ociboot.verity=eio ociboot.verity=panic", -OCIBOOT_EMALFORMED,
	  "ociboot.verity=panic: given more than once", FAILURE_HALT, 10 },
	{ "ociboot.io_timeout=0", -OCIBOOT_EMALFORMED,
	  "ociboot.io_timeout=0: must be a whole number of seconds from 1 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.io_timeout=3601 ociboot.on_failure=poweroff",
	  -OCIBOOT_EMALFORMED,
	  "ociboot.io_timeout=3601: must be a whole number of seconds from 1 to 3600",
	  FAILURE_POWEROFF, 10 },
	{ "ociboot.io_timeout=10s", -OCIBOOT_EMALFORMED,
	  "ociboot.io_timeout=10s: must be a whole number of seconds from 1 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.io_timeout=", -OCIBOOT_EMALFORMED,
	  "ociboot.io_timeout=: must be a whole number of seconds from 1 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.io_timeout", -OCIBOOT_EMALFORMED,
	  "ociboot.io_timeout: must be a whole number of seconds from 1 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.io_timeout=-5", -OCIBOOT_EMALFORMED,
	  "ociboot.io_timeout=-5: must be a whole number of seconds from 1 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.io_timeout=10000", -OCIBOOT_EMALFORMED,
	  "ociboot.io_timeout=10000: must be a whole number of seconds from 1 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.io_timeout=5 ociboot.io_timeout=6", -OCIBOOT_EMALFORMED,
	  "ociboot.io_timeout=6: given more than once", FAILURE_HALT, 10 },
	{ "ociboot.on_failure=Reboot", -OCIBOOT_EMALFORMED,
	  "ociboot.on_failure=Reboot: must be halt, reboot or poweroff",
	  FAILURE_HALT, 10 },
	{ "ociboot.on_failure=reboot ociboot.on_failure=poweroff",
	  -OCIBOOT_EMALFORMED,
	  "ociboot.on_failure=poweroff: given more than once", FAILURE_HALT,
	  10 },
	{ "ociboot.reboot_delay=3601 ociboot.on_failure=reboot",
	  -OCIBOOT_EMALFORMED,
	  "ociboot.reboot_delay=3601: must be a whole number of seconds from 0 to 3600",
	  FAILURE_REBOOT, 10 },
	{ "ociboot.reboot_delay=-1", -OCIBOOT_EMALFORMED,
	  "ociboot.reboot_delay=-1: must be a whole number of seconds from 0 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.reboot_delay=", -OCIBOOT_EMALFORMED,
	  "ociboot.reboot_delay=: must be a whole number of seconds from 0 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.reboot_delay=00001", -OCIBOOT_EMALFORMED,
	  "ociboot.reboot_delay=00001: must be a whole number of seconds from 0 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.reboot_delay=1s", -OCIBOOT_EMALFORMED,
	  "ociboot.reboot_delay=1s: must be a whole number of seconds from 0 to 3600",
	  FAILURE_HALT, 10 },
	{ "ociboot.break=modules ociboot.reboot_delay=5 ociboot.on_failure=poweroff",
	  -OCIBOOT_EMALFORMED,
	  "ociboot.break=modules: must name a stage to stop after: report",
	  FAILURE_POWEROFF, 5 },
	{ "ociboot.break=none", -OCIBOOT_EMALFORMED,
	  "ociboot.break=none: must name a stage to stop after: report",
	  FAILURE_HALT, 10 },
	{ "ociboot.break", -OCIBOOT_EMALFORMED, "ociboot.break: needs a value",
	  FAILURE_HALT, 10 },
	{ "ociboot.debug=yes", -OCIBOOT_EMALFORMED,
	  "ociboot.debug=yes: must be 0 or 1, or given without a value",
	  FAILURE_HALT, 10 },
	{ "ociboot.debug=", -OCIBOOT_EMALFORMED,
	  "ociboot.debug=: must be 0 or 1, or given without a value",
	  FAILURE_HALT, 10 },
	{ "ociboot.debug ociboot.debug=0", -OCIBOOT_EMALFORMED,
	  "ociboot.debug=0: given more than once", FAILURE_HALT, 10 },
	/* The policy is salvaged only from keys that parse, once each. */
	{ "ociboot.x ociboot.on_failure=reboot ociboot.reboot_delay=2",
	  -OCIBOOT_EMALFORMED, "ociboot.x: unknown ociboot option",
	  FAILURE_REBOOT, 2 },
	{ "ociboot.x ociboot.on_failure=reboot ociboot.reboot_delay=2 "
	  "ociboot.reboot_delay=3", -OCIBOOT_EMALFORMED,
	  "ociboot.x: unknown ociboot option", FAILURE_REBOOT, 10 },
	{ "ociboot.on_failure=reboot ociboot.reboot_delay=x",
	  -OCIBOOT_EMALFORMED,
	  "ociboot.reboot_delay=x: must be a whole number of seconds from 0 to 3600",
	  FAILURE_REBOOT, 10 },
	{ "ociboot.x -- ociboot.on_failure=reboot", -OCIBOOT_EMALFORMED,
	  "ociboot.x: unknown ociboot option", FAILURE_HALT, 10 },
	/* Raw bytes are quoted escaped, so the record is safe to print. */
	{ "ociboot.\x01=\x7f", -OCIBOOT_EMALFORMED,
	  "ociboot.\\x01=\\x7f: unknown ociboot option", FAILURE_HALT, 10 },
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
		const struct error_case *c = &errors[i];
		struct ociboot_config config, untouched;
		struct failure_policy policy;
		struct error err;
		int r;

		memset(&config, 0x3c, sizeof(config));
		memcpy(&untouched, &config, sizeof(config));
		r = cmdline_parse(c->line, strlen(c->line), &config, &err);
		if (r != c->err || !streq(reason_of(&err), c->reason))
			fail_msg("'%s': got %d '%s', want %d '%s'", c->line, r,
				 reason_of(&err), c->err, c->reason);
		assert_int_equal(err.code, c->err);
		cmdline_failure_policy(c->line, strlen(c->line), &policy);
		assert_int_equal(policy.action, c->action);
		assert_int_equal(policy.reboot_delay_s, c->delay);
		assert_memory_equal(&config, &untouched, sizeof(config));
	}
}

static void test_limits(void **state)
{
	static char line[CMDLINE_MAX + 64];
	struct ociboot_config config;
	struct failure_policy policy;
	struct error err;
	size_t len;

	/* Exactly CMDLINE_MAX bytes parse; one more is refused. */
	memset(line, 'x', CMDLINE_MAX + 1);
	assert_int_equal(cmdline_parse(line, CMDLINE_MAX, &config, &err), 0);
	assert_int_equal(cmdline_parse(line, CMDLINE_MAX + 1, &config, &err),
			 -OCIBOOT_ETOOBIG);
	assert_string_equal(reason_of(&err),
			    "kernel command line is longer than 4096 bytes");
	cmdline_failure_policy(line, CMDLINE_MAX + 1, &policy);
	assert_int_equal(policy.action, FAILURE_HALT);

	/* CMDLINE_PARAMS_MAX parameters parse, one more is refused. */
	len = 0;
	for (int i = 0; i < CMDLINE_PARAMS_MAX; i++) {
		line[len++] = 'a';
		line[len++] = ' ';
	}
	assert_int_equal(cmdline_parse(line, len, &config, &err), 0);
	line[len++] = 'a';
	assert_int_equal(cmdline_parse(line, len, &config, &err),
			 -OCIBOOT_ETOOBIG);
	assert_string_equal(reason_of(&err),
			    "kernel command line has more than 512 parameters");

	/* Long keys and values are cut in the reason. */
	len = (size_t)snprintf(line, sizeof(line), "ociboot.%0100d=%0200d", 0,
			       0);
	assert_int_equal(cmdline_parse(line, len, &config, &err),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(strlen(reason_of(&err)),
			 CMDLINE_KEY_SHOWN_MAX + 3 + 1 +
			 CMDLINE_VALUE_SHOWN_MAX + 3 +
			 strlen(": unknown ociboot option"));
	assert_non_null(strstr(reason_of(&err), "...=0000"));
}

static void test_format(void **state)
{
	struct ociboot_config config;
	struct error err;
	char small[16];

	assert_int_equal(cmdline_parse("oci=dhcp", 8, &config, &err), 0);
	assert_int_equal(cmdline_format(&config, small, sizeof(small)),
			 -ENOSPC);
	assert_int_equal(cmdline_format(&config, small, 0), -ENOSPC);
	config.on_failure.action = (enum failure_action)9;
	assert_int_equal(cmdline_format(&config, small, sizeof(small)),
			 -EINVAL);
	assert_string_equal(failure_action_name(FAILURE_REBOOT), "reboot");
	assert_null(failure_action_name((enum failure_action)3));
	assert_string_equal(boot_break_name(BOOT_BREAK_REPORT), "report");
	assert_null(boot_break_name((enum boot_break)99));
}

/* --- truncation -------------------------------------------------------- */

static void check_prefix(const char *line, size_t len)
{
	struct ociboot_config config, untouched;
	struct failure_policy policy;
	struct error err;
	char out[CMDLINE_FORMAT_MAX];
	char *copy = malloc(len ? len : 1);	/* exact size for ASan */
	int r;

	assert_non_null(copy);
	memcpy(copy, line, len);
	memset(&config, 0x77, sizeof(config));
	memcpy(&untouched, &config, sizeof(config));
	r = cmdline_parse(copy, len, &config, &err);
	if (r < 0) {
		assert_true(r == -OCIBOOT_EMALFORMED || r == -OCIBOOT_ETOOBIG);
		assert_true(strlen(reason_of(&err)) > 0);
		cmdline_failure_policy(copy, len, &policy);
		assert_non_null(failure_action_name(policy.action));
		assert_true(policy.reboot_delay_s <= CMDLINE_REBOOT_DELAY_MAX);
		assert_memory_equal(&config, &untouched, sizeof(config));
	} else {
		assert_int_equal(r, 0);
		assert_true(cmdline_format(&config, out, sizeof(out)) > 0);
	}
	free(copy);
}

static void test_truncation(void **state)
{
	size_t prefixes = 0;

	for (size_t i = 0; i < ARRAY_SIZE(configs); i++)
		for (size_t len = 0; len <= strlen(configs[i].line); len++) {
			check_prefix(configs[i].line, len);
			prefixes++;
		}
	for (size_t i = 0; i < ARRAY_SIZE(errors); i++)
		for (size_t len = 0; len <= strlen(errors[i].line); len++) {
			check_prefix(errors[i].line, len);
			prefixes++;
		}
	for (size_t i = 0; i < ARRAY_SIZE(splits); i++)
		for (size_t len = 0; len <= strlen(splits[i].line); len++) {
			check_prefix(splits[i].line, len);
			prefixes++;
		}
	assert_true(prefixes > 1000);

	/* A cut inside a value changes the outcome as expected. */
	{
		static const char line[] = "ociboot.on_failure=reboot";
		struct ociboot_config config;
		struct error err;

		assert_int_equal(cmdline_parse(line, sizeof(line) - 2,
					       &config, &err),
				 -OCIBOOT_EMALFORMED);
		assert_string_equal(reason_of(&err),
				    "ociboot.on_failure=reboo: must be halt, reboot or poweroff");
		assert_int_equal(cmdline_parse(line, sizeof(line) - 1,
					       &config, &err), 0);
		assert_int_equal(config.on_failure.action, FAILURE_REBOOT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_pointers),
		cmocka_unit_test(test_configs),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
