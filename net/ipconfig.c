// SPDX-License-Identifier: MIT
/*
 * The ip= kernel command line value (see ipconfig.h).
 */
#include "net/ipconfig.h"

#include <string.h>

#include "lib/util.h"
#include "net/addr.h"

void ipconfig_default(struct ipconfig *config)
{
	memset(config, 0, sizeof(*config));
	config->mode = IPCONFIG_DHCP;
}

bool ipconfig_parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	uint8_t a[4];
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t digits = 0;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return false;
			i++;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			if (digits == 1 && v == 0)
				return false;	/* a leading zero */
			v = v * 10 + (unsigned)(s[i] - '0');
			digits++;
			i++;
		}
		if (digits == 0 || v > 255)
			return false;
		a[part] = (uint8_t)v;
	}
	if (i != len)
		return false;
	memcpy(out, a, 4);
	return true;
}

bool ipconfig_is_hostname(const char *name, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > IPCONFIG_HOSTNAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		if (c == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	/* A trailing dot (the root) is fine; a trailing hyphen is not. */
	return name[len - 1] != '-';
}

struct ipconfig_field {
	const char *s;
	size_t len;
};

static bool field_is(const struct ipconfig_field *f, const char *word)
{
	return f->len == strlen(word) && memcmp(f->s, word, f->len) == 0;
}

static int ipconfig_refuse(struct error *err, int reason, const char *fmt,
			   const struct ipconfig_field *f)
{
	int r = f ? error_set(err, -OCIBOOT_EMALFORMED, "ip=", fmt,
			      (int)f->len, f->s)
		  : error_set(err, -OCIBOOT_EMALFORMED, "ip=", "%s", fmt);

	error_reason(err, reason);
	return r;
}

/* An optional address field: true when empty or valid. */
static bool ipconfig_optional_ipv4(const struct ipconfig_field *f,
				   uint8_t out[4], bool *given)
{
	*given = f->len > 0;
	return f->len == 0 || ipconfig_parse_ipv4(f->s, f->len, out);
}

static bool ipconfig_netmask(const struct ipconfig_field *f, unsigned *prefix)
{
	uint8_t mask[4];
	int p;

	if (f->len > 0 && f->len <= 2 && f->s[0] != '0') {
		unsigned v = 0;

		for (size_t i = 0; i < f->len; i++) {
			if (f->s[i] < '0' || f->s[i] > '9')
				return false;
			v = v * 10 + (unsigned)(f->s[i] - '0');
		}
		if (v < 1 || v > 32)
			return false;
		*prefix = v;
		return true;
	}
	if (!ipconfig_parse_ipv4(f->s, f->len, mask))
		return false;
	p = addr_prefix_of_mask(mask);
	if (p < 1)
		return false;
	*prefix = (unsigned)p;
	return true;
}

static bool ipconfig_device(const struct ipconfig_field *f)
{
	if (f->len >= IFNAMSIZ)
		return false;
	if (field_is(f, ".") || field_is(f, ".."))
		return false;
	for (size_t i = 0; i < f->len; i++) {
		unsigned char c = (unsigned char)f->s[i];

		if (c <= ' ' || c >= 0x7f || c == '/' || c == ':')
			return false;
	}
	return true;
}

/* Fill c from the long form's fields; 0 or a refusal. */
static int ipconfig_long(const struct ipconfig_field *f, struct ipconfig *c,
			 struct error *err)
{
	uint8_t ignored[4];
	bool given, has_client;

	if (!ipconfig_optional_ipv4(&f[0], c->address, &has_client) ||
	    (has_client && !addr_ipv4_is_unicast(c->address)))
		return ipconfig_refuse(err, IPCONFIG_BAD_ADDRESS,
				       "client address '%.*s'", &f[0]);
	if (!ipconfig_optional_ipv4(&f[1], ignored, &given))
		return ipconfig_refuse(err, IPCONFIG_BAD_ADDRESS,
				       "server address '%.*s'", &f[1]);
	if (!ipconfig_optional_ipv4(&f[2], c->gateway, &c->has_gateway) ||
	    (c->has_gateway && !addr_ipv4_is_unicast(c->gateway)))
		return ipconfig_refuse(err, IPCONFIG_BAD_ADDRESS,
				       "gateway address '%.*s'", &f[2]);
	if (f[3].len && !ipconfig_netmask(&f[3], &c->prefix))
		return ipconfig_refuse(err, IPCONFIG_BAD_NETMASK,
				       "netmask '%.*s'", &f[3]);
	if (f[4].len) {
		if (!ipconfig_is_hostname(f[4].s, f[4].len))
			return ipconfig_refuse(err, IPCONFIG_BAD_HOSTNAME,
					       "hostname '%.*s'", &f[4]);
		memcpy(c->hostname, f[4].s, f[4].len);
	}
	if (!ipconfig_device(&f[5]))
		return ipconfig_refuse(err, IPCONFIG_BAD_DEVICE,
				       "device '%.*s'", &f[5]);
	memcpy(c->device, f[5].s, f[5].len);
	for (size_t i = 7; i < 9; i++) {
		if (!ipconfig_optional_ipv4(&f[i], c->dns[c->dns_count],
					    &given) ||
		    (given && !addr_ipv4_is_unicast(c->dns[c->dns_count])))
			return ipconfig_refuse(err, IPCONFIG_BAD_ADDRESS,
					       "DNS server '%.*s'", &f[i]);
		c->dns_count += given;
	}
	if (!ipconfig_optional_ipv4(&f[9], ignored, &given))
		return ipconfig_refuse(err, IPCONFIG_BAD_ADDRESS,
				       "NTP server '%.*s'", &f[9]);

	if (field_is(&f[6], "dhcp") || field_is(&f[6], "on") ||
	    field_is(&f[6], "any") || (f[6].len == 0 && !has_client)) {
		struct ipconfig dhcp;

		ipconfig_default(&dhcp);
		memcpy(dhcp.device, c->device, sizeof(dhcp.device));
		*c = dhcp;
		return 0;
	}
	if (!(field_is(&f[6], "off") || field_is(&f[6], "none") ||
	      field_is(&f[6], "static") || f[6].len == 0))
		return ipconfig_refuse(err, IPCONFIG_BAD_AUTOCONF,
				       "autoconf '%.*s' (want dhcp, on, any, "
				       "off, none or static)", &f[6]);
	if (!has_client)
		return ipconfig_refuse(err, IPCONFIG_NEEDS_ADDRESS,
				       "a static configuration needs the "
				       "client address (field 1)", NULL);
	if (!f[3].len)
		return ipconfig_refuse(err, IPCONFIG_NEEDS_NETMASK,
				       "a static configuration needs the "
				       "netmask (field 4)", NULL);
	c->mode = IPCONFIG_STATIC;
	return 0;
}

int ipconfig_parse(const char *value, size_t len, struct ipconfig *config,
		   struct error *err)
{
	struct ipconfig_field f[IPCONFIG_FIELDS_MAX] = { { NULL, 0 } };
	struct ipconfig c;
	size_t n = 0, start = 0;
	int r;

	if (len == 0)
		return ipconfig_refuse(err, IPCONFIG_EMPTY, "empty value",
				       NULL);
	if (len > IPCONFIG_VALUE_MAX) {
		r = error_set(err, -OCIBOOT_ETOOBIG, "ip=",
			      "%zu bytes, over the cap of %d", len,
			      IPCONFIG_VALUE_MAX);
		error_reason(err, IPCONFIG_TOO_LONG);
		return r;
	}
	if (memchr(value, '\0', len))
		return ipconfig_refuse(err, IPCONFIG_BAD_AUTOCONF,
				       "a NUL byte in the value", NULL);
	for (size_t i = 0; i <= len; i++) {
		if (i < len && value[i] != ':')
			continue;
		if (n == IPCONFIG_FIELDS_MAX)
			return ipconfig_refuse(err, IPCONFIG_TOO_MANY_FIELDS,
					       "more than 10 fields", NULL);
		f[n].s = value + start;
		f[n].len = i - start;
		n++;
		start = i + 1;
	}
	for (size_t i = n; i < IPCONFIG_FIELDS_MAX; i++)
		f[i].s = "";

	ipconfig_default(&c);
	if (n == 1) {
		if (field_is(&f[0], "off") || field_is(&f[0], "none")) {
			c.mode = IPCONFIG_OFF;
			*config = c;
			return 0;
		}
		if (field_is(&f[0], "dhcp") || field_is(&f[0], "on") ||
		    field_is(&f[0], "any")) {
			*config = c;
			return 0;
		}
		if (field_is(&f[0], "bootp") || field_is(&f[0], "rarp") ||
		    field_is(&f[0], "both"))
			return ipconfig_refuse(err, IPCONFIG_BAD_AUTOCONF,
					       "'%.*s' is not supported (only "
					       "DHCP or static)", &f[0]);
	}
	if (field_is(&f[6], "bootp") || field_is(&f[6], "rarp") ||
	    field_is(&f[6], "both"))
		return ipconfig_refuse(err, IPCONFIG_BAD_AUTOCONF,
				       "autoconf '%.*s' is not supported "
				       "(only DHCP or static)", &f[6]);
	r = ipconfig_long(f, &c, err);
	if (r < 0)
		return r;
	*config = c;
	return 0;
}
