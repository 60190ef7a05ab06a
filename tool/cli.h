/* SPDX-License-Identifier: MIT */
/*
 * The host tool's command line, and what its commands share.
 *
 * Each command declares its options in a table (struct cli_option) and
 * itself in a struct cli_spec; cli_parse() is the one parser: it runs
 * getopt_long over the table, stores each value where the table says,
 * refuses unknown, duplicate and valueless options, missing required
 * ones and stray arguments, and prints --help generated from the table.
 *
 * The convention, for every command:
 *   - cli_parse(), a spec's check hook and cli_usage() return 0 to go on,
 *     CLI_HELP_SHOWN after printing the help on stdout, or -EINVAL after
 *     one line on stderr: "PREFIX: MESSAGE (try 'PREFIX --help')", the
 *     message naming the option at fault;
 *   - a command's entry point returns its exit status: CLI_EXIT_SUCCESS
 *     (0), CLI_EXIT_FAILURE (1) after one line saying why (cli_failure()),
 *     or CLI_EXIT_USAGE (2) for bad usage; cli_exit_status() maps what
 *     cli_parse() returned onto it.
 *
 * prefix names the command as it is typed ("ociboot keys ca", "ociboot
 * verify", "ukify build"); every line said to stderr starts with it and
 * ": ". Nothing here allocates except the command helpers that say so.
 */
#ifndef OCIBOOT_TOOL_CLI_H
#define OCIBOOT_TOOL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "crypto/sha256.h"
#include "lib/error.h"
#include "lib/util.h"

struct x509_trust_store;

/* Exit statuses of every command. */
#define CLI_EXIT_SUCCESS 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

/* cli_parse(): the help was printed, the command has nothing left to do. */
#define CLI_HELP_SHOWN 1

/* The largest time in seconds a CLI_EPOCH option takes. */
#define CLI_EPOCH_MAX (INT64_MAX / 4)

/* Options a command may declare (--help and -h come on top). */
#define CLI_OPTIONS_MAX 32

/* What cli_parse() does with an option's value. */
enum cli_kind {
	CLI_STRING,	/* const char * at offset: the argument */
	CLI_FLAG,	/* bool at offset: set true; takes no argument */
	CLI_LIST,	/* struct cli_list at offset: the argument appended */
	CLI_EPOCH,	/* int64_t at offset: Unix seconds, digits only, at
			 * most CLI_EPOCH_MAX */
	CLI_CALL,	/* parse(args, argument, err) does the storing */
};

/* Flags of an option. */
#define CLI_REQUIRED 1u	/* must be given */
#define CLI_REPEAT 2u	/* may be given more than once (CLI_LIST, CLI_CALL) */

/*
 * Values of a repeatable option, in order, into items[0, cap) that the
 * caller provides; one more than cap is a usage error.
 */
struct cli_list {
	const char **items;
	size_t count;
	size_t cap;
};

struct cli_option {
	const char *name;	/* long name, without "--" */
	char short_name;	/* 0: none */
	enum cli_kind kind;
	unsigned int flags;	/* CLI_REQUIRED, CLI_REPEAT */
	const char *arg;	/* the argument's name in the help; NULL for
				 * CLI_FLAG (and a CLI_CALL without one) */
	const char *help;	/* one line */
	size_t offset;		/* of the field in the args struct */
	/*
	 * CLI_CALL: take value (NULL when arg is NULL; argv's own string,
	 * which it may edit) into args. Returns 0, or -EINVAL with err's
	 * why saying what is wrong with it ("takes 1 to 3650"); the parser
	 * adds the option and the value.
	 */
	int (*parse)(void *args, const char *value, struct error *err);
};

/*
 * Table rows, one macro a kind: type is the args struct, field the member
 * the value goes to, checked to be of the kind's type at compile time.
 */
#define CLI_FIELD(type, field, want) \
	(offsetof(type, field) + 0 * sizeof(char[ \
	 __builtin_types_compatible_p(__typeof__(((type *)0)->field), \
				      want) ? 1 : -1]))
#define CLI_OPTION_STRING(name, short_name, flags, arg, help, type, field) \
	{ name, short_name, CLI_STRING, flags, arg, help, \
	  CLI_FIELD(type, field, const char *), NULL }
#define CLI_OPTION_FLAG(name, short_name, help, type, field) \
	{ name, short_name, CLI_FLAG, 0, NULL, help, \
	  CLI_FIELD(type, field, bool), NULL }
#define CLI_OPTION_LIST(name, short_name, flags, arg, help, type, field) \
	{ name, short_name, CLI_LIST, (flags) | CLI_REPEAT, arg, help, \
	  CLI_FIELD(type, field, struct cli_list), NULL }
#define CLI_OPTION_EPOCH(name, short_name, flags, help, type, field) \
	{ name, short_name, CLI_EPOCH, flags, "EPOCH", help, \
	  CLI_FIELD(type, field, int64_t), NULL }
#define CLI_OPTION_CALL(name, short_name, flags, arg, help, parse) \
	{ name, short_name, CLI_CALL, flags, arg, help, 0, parse }

/* A spec of prefix, description, an array of options and a check hook. */
#define CLI_SPEC(prefix_, description_, options_, check_) { \
	.prefix = prefix_, .description = description_, \
	.options = options_, .option_count = ARRAY_SIZE(options_), \
	.check = check_, }

/* A command: its options and what --help says. */
struct cli_spec {
	const char *prefix;	/* as typed: "ociboot keys ca" */
	const char *synopsis;	/* NULL: generated from the options */
	const char *description;	/* paragraphs after the usage line */
	const struct cli_option *options;
	size_t option_count;
	const char *operand;	/* operands' name in the help ("FILE") */
	unsigned int operands_min, operands_max;
	/*
	 * After every option was taken and the required ones found: check
	 * the options together. Returns 0 or cli_usage()'s -EINVAL. May be
	 * NULL.
	 */
	int (*check)(const struct cli_spec *spec, void *args);
};

/*
 * Parse argv[1, argc) (argv[0] is the command's name) by spec into args.
 * Options may come in any order, among operands, written --name VALUE,
 * --name=VALUE, -c VALUE or as an unambiguous prefix of the long name;
 * "--" ends them. The operands are left at argv[*first, argc) (first may
 * be NULL when spec takes none). Returns 0, CLI_HELP_SHOWN or -EINVAL as
 * said at the top; after -EINVAL args may hold some values.
 */
int cli_parse(const struct cli_spec *spec, int argc, char **argv,
	      void *args, int *first);

/* The help of spec, as --help prints it, to f. */
void cli_help(const struct cli_spec *spec, FILE *f);

/* A usage error of spec's command: the line, then -EINVAL. */
__attribute__((format(printf, 2, 3)))
int cli_usage(const struct cli_spec *spec, const char *fmt, ...);

/*
 * The exit status for what cli_parse() or a check returned: 0 and
 * CLI_HELP_SHOWN give CLI_EXIT_SUCCESS, -EINVAL CLI_EXIT_USAGE, any other
 * negative value CLI_EXIT_FAILURE.
 */
int cli_exit_status(int r);

/* A failure: "PREFIX: MESSAGE" on stderr. Returns CLI_EXIT_FAILURE. */
__attribute__((format(printf, 2, 3)))
int cli_failure(const char *prefix, const char *fmt, ...);

/*
 * cli_failure(), with ": " and ociboot_strerror(err) after MESSAGE unless
 * err is 0. Returns CLI_EXIT_FAILURE.
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
 * $SOURCE_DATE_EPOCH as a number in [0, max]: *out is 0 when it is unset
 * or empty. Returns 0, or -EINVAL (*out left alone).
 */
int cli_source_date_epoch(long long max, long long *out);

/* "LABEL: sha256:HEX" on stdout. */
void cli_print_digest(const char *label, const uint8_t digest[SHA256_LEN]);

/*
 * Load each of the count CA paths (a PEM file, or a directory of *.pem)
 * into ts, after emptying it. Returns 0, or CLI_EXIT_FAILURE after
 * "PREFIX: PATH: why" for the first that fails.
 */
int cli_load_cas(const char *prefix, const char *const *paths, size_t count,
		 struct x509_trust_store *ts);

/*
 * The sign subcommand (`ociboot keys sign`, `ociboot manifest sign`):
 * --key FILE --in FILE --out FILE [--force] in argv (argv[0] is the
 * subcommand's name), a detached signature written with keygen_sign().
 * description is what --help says under the usage line. Returns the exit
 * status.
 */
int cli_sign(const char *prefix, const char *description, int argc,
	     char **argv);

/* A subcommand: its name, entry point (as in tool/commands.h), summary. */
struct cli_command {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

/*
 * Run the subcommand named by argv[1] with argc - 1, argv + 1. --help or
 * -h prints the list of commands made from the table on stdout (returns
 * CLI_EXIT_SUCCESS); no command, or one not in the table, is a usage
 * error (CLI_EXIT_USAGE). Returns the subcommand's exit status otherwise.
 */
int cli_dispatch(const char *prefix, const struct cli_command *commands,
		 size_t count, int argc, char **argv);

#endif
