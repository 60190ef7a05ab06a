// SPDX-License-Identifier: MIT
/*
 * Fuzz the DNS answer parser: the answer to the query for
 * "registry.example.test" with id 0xbeef, so inputs that start like an
 * answer (the seeds do) reach the records, the compression pointers and
 * the CNAME chains. Any input is refused with a reason or gives at most
 * DNS_ADDRESSES_MAX addresses.
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/util.h"
#include "net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_answer a;
	struct error err;
	int r;

	error_clear(&err);
	r = dns_answer_parse(data, size, "registry.example.test", 0xbeef, &a,
			     &err);
	if (r < 0 && !err.why[0])
		__builtin_trap();
	if (r == 0 && (a.count == 0 || a.count > DNS_ADDRESSES_MAX))
		__builtin_trap();
	return 0;
}
