/* SPDX-License-Identifier: MIT */
/*
 * Tests of crypto/x509.c and crypto/signature.c against fixtures the
 * openssl tool makes at test time (req, x509 -req, ca, dgst -sign): valid
 * chains for P-256, P-384 and RSA-2048 that yield the product ID, then one
 * refused chain, CA file or signature per check, with the reason and the
 * certificate each must report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/openssl_fixture.h"
#include "crypto/signature.h"
#include "crypto/x509.h"
#include "lib/util.h"

#define UUID "0f5c2a4e-7b1d-4c3e-9a8f-1e2d3c4b5a69"
#define UUID_UPPER "0F5C2A4E-7B1D-4C3E-9A8F-1E2D3C4B5A69"
#define UUID2 "6b9e3f70-2c1a-4d5e-8f90-a1b2c3d4e5f6"
#define T2030_06 1906934400	/* 2030-06-06T00:00:00Z */
#define T2030 1893456000	/* 2030-01-01T00:00:00Z */
#define T2031 1924992000	/* 2031-01-01T00:00:00Z */
#define DAY 86400

/* Everything made once for all tests. */
static char *dir;
static int64_t t0;		/* before the first certificate was made */
static int64_t now;		/* a time every normal fixture is valid at */

static const char fixtures[] =
	"cat > x.cnf <<'EOF'\n"
	"[req]\ndistinguished_name = dn\n[dn]\n"
	"[ca]\nbasicConstraints = critical,CA:TRUE\n"
	"keyUsage = critical,keyCertSign,cRLSign\n"
	"subjectKeyIdentifier = hash\n"
	"[product]\nbasicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = codeSigning\n"
	"subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
	"[bare]\nsubjectKeyIdentifier = hash\n"
	"[crit_eku]\nkeyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = critical,codeSigning\n"
	"[server_eku]\nkeyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = serverAuth\n"
	"[keyenc]\nkeyUsage = critical,keyEncipherment\n"
	"[signer_ca]\nbasicConstraints = critical,CA:TRUE\n"
	"keyUsage = critical,digitalSignature,keyCertSign\n"
	"[nonca]\nbasicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature,keyCertSign\n"
	/* what Go's x509 writes for project-machine's trust keysets */
	"[keyset]\nkeyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = codeSigning\n"
	"subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
	"[nonrep]\nkeyUsage = critical,nonRepudiation\n"
	"extendedKeyUsage = codeSigning\n"
	"[eku_only]\nextendedKeyUsage = codeSigning\n"
	"[myca]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n"
	"default_md = sha256\npolicy = any\nunique_subject = no\n"
	"[any]\ncommonName = optional\nserialNumber = optional\n"
	"EOF\n"
	": > index.txt\necho 1000 > serial\n"
	"U=" UUID "\n"
	"ec() { openssl genpkey -algorithm EC "
	"-pkeyopt ec_paramgen_curve:$2 -out $1.key; }\n"
	"rsa() { openssl genpkey -algorithm RSA "
	"-pkeyopt rsa_keygen_bits:$2 -out $1.key 2>/dev/null; }\n"
	/* selfsigned NAME SUBJECT DAYS EXTENSIONS */
	"selfsigned() { openssl req -new -x509 -config x.cnf -key $1.key "
	"-subj \"$2\" -days $3 -extensions $4 -out $1.pem; }\n"
	/* issue NAME CA SUBJECT DAYS EXTENSIONS [DIGEST] */
	"n=100\n"
	"issue() { n=$((n + 1)); openssl req -new -config x.cnf "
	"-multivalue-rdn -key $1.key -subj \"$3\" -out $1.csr; "
	"openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -set_serial $n "
	"-days $4 -extfile x.cnf -extensions $5 -${6:-sha256} -out $1.pem "
	"2>/dev/null; }\n"
	/* dated NAME CA SUBJECT START END (openssl ca, explicit dates) */
	"dated() { openssl req -new -config x.cnf -key $1.key -subj \"$3\" "
	"-out $1.csr; openssl ca -batch -config x.cnf -name myca "
	"-cert $2.pem -keyfile $2.key -in $1.csr -out $1.pem -startdate $4 "
	"-enddate $5 -extfile x.cnf -extensions product -notext -preserveDN "
	"2>/dev/null; }\n"
	/* Trust anchors. */
	"ec ca256 P-256; selfsigned ca256 '/CN=Test CA 256/O=ociboot tests' "
	"3650 ca\n"
	"ec ca384 P-384; selfsigned ca384 '/CN=Test CA 384' 3650 ca\n"
	"rsa carsa 2048; selfsigned carsa '/CN=Test CA RSA' 3650 ca\n"
	"ec other P-256; selfsigned other '/CN=Other CA' 3650 ca\n"
	"ec impostor P-256; selfsigned impostor "
	"'/CN=Test CA 256/O=ociboot tests' 3650 ca\n"
	"ec cashort P-256; selfsigned cashort '/CN=Short CA' 1 ca\n"
	"rsa ca1024 1024; selfsigned ca1024 '/CN=Weak CA' 3650 ca\n"
	"ec notca P-256; selfsigned notca '/CN=Not a CA' 3650 bare\n"
	"ec ca521 P-521; selfsigned ca521 '/CN=Test CA 521' 3650 ca\n"
	/* Signers. */
	"ec p256 P-256; issue p256 ca256 \"/CN=Product 256/serialNumber=$U\" "
	"365 product\n"
	"ec p384 P-384; issue p384 ca384 \"/CN=Product 384/serialNumber=$U\" "
	"365 product sha384\n"
	"rsa prsa 2048; issue prsa carsa \"/CN=Product RSA/serialNumber=$U\" "
	"365 product\n"
	"ec p256b P-256; issue p256b ca521 \"/CN=Under P-521/serialNumber=$U\" "
	"365 product sha512\n"
	"rsa prsa1024 1024; issue prsa1024 ca256 "
	"\"/CN=Weak/serialNumber=$U\" 365 product\n"
	"ec pother P-256; issue pother other \"/CN=P/serialNumber=$U\" 365 "
	"product\n"
	"ec pimp P-256; issue pimp impostor \"/CN=P/serialNumber=$U\" 365 "
	"product\n"
	"ec pself P-256; selfsigned pself \"/CN=Self/serialNumber=$U\" 365 "
	"bare\n"
	"ec pshort P-256; issue pshort ca256 \"/CN=Short/serialNumber=$U\" "
	"1 product\n"
	"ec pcrit P-256; issue pcrit ca256 \"/CN=Crit/serialNumber=$U\" 365 "
	"crit_eku\n"
	"ec pserver P-256; issue pserver ca256 "
	"\"/CN=Server/serialNumber=$U\" 365 server_eku\n"
	"ec pkeyenc P-256; issue pkeyenc ca256 "
	"\"/CN=KeyEnc/serialNumber=$U\" 365 keyenc\n"
	"ec pisca P-256; issue pisca ca256 \"/CN=IsCA/serialNumber=$U\" 365 "
	"signer_ca\n"
	"ec pnoser P-256; issue pnoser ca256 '/CN=No serial/O=x' 365 product\n"
	"ec pnotuuid P-256; issue pnotuuid ca256 '/CN=x/serialNumber=12345' "
	"365 product\n"
	"ec ptwo P-256; issue ptwo ca256 "
	"\"/CN=x/serialNumber=$U/serialNumber=" UUID2 "\" 365 product\n"
	"ec pupper P-256; issue pupper ca256 "
	"'/CN=x/serialNumber=" UUID_UPPER "' 365 product\n"
	"ec pmulti P-256; issue pmulti ca256 "
	"\"/CN=Multi+serialNumber=$U/O=x\" 365 product\n"
	"ec pbare P-256; issue pbare ca256 \"/CN=Bare/serialNumber=$U\" 365 "
	"bare\n"
	"rsa pkeyset 2048; issue pkeyset carsa \"/CN=manifest PRODUCT:$U\" "
	"365 keyset\n"
	"ec pboth P-256; issue pboth ca256 "
	"\"/CN=manifest PRODUCT:$U/serialNumber=$U\" 365 product\n"
	"ec pdiffer P-256; issue pdiffer ca256 "
	"\"/CN=manifest PRODUCT:" UUID2 "/serialNumber=$U\" 365 product\n"
	"ec pcnbad P-256; issue pcnbad ca256 "
	"\"/CN=manifest PRODUCT:{$U}\" 365 product\n"
	"ec pcntwo P-256; issue pcntwo ca256 "
	"\"/CN=manifest PRODUCT:$U/CN=manifest PRODUCT:$U\" 365 product\n"
	"ec pcnother P-256; issue pcnother ca256 "
	"\"/CN=Manifest product:$U\" 365 product\n"
	"ec pnonrep P-256; issue pnonrep ca256 \"/CN=NR/serialNumber=$U\" 365 "
	"nonrep\n"
	"ec pcertsign P-256; issue pcertsign ca256 "
	"\"/CN=CertSign/serialNumber=$U\" 365 nonca\n"
	"ec pekuonly P-256; issue pekuonly ca256 "
	"\"/CN=EKU only/serialNumber=$U\" 365 eku_only\n"
	"ec psha1 P-256; issue psha1 ca256 \"/CN=SHA1/serialNumber=$U\" 365 "
	"product sha1\n"
	"ec p521 P-521; issue p521 ca256 \"/CN=P521/serialNumber=$U\" 365 "
	"product\n"
	"ec plong P-256; issue plong cashort \"/CN=Long/serialNumber=$U\" "
	"3650 product\n"
	"ec inter P-256; issue inter ca256 '/CN=Intermediate' 3650 ca\n"
	"ec pinter P-256; issue pinter inter \"/CN=Deep/serialNumber=$U\" 365 "
	"product\n"
	"ec nonca P-256; issue nonca ca256 '/CN=Not CA intermediate' 3650 "
	"nonca\n"
	"ec pbynonca P-256; issue pbynonca nonca "
	"\"/CN=By non-CA/serialNumber=$U\" 365 product\n"
	"ec pfuture P-256; dated pfuture ca256 "
	"\"/CN=Future/serialNumber=$U\" 300101000000Z 310101000000Z\n"
	"ec ppast P-256; dated ppast ca256 \"/CN=Past/serialNumber=$U\" "
	"000101000000Z 010101000000Z\n"
	"ec pgen P-256; dated pgen ca256 \"/CN=Gen/serialNumber=$U\" "
	"20240101000000Z 20600101000000Z\n"
	/* Chains and CA files. */
	"cat pinter.pem inter.pem > chain_inter.pem\n"
	"cat inter.pem pinter.pem > chain_reversed.pem\n"
	"cat pinter.pem p256.pem > chain_unrelated.pem\n"
	"openssl x509 -in pinter.pem -outform DER -out pinter.der\n"
	"openssl x509 -in inter.pem -outform DER -out inter.der\n"
	"cat pinter.der inter.der > chain_inter.der\n"
	"openssl x509 -in ca256.pem -outform DER -out ca256.der\n"
	"cat pbynonca.pem nonca.pem > chain_nonca.pem\n"
	"cat pimp.pem ca256.pem > chain_forged.pem\n"
	"cat p256.pem inter.pem inter.pem inter.pem inter.pem "
	"> chain_long.pem\n"
	"cat ca256.pem ca384.pem > two_cas.pem\n"
	"for i in 1 2 3 4 5 6 7 8 9; do cat ca256.pem; done > nine_cas.pem\n"
	"cat ca256.pem ca256.key > ca_with_key.pem\n"
	"mkdir cadir emptydir\n"
	"cp ca256.pem cadir/a.pem; cp carsa.pem cadir/b.pem\n"
	"cp ca1024.pem cadir/ignored.crt; echo x > cadir/README\n"
	/* Signatures. */
	"head -c 100003 /dev/urandom > data\n: > empty\n"
	"sign() { openssl dgst -$3 -sign $1.key -out $2 ${4:-data}; }\n"
	"sign p256 p256.sig sha256; sign p384 p384.sig sha384\n"
	"sign prsa prsa.sig sha256; sign pbare pbare.sig sha256\n"
	"sign pkeyset pkeyset.sig sha256; sign pboth pboth.sig sha256\n"
	"sign pekuonly pekuonly.sig sha256\n"
	"sign pupper pupper.sig sha256; sign pmulti pmulti.sig sha256\n"
	"sign pinter pinter.sig sha256; sign p256b p256b.sig sha256\n"
	"sign p256 empty.sig sha256 empty\n"
	"sign p256 p256_sha384.sig sha384; sign p384 p384_sha256.sig sha256\n"
	"sign prsa prsa_sha512.sig sha512\n"
	"openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sign prsa.key "
	"-out prsa_pss.sig data\n";

static int setup(void **state)
{
	dir = fixture_dir_create();
	t0 = (int64_t)time(NULL);
	if (fixture_sh(dir, fixtures) != 0)
		return -1;
	now = t0 + 3600;
	return 0;
}

static int teardown(void **state)
{
	fixture_dir_remove(dir);
	free(dir);
	return 0;
}

static struct x509_trust_store *store_of(const char *ca_file)
{
	static struct x509_trust_store ts;
	struct error err;
	char path[512];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, ca_file);
	x509_trust_store_init(&ts);
	r = x509_trust_store_load_file(&ts, path, &err);
	if (r < 1) {
		char line[512];

		error_format(&err, line, sizeof(line));
		fail_msg("loading %s: %s", ca_file, line);
	}
	return &ts;
}

/* Verify the chain file against the CA file at t. */
static int verify_chain(const char *ca_file, const char *chain_file,
			int64_t t, struct x509_signer *signer,
			struct error *err)
{
	const struct x509_trust_store *ts = store_of(ca_file);
	uint8_t *chain;
	size_t len;
	int r;

	chain = fixture_read(dir, chain_file, &len);
	r = x509_chain_verify(ts, chain, len, t, signer, err);
	free(chain);
	return r;
}

/*
 * err's what names the certificate at position cert (VERIFY_CERT_NONE:
 * none) and, when subject is not NULL, that subject.
 */
static void assert_about(const struct error *err, int cert,
			 const char *subject)
{
	char want[512];

	if (cert == VERIFY_CERT_NONE) {
		assert_string_equal(err->what, "");
		return;
	}
	if (cert == VERIFY_CERT_CA)
		snprintf(want, sizeof(want), "CA certificate");
	else if (cert == 0)
		snprintf(want, sizeof(want), "signer certificate");
	else
		snprintf(want, sizeof(want), "intermediate certificate %d",
			 cert);
	if (strncmp(err->what, want, strlen(want)) != 0)
		fail_msg("'%s' is not about the %s", err->what, want);
	if (!subject)
		return;
	snprintf(want, sizeof(want), " '%s'", subject);
	if (!strstr(err->what, want))
		fail_msg("'%s' does not name %s", err->what, want);
}

/* What `openssl x509 -noout -subject` prints for the file. */
static char *openssl_subject(const char *cert)
{
	char script[512], *out;

	snprintf(script, sizeof(script),
		 "openssl x509 -in %s -noout -subject -nameopt esc_2253,"
		 "esc_ctrl,esc_msb,sep_comma_plus_space,sname,dump_nostr,"
		 "dump_der | sed 's/^subject=//'", cert);
	out = fixture_sh_output(dir, script);
	assert_non_null(out);
	return out;
}

static int64_t openssl_date(const char *cert, const char *which)
{
	char script[256], *out;
	int64_t t;

	snprintf(script, sizeof(script),
		 "date -u -d \"$(openssl x509 -in %s -noout -%s | "
		 "cut -d= -f2)\" +%%s", cert, which);
	out = fixture_sh_output(dir, script);
	assert_non_null(out);
	t = strtoll(out, NULL, 10);
	free(out);
	return t;
}

/* Verify a signature file over a file, in chunks of the given size. */
static int verify_sig(const struct x509_pubkey *key, const char *sig_file,
		      const char *data_file, size_t chunk,
		      struct error *err)
{
	struct signature_verifier v;
	uint8_t *sig, *data;
	size_t sig_len, len;
	int r;

	sig = fixture_read(dir, sig_file, &sig_len);
	data = fixture_read(dir, data_file, &len);
	r = signature_init(&v, key, err);
	if (r == 0) {
		for (size_t off = 0; off < len; off += chunk)
			signature_update(&v, data + off,
					 len - off < chunk ? len - off : chunk);
		r = signature_final(&v, sig, sig_len, err);
	}
	free(sig);
	free(data);
	return r;
}

/* --- valid chains -------------------------------------------------------- */

struct valid_case {
	const char *ca, *chain, *cert, *sig;
	const char *key;
	size_t chain_len;
};

static const struct valid_case valid_cases[] = {
	{ "ca256.pem", "p256.pem", "p256.pem", "p256.sig", "EC P-256", 1 },
	{ "ca384.pem", "p384.pem", "p384.pem", "p384.sig", "EC P-384", 1 },
	{ "carsa.pem", "prsa.pem", "prsa.pem", "prsa.sig", "RSA 2048", 1 },
	{ "ca521.pem", "p256b.pem", "p256b.pem", "p256b.sig", "EC P-256", 1 },
	{ "ca256.pem", "pupper.pem", "pupper.pem", "pupper.sig", "EC P-256",
	  1 },
	{ "ca256.pem", "pmulti.pem", "pmulti.pem", "pmulti.sig", "EC P-256",
	  1 },
	{ "carsa.pem", "pkeyset.pem", "pkeyset.pem", "pkeyset.sig",
	  "RSA 2048", 1 },
	{ "ca256.pem", "pboth.pem", "pboth.pem", "pboth.sig", "EC P-256", 1 },
	{ "ca256.pem", "pekuonly.pem", "pekuonly.pem", "pekuonly.sig",
	  "EC P-256", 1 },
	{ "ca256.pem", "chain_inter.pem", "pinter.pem", "pinter.sig",
	  "EC P-256", 2 },
	{ "ca256.pem", "chain_inter.der", "pinter.pem", "pinter.sig",
	  "EC P-256", 2 },
	{ "ca256.der", "p256.pem", "p256.pem", "p256.sig", "EC P-256", 1 },
	{ "two_cas.pem", "p384.pem", "p384.pem", "p384.sig", "EC P-384", 1 },
};

static void test_valid_chains(void **state)
{
	static const size_t chunks[] = { 1 << 20, 1, 7, 4096, 65536 };

	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		const struct valid_case *c = &valid_cases[i];
		struct x509_signer signer;
		struct error err;
		char text[DN_STRING_MAX], key[32], *ref;
		int r;

		r = verify_chain(c->ca, c->chain, now, &signer, &err);
		if (r != 0) {
			error_format(&err, text, sizeof(text));
			fail_msg("%s: %s", c->chain, text);
		}
		assert_int_equal(err.reason, VERIFY_OK);
		assert_string_equal(signer.product_uuid, UUID);
		assert_int_equal(signer.chain_len, c->chain_len);
		x509_pubkey_describe(&signer.key, key, sizeof(key));
		assert_string_equal(key, c->key);
		assert_true(dn_format(signer.subject, signer.subject_len, text,
				      sizeof(text)) > 0);
		ref = openssl_subject(c->cert);
		assert_string_equal(text, ref);
		free(ref);
		assert_int_equal(signer.not_before,
				 openssl_date(c->cert, "startdate"));
		assert_int_equal(signer.not_after,
				 openssl_date(c->cert, "enddate"));
		/* Streaming: the chunking does not matter. */
		for (size_t k = 0; k < ARRAY_SIZE(chunks); k++)
			assert_int_equal(verify_sig(&signer.key, c->sig,
						    "data", chunks[k], &err),
					 0);
		/* ... and the signature is over these bytes only. */
		assert_int_equal(verify_sig(&signer.key, c->sig, "empty",
					    4096, &err), -OCIBOOT_EVERIFY);
		assert_int_equal(err.reason, VERIFY_SIGNATURE_MISMATCH);
	}
}

/* The time windows, with dates openssl ca set exactly. */
static void test_validity(void **state)
{
	struct x509_signer signer;
	struct error err;
	char line[1024];

	assert_int_equal(verify_chain("ca256.pem", "pfuture.pem", T2030_06,
				      &signer, &err), 0);
	assert_int_equal(signer.not_before, T2030);
	assert_int_equal(signer.not_after, T2031);
	/* Both ends are inside. */
	assert_int_equal(verify_chain("ca256.pem", "pfuture.pem", T2030,
				      &signer, &err), 0);
	assert_int_equal(verify_chain("ca256.pem", "pfuture.pem", T2031,
				      &signer, &err), 0);
	/* Not yet valid, while its CA is. */
	assert_int_equal(verify_chain("ca256.pem", "pfuture.pem", T2030 - 1,
				      &signer, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_EXPIRED);
	assert_about(&err, 0, "CN=Future, serialNumber=" UUID);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line,
		"signer certificate 'CN=Future, serialNumber=" UUID "': "
		"certificate expired or not yet valid at "
		"2029-12-31T23:59:59Z (valid from 2030-01-01T00:00:00Z to "
		"2031-01-01T00:00:00Z; BearSSL error 54): verification failed");
	/* Expired a second after its notAfter. */
	assert_int_equal(verify_chain("ca256.pem", "pfuture.pem", T2031 + 1,
				      &signer, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_EXPIRED);
	/* Long expired. */
	assert_int_equal(verify_chain("ca256.pem", "ppast.pem", now, &signer,
				      &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_EXPIRED);
	assert_about(&err, 0, NULL);
	/* A notAfter in GeneralizedTime. */
	assert_int_equal(verify_chain("ca256.pem", "pgen.pem", now, &signer,
				      &err), 0);
	assert_int_equal(signer.not_after, 2840140800);
	/* Expired one day after the fixtures, its CA still valid. */
	assert_int_equal(verify_chain("ca256.pem", "pshort.pem", t0 + 3 * DAY,
				      &signer, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_EXPIRED);
	assert_about(&err, 0, NULL);
	/* Before anything was made: the signer is reported first. */
	assert_int_equal(verify_chain("ca256.pem", "p256.pem", t0 - DAY,
				      &signer, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_EXPIRED);
	assert_about(&err, 0, NULL);
	/* The CA expired, the signer's own certificate did not. */
	assert_int_equal(verify_chain("cashort.pem", "plong.pem", t0 + 3 * DAY,
				      &signer, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_CA_EXPIRED);
	assert_about(&err, VERIFY_CERT_CA, "CN=Short CA");
	error_format(&err, line, sizeof(line));
	assert_non_null(strstr(line, "CA certificate expired or not yet valid "
				     "at "));
	assert_non_null(strstr(line, "(valid from "));
	assert_int_equal(verify_chain("cashort.pem", "plong.pem", now,
				      &signer, &err), 0);
	/* A negative time is refused outright. */
	assert_int_equal(verify_chain("ca256.pem", "p256.pem", -1, &signer,
				      &err), -EINVAL);
}

/* --- refused chains ------------------------------------------------------ */

struct refused_case {
	const char *ca, *chain;
	int ret;
	enum verify_reason reason;
	int cert;
	const char *subject;	/* named in err->what, when not NULL */
};

static const struct refused_case refused_cases[] = {
	{ "other.pem", "p256.pem", -OCIBOOT_EVERIFY, VERIFY_NOT_TRUSTED, 0,
	  "CN=Product 256, serialNumber=" UUID },
	{ "ca256.pem", "pother.pem", -OCIBOOT_EVERIFY, VERIFY_NOT_TRUSTED, 0,
	  NULL },
	{ "ca256.pem", "pself.pem", -OCIBOOT_EVERIFY, VERIFY_NOT_TRUSTED, 0,
	  "CN=Self, serialNumber=" UUID },
	/* Issued in the name of a trusted CA, by another key. */
	{ "ca256.pem", "pimp.pem", -OCIBOOT_EVERIFY, VERIFY_NOT_TRUSTED, 0,
	  NULL },
	{ "ca256.pem", "chain_forged.pem", -OCIBOOT_EVERIFY,
	  VERIFY_CERT_SIGNATURE, VERIFY_CERT_NONE, NULL },
	{ "ca384.pem", "p256.pem", -OCIBOOT_EVERIFY, VERIFY_NOT_TRUSTED, 0,
	  NULL },
	{ "ca256.pem", "pinter.pem", -OCIBOOT_EVERIFY, VERIFY_NOT_TRUSTED, 0,
	  NULL },
	/* BearSSL stops at the first certificate a CA issued: here the
	 * intermediate, which is no signer. */
	{ "ca256.pem", "chain_reversed.pem", -OCIBOOT_EVERIFY,
	  VERIFY_KEY_USAGE, 0, "CN=Intermediate" },
	{ "ca256.pem", "chain_unrelated.pem", -OCIBOOT_EVERIFY,
	  VERIFY_CHAIN_ORDER, VERIFY_CERT_NONE, NULL },
	{ "ca256.pem", "chain_nonca.pem", -OCIBOOT_EVERIFY,
	  VERIFY_ISSUER_NOT_CA, 1, "CN=Not CA intermediate" },
	{ "ca256.pem", "chain_long.pem", -OCIBOOT_ETOOBIG,
	  VERIFY_CHAIN_TOO_LONG, VERIFY_CERT_NONE, NULL },
	{ "ca256.pem", "pcrit.pem", -OCIBOOT_EVERIFY,
	  VERIFY_CRITICAL_EXTENSION, 0, "CN=Crit, serialNumber=" UUID },
	{ "ca256.pem", "pserver.pem", -OCIBOOT_EVERIFY,
	  VERIFY_EXTENDED_KEY_USAGE, 0, NULL },
	{ "ca256.pem", "pkeyenc.pem", -OCIBOOT_EVERIFY, VERIFY_KEY_USAGE, 0,
	  NULL },
	{ "ca256.pem", "pisca.pem", -OCIBOOT_EVERIFY, VERIFY_SIGNER_IS_CA, 0,
	  NULL },
	{ "ca256.pem", "pbare.pem", -OCIBOOT_EVERIFY, VERIFY_NO_USAGE, 0,
	  "CN=Bare, serialNumber=" UUID },
	{ "ca256.pem", "pnonrep.pem", -OCIBOOT_EVERIFY, VERIFY_KEY_USAGE, 0,
	  NULL },
	{ "ca256.pem", "pcertsign.pem", -OCIBOOT_EVERIFY, VERIFY_SIGNER_IS_CA,
	  0, "CN=CertSign, serialNumber=" UUID },
	{ "ca256.pem", "pdiffer.pem", -OCIBOOT_EVERIFY, VERIFY_PRODUCTS_DIFFER,
	  0, "CN=manifest PRODUCT:" UUID2 ", serialNumber=" UUID },
	{ "ca256.pem", "pcnbad.pem", -OCIBOOT_EVERIFY,
	  VERIFY_CN_PRODUCT_NOT_UUID, 0, NULL },
	{ "ca256.pem", "pcntwo.pem", -OCIBOOT_EVERIFY, VERIFY_TWO_CN_PRODUCTS,
	  0, NULL },
	{ "ca256.pem", "pcnother.pem", -OCIBOOT_EVERIFY,
	  VERIFY_NO_SERIAL_NUMBER, 0, NULL },
	{ "ca256.pem", "prsa1024.pem", -OCIBOOT_EVERIFY, VERIFY_RSA_TOO_SHORT,
	  VERIFY_CERT_NONE, NULL },
	{ "ca256.pem", "p521.pem", -OCIBOOT_EVERIFY, VERIFY_KEY_UNSUPPORTED, 0,
	  NULL },
	{ "ca256.pem", "psha1.pem", -OCIBOOT_EVERIFY, VERIFY_ALGORITHM,
	  VERIFY_CERT_NONE, NULL },
	{ "ca256.pem", "pnoser.pem", -OCIBOOT_EVERIFY, VERIFY_NO_SERIAL_NUMBER,
	  0, "CN=No serial, O=x" },
	{ "ca256.pem", "pnotuuid.pem", -OCIBOOT_EVERIFY,
	  VERIFY_SERIAL_NUMBER_NOT_UUID, 0, "CN=x, serialNumber=12345" },
	{ "ca256.pem", "ptwo.pem", -OCIBOOT_EVERIFY, VERIFY_TWO_SERIAL_NUMBERS,
	  0, NULL },
	{ "ca256.pem", "empty", -OCIBOOT_EVERIFY, VERIFY_CHAIN_EMPTY,
	  VERIFY_CERT_NONE, NULL },
	{ "ca256.pem", "x.cnf", -OCIBOOT_EVERIFY, VERIFY_CHAIN_EMPTY,
	  VERIFY_CERT_NONE, NULL },
	{ "ca256.pem", "ca256.key", -OCIBOOT_EMALFORMED, VERIFY_CHAIN_PEM, 0,
	  NULL },
};

static void test_refused_chains(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(refused_cases); i++) {
		const struct refused_case *c = &refused_cases[i];
		struct x509_signer signer = { .chain_len = 42 };
		struct error err;
		char line[1024];
		int r;

		r = verify_chain(c->ca, c->chain, now, &signer, &err);
		error_format(&err, line, sizeof(line));
		if (r != c->ret || err.reason != (int)c->reason)
			fail_msg("%s with %s: %d, %s", c->chain, c->ca, r,
				 line);
		assert_about(&err, c->cert, c->subject);
		/* The why starts with the reason. */
		assert_memory_equal(err.why, verify_reason_string(c->reason),
				    strlen(verify_reason_string(c->reason)));
		/* Nothing written on failure. */
		assert_int_equal(signer.chain_len, 42);
	}
}

static void test_error_messages(void **state)
{
	struct x509_signer signer;
	struct error err;
	char line[1024];

	verify_chain("other.pem", "p256.pem", now, &signer, &err);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line,
		"signer certificate 'CN=Product 256, serialNumber=" UUID "' "
		"issued by 'CN=Test CA 256, O=ociboot tests': certificate not "
		"issued by a trusted CA: verification failed");
	verify_chain("ca256.pem", "pnoser.pem", now, &signer, &err);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, "signer certificate 'CN=No serial, O=x': "
			    "no product in subject (a serialNumber, or a CN "
			    "\"manifest PRODUCT:<uuid>\"): verification "
			    "failed");
	verify_chain("ca256.pem", "pdiffer.pem", now, &signer, &err);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, "signer certificate 'CN=manifest PRODUCT:"
			    UUID2 ", serialNumber=" UUID "': subject "
			    "serialNumber and CN \"manifest PRODUCT:\" name "
			    "different products: verification failed");
	verify_chain("ca256.pem", "ptwo.pem", now, &signer, &err);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, "signer certificate 'CN=x, serialNumber="
			    UUID ", serialNumber=" UUID2 "': two "
			    "serialNumbers in subject: verification failed");
	verify_chain("ca256.pem", "prsa1024.pem", now, &signer, &err);
	error_format(&err, line, sizeof(line));
	assert_string_equal(line, "RSA key shorter than 2048 bits "
			    "(BearSSL error 60): verification failed");
	/* Cut short, still a string. */
	error_format(&err, line, 10);
	assert_string_equal(line, "RSA ke...");
}

/* Random bytes and damaged PEM never verify, and never crash. */
static void test_garbage_chains(void **state)
{
	static const char *const bad_pem[] = {
		"-----BEGIN CERTIFICATE-----\n!!!notbase64\n"
		"-----END CERTIFICATE-----\n",
		"-----BEGIN CERTIFICATE-----\nMIIB\n",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n"
		"-----END PRIVATE KEY-----\n",
		"-----BEGIN CERTIFICATE-----\nAAAA\n"
		"-----END CERTIFICATE-----\n",
	};
	static const enum verify_reason bad_reasons[] = {
		VERIFY_CHAIN_PEM, VERIFY_CHAIN_PEM, VERIFY_CHAIN_PEM,
		VERIFY_CERT_MALFORMED,
	};
	const struct x509_trust_store *ts = store_of("ca256.pem");
	struct x509_signer signer;
	struct error err;
	uint8_t *pem, junk[512];
	const char *end;
	size_t len;

	for (size_t i = 0; i < ARRAY_SIZE(bad_pem); i++) {
		assert_true(x509_chain_verify(ts, bad_pem[i],
					      strlen(bad_pem[i]), now, &signer,
					      &err) < 0);
		assert_int_equal(err.reason, bad_reasons[i]);
	}
	/* Every prefix of a good PEM chain fails. */
	pem = fixture_read(dir, "chain_inter.pem", &len);
	/* Once the last END line starts, all the data is there: BearSSL
	 * reads "-----END" and a cut line as the end of the object. */
	end = (const char *)pem + len - strlen("-----END CERTIFICATE-----\n");
	assert_memory_equal(end, "-----END", 8);
	for (size_t cut = 0; cut <= (size_t)(end - (const char *)pem);
	     cut += 3) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, pem, cut);
		/* A prefix that ends after the first certificate is a
		 * whole, shorter chain: not trusted. */
		assert_true(x509_chain_verify(ts, copy, cut, now, &signer,
					      &err) < 0);
		free(copy);
	}
	free(pem);
	/* Every prefix of a good DER chain fails. */
	pem = fixture_read(dir, "chain_inter.der", &len);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, pem, cut);
		assert_true(x509_chain_verify(ts, copy, cut, now, &signer,
					      &err) < 0);
		free(copy);
	}
	free(pem);
	srand(7);
	for (int i = 0; i < 2000; i++) {
		len = (size_t)rand() % sizeof(junk);
		for (size_t k = 0; k < len; k++)
			junk[k] = (uint8_t)rand();
		if (i % 2 && len)
			junk[0] = 0x30;
		assert_true(x509_chain_verify(ts, junk, len, now, &signer,
					      &err) < 0);
	}
}

/* --- CA files ------------------------------------------------------------ */

static int load(const char *name, struct x509_trust_store *ts,
		struct error *err)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return x509_trust_store_load_file(ts, path, err);
}

static void test_trust_store(void **state)
{
	static const struct {
		const char *file;
		int ret;
		enum verify_reason reason;
		const char *subject;
	} cases[] = {
		{ "ca256.pem", 1, VERIFY_OK, NULL },
		{ "ca256.der", 1, VERIFY_OK, NULL },
		{ "ca521.pem", 1, VERIFY_OK, NULL },
		{ "two_cas.pem", 2, VERIFY_OK, NULL },
		{ "ca1024.pem", -OCIBOOT_EVERIFY, VERIFY_RSA_TOO_SHORT,
		  "CN=Weak CA" },
		{ "notca.pem", -OCIBOOT_EVERIFY, VERIFY_CA_NOT_CA,
		  "CN=Not a CA" },
		{ "p256.pem", -OCIBOOT_EVERIFY, VERIFY_CA_NOT_CA, NULL },
		{ "nine_cas.pem", -OCIBOOT_ETOOBIG, VERIFY_CA_TOO_MANY, NULL },
		{ "ca_with_key.pem", -OCIBOOT_EMALFORMED, VERIFY_CA_PEM, NULL },
		{ "empty", -OCIBOOT_EVERIFY, VERIFY_CA_EMPTY, NULL },
		{ "x.cnf", -OCIBOOT_EVERIFY, VERIFY_CA_EMPTY, NULL },
		{ "data", -OCIBOOT_ETOOBIG, VERIFY_CA_READ, NULL },
		{ "missing.pem", -ENOENT, VERIFY_CA_READ, NULL },
		{ "cadir", -EISDIR, VERIFY_CA_READ, NULL },
	};
	static struct x509_trust_store ts;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct error err;
		int r;

		x509_trust_store_init(&ts);
		assert_int_equal(load("ca384.pem", &ts, &err), 1);
		r = load(cases[i].file, &ts, &err);
		if (r != cases[i].ret || err.reason != (int)cases[i].reason)
			fail_msg("%s: %d %s", cases[i].file, r,
				 verify_reason_string(err.reason));
		/* All or nothing. */
		assert_int_equal(ts.count, 1 + (r > 0 ? (size_t)r : 0));
		if (r < 0)
			assert_string_equal(err.where, cases[i].file);
		if (cases[i].subject)
			assert_about(&err, VERIFY_CERT_CA, cases[i].subject);
	}
	/* Eight fit, the ninth does not. */
	x509_trust_store_init(&ts);
	for (int i = 0; i < X509_ANCHORS_MAX; i++)
		assert_int_equal(load("ca256.pem", &ts, NULL), 1);
	assert_int_equal(load("ca256.pem", &ts, NULL), -OCIBOOT_ETOOBIG);
	assert_int_equal(ts.count, X509_ANCHORS_MAX);
}

static void test_trust_dir(void **state)
{
	static struct x509_trust_store ts;
	struct x509_signer signer;
	struct error err;
	uint8_t *chain;
	size_t len;
	char path[512];

	/* Only *.pem files count. */
	snprintf(path, sizeof(path), "%s/cadir", dir);
	x509_trust_store_init(&ts);
	assert_int_equal(x509_trust_store_load_dir(&ts, path, &err), 2);
	chain = fixture_read(dir, "prsa.pem", &len);
	assert_int_equal(x509_chain_verify(&ts, chain, len, now, &signer,
					   &err), 0);
	free(chain);
	chain = fixture_read(dir, "p256.pem", &len);
	assert_int_equal(x509_chain_verify(&ts, chain, len, now, &signer,
					   &err), 0);
	free(chain);

	snprintf(path, sizeof(path), "%s/emptydir", dir);
	assert_int_equal(x509_trust_store_load_dir(&ts, path, &err),
			 -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_CA_EMPTY);
	assert_int_equal(ts.count, 2);
	snprintf(path, sizeof(path), "%s/nowhere", dir);
	assert_int_equal(x509_trust_store_load_dir(&ts, path, &err), -ENOENT);
	assert_int_equal(err.reason, VERIFY_CA_READ);

	/* One bad file spoils the directory. */
	snprintf(path, sizeof(path), "cp notca.pem cadir/c.pem");
	assert_int_equal(fixture_sh(dir, path), 0);
	snprintf(path, sizeof(path), "%s/cadir", dir);
	x509_trust_store_init(&ts);
	assert_int_equal(x509_trust_store_load_dir(&ts, path, &err),
			 -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_CA_NOT_CA);
	assert_string_equal(err.where, "c.pem");
	assert_int_equal(ts.count, 0);
	assert_int_equal(fixture_sh(dir, "rm cadir/c.pem"), 0);
}

/* --- signatures ---------------------------------------------------------- */

static void signer_of(const char *ca, const char *cert,
		      struct x509_signer *signer)
{
	struct error err;

	assert_int_equal(verify_chain(ca, cert, now, signer, &err), 0);
}

static void test_signature_mismatches(void **state)
{
	static const struct {
		const char *ca, *cert, *sig, *data;
		enum verify_reason reason;
	} cases[] = {
		/* By another key. */
		{ "ca256.pem", "p256.pem", "pbare.sig", "data",
		  VERIFY_SIGNATURE_MISMATCH },
		/* The right key, the wrong hash. */
		{ "ca256.pem", "p256.pem", "p256_sha384.sig", "data",
		  VERIFY_SIGNATURE_MISMATCH },
		{ "ca384.pem", "p384.pem", "p384_sha256.sig", "data",
		  VERIFY_SIGNATURE_MISMATCH },
		{ "carsa.pem", "prsa.pem", "prsa_sha512.sig", "data",
		  VERIFY_SIGNATURE_MISMATCH },
		{ "carsa.pem", "prsa.pem", "prsa_pss.sig", "data",
		  VERIFY_SIGNATURE_MISMATCH },
		/* Another signature type altogether. */
		{ "carsa.pem", "prsa.pem", "p256.sig", "data",
		  VERIFY_SIGNATURE_MALFORMED },
		{ "ca256.pem", "p256.pem", "prsa.sig", "data",
		  VERIFY_SIGNATURE_MALFORMED },
		/* A P-384 signature's integers are too long for P-256. */
		{ "ca256.pem", "p256.pem", "p384.sig", "data",
		  VERIFY_SIGNATURE_MALFORMED },
		{ "ca256.pem", "p256.pem", "empty", "data",
		  VERIFY_SIGNATURE_MALFORMED },
		{ "ca256.pem", "p256.pem", "data", "data",
		  VERIFY_SIGNATURE_TOO_BIG },
		/* The empty input is signed too. */
		{ "ca256.pem", "p256.pem", "empty.sig", "data",
		  VERIFY_SIGNATURE_MISMATCH },
		{ "ca256.pem", "p256.pem", "empty.sig", "empty", VERIFY_OK },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct x509_signer signer;
		struct error err;
		int r;

		signer_of(cases[i].ca, cases[i].cert, &signer);
		r = verify_sig(&signer.key, cases[i].sig, cases[i].data, 4096,
			       &err);
		if (err.reason != (int)cases[i].reason ||
		    r != (cases[i].reason ? -OCIBOOT_EVERIFY : 0))
			fail_msg("%s over %s: %d %s", cases[i].sig,
				 cases[i].data, r,
				 verify_reason_string(err.reason));
	}
}

/* Flipped data bytes, flipped or cut signature bytes: never a match. */
static void test_signature_damage(void **state)
{
	static const struct {
		const char *ca, *cert, *sig;
	} cases[] = {
		{ "ca256.pem", "p256.pem", "p256.sig" },
		{ "ca384.pem", "p384.pem", "p384.sig" },
		{ "carsa.pem", "prsa.pem", "prsa.sig" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct x509_signer signer;
		struct error err;
		uint8_t *sig, *data;
		size_t sig_len, len;

		signer_of(cases[i].ca, cases[i].cert, &signer);
		sig = fixture_read(dir, cases[i].sig, &sig_len);
		data = fixture_read(dir, "data", &len);
		assert_int_equal(signature_verify(&signer.key, data, len, sig,
						  sig_len, &err), 0);
		for (size_t at = 0; at < len; at += 997) {
			data[at] ^= 0x01;
			assert_int_equal(signature_verify(&signer.key, data,
							  len, sig, sig_len,
							  &err),
					 -OCIBOOT_EVERIFY);
			assert_int_equal(err.reason,
					 VERIFY_SIGNATURE_MISMATCH);
			data[at] ^= 0x01;
		}
		/* One byte fewer: a truncated signature. */
		assert_int_equal(signature_verify(&signer.key, data, len, sig,
						  sig_len - 1, &err),
				 -OCIBOOT_EVERIFY);
		assert_int_equal(err.reason, VERIFY_SIGNATURE_MALFORMED);
		for (size_t cut = 0; cut < sig_len; cut++) {
			uint8_t *copy = malloc(cut ? cut : 1);

			memcpy(copy, sig, cut);
			assert_int_equal(signature_verify(&signer.key, data,
							  len, copy, cut,
							  &err),
					 -OCIBOOT_EVERIFY);
			free(copy);
		}
		for (size_t at = 0; at < sig_len; at++) {
			for (int bit = 0; bit < 8; bit += 3) {
				sig[at] ^= (uint8_t)(1 << bit);
				assert_int_equal(
					signature_verify(&signer.key, data,
							 len, sig, sig_len,
							 &err),
					-OCIBOOT_EVERIFY);
				sig[at] ^= (uint8_t)(1 << bit);
			}
		}
		free(sig);
		free(data);
	}
}

/* Keys the signer side refuses, whatever the chain said. */
static void test_signature_keys(void **state)
{
	struct x509_signer signer;
	struct signature_verifier v;
	struct error err;
	struct x509_pubkey k;

	signer_of("carsa.pem", "prsa.pem", &signer);
	k = signer.key;
	k.bits = 2047;
	assert_int_equal(signature_init(&v, &k, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_RSA_TOO_SHORT);
	k.bits = 4097;
	assert_int_equal(signature_init(&v, &k, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_RSA_TOO_LONG);
	signer_of("ca256.pem", "p256.pem", &signer);
	k = signer.key;
	k.curve = BR_EC_secp521r1;
	assert_int_equal(signature_init(&v, &k, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_KEY_UNSUPPORTED);
	k.type = 7;
	assert_int_equal(signature_init(&v, &k, &err), -OCIBOOT_EVERIFY);
	assert_int_equal(err.reason, VERIFY_KEY_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_chains),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_refused_chains),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_garbage_chains),
		cmocka_unit_test(test_trust_store),
		cmocka_unit_test(test_trust_dir),
		cmocka_unit_test(test_signature_mismatches),
		cmocka_unit_test(test_signature_damage),
		cmocka_unit_test(test_signature_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
