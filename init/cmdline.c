/* SPDX-License-Identifier: MIT */
#include "init/cmdline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/constants.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define CMDLINE_PREFIX "ociboot."
#define CMDLINE_DELAY_DIGITS_MAX 4

static const char *const failure_actions[] = {
	[FAILURE_HALT] = "halt",
	[FAILURE_REBOOT] = "reboot",
	[FAILURE_POWEROFF] = "poweroff",
};

/* Keep in boot order; "none" is the default, not a value to give. */
static const char *const boot_breaks[] = {
	[BOOT_BREAK_NONE] = "none",
	[BOOT_BREAK_REPORT] = "report",
	[BOOT_BREAK_STORE] = "store",
	[BOOT_BREAK_VERIFY] = "verify",
	[BOOT_BREAK_LAYERS] = "layers",
	[BOOT_BREAK_ROOTFS] = "rootfs",
};

static const char *const tpm_modes[] = {
	[TPM_MODE_OPTIONAL] = "optional",
	[TPM_MODE_REQUIRED] = "required",
};

const char *tpm_mode_name(enum tpm_mode mode)
{
	return (unsigned)mode < ARRAY_SIZE(tpm_modes) ? tpm_modes[mode] : NULL;
}

static const char *const verity_policies[] = {
	[VERITY_POLICY_EIO] = "eio",
	[VERITY_POLICY_RESTART] = "restart",
	[VERITY_POLICY_PANIC] = "panic",
};

const char *failure_action_name(enum failure_action action)
{
	if ((size_t)action >= ARRAY_SIZE(failure_actions))
		return NULL;
	return failure_actions[action];
}

const char *boot_break_name(enum boot_break at)
{
	if ((size_t)at >= ARRAY_SIZE(boot_breaks))
		return NULL;
	return boot_breaks[at];
}

/* --- splitting -------------------------------------------------------- */

/* The kernel's isspace(), whose Latin-1 table counts 0xa0 as a space. */
static bool is_kernel_space(char c)
{
	unsigned char u = (unsigned char)c;

	return u == ' ' || (u >= '\t' && u <= '\r') || u == 0xa0;
}

void cmdline_cursor_init(struct cmdline_cursor *c, const char *buf,
			 size_t len)
{
	const char *nul = memchr(buf, '\0', len);

	c->buf = buf;
	c->len = nul ? (size_t)(nul - buf) : len;
	c->pos = 0;
	c->done = false;
}

static bool param_is(const struct cmdline_param *p, const char *key)
{
	return p->key_len == strlen(key) &&
	       memcmp(p->key, key, p->key_len) == 0;
}

int cmdline_next(struct cmdline_cursor *c, struct cmdline_param *p)
{
	bool in_quote = false, quoted = false;
	size_t i, avail, equals = 0, stop, value_start = 0;
	const char *args;

	while (c->pos < c->len && is_kernel_space(c->buf[c->pos]))
		c->pos++;
	if (c->done || c->pos == c->len)
		return 0;
	if (c->buf[c->pos] == '"') {
		c->pos++;
		in_quote = quoted = true;
	}
	args = c->buf + c->pos;
	avail = c->len - c->pos;
	for (i = 0; i < avail; i++) {
		if (is_kernel_space(args[i]) && !in_quote)
			break;
		/* As in the kernel, an '=' at offset 0 does not count. */
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	c->pos += i;
	stop = i;
	if (equals) {
		value_start = equals + 1;
		if (value_start < i && args[value_start] == '"') {
			value_start++;
			if (args[i - 1] == '"')
				stop = i - 1;
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		stop = i - 1;

	p->key = args;
	p->key_len = equals ? equals : stop;
	p->has_value = equals != 0;
	p->value = args + value_start;
	p->value_len = (equals && stop > value_start) ? stop - value_start : 0;
	if (!p->has_value && param_is(p, "--")) {
		c->done = true;
		return 0;
	}
	return 1;
}

/* --- options ---------------------------------------------------------- */

static int need_value(const struct cmdline_param *p, const char **why)
{
	if (p->has_value)
		return 0;
	*why = "needs a value";
	return -OCIBOOT_EMALFORMED;
}

static int parse_oci(struct ociboot_config *c, const struct cmdline_param *p,
		     const char **why)
{
	int err = need_value(p, why);

	if (err < 0)
		return err;
	err = oci_location_parse(p->value, p->value_len, &c->oci, why);
	if (err < 0)
		return err;
	c->has_oci = true;
	return 0;
}

static int parse_on_failure(struct ociboot_config *c,
			    const struct cmdline_param *p, const char **why)
{
	int err = need_value(p, why);

	if (err < 0)
		return err;
	for (size_t i = 0; i < ARRAY_SIZE(failure_actions); i++) {
		if (p->value_len == strlen(failure_actions[i]) &&
		    memcmp(p->value, failure_actions[i], p->value_len) == 0) {
			c->on_failure.action = (enum failure_action)i;
			return 0;
		}
	}
	*why = "must be halt, reboot or poweroff";
	return -OCIBOOT_EMALFORMED;
}

int cmdline_parse_seconds(const struct cmdline_param *p, unsigned min,
			  unsigned max, unsigned *seconds)
{
	unsigned value = 0;

	if (!p->has_value || p->value_len == 0 ||
	    p->value_len > CMDLINE_DELAY_DIGITS_MAX)
		return -OCIBOOT_EMALFORMED;
	for (size_t i = 0; i < p->value_len; i++) {
		if (p->value[i] < '0' || p->value[i] > '9')
			return -OCIBOOT_EMALFORMED;
		value = value * 10 + (unsigned)(p->value[i] - '0');
	}
	if (value < min || value > max)
		return -OCIBOOT_EMALFORMED;
	*seconds = value;
	return 0;
}

static int parse_reboot_delay(struct ociboot_config *c,
			      const struct cmdline_param *p, const char **why)
{
	int err = need_value(p, why);

	if (err < 0)
		return err;
	*why = "must be a whole number of seconds from 0 to "
	       STR(CMDLINE_REBOOT_DELAY_MAX);
	return cmdline_parse_seconds(p, 0, CMDLINE_REBOOT_DELAY_MAX,
				     &c->on_failure.reboot_delay_s);
}

static int parse_break(struct ociboot_config *c, const struct cmdline_param *p,
		       const char **why)
{
	int err = need_value(p, why);

	if (err < 0)
		return err;
	for (size_t i = BOOT_BREAK_NONE + 1; i < ARRAY_SIZE(boot_breaks); i++) {
		if (p->value_len == strlen(boot_breaks[i]) &&
		    memcmp(p->value, boot_breaks[i], p->value_len) == 0) {
			c->break_at = (enum boot_break)i;
			return 0;
		}
	}
	/* List every entry of boot_breaks after "none". */
	*why = "must name a stage to stop after: report";
	return -OCIBOOT_EMALFORMED;
}

static int parse_debug(struct ociboot_config *c, const struct cmdline_param *p,
		       const char **why)
{
	if (!p->has_value || (p->value_len == 1 && p->value[0] == '1')) {
		c->debug = true;
		return 0;
	}
	if (p->value_len == 1 && p->value[0] == '0') {
		c->debug = false;
		return 0;
	}
	*why = "must be 0 or 1, or given without a value";
	return -OCIBOOT_EMALFORMED;
}

static int parse_tpm(struct ociboot_config *c, const struct cmdline_param *p,
		     const char **why)
{
	int err = need_value(p, why);

	if (err < 0)
		return err;
	for (size_t i = 0; i < ARRAY_SIZE(tpm_modes); i++) {
		if (p->value_len == strlen(tpm_modes[i]) &&
		    memcmp(p->value, tpm_modes[i], p->value_len) == 0) {
			c->tpm = (enum tpm_mode)i;
			return 0;
		}
	}
	*why = "must be optional or required";
	return -OCIBOOT_EMALFORMED;
}

static int parse_verity(struct ociboot_config *c,
			const struct cmdline_param *p, const char **why)
{
	int err = need_value(p, why);

	if (err < 0)
		return err;
	for (size_t i = 0; i < ARRAY_SIZE(verity_policies); i++) {
		if (p->value_len == strlen(verity_policies[i]) &&
		    memcmp(p->value, verity_policies[i], p->value_len) == 0) {
			c->verity = (enum verity_policy)i;
			return 0;
		}
	}
	*why = "must be eio, restart or panic";
	return -OCIBOOT_EMALFORMED;
}

static int parse_io_timeout(struct ociboot_config *c,
			    const struct cmdline_param *p, const char **why)
{
	*why = "must be a whole number of seconds from 1 to "
	       STR(CMDLINE_IO_TIMEOUT_MAX);
	return cmdline_parse_seconds(p, 1, CMDLINE_IO_TIMEOUT_MAX,
				     &c->io_timeout_s);
}

typedef int option_parse_fn(struct ociboot_config *c,
			    const struct cmdline_param *p, const char **why);

static const struct option {
	const char *key;
	option_parse_fn *parse;
} options[] = {
	{ "oci", parse_oci },
	{ "ociboot.on_failure", parse_on_failure },
	{ "ociboot.reboot_delay", parse_reboot_delay },
	{ "ociboot.break", parse_break },
	{ "ociboot.debug", parse_debug },
	{ "ociboot.tpm", parse_tpm },
	{ "ociboot.verity", parse_verity },
	{ "ociboot.io_timeout", parse_io_timeout },
	{ "ip", netcmdline_parse_ip },
	{ "ociboot.net_timeout", netcmdline_parse_timeout },
	{ "ociboot.mirror", netcmdline_parse_mirror },
	{ "ociboot.hosts", netcmdline_parse_hosts },
	{ "ociboot.cache", netcmdline_parse_cache },
};

_Static_assert(ARRAY_SIZE(options) <= 32, "options seen are kept in bits");

static const struct option *find_option(const struct cmdline_param *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (param_is(p, options[i].key))
			return &options[i];
	return NULL;
}

static bool is_ours(const struct cmdline_param *p)
{
	size_t n = strlen(CMDLINE_PREFIX);

	return p->key_len >= n && memcmp(p->key, CMDLINE_PREFIX, n) == 0;
}

/* Apply one parameter; *seen has a bit for each option already given. */
static int apply(struct ociboot_config *c, const struct cmdline_param *p,
		 uint32_t *seen, const char **why)
{
	const struct option *o = find_option(p);
	uint32_t bit;

	if (!o) {
		if (!is_ours(p))
			return 0;	/* the kernel's own */
		*why = "unknown ociboot option";
		return -OCIBOOT_EMALFORMED;
	}
	bit = 1u << (o - options);
	/* ociboot.mirror is the one option that may be given again. */
	if ((*seen & bit) && o->parse != netcmdline_parse_mirror) {
		*why = "given more than once";
		return -OCIBOOT_EMALFORMED;
	}
	*seen |= bit;
	return o->parse(c, p, why);
}

void cmdline_defaults(struct ociboot_config *config)
{
	memset(config, 0, sizeof(*config));
	config->on_failure.action = FAILURE_HALT;
	config->on_failure.reboot_delay_s = CMDLINE_REBOOT_DELAY_DEFAULT;
	config->break_at = BOOT_BREAK_NONE;
	config->tpm = TPM_MODE_OPTIONAL;
	config->io_timeout_s = CMDLINE_IO_TIMEOUT_DEFAULT;
	netcmdline_defaults(&config->net);
}

/* Append s[len] cut to max bytes, "..." marking a cut. */
static void put_cut(struct strbuf *sb, const char *s, size_t len, size_t max)
{
	strbuf_append(sb, s, len > max ? max : len);
	if (len > max)
		strbuf_puts(sb, CMDLINE_CUT);
}

/* Record why p was refused: what is "KEY=VALUE", as written but cut. */
static int param_failed(struct error *err, const struct cmdline_param *p,
			const char *why, int code)
{
	char what[CMDLINE_WHAT_MAX];
	struct strbuf sb;

	strbuf_init(&sb, what, sizeof(what));
	put_cut(&sb, p->key, p->key_len, CMDLINE_KEY_SHOWN_MAX);
	if (p->has_value) {
		strbuf_putc(&sb, '=');
		put_cut(&sb, p->value, p->value_len, CMDLINE_VALUE_SHOWN_MAX);
	}
	return error_set(err, code, what, "%s", why);
}

/* Each parse on its own config, so one that fails leaves the other. */
void cmdline_failure_policy(const char *buf, size_t len,
			    struct failure_policy *policy)
{
	struct ociboot_config action, delay;
	struct cmdline_cursor cur;
	struct cmdline_param p;
	unsigned actions = 0, delays = 0;
	bool action_ok = false, delay_ok = false;
	const char *why;
	size_t count = 0;

	cmdline_defaults(&action);
	cmdline_defaults(&delay);
	*policy = action.on_failure;
	if (len > CMDLINE_MAX)
		len = CMDLINE_MAX;
	cmdline_cursor_init(&cur, buf, len);
	while (cmdline_next(&cur, &p) > 0 && ++count <= CMDLINE_PARAMS_MAX) {
		if (param_is(&p, "ociboot.on_failure")) {
			actions++;
			action_ok = parse_on_failure(&action, &p, &why) == 0;
		} else if (param_is(&p, "ociboot.reboot_delay")) {
			delays++;
			delay_ok = parse_reboot_delay(&delay, &p, &why) == 0;
		}
	}
	if (actions == 1 && action_ok)
		policy->action = action.on_failure.action;
	if (delays == 1 && delay_ok)
		policy->reboot_delay_s = delay.on_failure.reboot_delay_s;
}

int cmdline_parse(const char *buf, size_t len, struct ociboot_config *config,
		  struct error *err)
{
	struct ociboot_config tmp;
	struct cmdline_cursor cur;
	struct cmdline_param p;
	uint32_t seen = 0;
	size_t count = 0;
	const char *why;
	int r;

	error_clear(err);
	if (len > CMDLINE_MAX)
		return error_set(err, -OCIBOOT_ETOOBIG, NULL, "kernel command "
				 "line is longer than %d bytes", CMDLINE_MAX);
	cmdline_defaults(&tmp);
	cmdline_cursor_init(&cur, buf, len);
	while ((r = cmdline_next(&cur, &p)) > 0) {
		if (++count > CMDLINE_PARAMS_MAX)
			return error_set(err, -OCIBOOT_ETOOBIG, NULL,
					 "kernel command line has more than "
					 "%d parameters", CMDLINE_PARAMS_MAX);
		r = apply(&tmp, &p, &seen, &why);
		if (r < 0)
			return param_failed(err, &p, why, r);
	}
	memcpy(config, &tmp, sizeof(tmp));
	return 0;
}

/* --- printing --------------------------------------------------------- */

static void out_reference(struct strbuf *o, const struct oci_reference *ref)
{
	if (!ref->by_digest) {
		strbuf_printf(o, "oci.tag=%s\n", ref->tag);
		return;
	}
	strbuf_puts(o, "oci.digest=" DIGEST_PREFIX_SHA256);
	strbuf_hex(o, ref->digest, SHA256_LEN);
	strbuf_putc(o, '\n');
}

static int out_location(struct strbuf *o, const struct oci_location *loc)
{
	static const char *const host_kinds[] = {
		[OCI_HOST_NAME] = "name",
		[OCI_HOST_IPV4] = "ipv4",
		[OCI_HOST_IPV6] = "ipv6",
	};
	const struct oci_registry *r = &loc->registry;
	const struct oci_device *d = &loc->device;
	char text[OCI_LOCATION_STR_MAX];

	if (oci_location_format(loc, text, sizeof(text)) < 0)
		return -ENOSPC;
	strbuf_printf(o, "oci=%s\n", text);
	switch (loc->kind) {
	case OCI_LOCATION_DHCP:
		strbuf_puts(o, "oci.kind=dhcp\n");
		break;
	case OCI_LOCATION_REGISTRY:
		strbuf_printf(o, "oci.kind=registry\noci.scheme=%s\n"
			      "oci.host=%s\noci.host_kind=%s\noci.port=%u\n"
			      "oci.repository=%s\n",
			      r->https ? "https" : "http", r->host,
			      host_kinds[r->host_kind], (unsigned)r->port,
			      r->repository);
		out_reference(o, &loc->ref);
		break;
	case OCI_LOCATION_DEVICE:
		strbuf_printf(o, "oci.kind=device\noci.device_key=%s\n"
			      "oci.device_value=%s\noci.path=%s\n",
			      oci_device_key_name(d->key), d->value, d->path);
		out_reference(o, &loc->ref);
		break;
	}
	return 0;
}

int cmdline_format(const struct ociboot_config *config, char *buf,
		   size_t size)
{
	const char *action = failure_action_name(config->on_failure.action);
	const char *at = boot_break_name(config->break_at);
	const char *tpm = tpm_mode_name(config->tpm);
	const char *verity = (size_t)config->verity <
			     ARRAY_SIZE(verity_policies) ?
			     verity_policies[config->verity] : NULL;
	struct strbuf o;

	if (!action || !at || !tpm || !verity)
		return -EINVAL;
	strbuf_init(&o, buf, size);
	if (!config->has_oci)
		strbuf_puts(&o, "oci=\noci.kind=none\n");
	else if (out_location(&o, &config->oci) < 0)
		return -ENOSPC;
	strbuf_printf(&o, "ociboot.on_failure=%s\nociboot.reboot_delay=%u\n"
		      "ociboot.break=%s\nociboot.debug=%d\nociboot.tpm=%s\n"
		      "ociboot.verity=%s\n", action,
		      config->on_failure.reboot_delay_s, at,
		      config->debug ? 1 : 0, tpm, verity);
	if (config->io_timeout_s != CMDLINE_IO_TIMEOUT_DEFAULT)
		strbuf_printf(&o, "ociboot.io_timeout=%u\n",
			      config->io_timeout_s);
	netcmdline_format(&config->net, &o);
	if (strbuf_truncated(&o))
		return -ENOSPC;
	return (int)strbuf_len(&o);
}
