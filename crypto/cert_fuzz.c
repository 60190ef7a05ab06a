/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for cert_parse(): the input is a DER certificate. What
 * parses must point inside the input at valid names, and no proper prefix
 * of it may parse; the time parser is fed the tail of the input too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cert.h"
#include "crypto/der.h"
#include "crypto/dn.h"
#include "lib/util.h"

static bool inside(const uint8_t *buf, size_t size, const uint8_t *p,
		   size_t len)
{
	return p >= buf && len <= size && (size_t)(p - buf) <= size - len;
}

static void check_times(const uint8_t *data, size_t size)
{
	char text[CERT_TIME_STRING_MAX];
	int64_t t;

	if (size > 16)
		return;
	for (uint8_t tag = DER_UTC_TIME; tag <= DER_GENERALIZED_TIME; tag++)
		if (cert_time_parse(tag, data, size, &t) == 0)
			cert_time_format(t, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert_info ci;
	uint8_t *der = malloc(size ? size : 1);

	if (!der)
		abort();
	memcpy(der, data, size);
	check_times(der, size);
	if (cert_parse(der, size, &ci) != 0) {
		free(der);
		return 0;
	}
	if (!inside(der, size, ci.subject, ci.subject_len) ||
	    !inside(der, size, ci.issuer, ci.issuer_len) ||
	    dn_check(ci.subject, ci.subject_len, NULL) != 0 ||
	    dn_check(ci.issuer, ci.issuer_len, NULL) != 0 ||
	    (ci.eku_code_signing && !ci.has_eku) ||
	    (ci.eku_critical && !ci.has_eku))
		abort();
	if (size > 0 && cert_parse(der, size - 1, &ci) == 0)
		abort();
	free(der);
	return 0;
}
