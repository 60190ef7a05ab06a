// SPDX-License-Identifier: MIT
#include "net/auth.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "lib/strbuf.h"
#include "lib/util.h"
#include "oci/json.h"

#define AUTH_REALM_MAX (URL_STR_MAX - 1)
/* Tokens of a token response: a few members, with room for more. */
#define AUTH_JSON_TOKENS_MAX 64

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

struct params {
	const char *s;
	size_t len, pos;
	struct error *err;
};

static int syntax(struct params *p, const char *why)
{
	error_set(p->err, -OCIBOOT_EMALFORMED, "WWW-Authenticate", "%s",
		  why);
	error_at_offset(p->err, p->pos);
	return -OCIBOOT_EMALFORMED;
}

static void skip_ows(struct params *p)
{
	while (p->pos < p->len && is_ows(p->s[p->pos]))
		p->pos++;
}

/* A token or a quoted-string into out[cap + 1]; its length. */
static int value(struct params *p, char *out, size_t cap)
{
	size_t n = 0;

	if (p->pos < p->len && p->s[p->pos] != '"') {
		while (p->pos < p->len && is_tchar(p->s[p->pos])) {
			if (n == cap)
				goto too_big;
			out[n++] = p->s[p->pos++];
		}
		if (n == 0)
			return syntax(p, "a parameter has no value");
		out[n] = '\0';
		return (int)n;
	}
	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len)
			return syntax(p, "a quoted string has no end");
		c = (unsigned char)p->s[p->pos++];
		if (c == '"')
			break;
		if (c == '\\') {
			if (p->pos >= p->len)
				return syntax(p, "a quoted string has no end");
			c = (unsigned char)p->s[p->pos++];
		}
		if (c < 0x20 && c != '\t')
			return syntax(p, "a control byte in a quoted string");
		if (c == 0x7f || c >= 0x80)
			return syntax(p, "a byte outside ASCII in a quoted "
				      "string");
		if (n == cap)
			goto too_big;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return (int)n;
too_big:
	error_set(p->err, -OCIBOOT_ETOOBIG, "WWW-Authenticate",
		  "a parameter value is over %zu bytes", cap);
	error_at_offset(p->err, p->pos);
	return -OCIBOOT_ETOOBIG;
}

struct found {
	char realm[AUTH_REALM_MAX + 1];
	bool has_realm, has_service, has_scope;
};

/* One name=value; the value goes where its name says. */
static int param(struct params *p, struct found *f, struct auth_challenge *c)
{
	char skip[AUTH_SCOPE_MAX + 1];
	size_t start = p->pos, name_len;
	char *out = skip;
	size_t cap = AUTH_SCOPE_MAX;
	bool *seen = NULL;
	int r;

	while (p->pos < p->len && is_tchar(p->s[p->pos]))
		p->pos++;
	name_len = p->pos - start;
	skip_ows(p);
	if (name_len == 0 || p->pos >= p->len || p->s[p->pos] != '=')
		return syntax(p, "a parameter is not name=value");
	p->pos++;
	skip_ows(p);
#define IS(n) (name_len == strlen(n) && strncasecmp(p->s + start, n, \
						      name_len) == 0)
	if (IS("realm")) {
		out = f->realm, cap = AUTH_REALM_MAX, seen = &f->has_realm;
	} else if (IS("service")) {
		out = c->service, cap = AUTH_SERVICE_MAX;
		seen = &f->has_service;
	} else if (IS("scope")) {
		out = c->scope, cap = AUTH_SCOPE_MAX, seen = &f->has_scope;
	}
#undef IS
	if (seen && *seen)
		return syntax(p, "a parameter comes twice");
	r = value(p, out, cap);
	if (r < 0)
		return r;
	if (seen)
		*seen = true;
	return 0;
}

static int parse_params(struct params *p, struct found *f,
			struct auth_challenge *c)
{
	size_t count = 0;
	int r;

	for (;;) {
		skip_ows(p);
		if (p->pos == p->len)
			return 0;
		if (++count > AUTH_PARAMS_MAX) {
			error_set(p->err, -OCIBOOT_ETOOBIG, "WWW-Authenticate",
				  "more than %d parameters", AUTH_PARAMS_MAX);
			error_at_offset(p->err, p->pos);
			return -OCIBOOT_ETOOBIG;
		}
		r = param(p, f, c);
		if (r < 0)
			return r;
		skip_ows(p);
		if (p->pos == p->len)
			return 0;
		if (p->s[p->pos] != ',')
			return syntax(p, "parameters are not separated by ','");
		p->pos++;
	}
}

int auth_challenge_parse(const char *s, size_t len, struct auth_challenge *c,
			 struct error *err)
{
	struct params p = { s, len, 0, err };
	struct auth_challenge tmp;
	struct found f;
	const char *reason;
	int r;

	memset(&tmp, 0, sizeof(tmp));
	memset(&f, 0, sizeof(f));
	while (p.pos < len && is_tchar(s[p.pos]))
		p.pos++;
	if (p.pos == 0)
		return syntax(&p, "no auth scheme");
	if (p.pos != 6 || strncasecmp(s, "Bearer", 6) != 0)
		return error_set(err, -EOPNOTSUPP, "WWW-Authenticate",
				 "the registry asks for an auth scheme other "
				 "than Bearer (credentials are not supported)");
	if (p.pos < len && s[p.pos] != ' ')
		return syntax(&p, "no space after the auth scheme");
	r = parse_params(&p, &f, &tmp);
	if (r < 0)
		return r;
	if (!f.has_realm)
		return error_set(err, -OCIBOOT_EMALFORMED, "WWW-Authenticate",
				 "the Bearer challenge has no realm");
	r = url_parse(f.realm, strlen(f.realm), &tmp.realm, &reason);
	if (r < 0)
		return error_set(err, r, "WWW-Authenticate", "realm: %s",
				 reason);
	*c = tmp;
	return 0;
}

static void put_encoded(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			strbuf_putc(sb, (char)c);
		else
			strbuf_printf(sb, "%%%02X", c);
	}
}

int auth_token_url(const struct auth_challenge *c, const char *repository,
		   struct url *out, struct error *err)
{
	struct url tmp = c->realm;
	struct strbuf sb;
	char scope[AUTH_SCOPE_MAX + 1];
	const char *sep = strchr(tmp.path, '?') ? "&" : "?";

	if (c->scope[0]) {
		memcpy(scope, c->scope, sizeof(scope));
	} else {
		strbuf_init(&sb, scope, sizeof(scope));
		strbuf_printf(&sb, "repository:%s:pull", repository);
		if (strbuf_truncated(&sb))
			return error_set(err, -OCIBOOT_ETOOBIG, "token request",
					 "the scope is over its cap");
	}
	strbuf_init(&sb, tmp.path, sizeof(tmp.path));
	strbuf_puts(&sb, c->realm.path);
	if (c->service[0]) {
		strbuf_printf(&sb, "%sservice=", sep);
		put_encoded(&sb, c->service);
		sep = "&";
	}
	strbuf_printf(&sb, "%sscope=", sep);
	put_encoded(&sb, scope);
	if (strbuf_truncated(&sb))
		return error_set(err, -OCIBOOT_ETOOBIG, "token request",
				 "the URL is over %d bytes", URL_PATH_MAX);
	*out = tmp;
	return 0;
}

static bool is_b64token(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && ((s[i] >= 'a' && s[i] <= 'z') ||
			   (s[i] >= 'A' && s[i] <= 'Z') ||
			   (s[i] >= '0' && s[i] <= '9') ||
			   strchr("-._~+/", s[i])))
		i++;
	if (i == 0)
		return false;
	while (i < len && s[i] == '=')
		i++;
	return i == len;
}

int auth_token_parse(const char *buf, size_t len,
		     char token[AUTH_TOKEN_MAX + 1], struct error *err)
{
	struct json_token tokens[AUTH_JSON_TOKENS_MAX];
	struct json_doc doc;
	int i, n, r;

	if (len > AUTH_RESPONSE_MAX)
		return error_set(err, -OCIBOOT_ETOOBIG, "token response",
				 "%zu bytes, over the cap of %d", len,
				 AUTH_RESPONSE_MAX);
	r = json_parse(&doc, buf, len, tokens, ARRAY_SIZE(tokens), err);
	if (r < 0) {
		error_context(err, "token response");
		return r;
	}
	i = json_object_get(&doc, 0, "token");
	if (i < 0)
		i = json_object_get(&doc, 0, "access_token");
	if (i < 0 || json_type(&doc, i) != JSON_STRING)
		return error_set(err, -OCIBOOT_EMALFORMED, "token response",
				 "no \"token\" string");
	n = json_string(&doc, i, token, AUTH_TOKEN_MAX + 1);
	if (n == -OCIBOOT_ETOOBIG)
		return error_set(err, n, "token response", "the token is over "
				 "%d bytes", AUTH_TOKEN_MAX);
	if (n < 0 || !is_b64token(token, (size_t)n))
		return error_set(err, -OCIBOOT_EMALFORMED, "token response",
				 "the token is not b64token characters");
	return n;
}
