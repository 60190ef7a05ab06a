/* SPDX-License-Identifier: MIT */
#include "crypto/x509.h"

#include <bearssl_hash.h>
#include <bearssl_pem.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/cert.h"
#include "crypto/der.h"
#include "lib/constants.h"
#include "lib/fileio.h"
#include "lib/util.h"

/* Days from 0000-01-01 (BearSSL's epoch) to 1970-01-01. */
#define BR_DAYS_TO_UNIX_EPOCH 719528

/* --- keys ---------------------------------------------------------------- */

void x509_pubkey_rsa(const struct x509_pubkey *k, br_rsa_public_key *out)
{
	out->n = (unsigned char *)k->data;
	out->nlen = k->len;
	out->e = (unsigned char *)k->data + k->len;
	out->elen = k->exponent_len;
}

void x509_pubkey_ec(const struct x509_pubkey *k, br_ec_public_key *out)
{
	out->curve = k->curve;
	out->q = (unsigned char *)k->data;
	out->qlen = k->len;
}

static unsigned int curve_bits(int curve)
{
	switch (curve) {
	case BR_EC_secp256r1:
		return 256;
	case BR_EC_secp384r1:
		return 384;
	case BR_EC_secp521r1:
		return 521;
	}
	return 0;
}

void x509_pubkey_describe(const struct x509_pubkey *k, char *buf,
			  size_t size)
{
	if (k->type == BR_KEYTYPE_RSA)
		snprintf(buf, size, "RSA %u", k->bits);
	else if (curve_bits(k->curve))
		snprintf(buf, size, "EC P-%u", k->bits);
	else
		snprintf(buf, size, "EC curve %d", k->curve);
}

static unsigned int bit_length(uint8_t b)
{
	unsigned int n = 0;

	for (; b; b >>= 1)
		n++;
	return n;
}

/* Copy BearSSL's view of a key; -EINVAL for an unknown or empty one. */
static int pubkey_copy(const br_x509_pkey *pk, struct x509_pubkey *out)
{
	struct x509_pubkey k = { 0 };
	const uint8_t *n, *e;
	size_t nlen, elen;

	if (pk->key_type == BR_KEYTYPE_RSA) {
		n = pk->key.rsa.n;
		nlen = pk->key.rsa.nlen;
		e = pk->key.rsa.e;
		elen = pk->key.rsa.elen;
		for (; nlen && !n[0]; nlen--)
			n++;
		for (; elen && !e[0]; elen--)
			e++;
		if (!nlen || !elen || nlen > X509_KEY_MAX - elen)
			return -EINVAL;
		k.type = BR_KEYTYPE_RSA;
		k.bits = (unsigned int)(nlen - 1) * 8 + bit_length(n[0]);
		k.len = nlen;
		k.exponent_len = elen;
		memcpy(k.data, n, nlen);
		memcpy(k.data + nlen, e, elen);
	} else if (pk->key_type == BR_KEYTYPE_EC) {
		if (!pk->key.ec.qlen || pk->key.ec.qlen > X509_KEY_MAX)
			return -EINVAL;
		k.type = BR_KEYTYPE_EC;
		k.curve = pk->key.ec.curve;
		k.bits = curve_bits(k.curve);
		k.len = pk->key.ec.qlen;
		memcpy(k.data, pk->key.ec.q, k.len);
	} else {
		return -EINVAL;
	}
	*out = k;
	return 0;
}

static void pubkey_to_br(const struct x509_pubkey *k, br_x509_pkey *out)
{
	out->key_type = (unsigned char)k->type;
	if (k->type == BR_KEYTYPE_RSA)
		x509_pubkey_rsa(k, &out->key.rsa);
	else
		x509_pubkey_ec(k, &out->key.ec);
}

/* --- certificates in PEM or DER ------------------------------------------ */

/* Called with each certificate of an input, numbered from 0. */
typedef int (*cert_fn)(void *ctx, const uint8_t *der, size_t len,
		       size_t index, struct error *err);

/* Where certificates come from and go to. */
struct cert_source {
	bool anchors;		/* CA certificates, else a chain */
	cert_fn fn;
	void *ctx;
	uint8_t *scratch;	/* CERT_MAX bytes for decoded PEM */
	struct error *err;
};

/* A failure about the certificate at position (VERIFY_CERT_*, or an
 * index in the chain), known by nothing else. */
static int fail_at(struct error *err, int ret, enum verify_reason reason,
		   int position, int bearssl_code)
{
	const struct verify_cert c = { .position = position };

	return verify_fail(err, ret, reason,
			   position == VERIFY_CERT_NONE ? NULL : &c,
			   bearssl_code);
}

/* The position of the index-th certificate of the input. */
static int cert_ref(const struct cert_source *src, size_t index)
{
	return src->anchors ? VERIFY_CERT_CA : (int)index;
}

static int bad_pem(const struct cert_source *src, size_t index)
{
	return fail_at(src->err, -OCIBOOT_EMALFORMED,
		       src->anchors ? VERIFY_CA_PEM : VERIFY_CHAIN_PEM,
		       cert_ref(src, index), 0);
}

struct pem_sink {
	uint8_t *buf;		/* CERT_MAX bytes */
	size_t len;
	bool overflow;
};

static void pem_append(void *ctx, const void *data, size_t len)
{
	struct pem_sink *s = ctx;

	if (s->overflow || len > CERT_MAX - s->len) {
		s->overflow = true;
		return;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
}

struct pem_walk {
	br_pem_decoder_context pc;
	struct pem_sink sink;
	bool inside;
	size_t count;
};

/* Handle the decoder's event, if any; 1 when there was one. */
static int pem_event(struct pem_walk *w, const struct cert_source *src)
{
	int r;

	switch (br_pem_decoder_event(&w->pc)) {
	case 0:
		return 0;
	case BR_PEM_BEGIN_OBJ:
		if (!streq(br_pem_decoder_name(&w->pc), "CERTIFICATE"))
			return bad_pem(src, w->count);
		w->sink.len = 0;
		w->sink.overflow = false;
		w->inside = true;
		br_pem_decoder_setdest(&w->pc, pem_append, &w->sink);
		return 1;
	case BR_PEM_END_OBJ:
		w->inside = false;
		if (w->sink.overflow)
			return fail_at(src->err, -OCIBOOT_ETOOBIG,
				       VERIFY_CERT_TOO_BIG,
				       cert_ref(src, w->count), 0);
		r = src->fn(src->ctx, w->sink.buf, w->sink.len, w->count++,
			    src->err);
		return r < 0 ? r : 1;
	}
	return bad_pem(src, w->count);
}

/* Each CERTIFICATE object of PEM text; returns how many. */
static int pem_for_each(const uint8_t *data, size_t len,
			const struct cert_source *src)
{
	static const uint8_t newline = '\n';
	struct pem_walk w = { .sink = { src->scratch, 0, false } };
	bool flushed = false;
	size_t used;
	int r;

	br_pem_decoder_init(&w.pc);
	for (;;) {
		/* A final newline ends a last line that has none. */
		if (len == 0 && !flushed) {
			data = &newline;
			len = 1;
			flushed = true;
		}
		used = br_pem_decoder_push(&w.pc, data, len);
		data += used;
		len -= used;
		r = pem_event(&w, src);
		if (r < 0)
			return r;
		if (r == 0 && len == 0 && flushed)
			break;
	}
	if (w.inside)
		return bad_pem(src, w.count);
	return (int)w.count;
}

/* DER certificates back to back; returns how many. */
static int der_for_each(const uint8_t *data, size_t len,
			const struct cert_source *src)
{
	struct der_cursor c;
	struct der_tlv t;
	size_t count = 0;
	int r;

	der_init(&c, data, len);
	while (!der_at_end(&c)) {
		if (der_peek(&c) != DER_SEQUENCE || der_next(&c, &t) < 0)
			return fail_at(src->err, -OCIBOOT_EMALFORMED,
				       src->anchors ? VERIFY_CA_MALFORMED :
				       VERIFY_CERT_MALFORMED,
				       cert_ref(src, count), 0);
		if (t.size > CERT_MAX)
			return fail_at(src->err, -OCIBOOT_ETOOBIG,
				       VERIFY_CERT_TOO_BIG,
				       cert_ref(src, count), 0);
		r = src->fn(src->ctx, t.start, t.size, count++, src->err);
		if (r < 0)
			return r;
	}
	return (int)count;
}

/* DER when the input starts with a SEQUENCE tag (0x30), else PEM. */
static int certs_for_each(const void *data, size_t len,
			  const struct cert_source *src)
{
	const uint8_t *p = data;

	if (len > 0 && p[0] == DER_SEQUENCE)
		return der_for_each(p, len, src);
	return pem_for_each(p, len, src);
}

/* --- trust anchors ------------------------------------------------------- */

void x509_trust_store_init(struct x509_trust_store *ts)
{
	ts->count = 0;
}

static int check_anchor_key(const struct x509_pubkey *k,
			    const struct verify_cert *ca, struct error *err)
{
	if (k->type == BR_KEYTYPE_RSA && k->bits < X509_RSA_MIN_BITS)
		return verify_fail(err, -OCIBOOT_EVERIFY, VERIFY_RSA_TOO_SHORT,
				   ca, 0);
	if (k->type == BR_KEYTYPE_RSA && k->bits > X509_RSA_MAX_BITS)
		return verify_fail(err, -OCIBOOT_EVERIFY, VERIFY_RSA_TOO_LONG,
				   ca, 0);
	if (k->type == BR_KEYTYPE_EC && !curve_bits(k->curve))
		return verify_fail(err, -OCIBOOT_EVERIFY, VERIFY_CA_KEY, ca,
				   0);
	return 0;
}

static int add_anchor(void *ctx, const uint8_t *der, size_t len,
		      size_t index, struct error *err)
{
	struct x509_trust_store *ts = ctx;
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	struct verify_cert ca = { .position = VERIFY_CERT_CA };
	struct x509_anchor *a;
	struct cert_info ci;
	int r;

	if (ts->count >= X509_ANCHORS_MAX)
		return verify_fail(err, -OCIBOOT_ETOOBIG, VERIFY_CA_TOO_MANY,
				   &ca, 0);
	r = cert_parse(der, len, &ci);
	if (r < 0)
		return verify_fail(err, r, VERIFY_CA_MALFORMED, &ca, 0);
	ca.subject = ci.subject;
	ca.subject_len = ci.subject_len;
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, len);
	r = br_x509_decoder_last_error(&dc);
	pk = br_x509_decoder_get_pkey(&dc);
	if (r != 0 || !pk)
		return verify_fail(err, -OCIBOOT_EMALFORMED,
				   VERIFY_CA_MALFORMED, &ca, r);
	if (!br_x509_decoder_isCA(&dc) || !ci.ca)
		return verify_fail(err, -OCIBOOT_EVERIFY, VERIFY_CA_NOT_CA,
				   &ca, 0);
	a = &ts->anchors[ts->count];
	if (pubkey_copy(pk, &a->key) < 0)
		return verify_fail(err, -OCIBOOT_EVERIFY, VERIFY_CA_KEY, &ca,
				   0);
	r = check_anchor_key(&a->key, &ca, err);
	if (r < 0)
		return r;
	/* cert_parse() checked the name against DN_MAX. */
	memcpy(a->dn, ci.subject, ci.subject_len);
	a->dn_len = ci.subject_len;
	a->not_before = ci.not_before;
	a->not_after = ci.not_after;
	ts->count++;
	return 0;
}

int x509_trust_store_add(struct x509_trust_store *ts, const void *data,
			 size_t len, struct error *err)
{
	uint8_t scratch[CERT_MAX];
	const struct cert_source src = { true, add_anchor, ts, scratch, err };
	size_t saved = ts->count;
	int r;

	error_clear(err);
	r = certs_for_each(data, len, &src);
	if (r == 0)
		r = fail_at(err, -OCIBOOT_EVERIFY, VERIFY_CA_EMPTY,
			    VERIFY_CERT_NONE, 0);
	if (r < 0) {
		ts->count = saved;
		return r;
	}
	error_clear(err);
	return r;
}

/* The file a failure is about: its name, as where. */
static void set_file(struct error *err, const char *path)
{
	const char *base = strrchr(path, '/');

	error_at(err, "%s", base && base[1] ? base + 1 : path);
}

int x509_trust_store_load_file(struct x509_trust_store *ts, const char *path,
			       struct error *err)
{
	uint8_t buf[X509_PEM_FILE_MAX];
	ssize_t n;
	int r;

	error_clear(err);
	n = fileio_read_file(AT_FDCWD, path, buf, sizeof(buf),
			     FILEIO_REGULAR);
	if (n < 0)
		r = fail_at(err, (int)n, VERIFY_CA_READ, VERIFY_CERT_NONE, 0);
	else
		r = x509_trust_store_add(ts, buf, (size_t)n, err);
	if (r < 0)
		set_file(err, path);
	return r;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

static bool is_pem_name(const char *name)
{
	size_t len = strlen(name);

	return len > 4 && streq(name + len - 4, ".pem");
}

/* The "*.pem" names in dir, sorted; their count or -errno. */
static int list_pem_files(const char *dir,
			  char names[X509_ANCHORS_MAX][NAME_MAX + 1],
			  struct error *err)
{
	struct dirent *de;
	size_t count = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return fail_at(err, -errno, VERIFY_CA_READ, VERIFY_CERT_NONE,
			       0);
	while ((de = readdir(d))) {
		if (!is_pem_name(de->d_name))
			continue;
		if (count == X509_ANCHORS_MAX) {
			closedir(d);
			return fail_at(err, -OCIBOOT_ETOOBIG,
				       VERIFY_CA_TOO_MANY, VERIFY_CERT_NONE,
				       0);
		}
		snprintf(names[count++], NAME_MAX + 1, "%s", de->d_name);
	}
	closedir(d);
	qsort(names, count, sizeof(names[0]), compare_names);
	return (int)count;
}

int x509_trust_store_load_dir(struct x509_trust_store *ts, const char *dir,
			      struct error *err)
{
	char names[X509_ANCHORS_MAX][NAME_MAX + 1];
	char path[PATH_MAX];
	size_t saved = ts->count;
	int count, r, total = 0;

	error_clear(err);
	count = list_pem_files(dir, names, err);
	if (count == 0)
		count = fail_at(err, -OCIBOOT_EVERIFY, VERIFY_CA_EMPTY,
				VERIFY_CERT_NONE, 0);
	if (count < 0) {
		set_file(err, dir);
		return count;
	}
	for (int i = 0; i < count; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     names[i]) >= sizeof(path)) {
			r = fail_at(err, -ENAMETOOLONG, VERIFY_CA_READ,
				    VERIFY_CERT_NONE, 0);
			set_file(err, names[i]);
		} else {
			r = x509_trust_store_load_file(ts, path, err);
		}
		if (r < 0) {
			ts->count = saved;
			return r;
		}
		total += r;
	}
	return total;
}

/* --- chains -------------------------------------------------------------- */

struct chain {
	size_t count;
	size_t len[X509_CHAIN_MAX];
	struct cert_info info[X509_CHAIN_MAX];	/* points into der[] */
	uint8_t der[X509_CHAIN_MAX][CERT_MAX];
	uint8_t scratch[CERT_MAX];
};

/*
 * A failure about the i-th certificate of the chain (none when i < 0),
 * named by its subject (and issuer, with with_issuer) and validity.
 */
static int chain_fail(struct error *err, int ret, enum verify_reason reason,
		      const struct chain *ch, int i, bool with_issuer,
		      int64_t now, int bearssl_code)
{
	struct verify_cert c = { .position = i, .time = now };
	const struct cert_info *ci;

	if (i < 0 || (size_t)i >= ch->count)
		return fail_at(err, ret, reason, i, bearssl_code);
	ci = &ch->info[i];
	c.subject = ci->subject;
	c.subject_len = ci->subject_len;
	if (with_issuer) {
		c.issuer = ci->issuer;
		c.issuer_len = ci->issuer_len;
	}
	c.not_before = ci->not_before;
	c.not_after = ci->not_after;
	return verify_fail(err, ret, reason, &c, bearssl_code);
}

static int add_to_chain(void *ctx, const uint8_t *der, size_t len,
			size_t index, struct error *err)
{
	struct chain *ch = ctx;
	int r;

	if (index >= X509_CHAIN_MAX)
		return fail_at(err, -OCIBOOT_ETOOBIG, VERIFY_CHAIN_TOO_LONG,
			       VERIFY_CERT_NONE, 0);
	memcpy(ch->der[index], der, len);
	ch->len[index] = len;
	r = cert_parse(ch->der[index], len, &ch->info[index]);
	if (r == -OCIBOOT_ETOOBIG)
		return fail_at(err, r, VERIFY_CERT_TOO_BIG, (int)index, 0);
	if (r < 0)
		return fail_at(err, r, VERIFY_CERT_MALFORMED, (int)index, 0);
	ch->count = index + 1;
	return 0;
}

static bool valid_at(int64_t not_before, int64_t not_after, int64_t now)
{
	return not_before <= now && now <= not_after;
}

static void setup_engine(br_x509_minimal_context *xc,
			 const br_x509_trust_anchor *tas, size_t count,
			 int64_t now)
{
	uint32_t days = (uint32_t)(now / SECONDS_PER_DAY +
				   BR_DAYS_TO_UNIX_EPOCH);

	br_x509_minimal_init(xc, &br_sha256_vtable, tas, count);
	br_x509_minimal_set_hash(xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(xc, br_sha384_ID, &br_sha384_vtable);
	br_x509_minimal_set_hash(xc, br_sha512_ID, &br_sha512_vtable);
	br_x509_minimal_set_rsa(xc, br_rsa_i31_pkcs1_vrfy);
	br_x509_minimal_set_ecdsa(xc, &br_ec_all_m31, br_ecdsa_i31_vrfy_asn1);
	br_x509_minimal_set_minrsa(xc, X509_RSA_MIN_BITS / 8);
	br_x509_minimal_set_time(xc, days, (uint32_t)(now % SECONDS_PER_DAY));
}

/* Run BearSSL over the chain with the anchors valid at now. */
static unsigned run_engine(const struct x509_trust_store *ts,
			   const struct chain *ch, int64_t now,
			   br_x509_minimal_context *xc)
{
	br_x509_trust_anchor tas[X509_ANCHORS_MAX];
	const br_x509_class **vt = &xc->vtable;
	size_t n = 0;

	for (size_t i = 0; i < ts->count; i++) {
		const struct x509_anchor *a = &ts->anchors[i];

		if (!valid_at(a->not_before, a->not_after, now))
			continue;
		tas[n].dn.data = (unsigned char *)a->dn;
		tas[n].dn.len = a->dn_len;
		tas[n].flags = BR_X509_TA_CA;
		pubkey_to_br(&a->key, &tas[n].pkey);
		n++;
	}
	setup_engine(xc, tas, n, now);
	(*vt)->start_chain(vt, NULL);
	for (size_t i = 0; i < ch->count; i++) {
		(*vt)->start_cert(vt, (uint32_t)ch->len[i]);
		(*vt)->append(vt, ch->der[i], ch->len[i]);
		(*vt)->end_cert(vt);
	}
	return (*vt)->end_chain(vt);
}

/* The first certificate not valid at now, or -1. */
static int first_expired(const struct chain *ch, int64_t now)
{
	for (size_t i = 0; i < ch->count; i++)
		if (!valid_at(ch->info[i].not_before, ch->info[i].not_after,
			      now))
			return (int)i;
	return -1;
}

/* The first intermediate that does not claim to be a CA, or -1. */
static int first_non_ca(const struct chain *ch)
{
	for (size_t i = 1; i < ch->count; i++)
		if (!ch->info[i].ca)
			return (int)i;
	return -1;
}

static int first_critical_eku(const struct chain *ch)
{
	for (size_t i = 0; i < ch->count; i++)
		if (ch->info[i].has_eku && ch->info[i].eku_critical)
			return (int)i;
	return -1;
}

/* The chain's last certificate is issued by no valid anchor: is it by one
 * that is not valid at now? */
static int expired_issuer(const struct x509_trust_store *ts,
			  const struct chain *ch, int64_t now,
			  struct error *err)
{
	const struct cert_info *top = &ch->info[ch->count - 1];

	for (size_t i = 0; i < ts->count; i++) {
		const struct x509_anchor *a = &ts->anchors[i];

		if (valid_at(a->not_before, a->not_after, now) ||
		    a->dn_len != top->issuer_len ||
		    memcmp(a->dn, top->issuer, a->dn_len) != 0)
			continue;
		const struct verify_cert ca = {
			.position = VERIFY_CERT_CA,
			.subject = a->dn,
			.subject_len = a->dn_len,
			.not_before = a->not_before,
			.not_after = a->not_after,
			.time = now,
		};

		return verify_fail(err, -OCIBOOT_EVERIFY, VERIFY_CA_EXPIRED,
				   &ca, 0);
	}
	return chain_fail(err, -OCIBOOT_EVERIFY, VERIFY_NOT_TRUSTED, ch,
			  (int)ch->count - 1, true, now, 0);
}

/* Turn BearSSL's verdict into a reason, and find the certificate. */
static int engine_failure(unsigned code, const struct x509_trust_store *ts,
			  const struct chain *ch, int64_t now,
			  struct error *err)
{
	enum verify_reason reason;
	int cert = VERIFY_CERT_NONE, ret = -OCIBOOT_EVERIFY;

	switch (code) {
	case BR_ERR_X509_NOT_TRUSTED:
		return expired_issuer(ts, ch, now, err);
	case BR_ERR_X509_EXPIRED:
		reason = VERIFY_EXPIRED;
		cert = first_expired(ch, now);
		break;
	case BR_ERR_X509_BAD_SIGNATURE:
		reason = VERIFY_CERT_SIGNATURE;
		cert = ch->count == 1 ? 0 : VERIFY_CERT_NONE;
		break;
	case BR_ERR_X509_NOT_CA:
		reason = VERIFY_ISSUER_NOT_CA;
		cert = first_non_ca(ch);
		break;
	case BR_ERR_X509_FORBIDDEN_KEY_USAGE:
		reason = VERIFY_ISSUER_KEY_USAGE;
		break;
	case BR_ERR_X509_CRITICAL_EXTENSION:
		reason = VERIFY_CRITICAL_EXTENSION;
		cert = first_critical_eku(ch);
		break;
	case BR_ERR_X509_WEAK_PUBLIC_KEY:
		reason = VERIFY_RSA_TOO_SHORT;
		break;
	case BR_ERR_X509_UNSUPPORTED:
	case BR_ERR_X509_WRONG_KEY_TYPE:
		reason = VERIFY_ALGORITHM;
		break;
	case BR_ERR_X509_DN_MISMATCH:
		reason = VERIFY_CHAIN_ORDER;
		break;
	case BR_ERR_X509_LIMIT_EXCEEDED:
		reason = VERIFY_CERT_TOO_BIG;
		ret = -OCIBOOT_ETOOBIG;
		break;
	case BR_ERR_X509_EMPTY_CHAIN:
		reason = VERIFY_CHAIN_EMPTY;
		break;
	default:
		reason = VERIFY_CERT_MALFORMED;
		ret = -OCIBOOT_EMALFORMED;
		break;
	}
	return chain_fail(err, ret, reason, ch, cert, false, now, (int)code);
}

/* The checks on the signer's certificate and key that BearSSL leaves. */
static int check_signer(const struct chain *ch, const struct x509_pubkey *k,
			unsigned usages, struct error *err)
{
	const struct cert_info *ci = &ch->info[0];
	enum verify_reason reason = VERIFY_OK;

	if (!(usages & BR_KEYTYPE_SIGN) || (ci->has_key_usage &&
	    !(ci->key_usage & CERT_KU_DIGITAL_SIGNATURE)))
		reason = VERIFY_KEY_USAGE;
	else if (ci->ca || (ci->has_key_usage &&
			    (ci->key_usage & CERT_KU_KEY_CERT_SIGN)))
		reason = VERIFY_SIGNER_IS_CA;
	else if (!ci->has_key_usage && !ci->has_eku)
		reason = VERIFY_NO_USAGE;
	else if (ci->has_eku && !ci->eku_code_signing)
		reason = VERIFY_EXTENDED_KEY_USAGE;
	else if (k->type == BR_KEYTYPE_RSA && k->bits < X509_RSA_MIN_BITS)
		reason = VERIFY_RSA_TOO_SHORT;
	else if (k->type == BR_KEYTYPE_RSA && k->bits > X509_RSA_MAX_BITS)
		reason = VERIFY_RSA_TOO_LONG;
	else if (k->type == BR_KEYTYPE_EC && k->curve != BR_EC_secp256r1 &&
		 k->curve != BR_EC_secp384r1)
		reason = VERIFY_KEY_UNSUPPORTED;
	if (reason == VERIFY_OK)
		return 0;
	return chain_fail(err, -OCIBOOT_EVERIFY, reason, ch, 0, false, 0, 0);
}

static int finish(const struct x509_trust_store *ts, const struct chain *ch,
		  int64_t now, br_x509_minimal_context *xc,
		  struct x509_signer *out, struct error *err)
{
	const struct cert_info *ci = &ch->info[0];
	const br_x509_pkey *pk;
	struct x509_pubkey key;
	char uuid[DN_UUID_LEN + 1];
	unsigned code, usages = 0;
	int r;

	code = run_engine(ts, ch, now, xc);
	if (code != 0)
		return engine_failure(code, ts, ch, now, err);
	pk = xc->vtable->get_pkey(&xc->vtable, &usages);
	if (!pk || pubkey_copy(pk, &key) < 0)
		return chain_fail(err, -OCIBOOT_EVERIFY,
				  VERIFY_KEY_UNSUPPORTED, ch, 0, false, now, 0);
	r = check_signer(ch, &key, usages, err);
	if (r < 0)
		return r;
	r = dn_product_uuid(ci->subject, ci->subject_len, uuid, err);
	if (r < 0) {
		const struct verify_cert signer = {
			.position = 0,
			.subject = ci->subject,
			.subject_len = ci->subject_len,
		};

		verify_context(err, &signer);
		return r;
	}
	out->key = key;
	memcpy(out->subject, ci->subject, ci->subject_len);
	out->subject_len = ci->subject_len;
	memcpy(out->product_uuid, uuid, sizeof(uuid));
	out->not_before = ci->not_before;
	out->not_after = ci->not_after;
	out->chain_len = ch->count;
	return 0;
}

int x509_chain_verify(const struct x509_trust_store *ts, const void *chain,
		      size_t len, int64_t now, struct x509_signer *out,
		      struct error *err)
{
	br_x509_minimal_context xc;
	struct chain ch;
	const struct cert_source src = {
		false, add_to_chain, &ch, ch.scratch, err
	};
	int r;

	error_clear(err);
	if (now < 0 ||
	    now / SECONDS_PER_DAY > (int64_t)UINT32_MAX - BR_DAYS_TO_UNIX_EPOCH)
		return error_set(err, -EINVAL, NULL,
				 "validation time %lld out of range",
				 (long long)now);
	ch.count = 0;
	r = certs_for_each(chain, len, &src);
	if (r == 0)
		r = fail_at(err, -OCIBOOT_EVERIFY, VERIFY_CHAIN_EMPTY,
			    VERIFY_CERT_NONE, 0);
	if (r < 0)
		return r;
	r = finish(ts, &ch, now, &xc, out, err);
	if (r == 0)
		error_clear(err);
	return r;
}
