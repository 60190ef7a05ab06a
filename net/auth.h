/* SPDX-License-Identifier: MIT */
/*
 * Registry token authentication, the anonymous flow public registries use
 * (distribution "token authentication specification", docker/distribution
 * docs/spec/auth/token.md): a request answered 401 with
 *
 *   WWW-Authenticate: Bearer realm="https://auth.example/token",
 *                     service="registry.example",
 *                     scope="repository:library/busybox:pull"
 *
 * is repeated with "Authorization: Bearer TOKEN", TOKEN being the "token"
 * (or "access_token") member of the JSON the realm returns for
 * GET realm?service=SERVICE&scope=SCOPE.
 *
 * The challenge is parsed per RFC 9110 section 11.6.1 (auth-scheme, then
 * comma-separated auth-params, each a token or a quoted-string with
 * backslash escapes). Only the Bearer scheme is supported (Basic would
 * need credentials the init does not have): -EOPNOTSUPP. realm must be an
 * http(s) URL (net/url.h). Unknown parameters are skipped; a known one
 * given twice is refused. Tokens must be RFC 6750 b64token characters, so
 * no token can inject a header line.
 *
 * Nothing here allocates, logs or does I/O.
 */
#ifndef OCIBOOT_NET_AUTH_H
#define OCIBOOT_NET_AUTH_H

#include <stddef.h>

#include "lib/error.h"
#include "net/url.h"

#define AUTH_SERVICE_MAX 255
#define AUTH_SCOPE_MAX 511
#define AUTH_PARAMS_MAX 16		/* auth-params in one challenge */
#define AUTH_TOKEN_MAX 8191		/* bytes of a bearer token */
#define AUTH_RESPONSE_MAX 65536		/* bytes of a token response */

struct auth_challenge {
	struct url realm;
	char service[AUTH_SERVICE_MAX + 1];	/* "" when absent */
	char scope[AUTH_SCOPE_MAX + 1];		/* "" when absent */
};

/*
 * Parse the WWW-Authenticate value s[0..len) into *c. Returns 0,
 * -EOPNOTSUPP (not Bearer), -OCIBOOT_EMALFORMED (no realm, a realm that is
 * not a URL, a syntax error) or -OCIBOOT_ETOOBIG. *c is written only on
 * success.
 */
int auth_challenge_parse(const char *s, size_t len, struct auth_challenge *c,
			 struct error *err);

/*
 * The token request URL: c's realm with "service" and "scope" query
 * parameters added (percent-encoded), scope from c or, when c has none,
 * "repository:REPOSITORY:pull". Returns 0 or -OCIBOOT_ETOOBIG.
 */
int auth_token_url(const struct auth_challenge *c, const char *repository,
		   struct url *out, struct error *err);

/*
 * The token in the realm's JSON answer buf[0..len): "token", else
 * "access_token", into token[AUTH_TOKEN_MAX + 1]. Returns its length, or
 * -OCIBOOT_EMALFORMED (not JSON, no token, not b64token characters) or
 * -OCIBOOT_ETOOBIG.
 */
int auth_token_parse(const char *buf, size_t len,
		     char token[AUTH_TOKEN_MAX + 1], struct error *err);

#endif
