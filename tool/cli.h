/* SPDX-License-Identifier: MIT */
/*
 * What the host tool's commands share: their error lines, decimal option
 * values, small whole files, the dispatch to a subcommand, and the pieces
 * two commands have in common (loading CA certificates, signing a file,
 * printing a digest).
 *
 * prefix names the command as it is typed ("ociboot keys ca", "ociboot
 * verify", "ukify build"); every line said to stderr starts with it and
 * ": ". The int-returning printers return the exit status to end with.
 */
#ifndef OCIBOOT_TOOL_CLI_H
#define OCIBOOT_TOOL_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

struct x509_trust_store;

/*
 * Bad usage: "PREFIX: MESSAGE (try 'PREFIX --help')" on stderr. Returns 2.
 */
__attribute__((format(printf, 2, 3)))
int cli_usage_error(const char *prefix, const char *fmt, ...);

/* A failure: "PREFIX: MESSAGE" on stderr. Returns 1. */
__attribute__((format(printf, 2, 3)))
int cli_failure(const char *prefix, const char *fmt, ...);

/*
 * cli_failure(), with ": " and ociboot_strerror(err) after MESSAGE unless
 * err is 0. Returns 1.
 */
__attribute__((format(printf, 3, 4)))
int cli_failure_errno(const char *prefix, int err, const char *fmt, ...);

/*
 * s as a decimal number in [min, max], min >= 0: digits only (no sign,
 * space or base prefix). Returns 0 with *out set, or -EINVAL (*out left
 * alone).
 */
int cli_parse_number(const char *s, long long min, long long max,
		     long long *out);

/*
 * Read the file at path whole into a new buffer *out (the caller free()s
 * it) of *len bytes; max + 1 bytes are allocated. Returns 0, or -errno,
 * -ENOMEM, or -OCIBOOT_ETOOBIG when the file has more than max bytes; *out
 * and *len are set only on success.
 */
int cli_read_file(const char *path, size_t max, uint8_t **out, size_t *len);

/* "LABEL: sha256:HEX" on stdout. */
void cli_print_digest(const char *label, const uint8_t digest[SHA256_LEN]);

/*
 * Load each of the count CA paths (a PEM file, or a directory of *.pem)
 * into ts, after emptying it. Returns 0, or 1 after "PREFIX: PATH: why"
 * for the first that fails.
 */
int cli_load_cas(const char *prefix, const char *const *paths, size_t count,
		 struct x509_trust_store *ts);

/*
 * The sign subcommand (`ociboot keys sign`, `ociboot manifest sign`):
 * --key FILE --in FILE --out FILE [--force] [--help] in argv (argv[0] is
 * the subcommand's name), a detached signature written with keygen_sign().
 * usage is printed for --help. Returns the exit status: 0, 1 or 2.
 */
int cli_sign(const char *prefix, const char *usage, int argc, char **argv);

/* A subcommand: its name, and its entry point as in tool/commands.h. */
struct cli_command {
	const char *name;
	int (*main)(int argc, char **argv);
};

/*
 * Run the subcommand named by argv[1] with argc - 1, argv + 1 and optind
 * set to 1. usage (the command's own) goes to stdout for --help or -h
 * (returns 0) and to stderr when argv has no subcommand (returns 2); an
 * unknown name gets "PREFIX: unknown command 'NAME' (try --help)" and 2.
 * Returns the subcommand's exit status otherwise.
 */
int cli_dispatch(const char *prefix, const char *usage,
		 const struct cli_command *commands, size_t count, int argc,
		 char **argv);

#endif
