/* SPDX-License-Identifier: MIT */
/* The host tool's command line and shared helpers; see cli.h. */
#include "tool/cli.h"
#include "tool/output.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/keygen.h"
#include "crypto/x509.h"
#include "oci/oci.h"
#include "lib/util.h"

/* Bytes of a formatted struct error. */
/* getopt_long's value for option i of a table, and for --help. */
#define CLI_LONG_BASE 256
#define CLI_LONG_HELP (CLI_LONG_BASE + CLI_OPTIONS_MAX)
/* The help's right margin and the widest option column it lines up. */
#define CLI_HELP_COLUMNS 79
#define CLI_HELP_OPTION_WIDTH 28

/* --- messages ------------------------------------------------------------- */

/* "PREFIX: MESSAGE", no newline. */
static void say(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
}

int cli_usage(const struct cli_spec *spec, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(spec->prefix, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s --help')\n", spec->prefix);
	return -EINVAL;
}

int cli_exit_status(int r)
{
	if (r == 0 || r == CLI_HELP_SHOWN)
		return CLI_EXIT_SUCCESS;
	return r == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

int cli_failure(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(prefix, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAILURE;
}

int cli_failure_errno(const char *prefix, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(prefix, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", ociboot_strerror(err));
	fputc('\n', stderr);
	return CLI_EXIT_FAILURE;
}

/* --- help ----------------------------------------------------------------- */

static bool takes_argument(const struct cli_option *o)
{
	return o->kind != CLI_FLAG && (o->kind != CLI_CALL || o->arg);
}

/*
 * Print word on the usage line after a space at *col, or wrapped under the
 * first word when it would pass the margin.
 */
static void synopsis_word(FILE *f, const char *word, size_t indent,
			  size_t *col)
{
	size_t len = strlen(word);

	if (*col > indent && *col + 1 + len > CLI_HELP_COLUMNS) {
		fprintf(f, "\n%*s", (int)indent, "");
		*col = indent;
	} else {
		fputc(' ', f);
		(*col)++;
	}
	fputs(word, f);
	*col += len;
}

/* "--name ARG", bracketed unless required, "..." when repeatable. */
static void option_synopsis(const struct cli_option *o, char *out,
			    size_t size)
{
	bool required = o->flags & CLI_REQUIRED;

	snprintf(out, size, "%s--%s%s%s%s%s", required ? "" : "[", o->name,
		 takes_argument(o) ? " " : "",
		 takes_argument(o) ? (o->arg ? o->arg : "VALUE") : "",
		 required ? "" : "]", o->flags & CLI_REPEAT ? "..." : "");
}

static void operand_synopsis(const struct cli_spec *spec, char *out,
			     size_t size)
{
	const char *name = spec->operand ? spec->operand : "ARG";
	const char *more = spec->operands_max > 1 ? "..." : "";

	if (spec->operands_min)
		snprintf(out, size, "%s%s", name, more);
	else
		snprintf(out, size, "[%s%s]", name, more);
}

static void usage_line(const struct cli_spec *spec, FILE *f)
{
	size_t indent = strlen("usage: ") + strlen(spec->prefix) + 1, col;
	char word[128];

	fprintf(f, "usage: %s", spec->prefix);
	col = indent - 1;
	for (size_t i = 0; i < spec->option_count; i++) {
		option_synopsis(&spec->options[i], word, sizeof(word));
		synopsis_word(f, word, indent, &col);
	}
	if (spec->operands_max) {
		operand_synopsis(spec, word, sizeof(word));
		synopsis_word(f, word, indent, &col);
	}
	fputc('\n', f);
}

/* "  -c, --name ARG" of o into out. */
static void option_label(const struct cli_option *o, char *out, size_t size)
{
	char short_name[8] = "    ";

	if (o->short_name)
		snprintf(short_name, sizeof(short_name), "-%c, ",
			 o->short_name);
	snprintf(out, size, "  %s--%s%s%s", short_name, o->name,
		 takes_argument(o) ? " " : "",
		 takes_argument(o) ? (o->arg ? o->arg : "VALUE") : "");
}

static void option_line(FILE *f, const char *label, const char *help,
			unsigned int flags)
{
	int pad = CLI_HELP_OPTION_WIDTH - (int)strlen(label);

	if (pad < 1) {
		fprintf(f, "%s\n", label);
		pad = CLI_HELP_OPTION_WIDTH;
		label = "";
	}
	fprintf(f, "%s%*s%s%s\n", label, pad, "", help,
		flags & CLI_REQUIRED ? " (required)" : "");
}

void cli_help(const struct cli_spec *spec, FILE *f)
{
	char label[128];

	usage_line(spec, f);
	if (spec->description)
		fprintf(f, "\n%s", spec->description);
	fputs("\noptions:\n", f);
	for (size_t i = 0; i < spec->option_count; i++) {
		const struct cli_option *o = &spec->options[i];

		option_label(o, label, sizeof(label));
		option_line(f, label, o->help, o->flags);
	}
	option_line(f, "  -h, --help", "print this help", 0);
}

/* --- parsing -------------------------------------------------------------- */

/* What getopt_long is given for a spec. */
struct getopt_tables {
	struct option longs[CLI_OPTIONS_MAX + 2];
	char shorts[2 + 2 * CLI_OPTIONS_MAX + 2];
};

static void make_tables(const struct cli_spec *spec, struct getopt_tables *t)
{
	size_t n = 0, i;

	t->shorts[n++] = ':';	/* a missing value is ':', not '?' */
	for (i = 0; i < spec->option_count; i++) {
		const struct cli_option *o = &spec->options[i];

		t->longs[i] = (struct option){
			o->name, takes_argument(o) ? required_argument :
			no_argument, NULL, CLI_LONG_BASE + (int)i,
		};
		if (!o->short_name)
			continue;
		t->shorts[n++] = o->short_name;
		if (takes_argument(o))
			t->shorts[n++] = ':';
	}
	t->longs[i++] = (struct option){ "help", no_argument, NULL,
					 CLI_LONG_HELP };
	t->longs[i] = (struct option){ NULL, 0, NULL, 0 };
	t->shorts[n++] = 'h';
	t->shorts[n] = '\0';
}

/* The option getopt_long returned c (or reported optopt c) for, or NULL. */
static const struct cli_option *find_option(const struct cli_spec *spec,
					    int c)
{
	if (c >= CLI_LONG_BASE &&
	    c < CLI_LONG_BASE + (int)spec->option_count)
		return &spec->options[c - CLI_LONG_BASE];
	for (size_t i = 0; c > 0 && c < CLI_LONG_BASE &&
	     i < spec->option_count; i++)
		if (spec->options[i].short_name == c)
			return &spec->options[i];
	return NULL;
}

/* The usage error for what getopt_long refused with c ('?' or ':'). */
static int refused(const struct cli_spec *spec, int c, char **argv)
{
	const struct cli_option *o = find_option(spec, optopt);
	const char *word = argv[optind - 1];
	char shown[3] = { '-', (char)optopt, '\0' };

	if (c == ':')
		return cli_usage(spec, "--%s needs a value",
				 o ? o->name : "help");
	if (o)	/* --flag=VALUE */
		return cli_usage(spec, "--%s takes no value", o->name);
	if (optopt > 0 && optopt < CLI_LONG_BASE)
		word = shown;
	return cli_usage(spec, "unknown option '%s'", word);
}

static int call(const struct cli_spec *spec, const struct cli_option *o,
		void *args, const char *value)
{
	struct error e;

	error_clear(&e);
	if (o->parse(args, value, &e) == 0)
		return 0;
	if (!e.why[0] && value)
		return cli_usage(spec, "bad --%s '%s'", o->name, value);
	if (value)
		return cli_usage(spec, "--%s '%s': %s", o->name, value, e.why);
	return cli_usage(spec, "--%s: %s", o->name, e.why);
}

/* Store option i's value; seen[i] counts it. */
static int take(const struct cli_spec *spec, size_t i, void *args,
		const char *value, bool *seen)
{
	const struct cli_option *o = &spec->options[i];
	void *field = (char *)args + o->offset;
	struct cli_list *list = field;
	long long v;

	if (seen[i] && !(o->flags & CLI_REPEAT))
		return cli_usage(spec, "--%s given twice", o->name);
	seen[i] = true;
	switch (o->kind) {
	case CLI_STRING:
		*(const char **)field = value;
		return 0;
	case CLI_FLAG:
		*(bool *)field = true;
		return 0;
	case CLI_LIST:
		if (list->count >= list->cap)
			return cli_usage(spec, "more than %zu --%s",
					 list->cap, o->name);
		list->items[list->count++] = value;
		return 0;
	case CLI_EPOCH:
		if (cli_parse_number(value, 0, CLI_EPOCH_MAX, &v) < 0)
			return cli_usage(spec, "--%s '%s': takes Unix seconds",
					 o->name, value);
		*(int64_t *)field = v;
		return 0;
	case CLI_CALL:
		return call(spec, o, args, value);
	}
	return cli_usage(spec, "--%s: not handled", o->name);
}

static int check_operands(const struct cli_spec *spec, int argc,
			  char **argv)
{
	unsigned int n = (unsigned int)(argc - optind);
	unsigned int min = spec->operands_min, max = spec->operands_max;
	const char *name = spec->operand ? spec->operand : "argument";

	if (n >= min && n <= max)
		return 0;
	if (min == 1 && max == 1)
		return cli_usage(spec, "takes exactly one %s", name);
	if (min == max && min > 1)
		return cli_usage(spec, "takes exactly %u %s", min, name);
	if (n > max)
		return cli_usage(spec, "unexpected argument '%s'",
				 argv[optind + (int)max]);
	return cli_usage(spec, "needs at least %u %s", min, name);
}

static int check_required(const struct cli_spec *spec, const bool *seen)
{
	for (size_t i = 0; i < spec->option_count; i++)
		if ((spec->options[i].flags & CLI_REQUIRED) && !seen[i])
			return cli_usage(spec, "--%s is required",
					 spec->options[i].name);
	return 0;
}

int cli_parse(const struct cli_spec *spec, int argc, char **argv,
	      void *args, int *first)
{
	bool seen[CLI_OPTIONS_MAX] = { false };
	const struct cli_option *o;
	struct getopt_tables t;
	int c, r;

	if (spec->option_count > CLI_OPTIONS_MAX)
		return cli_usage(spec, "more than %d options declared",
				 CLI_OPTIONS_MAX);
	make_tables(spec, &t);
	optind = 0;	/* GNU: start over, forgetting any earlier argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, t.shorts, t.longs, NULL)) != -1) {
		if (c == 'h' || c == CLI_LONG_HELP) {
			cli_help(spec, stdout);
			return CLI_HELP_SHOWN;
		}
		o = find_option(spec, c);
		if (c == '?' || c == ':' || !o)
			return refused(spec, c, argv);
		r = take(spec, (size_t)(o - spec->options), args, optarg,
			 seen);
		if (r)
			return r;
	}
	r = check_operands(spec, argc, argv);
	if (r == 0)
		r = check_required(spec, seen);
	if (r == 0 && spec->check)
		r = spec->check(spec, args);
	if (r == 0 && first)
		*first = optind;
	return r;
}

/* --- values --------------------------------------------------------------- */

int cli_parse_number(const char *s, long long min, long long max,
		     long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_source_date_epoch(long long max, long long *out)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");

	if (!env || !*env) {
		*out = 0;
		return 0;
	}
	return cli_parse_number(env, 0, max, out);
}

void cli_print_digest(const char *label, const uint8_t digest[SHA256_LEN])
{
	char text[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(digest, text);
	printf("%s: %s\n", label, text);
}

int cli_load_cas(const char *prefix, const char *const *paths, size_t count,
		 struct x509_trust_store *ts)
{
	char why[ERROR_LINE_MAX];
	struct error e;
	struct stat st;
	int r;

	x509_trust_store_init(ts);
	for (size_t i = 0; i < count; i++) {
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			r = x509_trust_store_load_dir(ts, paths[i], &e);
		else
			r = x509_trust_store_load_file(ts, paths[i], &e);
		if (r < 0) {
			error_format(&e, why, sizeof(why));
			return cli_failure(prefix, "%s: %s", paths[i], why);
		}
	}
	return 0;
}

/* --- sign ----------------------------------------------------------------- */

struct sign_args {
	const char *key, *in, *out;
	bool force;
};

static int sign_check(const struct cli_spec *spec, void *args)
{
	const struct sign_args *a = args;

	if (streq(a->in, a->out))
		return cli_usage(spec, "--in and --out name the same file");
	return 0;
}

static const struct cli_option sign_options[] = {
	CLI_OPTION_STRING("key", 0, CLI_REQUIRED, "FILE",
			  "the private key (PEM)", struct sign_args, key),
	CLI_OPTION_STRING("in", 0, CLI_REQUIRED, "FILE", "the file to sign",
			  struct sign_args, in),
	CLI_OPTION_STRING("out", 0, CLI_REQUIRED, "FILE.sig",
			  "where the signature goes", struct sign_args, out),
	CLI_OPTION_FLAG("force", 0, "replace --out if it exists",
			struct sign_args, force),
};

int cli_sign(const char *prefix, const char *description, int argc,
	     char **argv)
{
	const struct cli_spec spec = {
		.prefix = prefix,
		.description = description,
		.options = sign_options,
		.option_count = ARRAY_SIZE(sign_options),
		.check = sign_check,
	};
	struct sign_args a = { 0 };
	struct error why;
	int r;

	r = cli_parse(&spec, argc, argv, &a, NULL);
	if (r)
		return cli_exit_status(r);
	r = output_prepare(prefix, a.out, true);	/* parents only */
	if (r)
		return r;
	if (keygen_sign(a.key, a.in, a.out, a.force, &why) < 0)
		return cli_failure(prefix, "%s", why.why);
	printf("wrote %s\n", a.out);
	return CLI_EXIT_SUCCESS;
}

/* --- dispatch ------------------------------------------------------------- */

static void commands_help(const char *prefix,
			  const struct cli_command *commands, size_t count)
{
	printf("usage: %s COMMAND [OPTIONS]\n\ncommands:\n", prefix);
	for (size_t i = 0; i < count; i++)
		printf("  %-9s%s\n", commands[i].name, commands[i].summary);
	printf("\n`%s COMMAND --help` describes each command.\n", prefix);
}

int cli_dispatch(const char *prefix, const struct cli_command *commands,
		 size_t count, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "%s: missing command (try '%s --help')\n",
			prefix, prefix);
		return CLI_EXIT_USAGE;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
		commands_help(prefix, commands, count);
		return CLI_EXIT_SUCCESS;
	}
	for (size_t i = 0; i < count; i++)
		if (streq(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s' (try '%s --help')\n",
		prefix, argv[1], prefix);
	return CLI_EXIT_USAGE;
}
