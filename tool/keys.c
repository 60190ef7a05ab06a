/* SPDX-License-Identifier: MIT */
/*
 * `ociboot keys`: make the manifest-signing CA and product keys, sign a
 * file, and verify a signature with the same code the init runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/cert.h"
#include "crypto/dn.h"
#include "crypto/keygen.h"
#include "crypto/signature.h"
#include "crypto/verify_error.h"
#include "crypto/x509.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"

#define KEYS_CA_FILES_MAX X509_ANCHORS_MAX
/* A chain file: X509_CHAIN_MAX certificates as PEM, with room for text. */
#define KEYS_CHAIN_FILE_MAX (4 * X509_CHAIN_MAX * CERT_MAX)
/* Read one byte more than a signature may have, to tell it is too big. */
#define KEYS_SIG_FILE_MAX (SIGNATURE_MAX + 1)
#define KEYS_INPUT_CHUNK (64 * 1024)
/* What `keys verify` messages start with. */
#define KEYS_VERIFY "ociboot keys verify"

static const char keys_usage[] =
	"usage: ociboot keys COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  ca       make the manifest-signing CA (key and self-signed "
	"certificate)\n"
	"  product  make a product signing key and its certificate\n"
	"  sign     write a detached signature over a file\n"
	"  verify   check a signature and its certificate chain as the init "
	"does\n"
	"\n"
	"`ociboot keys COMMAND --help` describes each command.\n";

static const char ca_usage[] =
	"usage: ociboot keys ca --out-key FILE --out-cert FILE\n"
	"                       [--subject 'CN=...'] [--days N] "
	"[--rsa BITS | --curve P-256|P-384]\n"
	"                       [--not-before EPOCH] [--force]\n"
	"\n"
	"Make the manifest-signing CA: a new private key (ECDSA P-256 unless\n"
	"--curve or --rsa 2048..4096 says otherwise) written to --out-key\n"
	"(PKCS#8 PEM, mode 0600) and a self-signed certificate written to\n"
	"--out-cert (PEM) with basicConstraints CA:TRUE and keyUsage\n"
	"keyCertSign, cRLSign (both critical) and a subjectKeyIdentifier.\n"
	"The subject defaults to 'CN=ociboot manifest CA' (NAME=VALUE pairs\n"
	"separated by commas; write a comma in a value as '\\,'). Validity:\n"
	"from --not-before (Unix seconds; default now - 1 day) for --days\n"
	"days (default 3650). Existing files are never replaced without\n"
	"--force.\n";

static const char product_usage[] =
	"usage: ociboot keys product --ca-key FILE --ca-cert FILE "
	"--product UUID\n"
	"                            --out-key FILE --out-cert FILE\n"
	"                            [--subject 'CN=...'] [--days N] "
	"[--rsa BITS | --curve P-256|P-384]\n"
	"                            [--not-before EPOCH] [--force]\n"
	"\n"
	"Make a product signing key (ECDSA P-256 unless --curve or --rsa\n"
	"2048..4096 says otherwise; PKCS#8 PEM, mode 0600) and its\n"
	"certificate issued by the CA: subject --subject (default\n"
	"'CN=ociboot product') followed by serialNumber=UUID (the product\n"
	"ID, lowercase), basicConstraints CA:FALSE and keyUsage\n"
	"digitalSignature (critical), extendedKeyUsage codeSigning (not\n"
	"critical), subject and authority key identifiers. The certificate\n"
	"is checked as the init checks it before anything is written.\n"
	"Validity: from --not-before (default now - 1 day) for --days days\n"
	"(default 1095). Existing files are never replaced without --force.\n";

static const char sign_usage[] =
	"usage: ociboot keys sign --key FILE --in FILE --out FILE.sig "
	"[--force]\n"
	"\n"
	"Write a detached signature over the exact bytes of --in: DER ECDSA\n"
	"with SHA-256 (P-256 key) or SHA-384 (P-384 key), or RSA PKCS#1\n"
	"v1.5 with SHA-256 (2048 to 4096 bits). --out is never replaced\n"
	"without --force.\n";

static const char verify_usage[] =
	"usage: ociboot keys verify --ca FILE|DIR [--ca ...] --cert FILE\n"
	"                           [--time EPOCH] --in FILE --sig FILE\n"
	"\n"
	"Check, with the code the init runs, that --cert (the product\n"
	"certificate, then any intermediates; PEM or DER) chains to one of\n"
	"the CA certificates (PEM files, or every *.pem of a directory) at\n"
	"--time (Unix seconds; default now), that it is fit to sign and names\n"
	"a product, and that --sig is its signature over the bytes of --in.\n"
	"Prints the product ID, the signer's subject, key and validity;\n"
	"otherwise one line saying which check failed.\n";

enum {
	OPT_OUT_KEY = 256, OPT_OUT_CERT, OPT_SUBJECT, OPT_DAYS, OPT_RSA,
	OPT_CURVE, OPT_NOT_BEFORE, OPT_FORCE, OPT_CA_KEY, OPT_CA_CERT,
	OPT_PRODUCT, OPT_CA, OPT_CERT, OPT_TIME, OPT_IN, OPT_SIG, OPT_HELP,
};

/* The option getopt just refused, for the message. */
static const char *bad_option(char **argv)
{
	return optind > 0 ? argv[optind - 1] : "?";
}

/* --- ca and product ------------------------------------------------------ */

struct make_args {
	struct keygen_options o;
	const char *out_key, *out_cert;
	const char *ca_key, *ca_cert, *product;
	bool have_rsa, have_curve;
};

static const struct option make_options[] = {
	{ "out-key", required_argument, NULL, OPT_OUT_KEY },
	{ "out-cert", required_argument, NULL, OPT_OUT_CERT },
	{ "subject", required_argument, NULL, OPT_SUBJECT },
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "rsa", required_argument, NULL, OPT_RSA },
	{ "curve", required_argument, NULL, OPT_CURVE },
	{ "not-before", required_argument, NULL, OPT_NOT_BEFORE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "ca-key", required_argument, NULL, OPT_CA_KEY },
	{ "ca-cert", required_argument, NULL, OPT_CA_CERT },
	{ "product", required_argument, NULL, OPT_PRODUCT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* One option of ca / product; 0, or 2 after a usage message. */
static int make_option(const char *cmd, struct make_args *a, int opt,
		       const char *arg)
{
	long long v;

	switch (opt) {
	case OPT_OUT_KEY:
		a->out_key = arg;
		return 0;
	case OPT_OUT_CERT:
		a->out_cert = arg;
		return 0;
	case OPT_SUBJECT:
		a->o.subject = arg;
		return 0;
	case OPT_DAYS:
		if (cli_parse_number(arg, 1, KEYGEN_DAYS_MAX, &v) < 0)
			return cli_usage_error(cmd, "--days takes 1 to %d, "
					       "not '%s'", KEYGEN_DAYS_MAX,
					       arg);
		a->o.days = (unsigned int)v;
		return 0;
	case OPT_RSA:
		if (cli_parse_number(arg, X509_RSA_MIN_BITS,
				     X509_RSA_MAX_BITS, &v) < 0)
			return cli_usage_error(cmd, "--rsa takes %d to %d "
					       "bits, not '%s' (shorter keys "
					       "are refused)",
					       X509_RSA_MIN_BITS,
					       X509_RSA_MAX_BITS, arg);
		a->o.rsa_bits = (unsigned int)v;
		a->have_rsa = true;
		return 0;
	case OPT_CURVE:
		if (streq(arg, "P-256"))
			a->o.ec_bits = 256;
		else if (streq(arg, "P-384"))
			a->o.ec_bits = 384;
		else
			return cli_usage_error(cmd, "--curve takes P-256 or "
					       "P-384, not '%s'", arg);
		a->have_curve = true;
		return 0;
	case OPT_NOT_BEFORE:
		if (cli_parse_number(arg, 0, INT64_MAX / 4, &v) < 0)
			return cli_usage_error(cmd, "--not-before takes Unix "
					       "seconds, not '%s'", arg);
		a->o.not_before = v;
		return 0;
	case OPT_FORCE:
		a->o.force = true;
		return 0;
	case OPT_CA_KEY:
		a->ca_key = arg;
		return 0;
	case OPT_CA_CERT:
		a->ca_cert = arg;
		return 0;
	case OPT_PRODUCT:
		a->product = arg;
		return 0;
	}
	return cli_usage_error(cmd, "unexpected option '%s'", arg ? arg : "");
}

/* Parse argv into *a; 0, 2 (usage error) or -1 after --help. */
static int parse_make(const char *cmd, const char *help, bool product,
		      int argc, char **argv, struct make_args *a)
{
	int opt, r;

	memset(a, 0, sizeof(*a));
	a->o.days = product ? KEYGEN_PRODUCT_DAYS : KEYGEN_CA_DAYS;
	a->o.not_before = (int64_t)time(NULL) - 86400;
	a->o.ec_bits = 256;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", make_options, NULL)) != -1) {
		if (opt == OPT_HELP) {
			fputs(help, stdout);
			return -1;
		}
		if (opt == '?' || opt == ':')
			return cli_usage_error(cmd, "bad option '%s'",
					       bad_option(argv));
		if (!product && (opt == OPT_CA_KEY || opt == OPT_CA_CERT ||
				 opt == OPT_PRODUCT))
			return cli_usage_error(cmd, "unknown option '%s'",
					       bad_option(argv));
		r = make_option(cmd, a, opt, optarg);
		if (r)
			return r;
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

static int check_make(const char *cmd, const struct make_args *a,
		      bool product)
{
	char why[KEYGEN_WHY_MAX], uuid[DN_UUID_LEN + 1];

	if (!a->out_key || !a->out_cert)
		return cli_usage_error(cmd, "--out-key and --out-cert are "
				       "needed");
	if (product && (!a->ca_key || !a->ca_cert || !a->product))
		return cli_usage_error(cmd, "--ca-key, --ca-cert and "
				       "--product are needed");
	if (a->have_rsa && a->have_curve)
		return cli_usage_error(cmd, "--rsa and --curve exclude each "
				       "other");
	if (streq(a->out_key, a->out_cert))
		return cli_usage_error(cmd, "--out-key and --out-cert name "
				       "the same file");
	if (product && dn_uuid_normalize(a->product, strlen(a->product),
					 uuid) < 0)
		return cli_usage_error(cmd, "--product '%s' is not a UUID "
				       "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
				       a->product);
	if (a->o.subject &&
	    keygen_check_subject(a->o.subject, product, why, sizeof(why)) < 0)
		return cli_usage_error(cmd, "%s", why);
	return 0;
}

/* cmd: the command as typed, "ociboot keys ca" or "ociboot keys product". */
static int keys_make(const char *cmd, int argc, char **argv, bool product)
{
	char why[KEYGEN_WHY_MAX];
	struct make_args a;
	int r;

	r = parse_make(cmd, product ? product_usage : ca_usage, product, argc,
		       argv, &a);
	if (r)
		return r < 0 ? 0 : r;
	r = check_make(cmd, &a, product);
	if (r)
		return r;
	if (product)
		r = keygen_product(&a.o, a.product, a.ca_key, a.ca_cert,
				   a.out_key, a.out_cert, why, sizeof(why));
	else
		r = keygen_ca(&a.o, a.out_key, a.out_cert, why, sizeof(why));
	if (r < 0)
		return cli_failure(cmd, "%s", why);
	printf("wrote %s (private key, mode 0600) and %s\n", a.out_key,
	       a.out_cert);
	return 0;
}

/* --- verify -------------------------------------------------------------- */

struct verify_args {
	const char *cas[KEYS_CA_FILES_MAX];
	size_t ca_count;
	const char *cert, *in, *sig;
	int64_t time;
};

static int parse_verify(int argc, char **argv, struct verify_args *a)
{
	static const struct option options[] = {
		{ "ca", required_argument, NULL, OPT_CA },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "time", required_argument, NULL, OPT_TIME },
		{ "in", required_argument, NULL, OPT_IN },
		{ "sig", required_argument, NULL, OPT_SIG },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	long long v;
	int opt;

	memset(a, 0, sizeof(*a));
	a->time = (int64_t)time(NULL);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_CA:
			if (a->ca_count == KEYS_CA_FILES_MAX)
				return cli_usage_error(KEYS_VERIFY, "more than "
						       "%d --ca",
						       KEYS_CA_FILES_MAX);
			a->cas[a->ca_count++] = optarg;
			break;
		case OPT_CERT:
			a->cert = optarg;
			break;
		case OPT_TIME:
			if (cli_parse_number(optarg, 0, INT64_MAX / 4, &v) < 0)
				return cli_usage_error(KEYS_VERIFY, "--time "
						       "takes Unix seconds, "
						       "not '%s'", optarg);
			a->time = v;
			break;
		case OPT_IN:
			a->in = optarg;
			break;
		case OPT_SIG:
			a->sig = optarg;
			break;
		case OPT_HELP:
			fputs(verify_usage, stdout);
			return -1;
		default:
			return cli_usage_error(KEYS_VERIFY, "bad option '%s'",
					       bad_option(argv));
		}
	}
	if (optind < argc)
		return cli_usage_error(KEYS_VERIFY, "unexpected argument "
				       "'%s'", argv[optind]);
	if (!a->ca_count || !a->cert || !a->in || !a->sig)
		return cli_usage_error(KEYS_VERIFY, "--ca, --cert, --in and "
				       "--sig are needed");
	return 0;
}

static int verify_failure(const char *what, const struct error *e)
{
	char line[1024];

	error_format(e, line, sizeof(line));
	return cli_failure(KEYS_VERIFY, "%s: %s", what, line);
}

static int verify_chain(const struct verify_args *a,
			const struct x509_trust_store *ts,
			struct x509_signer *signer)
{
	struct error e;
	uint8_t *chain;
	size_t len;
	int r;

	r = cli_read_file(a->cert, KEYS_CHAIN_FILE_MAX, &chain, &len);
	if (r < 0)
		return cli_failure(KEYS_VERIFY, "cannot read %s: %s", a->cert,
				   ociboot_strerror(r));
	r = x509_chain_verify(ts, chain, len, a->time, signer, &e);
	free(chain);
	if (r < 0)
		return verify_failure(a->cert, &e);
	return 0;
}

/* Stream the file at path into the verifier. */
static int hash_input(const char *path, struct signature_verifier *v)
{
	_cleanup_close_ int fd = -1;
	uint8_t *buf;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	buf = malloc(KEYS_INPUT_CHUNK);
	if (!buf)
		return -ENOMEM;
	while ((n = fileio_read_all(fd, buf, KEYS_INPUT_CHUNK)) > 0)
		signature_update(v, buf, (size_t)n);
	free(buf);
	return n < 0 ? (int)n : 0;
}

static int verify_signature(const struct verify_args *a,
			    const struct x509_signer *signer)
{
	struct signature_verifier v;
	struct error e;
	uint8_t *sig;
	size_t sig_len;
	int r;

	r = cli_read_file(a->sig, KEYS_SIG_FILE_MAX, &sig, &sig_len);
	if (r == -OCIBOOT_ETOOBIG) {
		verify_fail(&e, r, VERIFY_SIGNATURE_TOO_BIG, NULL, 0);
		return verify_failure(a->sig, &e);
	}
	if (r < 0)
		return cli_failure(KEYS_VERIFY, "cannot read %s: %s", a->sig,
				   ociboot_strerror(r));
	r = signature_init(&v, &signer->key, &e);
	if (r == 0) {
		r = hash_input(a->in, &v);
		if (r < 0) {
			free(sig);
			return cli_failure(KEYS_VERIFY, "cannot read %s: %s",
					   a->in, ociboot_strerror(r));
		}
		r = signature_final(&v, sig, sig_len, &e);
	}
	free(sig);
	if (r < 0)
		return verify_failure(a->sig, &e);
	return 0;
}

static void print_signer(const struct x509_signer *s)
{
	char subject[DN_STRING_MAX], key[32];
	char from[CERT_TIME_STRING_MAX], to[CERT_TIME_STRING_MAX];

	dn_format(s->subject, s->subject_len, subject, sizeof(subject));
	x509_pubkey_describe(&s->key, key, sizeof(key));
	cert_time_format(s->not_before, from);
	cert_time_format(s->not_after, to);
	printf("product: %s\nsubject: %s\nkey: %s\nvalidity: %s to %s\n",
	       s->product_uuid, subject, key, from, to);
}

static int keys_verify(int argc, char **argv)
{
	struct x509_trust_store *ts;
	struct x509_signer *signer;
	struct verify_args a;
	int r;

	r = parse_verify(argc, argv, &a);
	if (r)
		return r < 0 ? 0 : r;
	ts = malloc(sizeof(*ts));
	signer = malloc(sizeof(*signer));
	if (!ts || !signer) {
		r = cli_failure(KEYS_VERIFY, "out of memory");
		goto out;
	}
	r = cli_load_cas(KEYS_VERIFY, a.cas, a.ca_count, ts);
	if (r == 0)
		r = verify_chain(&a, ts, signer);
	if (r == 0)
		r = verify_signature(&a, signer);
	if (r == 0)
		print_signer(signer);
out:
	free(ts);
	free(signer);
	return r;
}

int keys_main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "ociboot keys: missing command (try 'ociboot "
			"keys --help')\n");
		return 2;
	}
	if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
		fputs(keys_usage, stdout);
		return 0;
	}
	if (streq(argv[1], "ca"))
		return keys_make("ociboot keys ca", argc - 1, argv + 1, false);
	if (streq(argv[1], "product"))
		return keys_make("ociboot keys product", argc - 1, argv + 1,
				 true);
	if (streq(argv[1], "sign"))
		return cli_sign("ociboot keys sign", sign_usage, argc - 1,
				argv + 1);
	if (streq(argv[1], "verify"))
		return keys_verify(argc - 1, argv + 1);
	fprintf(stderr, "ociboot keys: unknown command '%s' (try 'ociboot "
		"keys --help')\n", argv[1]);
	return 2;
}
