/* SPDX-License-Identifier: MIT */
/*
 * ociboot: the host tool. One binary, one subcommand per concern; invoked as
 * `ukify` (a link to this binary) it behaves as `ociboot ukify`.
 */
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "tool/commands.h"
#include "version.h"	/* generated: OCIBOOT_VERSION */

static const struct command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "ukify", ukify_main,
	  "build or inspect an initrd and a signed kernel.efi" },
	{ "layer", layer_main,
	  "build or inspect a squashfs + dm-verity layer" },
	{ "keys", keys_main, "make CA and product keys, sign and verify" },
	{ "image", image_main,
	  "make or inspect an OCI image of layers in a layout" },
	{ "manifest", manifest_main,
	  "write, sign and package a signed system manifest" },
	{ "verify", verify_main,
	  "verify a signed system in a layout as the init does" },
	{ "pull", pull_main,
	  "fetch an image or a signed system from a registry into a layout" },
	{ "limits", limits_main,
	  "print the product limits an image and a system must keep" },
	{ "tpm", tpm_main,
	  "provision a machine's TPM, show what it holds" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ociboot COMMAND [ARGS...]\n"
		   "       ociboot --version\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\n`ociboot COMMAND --help` describes each command.\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/');
	const struct command *cmd;

	self = self ? self + 1 : argv[0];
	cmd = find_command(self);
	if (cmd)
		return cmd->main(argc, argv);

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (streq(argv[1], "--version")) {
		printf("ociboot %s\n", OCIBOOT_VERSION);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "ociboot: unknown command '%s' (try --help)\n",
			argv[1]);
		return 2;
	}
	return cmd->main(argc - 1, argv + 1);
}
