/* SPDX-License-Identifier: MIT */
/* What the host tool's commands share; see cli.h. */
#include "tool/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/keygen.h"
#include "crypto/x509.h"
#include "oci/oci.h"
#include "lib/fileio.h"
#include "lib/util.h"

/* Bytes of a formatted struct error. */
#define CLI_WHY_MAX 1024

/* "PREFIX: MESSAGE", no newline. */
static void say(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prefix);
	vfprintf(stderr, fmt, ap);
}

int cli_usage_error(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(prefix, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s --help')\n", prefix);
	return 2;
}

int cli_failure(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(prefix, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
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
	return 1;
}

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

int cli_read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	_cleanup_close_ int fd = -1;
	uint8_t *buf;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	buf = malloc(max + 1);
	if (!buf)
		return -ENOMEM;
	n = fileio_read_all(fd, buf, max + 1);
	if (n < 0 || (size_t)n > max) {
		free(buf);
		return n < 0 ? (int)n : -OCIBOOT_ETOOBIG;
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
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
	char why[CLI_WHY_MAX];
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

enum { SIGN_KEY = 256, SIGN_IN, SIGN_OUT, SIGN_FORCE, SIGN_HELP };

struct sign_args {
	const char *key, *in, *out;
	bool force;
};

/* 0 to go on, -1 after --help, else the exit status. */
static int sign_parse(const char *prefix, const char *usage, int argc,
		      char **argv, struct sign_args *a)
{
	static const struct option options[] = {
		{ "key", required_argument, NULL, SIGN_KEY },
		{ "in", required_argument, NULL, SIGN_IN },
		{ "out", required_argument, NULL, SIGN_OUT },
		{ "force", no_argument, NULL, SIGN_FORCE },
		{ "help", no_argument, NULL, SIGN_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case SIGN_KEY:
			a->key = optarg;
			break;
		case SIGN_IN:
			a->in = optarg;
			break;
		case SIGN_OUT:
			a->out = optarg;
			break;
		case SIGN_FORCE:
			a->force = true;
			break;
		case SIGN_HELP:
			fputs(usage, stdout);
			return -1;
		default:
			return cli_usage_error(prefix, "bad option '%s'",
					       optind > 0 ? argv[optind - 1] :
					       "?");
		}
	}
	if (optind < argc)
		return cli_usage_error(prefix, "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

int cli_sign(const char *prefix, const char *usage, int argc, char **argv)
{
	struct sign_args a = { 0 };
	char why[KEYGEN_WHY_MAX];
	int r;

	r = sign_parse(prefix, usage, argc, argv, &a);
	if (r)
		return r < 0 ? 0 : r;
	if (!a.key || !a.in || !a.out)
		return cli_usage_error(prefix, "--key, --in and --out are "
				       "needed");
	if (streq(a.in, a.out))
		return cli_usage_error(prefix, "--in and --out name the same "
				       "file");
	if (keygen_sign(a.key, a.in, a.out, a.force, why, sizeof(why)) < 0)
		return cli_failure(prefix, "%s", why);
	printf("wrote %s\n", a.out);
	return 0;
}

/* --- dispatch ------------------------------------------------------------- */

int cli_dispatch(const char *prefix, const char *usage,
		 const struct cli_command *commands, size_t count, int argc,
		 char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < count; i++) {
		if (streq(argv[1], commands[i].name)) {
			optind = 1;
			return commands[i].main(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "%s: unknown command '%s' (try --help)\n", prefix,
		argv[1]);
	return 2;
}
