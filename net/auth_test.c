/* SPDX-License-Identifier: MIT */
/*
 * WWW-Authenticate challenges (valid ones with their realm, service and
 * scope; refused ones with their code; every truncation), the token
 * request URL, and token responses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "net/auth.h"

struct challenge_case {
	const char *in;
	int code;
	const char *realm, *service, *scope;	/* realm as url_format() */
};

/* A challenge refused with code. */
#define REFUSED(in, code) { in, code, NULL, NULL, NULL }

static const struct challenge_case challenges[] = {
	{ "Bearer realm=\"https://auth.docker.io/token\","
	  "service=\"registry.docker.io\","
	  "scope=\"repository:library/busybox:pull\"", 0,
	  "https://auth.docker.io/token", "registry.docker.io",
	  "repository:library/busybox:pull" },
	{ "bearer realm=\"http://127.0.0.1:5001/token\"", 0,
	  "http://127.0.0.1:5001/token", "", "" },
	{ "BEARER  realm = \"http://h/t\" , service=reg ,error=\"insufficient"
	  "_scope\"", 0, "http://h/t", "reg", "" },
	{ "Bearer realm=\"http://h/t\",scope=\"a\\\"b\\\\c\"", 0, "http://h/t",
	  "", "a\"b\\c" },
	REFUSED("Bearer realm=http://h/t", -OCIBOOT_EMALFORMED),
	REFUSED("Basic realm=\"registry\"", -EOPNOTSUPP),
	REFUSED("Bearer", -OCIBOOT_EMALFORMED),
	REFUSED("Bearer service=\"x\"", -OCIBOOT_EMALFORMED),
	REFUSED("Bearer realm=\"ftp://h/t\"", -OCIBOOT_EMALFORMED),
	{ "Bearer realm=\"http://h/t\",realm=\"http://i/t\"",
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL },
	REFUSED("Bearer realm=\"http://h/t\" service=\"x\"", -OCIBOOT_EMALFORMED),
	REFUSED("Bearer realm=\"http://h/t", -OCIBOOT_EMALFORMED),
	REFUSED("Bearer realm=\"http://h/t\",scope=\"a\x01\"", -OCIBOOT_EMALFORMED),
	{ "Bearer realm=\"http://h/t\",scope=\"\xc3\xa9\"",
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL },
	REFUSED("Bearer realm=", -OCIBOOT_EMALFORMED),
	REFUSED("Bearer =x", -OCIBOOT_EMALFORMED),
	REFUSED("Bearer,realm=\"http://h/t\"", -OCIBOOT_EMALFORMED),
	REFUSED("", -OCIBOOT_EMALFORMED),
	REFUSED("Bearer a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11,l=12,m=13,"
	  "n=14,o=15,p=16,q=17", -OCIBOOT_ETOOBIG),
};

static void test_challenges(void **state)
{
	char text[URL_STR_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(challenges); i++) {
		const struct challenge_case *t = &challenges[i];
		struct auth_challenge c;
		struct error err;
		int r;

		error_clear(&err);
		r = auth_challenge_parse(t->in, strlen(t->in), &c, &err);
		if (r != t->code)
			fail_msg("case %zu: %d (%s), want %d", i, r, err.why,
				 t->code);
		if (r < 0) {
			assert_true(err.why[0] != '\0');
			continue;
		}
		url_format(&c.realm, text, sizeof(text));
		assert_string_equal(text, t->realm);
		assert_string_equal(c.service, t->service);
		assert_string_equal(c.scope, t->scope);
	}
}

static void test_truncation(void **state)
{
	static const char full[] = "Bearer realm=\"https://a/t\",service=\"s\","
				   "scope=\"repository:r:pull\"";
	struct auth_challenge c;

	for (size_t n = 0; n < strlen(full); n++) {
		struct error err;
		int r;

		error_clear(&err);
		r = auth_challenge_parse(full, n, &c, &err);
		if (r == 0)
			assert_true(n >= strlen("Bearer realm=\"https://a/t\""));
		else
			assert_true(err.why[0] != '\0');
	}
}

static void test_long_value(void **state)
{
	char in[AUTH_SCOPE_MAX + 64];
	struct auth_challenge c;
	size_t n;

	n = (size_t)snprintf(in, sizeof(in), "Bearer realm=\"http://h/\","
			     "scope=\"");
	memset(in + n, 'a', AUTH_SCOPE_MAX + 1);
	in[n + AUTH_SCOPE_MAX + 1] = '"';
	assert_int_equal(auth_challenge_parse(in, n + AUTH_SCOPE_MAX + 2, &c,
					      NULL), -OCIBOOT_ETOOBIG);
	assert_int_equal(auth_challenge_parse(in, n + AUTH_SCOPE_MAX, &c,
					      NULL), -OCIBOOT_EMALFORMED);
}

static void test_token_url(void **state)
{
	static const char in[] = "Bearer realm=\"http://h:5001/token?x=1\","
				 "service=\"my reg\"";
	struct auth_challenge c;
	struct url u;

	assert_int_equal(auth_challenge_parse(in, strlen(in), &c, NULL), 0);
	assert_int_equal(auth_token_url(&c, "a/b", &u, NULL), 0);
	assert_string_equal(u.path, "/token?x=1&service=my%20reg&scope="
			    "repository%3Aa%2Fb%3Apull");
	strcpy(c.scope, "repository:x:pull");
	c.service[0] = '\0';
	c.realm.path[6] = '\0';
	assert_int_equal(auth_token_url(&c, "a/b", &u, NULL), 0);
	assert_string_equal(u.path, "/token?scope=repository%3Ax%3Apull");
}

struct token_case {
	const char *in;
	int code;
	const char *token;
};

static const struct token_case tokens[] = {
	{ "{\"token\":\"eyJhbGc.eyJzdWI.sig-_~+/==\",\"expires_in\":300}", 26,
	  "eyJhbGc.eyJzdWI.sig-_~+/==" },
	{ "{\"access_token\":\"abc\"}", 3, "abc" },
	{ "{\"token\":\"abc\",\"access_token\":\"def\"}", 3, "abc" },
	{ "{\"token\":\"a\\r\\nX-Evil: 1\"}", -OCIBOOT_EMALFORMED, NULL },
	{ "{\"token\":\"a b\"}", -OCIBOOT_EMALFORMED, NULL },
	{ "{\"token\":\"\"}", -OCIBOOT_EMALFORMED, NULL },
	{ "{\"token\":\"=abc\"}", -OCIBOOT_EMALFORMED, NULL },
	{ "{\"token\":\"ab=c\"}", -OCIBOOT_EMALFORMED, NULL },
	{ "{\"token\":1}", -OCIBOOT_EMALFORMED, NULL },
	{ "{}", -OCIBOOT_EMALFORMED, NULL },
	{ "[]", -OCIBOOT_EMALFORMED, NULL },
	{ "{\"token\":\"abc\"", -OCIBOOT_EMALFORMED, NULL },
};

static void test_tokens(void **state)
{
	char token[AUTH_TOKEN_MAX + 1];

	for (size_t i = 0; i < ARRAY_SIZE(tokens); i++) {
		const struct token_case *t = &tokens[i];
		int r = auth_token_parse(t->in, strlen(t->in), token, NULL);

		if (r != t->code)
			fail_msg("case %zu: %d, want %d", i, r, t->code);
		if (r > 0)
			assert_string_equal(token, t->token);
	}
}

static void test_token_cap(void **state)
{
	static char in[AUTH_TOKEN_MAX + 32];
	char token[AUTH_TOKEN_MAX + 1];

	memcpy(in, "{\"token\":\"", 10);
	memset(in + 10, 'a', AUTH_TOKEN_MAX + 1);
	memcpy(in + 10 + AUTH_TOKEN_MAX + 1, "\"}", 2);
	assert_int_equal(auth_token_parse(in, AUTH_TOKEN_MAX + 13, token,
					  NULL), -OCIBOOT_ETOOBIG);
	memcpy(in + 10 + AUTH_TOKEN_MAX, "\"}", 2);
	assert_int_equal(auth_token_parse(in, AUTH_TOKEN_MAX + 12, token,
					  NULL), AUTH_TOKEN_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenges),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_token_url),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_token_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
