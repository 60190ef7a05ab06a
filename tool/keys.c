/* SPDX-License-Identifier: MIT */
/*
 * `ociboot keys`: make the manifest-signing CA and product keys, sign a
 * file, and verify a signature with the same code the init runs.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "lib/constants.h"
#include "lib/fileio.h"
#include "lib/fileio_alloc.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"
#include "tool/output.h"

#define KEYS_CA_FILES_MAX X509_ANCHORS_MAX
/* A chain file: X509_CHAIN_MAX certificates as PEM, with room for text. */
#define KEYS_CHAIN_FILE_MAX (4 * X509_CHAIN_MAX * CERT_MAX)
/* Read one byte more than a signature may have, to tell it is too big. */
#define KEYS_SIG_FILE_MAX (SIGNATURE_MAX + 1)
#define KEYS_INPUT_CHUNK (64 * 1024)
/* What `keys verify` messages start with. */
#define KEYS_VERIFY "ociboot keys verify"

/* --- ca and product ------------------------------------------------------ */

static const char ca_description[] =
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

static const char product_description[] =
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

static const char sign_description[] =
	"Write a detached signature over the exact bytes of --in: DER ECDSA\n"
	"with SHA-256 (P-256 key) or SHA-384 (P-384 key), or RSA PKCS#1\n"
	"v1.5 with SHA-256 (2048 to 4096 bits). --out is never replaced\n"
	"without --force.\n";

struct make_args {
	struct keygen_options o;
	const char *out_key, *out_cert;
	const char *ca_key, *ca_cert, *product;
	bool have_rsa, have_curve, is_product;
};

static int set_days(void *args, const char *value, struct error *err)
{
	struct make_args *a = args;
	long long v;

	if (cli_parse_number(value, 1, KEYGEN_DAYS_MAX, &v) < 0)
		return error_set(err, -EINVAL, NULL, "takes 1 to %d days",
				 KEYGEN_DAYS_MAX);
	a->o.days = (unsigned int)v;
	return 0;
}

static int set_rsa(void *args, const char *value, struct error *err)
{
	struct make_args *a = args;
	long long v;

	if (cli_parse_number(value, X509_RSA_MIN_BITS, X509_RSA_MAX_BITS,
			     &v) < 0)
		return error_set(err, -EINVAL, NULL, "takes %d to %d bits "
				 "(shorter keys are refused)",
				 X509_RSA_MIN_BITS, X509_RSA_MAX_BITS);
	a->o.rsa_bits = (unsigned int)v;
	a->have_rsa = true;
	return 0;
}

static int set_curve(void *args, const char *value, struct error *err)
{
	struct make_args *a = args;

	if (streq(value, "P-256"))
		a->o.ec_bits = 256;
	else if (streq(value, "P-384"))
		a->o.ec_bits = 384;
	else
		return error_set(err, -EINVAL, NULL, "takes P-256 or P-384");
	a->have_curve = true;
	return 0;
}

static int set_product(void *args, const char *value, struct error *err)
{
	struct make_args *a = args;
	char uuid[DN_UUID_LEN + 1];

	if (dn_uuid_normalize(value, strlen(value), uuid) < 0)
		return error_set(err, -EINVAL, NULL, "is not a UUID "
				 "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
	a->product = value;
	return 0;
}

static int check_make(const struct cli_spec *spec, void *args)
{
	const struct make_args *a = args;
	struct error why;

	if (a->have_rsa && a->have_curve)
		return cli_usage(spec, "--rsa and --curve exclude each other");
	if (streq(a->out_key, a->out_cert))
		return cli_usage(spec, "--out-key and --out-cert name the same "
				 "file");
	if (a->o.subject && keygen_check_subject(a->o.subject, a->is_product,
						 &why) < 0)
		return cli_usage(spec, "%s", why.why);
	return 0;
}

/* The options ca and product share. */
#define MAKE_OPTIONS \
	CLI_OPTION_STRING("out-key", 0, CLI_REQUIRED, "FILE", \
			  "where the private key goes", struct make_args, \
			  out_key), \
	CLI_OPTION_STRING("out-cert", 0, CLI_REQUIRED, "FILE", \
			  "where the certificate goes", struct make_args, \
			  out_cert), \
	CLI_OPTION_STRING("subject", 0, 0, "'CN=...'", \
			  "the certificate's subject", struct make_args, \
			  o.subject), \
	CLI_OPTION_CALL("days", 0, 0, "N", "days of validity", set_days), \
	CLI_OPTION_CALL("rsa", 0, 0, "BITS", "an RSA key of BITS bits", \
			set_rsa), \
	CLI_OPTION_CALL("curve", 0, 0, "P-256|P-384", \
			"an ECDSA key on that curve", set_curve), \
	CLI_OPTION_EPOCH("not-before", 0, 0, "start of validity", \
			 struct make_args, o.not_before), \
	CLI_OPTION_FLAG("force", 0, "replace existing files", \
			struct make_args, o.force)

static const struct cli_option ca_options[] = {
	MAKE_OPTIONS,
};

static const struct cli_option product_options[] = {
	CLI_OPTION_STRING("ca-key", 0, CLI_REQUIRED, "FILE",
			  "the CA's private key", struct make_args, ca_key),
	CLI_OPTION_STRING("ca-cert", 0, CLI_REQUIRED, "FILE",
			  "the CA's certificate", struct make_args, ca_cert),
	CLI_OPTION_CALL("product", 0, CLI_REQUIRED, "UUID", "the product ID",
			set_product),
	MAKE_OPTIONS,
};

static const struct cli_spec ca_spec =
	CLI_SPEC("ociboot keys ca", ca_description, ca_options, check_make);

static const struct cli_spec product_spec =
	CLI_SPEC("ociboot keys product", product_description,
		 product_options, check_make);

static void make_defaults(struct make_args *a, bool product)
{
	memset(a, 0, sizeof(*a));
	a->o.days = product ? KEYGEN_PRODUCT_DAYS : KEYGEN_CA_DAYS;
	a->o.not_before = (int64_t)time(NULL) - SECONDS_PER_DAY;
	a->o.ec_bits = 256;
	a->is_product = product;
}

static int keys_make(const struct cli_spec *spec, int argc, char **argv,
		     bool product)
{
	struct error why;
	struct make_args a;
	int r;

	make_defaults(&a, product);
	r = cli_parse(spec, argc, argv, &a, NULL);
	if (r)
		return cli_exit_status(r);
	/* keygen refuses existing files without --force; parents here. */
	r = output_prepare(spec->prefix, a.out_key, true);
	if (r == 0)
		r = output_prepare(spec->prefix, a.out_cert, true);
	if (r)
		return r;
	if (product)
		r = keygen_product(&a.o, a.product, a.ca_key, a.ca_cert,
				   a.out_key, a.out_cert, &why);
	else
		r = keygen_ca(&a.o, a.out_key, a.out_cert, &why);
	if (r < 0)
		return cli_failure(spec->prefix, "%s", why.why);
	printf("wrote %s (private key, mode 0600) and %s\n", a.out_key,
	       a.out_cert);
	return CLI_EXIT_SUCCESS;
}

static int keys_ca(int argc, char **argv)
{
	return keys_make(&ca_spec, argc, argv, false);
}

static int keys_product(int argc, char **argv)
{
	return keys_make(&product_spec, argc, argv, true);
}

static int keys_sign(int argc, char **argv)
{
	return cli_sign("ociboot keys sign", sign_description, argc, argv);
}

/* --- verify -------------------------------------------------------------- */

static const char verify_description[] =
	"Check, with the code the init runs, that --cert (the product\n"
	"certificate, then any intermediates; PEM or DER) chains to one of\n"
	"the CA certificates (PEM files, or every *.pem of a directory) at\n"
	"--time (Unix seconds; default now), that it is fit to sign and names\n"
	"a product, and that --sig is its signature over the bytes of --in.\n"
	"Prints the product ID, the signer's subject, key and validity;\n"
	"otherwise one line saying which check failed.\n";

struct verify_args {
	const char *cas_storage[KEYS_CA_FILES_MAX];
	struct cli_list cas;
	const char *cert, *in, *sig;
	int64_t time;
};

static const struct cli_option verify_options[] = {
	CLI_OPTION_LIST("ca", 0, CLI_REQUIRED, "FILE|DIR",
			"a CA (PEM file, or directory of *.pem)",
			struct verify_args, cas),
	CLI_OPTION_STRING("cert", 0, CLI_REQUIRED, "FILE",
			  "product certificate, then intermediates",
			  struct verify_args, cert),
	CLI_OPTION_EPOCH("time", 0, 0, "check validity then, not now",
			 struct verify_args, time),
	CLI_OPTION_STRING("in", 0, CLI_REQUIRED, "FILE", "the signed file",
			  struct verify_args, in),
	CLI_OPTION_STRING("sig", 0, CLI_REQUIRED, "FILE", "its signature",
			  struct verify_args, sig),
};

static const struct cli_spec verify_spec =
	CLI_SPEC(KEYS_VERIFY, verify_description, verify_options, NULL);

static int parse_verify(int argc, char **argv, struct verify_args *a)
{
	memset(a, 0, sizeof(*a));
	a->cas.items = a->cas_storage;
	a->cas.cap = KEYS_CA_FILES_MAX;
	a->time = (int64_t)time(NULL);
	return cli_parse(&verify_spec, argc, argv, a, NULL);
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

	r = fileio_read_file_alloc(AT_FDCWD, a->cert, KEYS_CHAIN_FILE_MAX, 0,
				   &chain, &len);
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

	r = fileio_read_file_alloc(AT_FDCWD, a->sig, KEYS_SIG_FILE_MAX, 0, &sig,
				   &sig_len);
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
		return cli_exit_status(r);
	ts = malloc(sizeof(*ts));
	signer = malloc(sizeof(*signer));
	if (!ts || !signer) {
		r = cli_failure(KEYS_VERIFY, "out of memory");
		goto out;
	}
	r = cli_load_cas(KEYS_VERIFY, a.cas.items, a.cas.count, ts);
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
	static const struct cli_command commands[] = {
		{ "ca", keys_ca, "make the manifest-signing CA (key and "
		  "self-signed certificate)" },
		{ "product", keys_product, "make a product signing key and "
		  "its certificate" },
		{ "sign", keys_sign, "write a detached signature over a file" },
		{ "verify", keys_verify, "check a signature and its "
		  "certificate chain as the init does" },
	};

	return cli_dispatch("ociboot keys", commands, ARRAY_SIZE(commands),
			    argc, argv);
}
