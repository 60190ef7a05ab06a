/* SPDX-License-Identifier: MIT */
/*
 * tpm/loaded: the GetCapability(TPM_CAP_HANDLES) answers' checks over the
 * fake TCTI (tpm/tpm_fake.h), which gives every command the same answer:
 * the command on the wire, a table of answers that break one rule each,
 * truncation at every offset, and a TPM that keeps listing what it was
 * told to flush. tpm/tpm_test.sh counts and flushes against swtpm, with
 * tpm2_getcap as the reference.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/endian.h"
#include "lib/error.h"
#include "lib/util.h"
#include "tpm/loaded.h"
#include "tpm/tpm_fake.h"

#define RSP_MAX 512
#define TAG_NO_SESSIONS 0x8001
#define CC_GET_CAPABILITY 0x0000017a
#define CC_FLUSH_CONTEXT 0x00000165
#define CAP_HANDLES 0x00000001
#define CAP_ALGS 0x00000000

/* One answer, as build() lays it out; a case changes one field. */
struct answer {
	uint32_t rc;
	uint8_t more;
	uint32_t capability;
	uint32_t count;			/* as written */
	uint32_t handles[4];		/* min(count, 4) written */
	int trailing;			/* bytes added (> 0) or cut (< 0) */
};

static size_t build(uint8_t *b, const struct answer *a)
{
	size_t n = 0, listed = a->count < 4 ? a->count : 4;

	be16_store(b, TAG_NO_SESSIONS);
	be32_store(b + 6, a->rc);
	n = 10;
	if (a->rc == 0) {
		b[n++] = a->more;
		be32_store(b + n, a->capability);
		be32_store(b + n + 4, a->count);
		n += 8;
		for (size_t i = 0; i < listed; i++, n += 4)
			be32_store(b + n, a->handles[i]);
	}
	if (a->trailing > 0) {
		memset(b + n, 0, (size_t)a->trailing);
		n += (size_t)a->trailing;
	} else {
		n -= (size_t)-a->trailing;
	}
	be32_store(b + 2, (uint32_t)n);
	return n;
}

static const struct answer empty = { 0, 0, CAP_HANDLES, 0, { 0 }, 0 };

static struct tpm t;

static struct tpm_fake_tcti *fake(const uint8_t *rsp, size_t len)
{
	struct tpm_fake_tcti *f = tpm_fake_open(&t, rsp, len);

	assert_non_null(f);
	return f;
}

static int count(const struct answer *a, struct tpm_loaded *l,
		 struct tpm_fake_tcti **f)
{
	uint8_t rsp[RSP_MAX];

	*f = fake(rsp, build(rsp, a));
	return tpm_loaded_count(&t, l);
}

/*
 * Nothing loaded: 0 of each, the last command asked for the saved
 * sessions' range, TPM_LOADED_MAX of them, byte for byte as TPM 2.0
 * part 3, 30.2 lays out TPM2_GetCapability.
 */
static void test_empty(void **state)
{
	static const uint8_t want[] = {
		0x80, 0x01, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x01, 0x7a,
		0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, TPM_LOADED_MAX,
	};
	struct tpm_fake_tcti *f;
	struct tpm_loaded l;

	(void)state;
	assert_int_equal(count(&empty, &l, &f), 0);
	assert_int_equal(l.objects, 0);
	assert_int_equal(l.sessions, 0);
	assert_int_equal(f->command_len, sizeof(want));
	assert_memory_equal(f->command, want, sizeof(want));
	tpm_close(&t);
}

static const struct {
	const char *name;
	struct answer a;
	int rc;
} cases[] = {
	{ "the TPM refuses (TPM_RC_FAILURE)",
	  { 0x101, 0, CAP_HANDLES, 0, { 0 }, 0 }, -OCIBOOT_EPROTO },
	{ "another capability",
	  { 0, 0, CAP_ALGS, 0, { 0 }, 0 }, -OCIBOOT_EPROTO },
	{ "more to come",
	  { 0, 1, CAP_HANDLES, 0, { 0 }, 0 }, -OCIBOOT_EPROTO },
	{ "moreData neither yes nor no",
	  { 0, 2, CAP_HANDLES, 0, { 0 }, 0 }, -OCIBOOT_EPROTO },
	/* The same answer comes to every range: a transient handle is out
	 * of the sessions' ranges, a session's out of the objects'. */
	{ "a transient handle listed for sessions",
	  { 0, 0, CAP_HANDLES, 1, { 0x80000000 }, 0 }, -OCIBOOT_EPROTO },
	{ "a session listed for objects",
	  { 0, 0, CAP_HANDLES, 1, { 0x02000000 }, 0 }, -OCIBOOT_EPROTO },
	{ "a persistent handle",
	  { 0, 0, CAP_HANDLES, 1, { 0x81000100 }, 0 }, -OCIBOOT_EPROTO },
	{ "an NV index",
	  { 0, 0, CAP_HANDLES, 1, { 0x01500111 }, 0 }, -OCIBOOT_EPROTO },
	{ "a count over TPM_LOADED_MAX",
	  { 0, 0, CAP_HANDLES, TPM_LOADED_MAX + 1, { 0 }, 0 },
	  -OCIBOOT_EPROTO },
	{ "a count the answer does not hold",
	  { 0, 0, CAP_HANDLES, 2, { 0x80000000 }, -4 },
	  -OCIBOOT_EMALFORMED },
	{ "a trailing byte", { 0, 0, CAP_HANDLES, 0, { 0 }, 1 },
	  -OCIBOOT_EMALFORMED },
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tpm_fake_tcti *f;
		struct tpm_loaded l;

		print_message("answer: %s\n", cases[i].name);
		assert_int_equal(count(&cases[i].a, &l, &f), cases[i].rc);
		tpm_close(&t);
	}
}

/* Every proper prefix of a valid answer, its size field made to match. */
static void test_truncated(void **state)
{
	struct answer a = { 0, 0, CAP_HANDLES, 0, { 0 }, 0 };
	size_t full = build((uint8_t[RSP_MAX]){ 0 }, &a);

	(void)state;
	for (size_t cut = 1; cut < full; cut++) {
		struct tpm_fake_tcti *f;
		struct tpm_loaded l;

		a.trailing = -(int)cut;
		assert_true(count(&a, &l, &f) < 0);
		tpm_close(&t);
	}
}

/*
 * A TPM that lists one transient object whatever it is told (the fake
 * answers TPM2_FlushContext with the same bytes, which tss2-sys takes as
 * a success with parameters it ignores, or refuses): never flushed
 * forever, and what was sent counted.
 */
static void test_flush_never_lets_go(void **state)
{
	struct answer a = { 0, 0, CAP_HANDLES, 1, { 0x80000001 }, 0 };
	uint8_t rsp[RSP_MAX];
	struct tpm_fake_tcti *f = fake(rsp, build(rsp, &a));
	struct tpm_loaded flushed;
	int r;

	(void)state;
	r = tpm_flush_loaded(&t, &flushed);
	print_message("r %d, flushed %u objects\n", r, flushed.objects);
	assert_true(r < 0);
	assert_true(flushed.objects <= TPM_FLUSH_ROUNDS);
	assert_int_equal(flushed.sessions, 0);
	if (flushed.objects > 0) {
		assert_int_equal(r, -OCIBOOT_EPROTO);
		/* The last command: a list, after the last flush. */
		assert_int_equal(be32_load(f->command + 6), CC_GET_CAPABILITY);
	} else {
		assert_int_equal(be32_load(f->command + 6), CC_FLUSH_CONTEXT);
		assert_int_equal(be32_load(f->command + 10), 0x80000001);
	}
	tpm_close(&t);
}

/* Nothing listed: nothing flushed, the three ranges asked. */
static void test_flush_nothing(void **state)
{
	uint8_t rsp[RSP_MAX];
	struct tpm_loaded flushed;

	(void)state;
	fake(rsp, build(rsp, &empty));
	assert_int_equal(tpm_flush_loaded(&t, &flushed), 0);
	assert_int_equal(flushed.objects, 0);
	assert_int_equal(flushed.sessions, 0);
	tpm_close(&t);
}

static void test_closed(void **state)
{
	struct tpm_loaded l;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(tpm_loaded_count(&t, &l), -EBADF);
	assert_int_equal(tpm_flush_loaded(&t, &l), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flush_never_lets_go),
		cmocka_unit_test(test_flush_nothing),
		cmocka_unit_test(test_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
