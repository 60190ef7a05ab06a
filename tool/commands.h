/* SPDX-License-Identifier: MIT */
/*
 * Entry points of the host tool's subcommands. Each takes its own argv
 * (argv[0] is the command name; its strings may be edited), prints its
 * usage on --help, and returns its exit status as tool/cli.h says:
 * 0 on success, 1 on failure (after one line saying why) or 2 on bad
 * usage (after one line naming the option).
 */
#ifndef OCIBOOT_TOOL_COMMANDS_H
#define OCIBOOT_TOOL_COMMANDS_H

int ukify_main(int argc, char **argv);
int layer_main(int argc, char **argv);
int keys_main(int argc, char **argv);
int image_main(int argc, char **argv);
int manifest_main(int argc, char **argv);
int verify_main(int argc, char **argv);
int limits_main(int argc, char **argv);
int pull_main(int argc, char **argv);
int tpm_main(int argc, char **argv);

#endif
