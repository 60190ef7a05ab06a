/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the WWW-Authenticate parser and the token response reader: any
 * input is refused with a reason or gives a challenge whose token URL
 * parses; a token is only ever b64token characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[URL_STR_MAX], token[AUTH_TOKEN_MAX + 1];
	struct auth_challenge c;
	const char *reason;
	struct error err;
	struct url u, again;
	int n;

	error_clear(&err);
	if (auth_challenge_parse((const char *)data, size, &c, &err) < 0) {
		if (!err.why[0])
			__builtin_trap();
	} else if (auth_token_url(&c, "a/b", &u, NULL) == 0) {
		n = url_format(&u, text, sizeof(text));
		if (n <= 0 || url_parse(text, (size_t)n, &again, &reason))
			__builtin_trap();
	}
	n = auth_token_parse((const char *)data, size, token, NULL);
	if (n > 0 && (strlen(token) != (size_t)n ||
		      strpbrk(token, " \r\n\t\"")))
		__builtin_trap();
	return 0;
}
