/* SPDX-License-Identifier: MIT */
/*
 * tpm/nv: the checks on the TPM's answers to NV_ReadPublic, NV_Read and
 * GetRandom, over the fake TCTI (tpm/tpm_fake.h): a valid answer of each,
 * a table of answers that break one rule each, truncation at every
 * offset; and tpm_rc_base(). tpm/tpm_test.sh runs the commands
 * against swtpm.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/sha256.h"
#include "lib/endian.h"
#include "lib/error.h"
#include "lib/util.h"
#include "tpm/key.h"
#include "tpm/nv.h"
#include "tpm/tpm_fake.h"

#define RSP_MAX 256
#define INDEX 0x01500111U
#define ATTRS 0xa2082802U
#define SENTINEL 0x5a

struct w {
	uint8_t b[RSP_MAX];
	size_t n;
};

static void p8(struct w *w, uint8_t v)
{
	assert_true(w->n < RSP_MAX);
	w->b[w->n++] = v;
}

static void p16(struct w *w, uint16_t v)
{
	p8(w, (uint8_t)(v >> 8));
	p8(w, (uint8_t)v);
}

static void p32(struct w *w, uint32_t v)
{
	p16(w, (uint16_t)(v >> 16));
	p16(w, (uint16_t)v);
}

static void pbytes(struct w *w, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p8(w, b[i]);
}

static void header(struct w *w, uint16_t tag, uint32_t rc)
{
	w->n = 0;
	p16(w, tag);
	p32(w, 0);
	p32(w, rc);
}

static size_t finish(struct w *w)
{
	be32_store(w->b + 2, (uint32_t)w->n);
	return w->n;
}

/* What breaks in a public area answer. */
struct pub_spec {
	uint32_t index;
	uint16_t name_alg;
	uint16_t data_size;
	uint16_t policy_len;
	uint16_t name_size;	/* 34 unless changed */
	uint16_t name_id;	/* sha256's 0x000b unless changed */
	bool bad_name;		/* flip a byte of the name's digest */
	uint32_t rc;
};

static void valid_pub(struct pub_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->index = INDEX;
	s->name_alg = 0x000b;
	s->data_size = 32;
	s->policy_len = 32;
	s->name_size = 34;
	s->name_id = 0x000b;
}

static size_t build_pub(struct w *w, const struct pub_spec *s)
{
	uint8_t area[128], digest[SHA256_LEN];
	struct w a = { { 0 }, 0 };

	header(w, 0x8001, s->rc);
	if (s->rc)
		return finish(w);
	p32(&a, s->index);
	p16(&a, s->name_alg);
	p32(&a, ATTRS);
	p16(&a, s->policy_len);
	for (unsigned i = 0; i < s->policy_len; i++)
		p8(&a, (uint8_t)(0xc0 + i));
	p16(&a, s->data_size);
	memcpy(area, a.b, a.n);
	sha256_digest(area, a.n, digest);
	if (s->bad_name)
		digest[5] ^= 1;
	p16(w, (uint16_t)a.n);
	pbytes(w, area, a.n);
	p16(w, s->name_size);
	if (s->name_size >= 2)
		p16(w, s->name_id);
	if (s->name_size > 2)
		pbytes(w, digest, (size_t)s->name_size - 2 < SHA256_LEN ?
		       (size_t)s->name_size - 2 : SHA256_LEN);
	return finish(w);
}

static struct tpm t;

static struct tpm_fake_tcti *fake(const uint8_t *rsp, size_t len)
{
	struct tpm_fake_tcti *f = tpm_fake_open(&t, rsp, len);

	assert_non_null(f);
	return f;
}

static int read_public(const uint8_t *rsp, size_t len,
		       struct tpm_nv_public *pub)
{
	struct tpm_fake_tcti *f = fake(rsp, len);
	int r;

	memset(pub, SENTINEL, sizeof(*pub));
	r = tpm_nv_read_public(&t, INDEX, pub);
	/* TPM2_CC_NV_ReadPublic, the index as its one handle */
	assert_int_equal(be32_load(f->command + 6), 0x00000169);
	assert_int_equal(be32_load(f->command + 10), INDEX);
	tpm_close(&t);
	return r;
}

static void test_read_public_valid(void **state)
{
	struct tpm_nv_public pub;
	struct pub_spec s;
	struct w w;
	size_t n;

	valid_pub(&s);
	n = build_pub(&w, &s);
	assert_int_equal(read_public(w.b, n, &pub), 0);
	assert_int_equal(pub.index, INDEX);
	assert_int_equal(pub.attributes, ATTRS);
	assert_int_equal(pub.size, 32);
	assert_int_equal(pub.policy_len, 32);
	assert_int_equal(pub.policy[0], 0xc0);
	assert_int_equal(pub.policy[31], 0xc0 + 31);
}

enum pub_edit {
	EDIT_INDEX, EDIT_NAME_ALG, EDIT_SIZE, EDIT_NAME, EDIT_NAME_SIZE,
	EDIT_NAME_ID, EDIT_RC_HANDLE, EDIT_RC_OTHER, EDIT_NO_POLICY,
};

static void edit_pub(struct pub_spec *s, enum pub_edit e)
{
	switch (e) {
	case EDIT_INDEX: s->index = INDEX + 1; break;
	case EDIT_NAME_ALG: s->name_alg = 0x0004; break;
	case EDIT_SIZE: s->data_size = TPM_NV_DATA_MAX + 1; break;
	case EDIT_NAME: s->bad_name = true; break;
	case EDIT_NAME_SIZE: s->name_size = 20; break;
	case EDIT_NAME_ID: s->name_id = 0x000c; break;
	case EDIT_RC_HANDLE: s->rc = 0x18b; break;
	case EDIT_RC_OTHER: s->rc = 0x149; break;
	case EDIT_NO_POLICY: s->policy_len = 0; break;
	}
}

static void test_read_public_table(void **state)
{
	static const struct {
		const char *name;
		enum pub_edit edit;
		int want;
	} cases[] = {
		{ "other index", EDIT_INDEX, -OCIBOOT_EPROTO },
		{ "sha1 name", EDIT_NAME_ALG, -OCIBOOT_EPROTO },
		{ "too big", EDIT_SIZE, -OCIBOOT_EPROTO },
		{ "name of another area", EDIT_NAME, -OCIBOOT_EPROTO },
		{ "name short", EDIT_NAME_SIZE, -OCIBOOT_EPROTO },
		{ "name of another alg", EDIT_NAME_ID, -OCIBOOT_EPROTO },
		{ "no such index", EDIT_RC_HANDLE, -ENOENT },
		{ "other refusal", EDIT_RC_OTHER, -OCIBOOT_EPROTO },
		{ "no policy is fine", EDIT_NO_POLICY, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tpm_nv_public pub;
		struct pub_spec s;
		struct w w;
		size_t n;
		int r;

		valid_pub(&s);
		edit_pub(&s, cases[i].edit);
		n = build_pub(&w, &s);
		r = read_public(w.b, n, &pub);
		if (r != cases[i].want)
			fail_msg("%s: %d, want %d", cases[i].name, r,
				 cases[i].want);
		if (r < 0)
			assert_int_equal(((uint8_t *)&pub)[0], SENTINEL);
	}
}

/* Cut anywhere (the header's size saying so, as a TCTI delivers it). */
static void test_read_public_truncated(void **state)
{
	struct tpm_nv_public pub;
	struct pub_spec s;
	struct w w;
	size_t n;

	valid_pub(&s);
	n = build_pub(&w, &s);
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t rsp[RSP_MAX];

		memcpy(rsp, w.b, cut);
		if (cut >= 6)
			be32_store(rsp + 2, (uint32_t)cut);
		assert_int_not_equal(read_public(rsp, cut, &pub), 0);
		assert_int_equal(((uint8_t *)&pub)[0], SENTINEL);
	}
}

/* NV_Read with a password session: parameterSize, data, one auth. */
static size_t build_read(struct w *w, uint16_t data_len, uint32_t rc)
{
	header(w, 0x8002, rc);
	if (rc)
		return finish(w);
	p32(w, 2U + data_len);
	p16(w, data_len);
	for (unsigned i = 0; i < data_len; i++)
		p8(w, (uint8_t)i);
	p16(w, 0);	/* nonceTPM */
	p8(w, 0);	/* sessionAttributes */
	p16(w, 0);	/* hmac */
	return finish(w);
}

static int nv_read(const uint8_t *rsp, size_t len, uint8_t *buf, size_t n)
{
	struct tpm_auth a;
	int r;

	fake(rsp, len);
	tpm_auth_password(&a, NULL, 0);
	memset(buf, SENTINEL, n);
	r = tpm_nv_read(&t, INDEX, INDEX, &a, buf, n, 0);
	tpm_close(&t);
	return r;
}

static void test_nv_read(void **state)
{
	uint8_t buf[32];
	struct w w;
	size_t n;

	n = build_read(&w, 32, 0);
	assert_int_equal(nv_read(w.b, n, buf, 32), 0);
	assert_int_equal(buf[31], 31);
	n = build_read(&w, 31, 0);
	assert_int_equal(nv_read(w.b, n, buf, 32), -OCIBOOT_EPROTO);
	assert_int_equal(buf[0], SENTINEL);
	n = build_read(&w, 0, 0x99d);
	assert_int_equal(nv_read(w.b, n, buf, 32), -OCIBOOT_EPROTO);
	assert_int_equal(tpm_rc_base(t.last_rc), TPM_RC_POLICY_FAIL);
	n = build_read(&w, 32, 0);
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t rsp[RSP_MAX];

		memcpy(rsp, w.b, cut);
		if (cut >= 6)
			be32_store(rsp + 2, (uint32_t)cut);
		assert_int_not_equal(nv_read(rsp, cut, buf, 32), 0);
		assert_int_equal(buf[0], SENTINEL);
	}
	{
		static uint8_t big[TPM_NV_DATA_MAX + 1];

		assert_int_equal(nv_read(w.b, n, big, sizeof(big)), -EINVAL);
	}
}

static void test_get_random(void **state)
{
	uint8_t buf[TPM_RANDOM_MAX];
	struct w w;

	for (unsigned len = 16; len <= 17; len++) {
		header(&w, 0x8001, 0);
		p16(&w, (uint16_t)len);
		for (unsigned i = 0; i < len; i++)
			p8(&w, 0x11);
		fake(w.b, finish(&w));
		memset(buf, SENTINEL, sizeof(buf));
		assert_int_equal(tpm_get_random(&t, buf, 16),
				 len == 16 ? 0 : -OCIBOOT_EPROTO);
		assert_int_equal(buf[0], len == 16 ? 0x11 : SENTINEL);
		tpm_close(&t);
	}
	fake(w.b, w.n);
	assert_int_equal(tpm_get_random(&t, buf, TPM_RANDOM_MAX + 1), -EINVAL);
	tpm_close(&t);
}

/* A key's ReadPublic answer; curve and a flip of the name as asked. */
static size_t build_key(struct w *w, uint16_t curve, bool bad_name)
{
	struct w a = { { 0 }, 0 };
	uint8_t digest[SHA256_LEN];

	p16(&a, 0x0023);		/* TPM_ALG_ECC */
	p16(&a, 0x000b);
	p32(&a, TPM_KEY_ATTRIBUTES);
	p16(&a, 32);
	for (unsigned i = 0; i < 32; i++)
		p8(&a, (uint8_t)i);
	p16(&a, 0x0010);		/* symmetric NULL */
	p16(&a, 0x0018);		/* ECDSA */
	p16(&a, 0x000b);		/* with sha256 */
	p16(&a, curve);
	p16(&a, 0x0010);		/* kdf NULL */
	p16(&a, 32);
	for (unsigned i = 0; i < 32; i++)
		p8(&a, 0x11);
	p16(&a, 32);
	for (unsigned i = 0; i < 32; i++)
		p8(&a, 0x22);
	sha256_digest(a.b, a.n, digest);
	if (bad_name)
		digest[0] ^= 1;
	header(w, 0x8001, 0);
	p16(w, (uint16_t)a.n);
	pbytes(w, a.b, a.n);
	for (int k = 0; k < 2; k++) {	/* name, qualifiedName */
		p16(w, 34);
		p16(w, 0x000b);
		pbytes(w, digest, sizeof(digest));
	}
	return finish(w);
}

static void test_key_read_public(void **state)
{
	struct tpm_key_public pub;
	struct w w;
	size_t n;

	n = build_key(&w, 0x0003, false);
	fake(w.b, n);
	assert_int_equal(tpm_key_read_public(&t, 0x81000100U, &pub), 0);
	assert_int_equal(pub.attributes, TPM_KEY_ATTRIBUTES);
	assert_int_equal(pub.point[0], 0x04);
	assert_int_equal(pub.point[1], 0x11);
	assert_int_equal(pub.point[64], 0x22);
	tpm_close(&t);
	n = build_key(&w, 0x0004, false);	/* P-384 */
	fake(w.b, n);
	assert_int_equal(tpm_key_read_public(&t, 0x81000100U, &pub),
			 -OCIBOOT_EPROTO);
	tpm_close(&t);
	n = build_key(&w, 0x0003, true);
	fake(w.b, n);
	assert_int_equal(tpm_key_read_public(&t, 0x81000100U, &pub),
			 -OCIBOOT_EPROTO);
	tpm_close(&t);
	n = build_key(&w, 0x0003, false);
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t rsp[RSP_MAX];

		memcpy(rsp, w.b, cut);
		if (cut >= 6)
			be32_store(rsp + 2, (uint32_t)cut);
		fake(rsp, cut);
		if (tpm_key_read_public(&t, 0x81000100U, &pub) == 0)
			fail_msg("cut at %zu of %zu accepted", cut, n);
		tpm_close(&t);
	}
}

static void test_rc_base(void **state)
{
	assert_int_equal(tpm_rc_base(0x99d), TPM_RC_POLICY_FAIL);
	assert_int_equal(tpm_rc_base(0x9a2), TPM_RC_BAD_AUTH);
	assert_int_equal(tpm_rc_base(0x18b), TPM_RC_HANDLE);
	assert_int_equal(tpm_rc_base(0x14c), TPM_RC_NV_DEFINED);
	assert_int_equal(tpm_rc_base(0x148), TPM_RC_NV_LOCKED);
	assert_int_equal(tpm_rc_base(0x8000a), 0);	/* a tss2 layer's */
	assert_int_equal(tpm_rc_base(0), 0);
}

static void test_closed(void **state)
{
	struct tpm_nv_public pub;
	struct tpm closed = { 0 };
	uint32_t session;
	uint8_t b[8];

	assert_int_equal(tpm_nv_read_public(&closed, INDEX, &pub), -EBADF);
	assert_int_equal(tpm_get_random(&closed, b, 8), -EBADF);
	assert_int_equal(tpm_policy_session_pcr(&closed, 7, &session), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_public_valid),
		cmocka_unit_test(test_read_public_table),
		cmocka_unit_test(test_read_public_truncated),
		cmocka_unit_test(test_nv_read),
		cmocka_unit_test(test_get_random),
		cmocka_unit_test(test_key_read_public),
		cmocka_unit_test(test_rc_base),
		cmocka_unit_test(test_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
