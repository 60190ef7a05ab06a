/* SPDX-License-Identifier: MIT */
#include "crypto/keygen.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/dn.h"
#include "crypto/x509.h"
#include "lib/constants.h"
#include "lib/fileio.h"
#include "lib/fileio_alloc.h"
#include "lib/util.h"

#define SUBJECT_KEY_MAX 64
#define SUBJECT_VALUE_MAX 256
#define SUBJECT_ATTRS_MAX 16
#define SERIAL_BYTES 16
#define KEYGEN_PEM_FILE_MAX (1024 * 1024)
#define DEFAULT_CA_SUBJECT "CN=ociboot manifest CA"
#define DEFAULT_PRODUCT_SUBJECT "CN=ociboot product"

/* Say what failed with OpenSSL's last reason, and clear its queue. */
static int ossl_fail(struct error *e, const char *what)
{
	const char *reason = ERR_reason_error_string(ERR_peek_last_error());

	error_set(e, -EIO, NULL, "%s: %s", what,
		  reason ? reason : "OpenSSL error");
	ERR_clear_error();
	return -EIO;
}

/* --- subjects ------------------------------------------------------------ */

struct subject_attr {
	char key[SUBJECT_KEY_MAX];
	char value[SUBJECT_VALUE_MAX];
};

/* One "KEY=VALUE" at *s up to an unescaped sep; moves *s past it. */
static int parse_attr(const char **s, char sep, struct subject_attr *a,
		      struct error *e)
{
	const char *p = *s;
	size_t klen = 0, vlen = 0, keep = 0;

	while (*p == ' ')
		p++;
	while (*p && *p != '=' && *p != sep) {
		if (klen + 1 >= sizeof(a->key))
			return error_set(e, -EINVAL, NULL,
					 "subject attribute name too long");
		a->key[klen++] = *p++;
	}
	while (klen && a->key[klen - 1] == ' ')
		klen--;
	a->key[klen] = '\0';
	if (*p != '=' || klen == 0)
		return error_set(e, -EINVAL, NULL,
				 "subject must be NAME=VALUE pairs, as "
				 "'CN=name,O=org'");
	for (p++; *p == ' '; p++)
		;
	while (*p && *p != sep) {
		bool escaped = *p == '\\';

		if (escaped && !*++p)
			return error_set(e, -EINVAL, NULL,
					 "subject ends in a backslash");
		if (vlen + 1 >= sizeof(a->value))
			return error_set(e, -EINVAL, NULL,
				    "subject value of %s too long", a->key);
		a->value[vlen++] = *p++;
		if (escaped || a->value[vlen - 1] != ' ')
			keep = vlen;
	}
	a->value[keep] = '\0';
	if (keep == 0)
		return error_set(e, -EINVAL, NULL,
			    "subject attribute %s has an empty value", a->key);
	*s = *p ? p + 1 : p;
	return 0;
}

static int add_attr(X509_NAME *name, const struct subject_attr *a,
		    bool product, struct error *e)
{
	int nid = OBJ_txt2nid(a->key);

	if (nid == NID_undef)
		return error_set(e, -EINVAL, NULL,
				 "unknown subject attribute '%s'", a->key);
	if (product && nid == NID_serialNumber)
		return error_set(e, -EINVAL, NULL,
				 "the subject's serialNumber is the product ID "
				 "(--product); do not give one");
	if (!X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
					(const unsigned char *)a->value, -1,
					-1, 0)) {
		ERR_clear_error();
		return error_set(e, -EINVAL, NULL,
				 "bad value '%s' for subject attribute %s",
				 a->value, a->key);
	}
	return 0;
}

static int parse_subject(const char *s, X509_NAME *name, bool product,
			 struct error *e)
{
	struct subject_attr a;
	char sep = ',';
	size_t count = 0;
	int r;

	if (*s == '/') {
		sep = '/';
		s++;
	}
	while (*s) {
		if (++count > SUBJECT_ATTRS_MAX)
			return error_set(e, -EINVAL, NULL,
					 "more than %d subject attributes",
					 SUBJECT_ATTRS_MAX);
		r = parse_attr(&s, sep, &a, e);
		if (r < 0)
			return r;
		r = add_attr(name, &a, product, e);
		if (r < 0)
			return r;
	}
	if (count == 0)
		return error_set(e, -EINVAL, NULL, "empty subject");
	return 0;
}

int keygen_check_subject(const char *subject, bool product, struct error *e)
{
	X509_NAME *name = X509_NAME_new();
	int r;

	if (!name)
		return ossl_fail(e, "X509_NAME_new");
	r = parse_subject(subject, name, product, e);
	X509_NAME_free(name);
	return r;
}

/* --- files --------------------------------------------------------------- */

struct output {
	const char *path;
	mode_t mode;
	const void *data;
	size_t len;
	struct fileio_temp temp;	/* with force: written beside path */
	bool created;			/* path (or temp) is ours to remove */
};

/* Without force, path itself, whole; with force, a temporary file. */
static int create_output(struct output *o, bool force)
{
	int r;

	if (!force) {
		r = fileio_write_new(AT_FDCWD, o->path, o->data, o->len,
				     o->mode);
		o->created = r == 0;
		return r;
	}
	r = fileio_temp_open(&o->temp, AT_FDCWD, o->path, o->mode);
	if (r < 0)
		return r;
	o->created = true;
	return fileio_write_all(o->temp.fd, o->data, o->len);
}

static void remove_output(struct output *o, bool force)
{
	if (o->created && force)
		fileio_temp_abort(&o->temp);
	else if (o->created)
		unlink(o->path);
	o->created = false;
}

static mode_t public_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0644 & ~mask;
}

/* -EEXIST, said in e, when one of paths exists and force is not set. */
static int refuse_existing(const char *const *paths, size_t n, bool force,
			   struct error *e)
{
	struct stat st;

	for (size_t i = 0; i < n && !force; i++)
		if (lstat(paths[i], &st) == 0)
			return error_set(e, -EEXIST, NULL,
				    "%s exists; not replacing it (use --force "
					 "to replace it)", paths[i]);
	return 0;
}

/* Write every output, or none (see keygen.h). */
static int write_outputs(struct output *outs, size_t n, bool force,
			 struct error *e)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = refuse_existing(&outs[i].path, 1, force, e);
		if (r < 0)
			return r;
	}
	for (i = 0; i < n; i++) {
		r = create_output(&outs[i], force);
		if (r < 0)
			goto undo;
	}
	for (i = 0; i < n && force; i++) {
		r = fileio_temp_commit(&outs[i].temp, NULL);
		outs[i].created = false;
		if (r < 0)
			goto undo;
	}
	return 0;
undo:
	for (size_t j = 0; j < n; j++)
		remove_output(&outs[j], force);
	if (r == -EEXIST)
		return error_set(e, r, NULL, "%s exists; not replacing it "
				 "(use --force to replace it)", outs[i].path);
	return error_set(e, r, NULL, "cannot write %s: %s", outs[i].path,
			 strerror(-r));
}

/* PEM of a private key (PKCS#8) or a certificate, in a memory BIO. */
static BIO *pem_bio(EVP_PKEY *key, X509 *cert)
{
	BIO *b = BIO_new(BIO_s_mem());

	if (!b)
		return NULL;
	if (key && !PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL,
					     NULL))
		goto fail;
	if (cert && !PEM_write_bio_X509(b, cert))
		goto fail;
	return b;
fail:
	BIO_free(b);
	return NULL;
}

static int write_key_and_cert(EVP_PKEY *key, X509 *cert,
			      const char *key_path, const char *cert_path,
			      bool force, struct error *e)
{
	BIO *kb = pem_bio(key, NULL), *cb = pem_bio(NULL, cert);
	struct output outs[2] = {
		{ .path = key_path, .mode = 0600 },
		{ .path = cert_path, .mode = public_mode() },
	};
	char *data;
	int r;

	if (!kb || !cb) {
		r = ossl_fail(e, "PEM encoding");
		goto out;
	}
	outs[0].len = (size_t)BIO_get_mem_data(kb, &data);
	outs[0].data = data;
	outs[1].len = (size_t)BIO_get_mem_data(cb, &data);
	outs[1].data = data;
	r = write_outputs(outs, 2, force, e);
out:
	BIO_free(kb);
	BIO_free(cb);
	return r;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

/* Read the first object of a PEM BIO: a key, a certificate. */
typedef void *(*pem_reader)(BIO *b);

static void *pem_private_key(BIO *b)
{
	return PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
}

static void *pem_certificate(BIO *b)
{
	return PEM_read_bio_X509(b, NULL, NULL, NULL);
}

/*
 * The object read by read from the PEM file at path (at most
 * KEYGEN_PEM_FILE_MAX bytes), or NULL with *err and e saying why; what
 * names the object for the message ("a PEM certificate").
 */
static void *read_pem_file(const char *path, pem_reader read,
			   const char *what, int *err, struct error *e)
{
	void *obj = NULL;
	uint8_t *buf;
	size_t len;
	BIO *b;
	int r;

	r = fileio_read_file_alloc(AT_FDCWD, path, KEYGEN_PEM_FILE_MAX, 0, &buf,
				   &len);
	if (r < 0) {
		*err = error_set(e, r, NULL, "cannot read %s: %s", path,
				 ociboot_strerror(r));
		return NULL;
	}
	b = BIO_new_mem_buf(buf, (int)len);
	if (!b)
		*err = ossl_fail(e, "BIO_new_mem_buf");
	else
		obj = read(b);
	if (b && !obj) {
		ERR_clear_error();
		*err = error_set(e, -EINVAL, NULL, "%s: not %s", path, what);
	}
	BIO_free(b);
	free(buf);
	return obj;
}

static EVP_PKEY *read_private_key(const char *path, int *err, struct error *e)
{
	return read_pem_file(path, pem_private_key,
			     "an unencrypted PEM private key", err, e);
}

static X509 *read_cert(const char *path, int *err, struct error *e)
{
	return read_pem_file(path, pem_certificate, "a PEM certificate", err,
			     e);
}

/* --- keys and certificates ----------------------------------------------- */

static EVP_PKEY *new_key(const struct keygen_options *o)
{
	if (o->rsa_bits)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA",
					 (size_t)o->rsa_bits);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC",
				 o->ec_bits == 384 ? "P-384" : "P-256");
}

/*
 * The digest a key signs with: SHA-256 for RSA and P-256, SHA-384 for
 * P-384, SHA-512 for P-521 (CA keys only); NULL for anything else.
 */
static const EVP_MD *key_digest(EVP_PKEY *key, bool any_curve)
{
	char group[64];

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
		return EVP_sha256();
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), NULL))
		return NULL;
	if (streq(group, "prime256v1") || streq(group, "P-256"))
		return EVP_sha256();
	if (streq(group, "secp384r1") || streq(group, "P-384"))
		return EVP_sha384();
	if (any_curve && (streq(group, "secp521r1") || streq(group, "P-521")))
		return EVP_sha512();
	return NULL;
}

static int check_options(const struct keygen_options *o, struct error *e)
{
	if (o->days < 1 || o->days > KEYGEN_DAYS_MAX)
		return error_set(e, -EINVAL, NULL,
			    "validity must be 1 to %d days", KEYGEN_DAYS_MAX);
	if (o->rsa_bits && (o->rsa_bits < X509_RSA_MIN_BITS ||
			    o->rsa_bits > X509_RSA_MAX_BITS))
		return error_set(e, -EINVAL, NULL,
				 "RSA keys must have %d to %d bits",
				 X509_RSA_MIN_BITS, X509_RSA_MAX_BITS);
	if (!o->rsa_bits && o->ec_bits != 256 && o->ec_bits != 384)
		return error_set(e, -EINVAL, NULL,
				 "EC keys are P-256 or P-384");
	if (o->not_before < 0 || o->not_before > INT64_MAX / 2)
		return error_set(e, -EINVAL, NULL, "bad notBefore time");
	return 0;
}

static int set_serial(X509 *x)
{
	uint8_t bytes[SERIAL_BYTES];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		return -1;
	/* Positive, and 16 bytes long in DER. */
	bytes[0] = (uint8_t)((bytes[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(bytes, sizeof(bytes), NULL);
	if (!bn)
		return -1;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

/* A certificate of key with the subject, validity and a serial number. */
static X509 *new_cert(EVP_PKEY *key, X509_NAME *subject,
		      const X509_NAME *issuer, const struct keygen_options *o)
{
	int64_t not_after = o->not_before +
			    (int64_t)o->days * SECONDS_PER_DAY;
	X509 *x = X509_new();

	if (!x)
		return NULL;
	if (!X509_set_version(x, X509_VERSION_3) || set_serial(x) < 0 ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), (time_t)o->not_before) ||
	    !ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, issuer ? issuer : subject) ||
	    !X509_set_pubkey(x, key)) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok;

	if (!e)
		return -1;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

static int add_ca_extensions(X509 *x)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") <
		    0 ||
	    add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") < 0)
		return -1;
	return 0;
}

/* An end-entity certificate's extensions, issued by ca, for eku. */
static int add_leaf_extensions(X509 *x, X509 *ca, const char *eku)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") <
		    0 ||
	    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, &ctx, NID_ext_key_usage, eku) < 0 ||
	    add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, &ctx, NID_authority_key_identifier, "keyid,issuer") < 0)
		return -1;
	return 0;
}

static int add_product_extensions(X509 *x, X509 *ca)
{
	return add_leaf_extensions(x, ca, "codeSigning");
}

/* DER of a certificate in a new buffer; NULL on failure. */
static uint8_t *cert_der(X509 *x, size_t *len)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	if (n <= 0)
		return NULL;
	*len = (size_t)n;
	return der;
}

/* What the init will do: add ca as an anchor, validate [cert] at t. */
static int self_check(X509 *ca, X509 *cert, int64_t t, struct error *e)
{
	struct x509_trust_store *ts = malloc(sizeof(*ts));
	struct error err;
	struct x509_signer signer;
	uint8_t *ca_der = NULL, *der = NULL;
	size_t ca_len, len;
	char line[ERROR_LINE_MAX];
	int r = -ENOMEM;

	if (!ts)
		return error_set(e, r, NULL, "out of memory");
	ca_der = cert_der(ca, &ca_len);
	der = cert ? cert_der(cert, &len) : NULL;
	if (!ca_der || (cert && !der)) {
		r = ossl_fail(e, "DER encoding");
		goto out;
	}
	x509_trust_store_init(ts);
	r = x509_trust_store_add(ts, ca_der, ca_len, &err);
	if (r >= 0 && cert)
		r = x509_chain_verify(ts, der, len, t, &signer, &err);
	if (r < 0) {
		error_format(&err, line, sizeof(line));
		error_set(e, r, NULL, "the new certificate would be "
			  "refused at boot: %s", line);
	}
out:
	OPENSSL_free(ca_der);
	OPENSSL_free(der);
	free(ts);
	return r < 0 ? r : 0;
}

static int sign_cert(X509 *x, EVP_PKEY *signer, struct error *e)
{
	const EVP_MD *md = key_digest(signer, true);

	if (!md)
		return error_set(e, -EINVAL, NULL,
			    "CA key must be RSA or EC P-256, P-384 or P-521");
	if (X509_sign(x, signer, md) <= 0)
		return ossl_fail(e, "signing the certificate");
	return 0;
}

int keygen_ca(const struct keygen_options *o, const char *key_path,
	      const char *cert_path, struct error *e)
{
	const char *paths[] = { key_path, cert_path };
	X509_NAME *name = X509_NAME_new();
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int r;

	r = check_options(o, e);
	if (r == 0)
		r = refuse_existing(paths, 2, o->force, e);
	if (r < 0 || !name)
		goto out;
	r = parse_subject(o->subject ? o->subject : DEFAULT_CA_SUBJECT, name,
			  false, e);
	if (r < 0)
		goto out;
	key = new_key(o);
	x = key ? new_cert(key, name, NULL, o) : NULL;
	if (!x || add_ca_extensions(x) < 0) {
		r = ossl_fail(e, "making the CA certificate");
		goto out;
	}
	r = sign_cert(x, key, e);
	if (r == 0)
		r = self_check(x, NULL, 0, e);
	if (r == 0)
		r = write_key_and_cert(key, x, key_path, cert_path, o->force,
				       e);
out:
	if (!name)
		r = ossl_fail(e, "X509_NAME_new");
	X509_free(x);
	EVP_PKEY_free(key);
	X509_NAME_free(name);
	return r;
}

/* The CA's key and certificate, checked to belong together. */
static int load_ca(const char *key_path, const char *cert_path,
		   EVP_PKEY **key, X509 **cert, struct error *e)
{
	int r = 0;

	*key = read_private_key(key_path, &r, e);
	if (!*key)
		return r;
	*cert = read_cert(cert_path, &r, e);
	if (!*cert)
		return r;
	if (!X509_check_private_key(*cert, *key)) {
		ERR_clear_error();
		return error_set(e, -OCIBOOT_EVERIFY, NULL,
			    "%s is not the key of %s", key_path, cert_path);
	}
	if (!(X509_get_extension_flags(*cert) & EXFLAG_CA))
		return error_set(e, -OCIBOOT_EVERIFY, NULL,
			    "%s is not a CA certificate (no basicConstraints "
				 "CA:TRUE)", cert_path);
	return 0;
}

static int product_name(const struct keygen_options *o, const char *uuid,
			X509_NAME *name, struct error *e)
{
	int r;

	r = parse_subject(o->subject ? o->subject : DEFAULT_PRODUCT_SUBJECT,
			  name, true, e);
	if (r < 0)
		return r;
	if (!X509_NAME_add_entry_by_NID(name, NID_serialNumber, MBSTRING_ASC,
					(const unsigned char *)uuid, -1, -1,
					0))
		return ossl_fail(e, "adding serialNumber");
	return 0;
}

/* Now, kept inside the certificate's validity. */
static int64_t check_time(const struct keygen_options *o)
{
	int64_t now = (int64_t)time(NULL);
	int64_t not_after = o->not_before +
			    (int64_t)o->days * SECONDS_PER_DAY;

	if (now < o->not_before)
		return o->not_before;
	return now > not_after ? not_after : now;
}

int keygen_product(const struct keygen_options *o, const char *product_uuid,
		   const char *ca_key_path, const char *ca_cert_path,
		   const char *key_path, const char *cert_path, struct error *e)
{
	const char *paths[] = { key_path, cert_path };
	char uuid[DN_UUID_LEN + 1];
	X509_NAME *name = X509_NAME_new();
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509 *ca = NULL, *x = NULL;
	int r;

	r = check_options(o, e);
	if (r == 0)
		r = refuse_existing(paths, 2, o->force, e);
	if (r < 0 || !name)
		goto out;
	if (dn_uuid_normalize(product_uuid, strlen(product_uuid), uuid) < 0) {
		r = error_set(e, -EINVAL, NULL,
			      "product ID '%s' is not a UUID "
			      "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
			      product_uuid);
		goto out;
	}
	r = product_name(o, uuid, name, e);
	if (r == 0)
		r = load_ca(ca_key_path, ca_cert_path, &ca_key, &ca, e);
	if (r < 0)
		goto out;
	key = new_key(o);
	x = key ? new_cert(key, name, X509_get_subject_name(ca), o) : NULL;
	if (!x || add_product_extensions(x, ca) < 0) {
		r = ossl_fail(e, "making the product certificate");
		goto out;
	}
	r = sign_cert(x, ca_key, e);
	if (r == 0)
		r = self_check(ca, x, check_time(o), e);
	if (r == 0)
		r = write_key_and_cert(key, x, key_path, cert_path, o->force,
				       e);
out:
	if (!name)
		r = ossl_fail(e, "X509_NAME_new");
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	X509_NAME_free(name);
	return r;
}

/* --- machine identity certificates -------------------------------------- */

/* An EVP_PKEY of the P-256 public point. */
static EVP_PKEY *ec_public_key(const uint8_t point[KEYGEN_EC_POINT_LEN])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
				       (char *)"prime256v1", 0),
		OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
					(void *)point, KEYGEN_EC_POINT_LEN),
		OSSL_PARAM_END,
	};
	EVP_PKEY *key = NULL;

	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/*
 * CN=<machine>, serialNumber=PID:<product> SN:<machine>. The serialNumber
 * is 80 characters, over X.520's upper bound of 64 that OpenSSL enforces
 * for a string it converts (MBSTRING_ASC); project-machine's Go code
 * writes it anyway, as a PrintableString, and so do we, by giving the
 * type ourselves.
 */
static int machine_name(const char *product, const char *machine,
			X509_NAME *name, struct error *e)
{
	char serial[sizeof("PID: SN:") + 2 * DN_UUID_LEN];

	snprintf(serial, sizeof(serial), "PID:%s SN:%s", product, machine);
	if (!X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_ASC,
					(const unsigned char *)machine, -1, -1,
					0) ||
	    !X509_NAME_add_entry_by_NID(name, NID_serialNumber,
					V_ASN1_PRINTABLESTRING,
					(const unsigned char *)serial, -1, -1,
					0))
		return ossl_fail(e, "making the machine's name");
	return 0;
}

/* The DER of x in a buffer of malloc()'s. */
static int copy_der(X509 *x, uint8_t **der, size_t *len, struct error *e)
{
	uint8_t *d = cert_der(x, len);

	if (!d)
		return ossl_fail(e, "DER encoding");
	*der = malloc(*len);
	if (*der)
		memcpy(*der, d, *len);
	OPENSSL_free(d);
	return *der ? 0 : error_set(e, -ENOMEM, NULL, "out of memory");
}

int keygen_machine(const struct keygen_options *o, const char *product_uuid,
		   const char *machine_uuid,
		   const uint8_t point[KEYGEN_EC_POINT_LEN],
		   const char *ca_key_path, const char *ca_cert_path,
		   uint8_t **der, size_t *len, struct error *e)
{
	char product[DN_UUID_LEN + 1], machine[DN_UUID_LEN + 1];
	X509_NAME *name = X509_NAME_new();
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509 *ca = NULL, *x = NULL;
	int r;

	r = check_options(o, e);
	if (r < 0 || !name)
		goto out;
	if (dn_uuid_normalize(product_uuid, strlen(product_uuid),
			      product) < 0 ||
	    dn_uuid_normalize(machine_uuid, strlen(machine_uuid),
			      machine) < 0) {
		r = error_set(e, -EINVAL, NULL, "product or machine ID is not "
			      "a UUID");
		goto out;
	}
	r = machine_name(product, machine, name, e);
	if (r == 0)
		r = load_ca(ca_key_path, ca_cert_path, &ca_key, &ca, e);
	if (r < 0)
		goto out;
	key = ec_public_key(point);
	if (!key) {
		r = error_set(e, -EINVAL, NULL, "not a P-256 public point");
		ERR_clear_error();
		goto out;
	}
	x = new_cert(key, name, X509_get_subject_name(ca), o);
	if (!x || add_leaf_extensions(x, ca, "clientAuth") < 0) {
		r = ossl_fail(e, "making the machine certificate");
		goto out;
	}
	r = sign_cert(x, ca_key, e);
	if (r == 0 && X509_verify(x, X509_get0_pubkey(ca)) != 1)
		r = ossl_fail(e, "checking the machine certificate");
	if (r == 0)
		r = copy_der(x, der, len, e);
out:
	if (!name)
		r = ossl_fail(e, "X509_NAME_new");
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	X509_NAME_free(name);
	return r;
}

/* --- detached signatures ------------------------------------------------- */

static int check_signing_key(EVP_PKEY *key, const EVP_MD **md, struct error *e)
{
	int bits = EVP_PKEY_get_bits(key);

	*md = key_digest(key, false);
	if (!*md)
		return error_set(e, -EINVAL, NULL,
			    "signing key must be RSA or EC P-256 or P-384");
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	    (bits < X509_RSA_MIN_BITS || bits > X509_RSA_MAX_BITS))
		return error_set(e, -EINVAL, NULL,
			    "RSA signing key has %d bits, not %d to %d", bits,
				 X509_RSA_MIN_BITS, X509_RSA_MAX_BITS);
	return 0;
}

/* Feed the file at path to the digest-sign context. */
static int hash_file(EVP_MD_CTX *mctx, const char *path, struct error *e)
{
	_cleanup_close_ int fd = -1;
	uint8_t *buf;
	ssize_t n;
	int r = 0;

	fd = fileio_open_read(AT_FDCWD, path, 0);
	if (fd < 0)
		return error_set(e, fd, NULL, "cannot open %s: %s", path,
				 strerror(-fd));
	buf = malloc(KEYGEN_SIGN_INPUT_CHUNK);
	if (!buf)
		return error_set(e, -ENOMEM, NULL, "out of memory");
	for (;;) {
		n = fileio_read_all(fd, buf, KEYGEN_SIGN_INPUT_CHUNK);
		if (n < 0) {
			r = error_set(e, (int)n, NULL, "reading %s: %s", path,
				      strerror((int)-n));
			break;
		}
		if (n == 0)
			break;
		if (EVP_DigestSignUpdate(mctx, buf, (size_t)n) != 1) {
			r = ossl_fail(e, "hashing");
			break;
		}
	}
	free(buf);
	return r;
}

static int sign_stream(EVP_PKEY *key, const EVP_MD *md, const char *in_path,
		       uint8_t **sig, size_t *sig_len, struct error *e)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int r;

	*sig = NULL;
	if (!mctx || EVP_DigestSignInit(mctx, &pctx, md, NULL, key) != 1 ||
	    (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)) {
		r = ossl_fail(e, "starting the signature");
		goto out;
	}
	r = hash_file(mctx, in_path, e);
	if (r < 0)
		goto out;
	if (EVP_DigestSignFinal(mctx, NULL, sig_len) != 1 ||
	    !(*sig = OPENSSL_malloc(*sig_len)) ||
	    EVP_DigestSignFinal(mctx, *sig, sig_len) != 1) {
		r = ossl_fail(e, "signing");
		OPENSSL_free(*sig);
		*sig = NULL;
	}
out:
	EVP_MD_CTX_free(mctx);
	return r;
}

int keygen_sign(const char *key_path, const char *in_path,
		const char *sig_path, bool force, struct error *e)
{
	struct output out = { .path = sig_path, .mode = public_mode() };
	const EVP_MD *md;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	EVP_PKEY *key;
	int r = 0;

	r = refuse_existing(&sig_path, 1, force, e);
	if (r < 0)
		return r;
	key = read_private_key(key_path, &r, e);
	if (!key)
		return r;
	r = check_signing_key(key, &md, e);
	if (r == 0)
		r = sign_stream(key, md, in_path, &sig, &sig_len, e);
	if (r == 0) {
		out.data = sig;
		out.len = sig_len;
		r = write_outputs(&out, 1, force, e);
	}
	OPENSSL_free(sig);
	EVP_PKEY_free(key);
	return r;
}
