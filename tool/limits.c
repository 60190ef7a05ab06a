/* SPDX-License-Identifier: MIT */
/*
 * ociboot limits: the product limits of oci/limits.h, one a line as
 * "NAME VALUE DESCRIPTION" (NAME in lowercase_with_underscores, VALUE in
 * decimal), in the order of the table. The host tool, `ociboot verify`
 * and the init all hold a product to these; docs/limits.md says why each
 * is that number.
 */
#include <stdio.h>

#include "oci/limits.h"
#include "tool/cli.h"
#include "tool/commands.h"

#define LIMITS "ociboot limits"

struct limit {
	const char *name;
	unsigned long value;
	const char *description;
};

#define LIMIT_ROW(name, macro, description) \
	{ #name, (macro), description },

static const struct limit limits[] = { OCI_LIMITS(LIMIT_ROW) };

static const char limits_description[] =
	"Print the product limits, one a line: NAME VALUE DESCRIPTION.\n"
	"An image or system over one of them is refused by `ociboot image\n"
	"create`, `ociboot manifest create`, `ociboot verify` and the init\n"
	"alike (docs/limits.md says why each is that number).";

static const struct cli_spec limits_spec = {
	.prefix = LIMITS,
	.description = limits_description,
};

int limits_main(int argc, char **argv)
{
	int r = cli_parse(&limits_spec, argc, argv, NULL, NULL);

	if (r != 0)
		return cli_exit_status(r);
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++)
		printf("%s %lu %s\n", limits[i].name, limits[i].value,
		       limits[i].description);
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_failure(LIMITS, "writing the table failed");
	return CLI_EXIT_SUCCESS;
}
