/* SPDX-License-Identifier: MIT */
#include "init/netcmdline.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "init/cmdline.h"
#include "lib/constants.h"
#include "lib/util.h"

#define STR_(x) #x
#define STR(x) STR_(x)

void netcmdline_defaults(struct netcmdline *n)
{
	memset(n, 0, sizeof(*n));
	n->timeout_s = NETCMDLINE_TIMEOUT_DEFAULT;
}

int netcmdline_parse_ip(struct ociboot_config *c,
			const struct cmdline_param *p, const char **why)
{
	if (!p->has_value || p->value_len == 0) {
		*why = "needs a value";
		return -OCIBOOT_EMALFORMED;
	}
	if (p->value_len > IPCONFIG_VALUE_MAX) {
		*why = "longer than " STR(IPCONFIG_VALUE_MAX) " bytes";
		return -OCIBOOT_ETOOBIG;
	}
	memcpy(c->net.ip, p->value, p->value_len);
	c->net.ip[p->value_len] = '\0';
	c->net.has_ip = true;
	return 0;
}

int netcmdline_parse_timeout(struct ociboot_config *c,
			     const struct cmdline_param *p, const char **why)
{
	*why = "must be a whole number of seconds from 1 to "
	       STR(NETCMDLINE_TIMEOUT_MAX);
	return cmdline_parse_seconds(p, 1, NETCMDLINE_TIMEOUT_MAX,
				     &c->net.timeout_s);
}

/* One mirror URL s[len] appended to n's. */
static int add_mirror(struct netcmdline *n, const char *s, size_t len,
		      const char **why)
{
	struct url u;
	int r;

	if (len == 0) {
		*why = "needs a value";
		return -OCIBOOT_EMALFORMED;
	}
	if (n->mirror_count == NETCMDLINE_MIRRORS_MAX) {
		*why = "more than " STR(NETCMDLINE_MIRRORS_MAX) " mirrors";
		return -OCIBOOT_ETOOBIG;
	}
	r = url_parse(s, len, &u, why);
	if (r < 0)
		return r;
	if (!streq(u.path, "/")) {
		*why = "a mirror is scheme://host[:port] only";
		return -OCIBOOT_EMALFORMED;
	}
	n->mirrors[n->mirror_count++] = u;
	return 0;
}

int netcmdline_parse_mirror(struct ociboot_config *c,
			    const struct cmdline_param *p, const char **why)
{
	return add_mirror(&c->net, p->has_value ? p->value : "",
			  p->has_value ? p->value_len : 0, why);
}

int netcmdline_mirrors_from_list(struct netcmdline *n, const char *list,
				 size_t len, const char **why)
{
	const char *s = list, *end = list + len;
	int r;

	if (n->mirror_count > 0)
		return 0;
	while (s <= end) {
		const char *space = memchr(s, ' ', (size_t)(end - s));
		size_t one = space ? (size_t)(space - s) : (size_t)(end - s);

		r = add_mirror(n, s, one, why);
		if (r < 0) {
			n->mirror_count = 0;
			return r;
		}
		if (!space)
			break;
		s = space + 1;
	}
	return (int)n->mirror_count;
}

/* One NAME=IPV4 entry of s[len] into *h. */
static int parse_host(const char *s, size_t len, struct netcmdline_host *h,
		      const char **why)
{
	const char *eq = memchr(s, '=', len);
	size_t name_len;

	*why = "each entry must be NAME=IPV4 (a host name, a dotted quad)";
	if (!eq)
		return -OCIBOOT_EMALFORMED;
	name_len = (size_t)(eq - s);
	if (name_len > URL_HOST_MAX || !ipconfig_is_hostname(s, name_len) ||
	    !ipconfig_parse_ipv4(eq + 1, len - name_len - 1, h->address))
		return -OCIBOOT_EMALFORMED;
	for (size_t i = 0; i < name_len; i++) {
		char ch = s[i];

		h->name[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a')
						      : ch;
	}
	h->name[name_len] = '\0';
	return 0;
}

int netcmdline_parse_hosts(struct ociboot_config *c,
			   const struct cmdline_param *p, const char **why)
{
	struct netcmdline_host hosts[NETCMDLINE_HOSTS_MAX];
	const char *s = p->value, *end = p->value + p->value_len;
	size_t count = 0;
	int r;

	if (!p->has_value || p->value_len == 0) {
		*why = "needs a value";
		return -OCIBOOT_EMALFORMED;
	}
	while (s <= end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		size_t len = comma ? (size_t)(comma - s) : (size_t)(end - s);

		if (count == NETCMDLINE_HOSTS_MAX) {
			*why = "more than " STR(NETCMDLINE_HOSTS_MAX)
			       " host entries";
			return -OCIBOOT_ETOOBIG;
		}
		r = parse_host(s, len, &hosts[count], why);
		if (r < 0)
			return r;
		count++;
		if (!comma)
			break;
		s = comma + 1;
	}
	memcpy(c->net.hosts, hosts, count * sizeof(hosts[0]));
	c->net.host_count = count;
	return 0;
}

/* The characters oci=KEY=VALUE:/PATH allows in VALUE (oci/oci_ref.c). */
static bool cache_value_char(enum oci_device_key key, char ch)
{
	bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		   (ch >= 'A' && ch <= 'F');
	bool alnum = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		     (ch >= 'A' && ch <= 'Z');

	if (key == OCI_DEVICE_UUID || key == OCI_DEVICE_PARTUUID)
		return hex || ch == '-';
	return alnum || (ch && strchr("._+-", ch));
}

int netcmdline_parse_cache(struct ociboot_config *c,
			   const struct cmdline_param *p, const char **why)
{
	const char *eq = p->has_value ?
			 memchr(p->value, '=', p->value_len) : NULL;
	struct oci_device d;
	size_t key_len, value_len;
	int k;

	memset(&d, 0, sizeof(d));
	*why = "must be LABEL=, PARTLABEL=, UUID= or PARTUUID= and a value";
	if (!eq)
		return -OCIBOOT_EMALFORMED;
	key_len = (size_t)(eq - p->value);
	value_len = p->value_len - key_len - 1;
	for (k = OCI_DEVICE_LABEL; k <= OCI_DEVICE_PARTUUID; k++) {
		const char *name = oci_device_key_name((enum oci_device_key)k);

		if (name && strlen(name) == key_len &&
		    memcmp(name, p->value, key_len) == 0)
			break;
	}
	if (k > OCI_DEVICE_PARTUUID || value_len == 0)
		return -OCIBOOT_EMALFORMED;
	d.key = (enum oci_device_key)k;
	if (value_len > OCI_DEVICE_VALUE_MAX) {
		*why = "the value is longer than " STR(OCI_DEVICE_VALUE_MAX)
		       " bytes";
		return -OCIBOOT_ETOOBIG;
	}
	for (size_t i = 0; i < value_len; i++) {
		if (!cache_value_char(d.key, eq[1 + i])) {
			*why = d.key == OCI_DEVICE_UUID ||
			       d.key == OCI_DEVICE_PARTUUID ?
			       "a UUID has only hex digits and '-'" :
			       "a label has only A-Z, a-z, 0-9, '.', '_', "
			       "'+' and '-'";
			return -OCIBOOT_EMALFORMED;
		}
	}
	memcpy(d.value, eq + 1, value_len);
	c->net.cache = d;
	c->net.has_cache = true;
	return 0;
}

void netcmdline_format(const struct netcmdline *n, struct strbuf *out)
{
	char text[URL_STR_MAX];

	if (n->has_ip)
		strbuf_printf(out, "ip=%s\n", n->ip);
	if (n->timeout_s != NETCMDLINE_TIMEOUT_DEFAULT)
		strbuf_printf(out, "ociboot.net_timeout=%u\n", n->timeout_s);
	for (size_t i = 0; i < n->mirror_count; i++) {
		if (url_format(&n->mirrors[i], text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "(unprintable)");
		strbuf_printf(out, "ociboot.mirror=%s\n", text);
	}
	if (n->has_cache)
		strbuf_printf(out, "ociboot.cache=%s=%s\n",
			      oci_device_key_name(n->cache.key),
			      n->cache.value);
	if (n->host_count == 0)
		return;
	strbuf_puts(out, "ociboot.hosts=");
	for (size_t i = 0; i < n->host_count; i++) {
		const uint8_t *a = n->hosts[i].address;

		strbuf_printf(out, "%s%s=%u.%u.%u.%u", i ? "," : "",
			      n->hosts[i].name, a[0], a[1], a[2], a[3]);
	}
	strbuf_putc(out, '\n');
}

bool netcmdline_host_lookup(const struct netcmdline *n, const char *name,
			    uint8_t address[4])
{
	for (size_t i = 0; i < n->host_count; i++) {
		if (strcasecmp(n->hosts[i].name, name) == 0) {
			memcpy(address, n->hosts[i].address, 4);
			return true;
		}
	}
	return false;
}
