/* SPDX-License-Identifier: MIT */
/*
 * tpm: PCR reads checked three ways.
 *
 * 1. Against a fake TCTI that returns crafted PCR_Read responses: the command
 *    bytes we send, each check on the response (table-driven), truncation at
 *    every offset and a flip of every byte.
 * 2. Against swtpm, started by this test (socket interface for tcti-swtpm;
 *    character-device interface over a pty for tcti-device), with tpm2-tools
 *    as the reference: every sha256 PCR read both ways, PCR 7 extended with
 *    tpm2_pcrextend and compared with sha256(old || data), bad indexes and
 *    unreachable TPMs refused without leaking fds or memory.
 * 3. With OCIBOOT_TPM_TCTI set (e.g. "device:/dev/tpmrm0" or
 *    "swtpm:path=..."), the read-only comparisons run against that TPM
 *    instead of a swtpm of our own; nothing is extended.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* The fake TCTI needs tpm.c's internals (open_sys). */
#include "tpm/tpm.c"

#include "crypto/sha256.h"
#include "lib/clock.h"
#include "lib/endian.h"
#include "lib/fileio.h"
#include "lib/hex.h"
#include "tpm/tpm_fake.h"

#define RESPONSE_MAX 512
#define PCR_READ_RESPONSE_LEN 62	/* header 10 + parameters 52 */
#define DIGEST_OFFSET 30		/* of the digest in that response */
#define COUNTER_OFFSET 10		/* of pcrUpdateCounter */
#define COUNTER_LEN 4
#define TEST_PCR 7
#define DIGEST_PATTERN 0xa0
#define WAIT_STEP_MS 20
#define START_TIMEOUT_MS 10000
#define TOOL_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS 5000
#define SOCKET_PATH_MAX 100		/* under sun_path's 108 */

/* --- a fake TCTI ------------------------------------------------------- */

/* Open t over a fake TCTI answering every command with (rsp, len). */
static struct tpm_fake_tcti *fake_open(struct tpm *t, const uint8_t *rsp,
				       size_t len)
{
	struct tpm_fake_tcti *f = (struct tpm_fake_tcti *)t->storage;

	_Static_assert(sizeof(struct tpm_fake_tcti) <= TPM_CONTEXT_MAX / 4,
		       "fake TCTI leaves no room for the SYS context");
	memset(t, 0, sizeof(*t));
	assert_true(len <= sizeof(f->response));
	tpm_fake_init(f, rsp, len);
	t->tcti = f;
	assert_int_equal(open_sys(t, sizeof(*f)), 0);
	return f;
}

/* --- PCR_Read responses ------------------------------------------------ */

struct rsp_spec {
	uint16_t tag;
	uint32_t rc;
	uint32_t selection_count;
	uint16_t hash;
	uint8_t sizeof_select;
	uint8_t select[8];
	uint32_t digest_count;
	uint16_t digest_size;
	size_t trailing;		/* zero bytes after the digests */
	int32_t size_delta;		/* added to the header's size field */
};

static void valid_spec(struct rsp_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->tag = TPM2_ST_NO_SESSIONS;
	s->selection_count = 1;
	s->hash = TPM2_ALG_SHA256;
	s->sizeof_select = 3;
	s->select[TEST_PCR / 8] = 1U << (TEST_PCR % 8);
	s->digest_count = 1;
	s->digest_size = TPM_SHA256_LEN;
}

struct writer {
	uint8_t *buf;
	size_t len;
};

static void put8(struct writer *w, uint8_t v)
{
	assert_true(w->len < RESPONSE_MAX);
	w->buf[w->len++] = v;
}

static void put16(struct writer *w, uint16_t v)
{
	assert_true(RESPONSE_MAX - w->len >= 2);
	be16_store(w->buf + w->len, v);
	w->len += 2;
}

static void put32(struct writer *w, uint32_t v)
{
	assert_true(RESPONSE_MAX - w->len >= 4);
	be32_store(w->buf + w->len, v);
	w->len += 4;
}

static void put_body(struct writer *w, const struct rsp_spec *s)
{
	put32(w, 0x1234);	/* pcrUpdateCounter */
	put32(w, s->selection_count);
	for (uint32_t i = 0; i < s->selection_count && i < 20; i++) {
		put16(w, s->hash);
		put8(w, s->sizeof_select);
		for (size_t j = 0; j < s->sizeof_select; j++)
			put8(w, j < sizeof(s->select) ? s->select[j] : 0);
	}
	put32(w, s->digest_count);
	for (uint32_t i = 0; i < s->digest_count && i < 10; i++) {
		put16(w, s->digest_size);
		for (size_t j = 0; j < s->digest_size; j++)
			put8(w, (uint8_t)(DIGEST_PATTERN + i * 0x10 + j));
	}
	for (size_t i = 0; i < s->trailing; i++)
		put8(w, 0);
}

/* Build a response as a TPM would: a bare header when rc is an error. */
static size_t build_response(uint8_t *buf, const struct rsp_spec *s)
{
	struct writer w = { buf, 0 };
	uint32_t size;

	put16(&w, s->tag);
	put32(&w, 0);		/* size, patched below */
	put32(&w, s->rc);
	if (s->rc == 0)
		put_body(&w, s);
	size = (uint32_t)((int64_t)w.len + s->size_delta);
	be32_store(buf + 2, size);
	return w.len;
}

static void expected_digest(uint8_t digest[TPM_SHA256_LEN])
{
	for (size_t j = 0; j < TPM_SHA256_LEN; j++)
		digest[j] = (uint8_t)(DIGEST_PATTERN + j);
}

/* Run one PCR_Read of TEST_PCR over a fake TCTI answering (rsp, len). */
static int fake_read(const uint8_t *rsp, size_t len,
		     uint8_t digest[TPM_SHA256_LEN], uint32_t *last_rc)
{
	static struct tpm t;
	struct tpm_fake_tcti *f = fake_open(&t, rsp, len);
	int r = tpm_pcr_read_sha256(&t, TEST_PCR, digest);

	*last_rc = t.last_rc;
	if (f->command_len)
		assert_int_equal(f->timeout, TPM_COMMAND_TIMEOUT_MS);
	tpm_close(&t);
	assert_int_equal(f->finalized, 1);
	assert_null(t.tcti);
	return r;
}

/* --- fake TCTI tests --------------------------------------------------- */

/* The command on the wire, byte for byte as TPM 2.0 part 3 lays it out. */
static void test_command_bytes(void **state)
{
	static const struct {
		unsigned pcr;
		uint8_t select[3];
	} cases[] = {
		{ 0, { 0x01, 0x00, 0x00 } },
		{ 7, { 0x80, 0x00, 0x00 } },
		{ 8, { 0x00, 0x01, 0x00 } },
		{ 23, { 0x00, 0x00, 0x80 } },
	};
	static struct tpm t;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const uint8_t want[] = {
			0x80, 0x01,		/* TPM_ST_NO_SESSIONS */
			0x00, 0x00, 0x00, 0x14,	/* commandSize 20 */
			0x00, 0x00, 0x01, 0x7e,	/* TPM_CC_PCR_Read */
			0x00, 0x00, 0x00, 0x01,	/* one selection */
			0x00, 0x0b,		/* TPM_ALG_SHA256 */
			0x03,			/* sizeofSelect */
			cases[i].select[0], cases[i].select[1],
			cases[i].select[2],
		};
		uint8_t digest[TPM_SHA256_LEN];
		struct tpm_fake_tcti *f = fake_open(&t, (const uint8_t *)"", 0);

		assert_int_not_equal(tpm_pcr_read_sha256(&t, cases[i].pcr,
							 digest), 0);
		assert_int_equal(f->command_len, sizeof(want));
		assert_memory_equal(f->command, want, sizeof(want));
		tpm_close(&t);
	}
}

enum field {
	F_NONE,
	F_TAG,
	F_RC,
	F_SELECTION_COUNT,
	F_HASH,
	F_SIZEOF_SELECT,
	F_SELECT0,		/* the byte holding TEST_PCR */
	F_SELECT1,
	F_SELECT3,		/* beyond the three bytes we select with */
	F_DIGEST_COUNT,
	F_DIGEST_SIZE,
	F_TRAILING,
	F_SIZE_DELTA,
};

struct edit {
	enum field field;
	int64_t value;
};

struct response_case {
	const char *name;
	struct edit edits[2];
	int rc;
	uint32_t last_rc;
};

static const struct response_case response_cases[] = {
	{ "valid", { { F_NONE, 0 } }, 0, 0 },
	{ "TPM error", { { F_RC, 0x1c4 } }, -OCIBOOT_EPROTO, 0x1c4 },
	{ "TPM not started", { { F_RC, TPM2_RC_INITIALIZE } },
	  -OCIBOOT_EPROTO, TPM2_RC_INITIALIZE },
	{ "TPM failure mode", { { F_RC, TPM2_RC_FAILURE } },
	  -OCIBOOT_EPROTO, TPM2_RC_FAILURE },
	{ "resource manager error",
	  { { F_RC, TSS2_RESMGR_TPM_RC_LAYER | 0x922 } },
	  -OCIBOOT_EPROTO, TSS2_RESMGR_TPM_RC_LAYER | 0x922 },
	/* No TPM sends a layer number; one that is no tss2 layer is still
	 * the TPM's refusal. */
	{ "code with layer 1", { { F_RC, 0x1000b } }, -OCIBOOT_EPROTO,
	  0x1000b },
	{ "TPM 1.2 tag", { { F_TAG, 0x00c4 } }, -EIO,
	  TSS2_SYS_RC_GENERAL_FAILURE },
	{ "unknown tag", { { F_TAG, 0x1234 } }, -OCIBOOT_EMALFORMED,
	  TSS2_SYS_RC_MALFORMED_RESPONSE },
	{ "sessions tag", { { F_TAG, TPM2_ST_SESSIONS } }, -OCIBOOT_EMALFORMED,
	  TSS2_SYS_RC_MALFORMED_RESPONSE },
	{ "no selection", { { F_SELECTION_COUNT, 0 } }, -OCIBOOT_EPROTO, 0 },
	{ "two selections", { { F_SELECTION_COUNT, 2 } }, -OCIBOOT_EPROTO,
	  0 },
	{ "17 selections", { { F_SELECTION_COUNT, 17 } }, -OCIBOOT_EMALFORMED,
	  TSS2_SYS_RC_MALFORMED_RESPONSE },
	{ "sha1 bank", { { F_HASH, TPM2_ALG_SHA1 } }, -OCIBOOT_EPROTO, 0 },
	{ "empty selection (PCR not implemented)", { { F_SELECT0, 0 } },
	  -OCIBOOT_EPROTO, 0 },
	{ "other PCR", { { F_SELECT0, 0x40 } }, -OCIBOOT_EPROTO, 0 },
	{ "one PCR more", { { F_SELECT0, 0xc0 } }, -OCIBOOT_EPROTO, 0 },
	{ "PCR 8 too", { { F_SELECT1, 0x01 } }, -OCIBOOT_EPROTO, 0 },
	{ "sizeofSelect 0", { { F_SIZEOF_SELECT, 0 } }, -OCIBOOT_EPROTO, 0 },
	{ "sizeofSelect 1, same PCR", { { F_SIZEOF_SELECT, 1 } }, 0, 0 },
	{ "sizeofSelect 4, same PCR", { { F_SIZEOF_SELECT, 4 } }, 0, 0 },
	{ "sizeofSelect 4, PCR 24 too",
	  { { F_SIZEOF_SELECT, 4 }, { F_SELECT3, 0x01 } },
	  -OCIBOOT_EPROTO, 0 },
	{ "sizeofSelect 5", { { F_SIZEOF_SELECT, 5 } }, -OCIBOOT_EMALFORMED,
	  TSS2_SYS_RC_MALFORMED_RESPONSE },
	{ "no digest", { { F_DIGEST_COUNT, 0 } }, -OCIBOOT_EPROTO, 0 },
	{ "two digests", { { F_DIGEST_COUNT, 2 } }, -OCIBOOT_EPROTO, 0 },
	{ "9 digests", { { F_DIGEST_COUNT, 9 } }, -OCIBOOT_EMALFORMED,
	  TSS2_SYS_RC_MALFORMED_RESPONSE },
	{ "sha1-sized digest", { { F_DIGEST_SIZE, 20 } }, -OCIBOOT_EPROTO,
	  0 },
	{ "empty digest", { { F_DIGEST_SIZE, 0 } }, -OCIBOOT_EPROTO, 0 },
	{ "33-byte digest", { { F_DIGEST_SIZE, 33 } }, -OCIBOOT_EPROTO, 0 },
	{ "65-byte digest", { { F_DIGEST_SIZE, 65 } }, -OCIBOOT_EMALFORMED,
	  TSS2_MU_RC_INSUFFICIENT_BUFFER },
	{ "trailing byte", { { F_TRAILING, 1 } }, -OCIBOOT_EMALFORMED, 0 },
	{ "size field one more", { { F_SIZE_DELTA, 1 } },
	  -OCIBOOT_EMALFORMED, 0 },
	{ "size field one less", { { F_SIZE_DELTA, -1 } },
	  -OCIBOOT_EMALFORMED, 0 },
	{ "size field over the buffer", { { F_SIZE_DELTA, 5000 } },
	  -OCIBOOT_EMALFORMED, TSS2_SYS_RC_MALFORMED_RESPONSE },
};

static void apply_edit(struct rsp_spec *s, const struct edit *e)
{
	switch (e->field) {
	case F_NONE: break;
	case F_TAG: s->tag = (uint16_t)e->value; break;
	case F_RC: s->rc = (uint32_t)e->value; break;
	case F_SELECTION_COUNT: s->selection_count = (uint32_t)e->value; break;
	case F_HASH: s->hash = (uint16_t)e->value; break;
	case F_SIZEOF_SELECT: s->sizeof_select = (uint8_t)e->value; break;
	case F_SELECT0: s->select[0] = (uint8_t)e->value; break;
	case F_SELECT1: s->select[1] = (uint8_t)e->value; break;
	case F_SELECT3: s->select[3] = (uint8_t)e->value; break;
	case F_DIGEST_COUNT: s->digest_count = (uint32_t)e->value; break;
	case F_DIGEST_SIZE: s->digest_size = (uint16_t)e->value; break;
	case F_TRAILING: s->trailing = (size_t)e->value; break;
	case F_SIZE_DELTA: s->size_delta = (int32_t)e->value; break;
	}
}

static void test_response_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(response_cases); i++) {
		const struct response_case *c = &response_cases[i];
		uint8_t rsp[RESPONSE_MAX], digest[TPM_SHA256_LEN], want[32];
		struct rsp_spec spec;
		uint32_t last_rc;
		size_t len;
		int r;

		print_message("response: %s\n", c->name);
		valid_spec(&spec);
		for (size_t j = 0; j < ARRAY_SIZE(c->edits); j++)
			apply_edit(&spec, &c->edits[j]);
		len = build_response(rsp, &spec);
		memset(digest, 0x55, sizeof(digest));
		r = fake_read(rsp, len, digest, &last_rc);
		assert_int_equal(r, c->rc);
		assert_int_equal(last_rc, c->last_rc);
		if (r == 0)
			expected_digest(want);
		else
			memset(want, 0x55, sizeof(want));
		assert_memory_equal(digest, want, sizeof(want));
	}
}

/* Every proper prefix of a valid response, its size field made to match. */
static void test_response_truncated(void **state)
{
	uint8_t full[RESPONSE_MAX], rsp[RESPONSE_MAX];
	struct rsp_spec spec;
	size_t len;

	valid_spec(&spec);
	len = build_response(full, &spec);
	assert_int_equal(len, PCR_READ_RESPONSE_LEN);
	for (size_t n = 0; n < len; n++) {
		uint8_t digest[TPM_SHA256_LEN], untouched[TPM_SHA256_LEN];
		uint32_t last_rc;

		memcpy(rsp, full, n);
		if (n >= 6)
			be32_store(rsp + 2, (uint32_t)n);
		memset(digest, 0x55, sizeof(digest));
		memset(untouched, 0x55, sizeof(untouched));
		assert_true(fake_read(rsp, n, digest, &last_rc) < 0);
		assert_memory_equal(digest, untouched, sizeof(digest));
	}
}

static bool in_range(size_t i, size_t start, size_t len)
{
	return i >= start && i < start + len;
}

/*
 * Flip every byte of a valid response three ways: only a change of the
 * update counter or of the digest itself may still be accepted, and then
 * the digest read is exactly the one sent.
 */
static void test_response_flipped(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	uint8_t full[RESPONSE_MAX], rsp[RESPONSE_MAX];
	struct rsp_spec spec;
	size_t len;

	valid_spec(&spec);
	len = build_response(full, &spec);
	for (size_t i = 0; i < len; i++) {
		for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
			uint8_t digest[TPM_SHA256_LEN];
			uint32_t last_rc;
			int r;

			memcpy(rsp, full, len);
			rsp[i] ^= masks[m];
			r = fake_read(rsp, len, digest, &last_rc);
			if (in_range(i, COUNTER_OFFSET, COUNTER_LEN) ||
			    in_range(i, DIGEST_OFFSET, TPM_SHA256_LEN)) {
				assert_int_equal(r, 0);
				assert_memory_equal(digest,
						    rsp + DIGEST_OFFSET,
						    TPM_SHA256_LEN);
			} else {
				assert_true(r < 0);
			}
		}
	}
}

static void test_transport_errors(void **state)
{
	static const struct {
		bool on_transmit;
		TSS2_RC rc;
		int want;
	} cases[] = {
		{ true, TSS2_TCTI_RC_IO_ERROR, -EIO },
		{ false, TSS2_TCTI_RC_IO_ERROR, -EIO },
		{ false, TSS2_TCTI_RC_TRY_AGAIN, -OCIBOOT_ETIMEOUT },
		{ false, TSS2_TCTI_RC_NO_CONNECTION, -EIO },
		{ false, TSS2_TCTI_RC_GENERAL_FAILURE, -EIO },
	};
	static struct tpm t;
	uint8_t rsp[RESPONSE_MAX], digest[TPM_SHA256_LEN];
	struct rsp_spec spec;
	size_t len;

	valid_spec(&spec);
	len = build_response(rsp, &spec);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tpm_fake_tcti *f = fake_open(&t, rsp, len);

		if (cases[i].on_transmit)
			f->transmit_rc = cases[i].rc;
		else
			f->receive_rc = cases[i].rc;
		assert_int_equal(tpm_pcr_read_sha256(&t, 0, digest),
				 cases[i].want);
		assert_int_equal(t.last_rc, cases[i].rc);
		tpm_close(&t);
	}
}

/* After a refusal the handle still works; after success last_rc is 0. */
static void test_error_then_success(void **state)
{
	static struct tpm t;
	uint8_t bad[RESPONSE_MAX], good[RESPONSE_MAX];
	uint8_t digest[TPM_SHA256_LEN], want[TPM_SHA256_LEN];
	struct rsp_spec spec;
	struct tpm_fake_tcti *f;
	size_t bad_len, good_len;

	valid_spec(&spec);
	good_len = build_response(good, &spec);
	spec.rc = TPM2_RC_FAILURE;
	bad_len = build_response(bad, &spec);

	f = fake_open(&t, bad, bad_len);
	assert_int_equal(tpm_pcr_read_sha256(&t, TEST_PCR, digest),
			 -OCIBOOT_EPROTO);
	assert_int_equal(t.last_rc, TPM2_RC_FAILURE);
	memcpy(f->response, good, good_len);
	f->response_len = good_len;
	assert_int_equal(tpm_pcr_read_sha256(&t, TEST_PCR, digest), 0);
	assert_int_equal(t.last_rc, 0);
	expected_digest(want);
	assert_memory_equal(digest, want, sizeof(want));
	tpm_close(&t);
}

static void test_bad_index_fake(void **state)
{
	static const unsigned bad[] = { TPM_PCR_COUNT, 31, 32, 1000, UINT_MAX };
	static struct tpm t;
	uint8_t digest[TPM_SHA256_LEN] = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct tpm_fake_tcti *f = fake_open(&t, (const uint8_t *)"", 0);

		assert_int_equal(tpm_pcr_read_sha256(&t, bad[i], digest),
				 -EINVAL);
		assert_int_equal(f->command_len, 0);	/* TPM not asked */
		tpm_close(&t);
	}
}

/* --- conf strings and closed handles ----------------------------------- */

static void test_conf_refused(void **state)
{
	static const char *const bad[] = {
		"", "device:", "swtpm:", "device", "swtpm", "mssim:port=2321",
		"tabrmd:", "Device:/dev/tpmrm0", " device:/dev/tpmrm0",
	};
	static struct tpm t;

	assert_int_equal(tpm_open(&t, NULL), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		print_message("conf: '%s'\n", bad[i]);
		assert_int_equal(tpm_open(&t, bad[i]), -EINVAL);
		assert_null(t.tcti);
		assert_null(t.sys);
		tpm_close(&t);
	}
}

/* conf of TPM_CONF_MAX - 1 characters is tried, one more is refused. */
static void test_conf_length(void **state)
{
	static struct tpm t;
	char conf[TPM_CONF_MAX + 1];
	size_t n;

	n = (size_t)snprintf(conf, sizeof(conf), "device:/nonexistent/");
	memset(conf + n, 'a', sizeof(conf) - n);
	conf[TPM_CONF_MAX - 1] = '\0';
	assert_int_equal(tpm_open(&t, conf), -ENOENT);
	conf[TPM_CONF_MAX - 1] = 'a';
	conf[TPM_CONF_MAX] = '\0';
	assert_int_equal(tpm_open(&t, conf), -ENAMETOOLONG);
	assert_null(t.tcti);
}

static void test_closed_handle(void **state)
{
	static struct tpm t;
	uint8_t digest[TPM_SHA256_LEN];

	memset(&t, 0, sizeof(t));
	tpm_close(&t);
	tpm_close(&t);
	assert_int_equal(tpm_pcr_read_sha256(&t, 0, digest), -EBADF);
}

/* --- processes ----------------------------------------------------------- */

/*
 * Start argv[0] from PATH with TPM2TOOLS_TCTI=tcti (if not NULL), stdout to
 * /dev/null unless keep_stdout. The child dies with this process.
 */
static pid_t spawn(char *const argv[], const char *tcti, bool keep_stdout)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(126);
	if (tcti && setenv("TPM2TOOLS_TCTI", tcti, 1) < 0)
		_exit(126);
	if (!keep_stdout) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
			_exit(126);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Wait up to timeout_ms for pid; its exit status, or -1 if it was killed. */
static int wait_for(pid_t pid, uint32_t timeout_ms)
{
	int64_t deadline = clock_deadline_ms(timeout_ms);
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0)
			return -1;
		if (clock_deadline_passed(deadline)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		clock_sleep_ms(WAIT_STEP_MS);
	}
}

static int run(char *const argv[], const char *tcti)
{
	return wait_for(spawn(argv, tcti, false), TOOL_TIMEOUT_MS);
}

/* --- swtpm fixtures ------------------------------------------------------ */

enum tpm_kind { TPM_SWTPM_SOCKET, TPM_SWTPM_PTY, TPM_EXTERNAL };

struct fixture {
	enum tpm_kind kind;
	char dir[PATH_MAX];
	char ctrl[SOCKET_PATH_MAX];
	char conf[TPM_CONF_MAX];	/* ours and tpm2-tools' TCTI alike */
	pid_t pid;
	int pty;			/* the pty's terminal side, kept open */
};

static struct fixture fixture;

static void join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < size);
}

static void make_temp_dir(char dir[PATH_MAX])
{
	snprintf(dir, PATH_MAX, "/tmp/tpm-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void remove_temp_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX];

		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		join(path, sizeof(path), dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* swtpm answers on its control channel once its main loop runs. */
static int wait_ready(struct fixture *fx)
{
	int64_t deadline = clock_deadline_ms(START_TIMEOUT_MS);
	char *const argv[] = { "swtpm_ioctl", "-c", "--unix", fx->ctrl, NULL };

	while (!clock_deadline_passed(deadline)) {
		struct stat st;

		if (waitpid(fx->pid, NULL, WNOHANG) != 0) {
			fx->pid = 0;	/* swtpm exited, and is reaped */
			return -1;
		}
		if (stat(fx->ctrl, &st) == 0 && run(argv, NULL) == 0)
			return 0;
		clock_sleep_ms(WAIT_STEP_MS);
	}
	return -1;
}

static void start_socket(struct fixture *fx)
{
	char state[PATH_MAX + 16], server[PATH_MAX + 32], ctrl[PATH_MAX + 32];
	char sock[SOCKET_PATH_MAX];
	char *argv[] = { "swtpm", "socket", "--tpm2", "--tpmstate", state,
			 "--server", server, "--ctrl", ctrl, "--flags",
			 "not-need-init,startup-clear", NULL };

	join(sock, sizeof(sock), fx->dir, "tpm.sock");
	join(fx->ctrl, sizeof(fx->ctrl), fx->dir, "tpm.sock.ctrl");
	snprintf(state, sizeof(state), "dir=%s", fx->dir);
	snprintf(server, sizeof(server), "type=unixio,path=%s", sock);
	snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s", fx->ctrl);
	snprintf(fx->conf, sizeof(fx->conf), "swtpm:path=%s", sock);
	fx->pid = spawn(argv, NULL, true);
}

/* swtpm's character-device mode over a raw pty stands in for /dev/tpm0. */
static void start_pty(struct fixture *fx)
{
	char state[PATH_MAX + 16], ctrl[PATH_MAX + 32], fd[16], name[64];
	char *argv[] = { "swtpm", "chardev", "--tpm2", "--fd", fd,
			 "--tpmstate", state, "--ctrl", ctrl, "--flags",
			 "not-need-init,startup-clear", NULL };
	struct termios tio;
	int master;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_int_equal(ptsname_r(master, name, sizeof(name)), 0);
	fx->pty = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(fx->pty >= 0);
	assert_int_equal(tcgetattr(fx->pty, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(fx->pty, TCSANOW, &tio), 0);

	join(fx->ctrl, sizeof(fx->ctrl), fx->dir, "ctrl.sock");
	snprintf(fd, sizeof(fd), "%d", master);
	snprintf(state, sizeof(state), "dir=%s", fx->dir);
	snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s", fx->ctrl);
	snprintf(fx->conf, sizeof(fx->conf), "device:%s", name);
	fx->pid = spawn(argv, NULL, true);
	close(master);
}

static int setup_swtpm(enum tpm_kind kind)
{
	struct fixture *fx = &fixture;

	memset(fx, 0, sizeof(*fx));
	fx->kind = kind;
	fx->pty = -1;
	make_temp_dir(fx->dir);
	if (kind == TPM_SWTPM_SOCKET)
		start_socket(fx);
	else
		start_pty(fx);
	if (wait_ready(fx) < 0) {
		fprintf(stderr, "swtpm did not start (is it installed?)\n");
		return -1;
	}
	print_message("swtpm ready: %s\n", fx->conf);
	return 0;
}

static int setup_socket(void **state)
{
	return setup_swtpm(TPM_SWTPM_SOCKET);
}

static int setup_pty(void **state)
{
	return setup_swtpm(TPM_SWTPM_PTY);
}

static int teardown_swtpm(void **state)
{
	struct fixture *fx = &fixture;

	if (fx->pid > 0) {
		kill(fx->pid, SIGTERM);
		if (wait_for(fx->pid, STOP_TIMEOUT_MS) < 0)
			fprintf(stderr, "swtpm had to be killed\n");
		fx->pid = 0;
	}
	if (fx->pty >= 0)
		close(fx->pty);
	fx->pty = -1;
	remove_temp_dir(fx->dir);
	return 0;
}

static int setup_external(void **state)
{
	const char *conf = getenv("OCIBOOT_TPM_TCTI");

	memset(&fixture, 0, sizeof(fixture));
	fixture.kind = TPM_EXTERNAL;
	fixture.pty = -1;
	if (!conf || strlen(conf) >= sizeof(fixture.conf))
		return -1;
	strcpy(fixture.conf, conf);
	make_temp_dir(fixture.dir);
	return 0;
}

/* --- tests against a TPM ------------------------------------------------ */

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* The file at path holds exactly len bytes: into buf. */
static void read_file(const char *path, uint8_t *buf, size_t len)
{
	assert_int_equal(fileio_read_file(AT_FDCWD, path, buf, len,
					  FILEIO_REGULAR), (ssize_t)len);
}

/* Every sha256 PCR, as tpm2_pcrread writes them: 24 digests in order. */
static void reference_pcrs(uint8_t out[TPM_PCR_COUNT][TPM_SHA256_LEN])
{
	char path[PATH_MAX], list[128] = "sha256:";
	char *argv[] = { "tpm2_pcrread", list, "-o", path, NULL };

	for (unsigned i = 0; i < TPM_PCR_COUNT; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%u", i ? "," : "", i);
	join(path, sizeof(path), fixture.dir, "pcrs.bin");
	assert_int_equal(run(argv, fixture.conf), 0);
	read_file(path, &out[0][0], TPM_PCR_COUNT * TPM_SHA256_LEN);
	unlink(path);
}

static void our_pcrs(uint8_t out[TPM_PCR_COUNT][TPM_SHA256_LEN])
{
	static struct tpm t;

	assert_int_equal(tpm_open(&t, fixture.conf), 0);
	for (unsigned i = 0; i < TPM_PCR_COUNT; i++) {
		assert_int_equal(tpm_pcr_read_sha256(&t, i, out[i]), 0);
		assert_int_equal(t.last_rc, 0);
	}
	tpm_close(&t);
}

static void test_all_pcrs_match_tpm2_pcrread(void **state)
{
	uint8_t ours[TPM_PCR_COUNT][TPM_SHA256_LEN];
	uint8_t reference[TPM_PCR_COUNT][TPM_SHA256_LEN];

	memset(ours, 0x55, sizeof(ours));
	our_pcrs(ours);
	reference_pcrs(reference);
	for (unsigned i = 0; i < TPM_PCR_COUNT; i++) {
		print_message("PCR %u\n", i);
		assert_memory_equal(ours[i], reference[i], TPM_SHA256_LEN);
	}
}

/* A fresh TPM: PCR 0 is zeros, PCR 17 (locality 4 only) all ones. */
static void test_fresh_values(void **state)
{
	uint8_t pcrs[TPM_PCR_COUNT][TPM_SHA256_LEN];
	uint8_t zeros[TPM_SHA256_LEN], ones[TPM_SHA256_LEN];

	memset(zeros, 0, sizeof(zeros));
	memset(ones, 0xff, sizeof(ones));
	our_pcrs(pcrs);
	assert_memory_equal(pcrs[0], zeros, TPM_SHA256_LEN);
	assert_memory_equal(pcrs[17], ones, TPM_SHA256_LEN);
}

/* Extend PCR 7 with tpm2_pcrextend; read it back three ways. */
static void test_extend_pcr7(void **state)
{
	static struct tpm t;
	static const char data[] = "ociboot tpm test";
	uint8_t before[TPM_SHA256_LEN], after[TPM_SHA256_LEN];
	uint8_t measured[TPM_SHA256_LEN], expected[TPM_SHA256_LEN];
	uint8_t reference[TPM_PCR_COUNT][TPM_SHA256_LEN];
	char spec[16 + 2 * TPM_SHA256_LEN + 1] = "7:sha256=";
	char *argv[] = { "tpm2_pcrextend", spec, NULL };
	struct sha256 h;

	assert_int_equal(tpm_open(&t, fixture.conf), 0);
	assert_int_equal(tpm_pcr_read_sha256(&t, 7, before), 0);

	sha256_digest(data, sizeof(data) - 1, measured);
	hex_encode(measured, sizeof(measured), spec + strlen(spec));
	assert_int_equal(run(argv, fixture.conf), 0);

	sha256_init(&h);
	sha256_update(&h, before, sizeof(before));
	sha256_update(&h, measured, sizeof(measured));
	sha256_final(&h, expected);

	assert_int_equal(tpm_pcr_read_sha256(&t, 7, after), 0);
	tpm_close(&t);
	reference_pcrs(reference);
	assert_memory_not_equal(after, before, TPM_SHA256_LEN);
	assert_memory_equal(after, expected, TPM_SHA256_LEN);
	assert_memory_equal(after, reference[7], TPM_SHA256_LEN);
}

static void test_bad_index(void **state)
{
	static const unsigned bad[] = { TPM_PCR_COUNT, 25, 1000, UINT_MAX };
	static struct tpm t;
	uint8_t digest[TPM_SHA256_LEN], untouched[TPM_SHA256_LEN];

	memset(digest, 0x55, sizeof(digest));
	memset(untouched, 0x55, sizeof(untouched));
	assert_int_equal(tpm_open(&t, fixture.conf), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(tpm_pcr_read_sha256(&t, bad[i], digest),
				 -EINVAL);
		assert_memory_equal(digest, untouched, sizeof(digest));
	}
	/* The handle still works. */
	assert_int_equal(tpm_pcr_read_sha256(&t, TPM_PCR_COUNT - 1, digest),
			 0);
	tpm_close(&t);
}

/* Opens and closes leave no fd behind; the TPM device fd is CLOEXEC. */
static void test_no_fd_leak(void **state)
{
	static struct tpm t;
	int before = count_open_fds();
	uint8_t digest[TPM_SHA256_LEN];

	for (int i = 0; i < 5; i++) {
		assert_int_equal(tpm_open(&t, fixture.conf), 0);
		assert_int_equal(tpm_pcr_read_sha256(&t, 0, digest), 0);
		if (fixture.kind == TPM_SWTPM_PTY) {
			TSS2_TCTI_POLL_HANDLE handle;
			size_t n = 1;

			assert_int_equal(Tss2_Tcti_GetPollHandles(
				(TSS2_TCTI_CONTEXT *)t.tcti, &handle, &n), 0);
			assert_int_equal(fcntl(handle.fd, F_GETFD),
					 FD_CLOEXEC);
			assert_int_equal(count_open_fds(), before + 1);
		}
		tpm_close(&t);
		assert_null(t.tcti);
		tpm_close(&t);
	}
	assert_int_equal(count_open_fds(), before);
}

/* --- unreachable TPMs --------------------------------------------------- */

struct unreachable_case {
	const char *name;
	const char *conf_fmt;		/* %s: a fresh temporary directory */
	int rc;
};

struct unreachable {
	char dir[PATH_MAX];
	int listening;			/* fd of live.sock */
};

static struct unreachable unreachable;

/* A unix socket path: bound and listening, or bound then closed. */
static int make_socket(const char *dir, const char *name, bool listening)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", dir,
			 name);
	int fd;

	if (n < 0 || (size_t)n >= sizeof(addr.sun_path))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    (listening && listen(fd, 1) < 0)) {
		close(fd);
		return -1;
	}
	if (listening)
		return fd;
	close(fd);
	return 0;
}

static int setup_unreachable(void **state)
{
	struct unreachable *u = &unreachable;

	snprintf(u->dir, sizeof(u->dir), "/tmp/tpm-test.XXXXXX");
	if (!mkdtemp(u->dir))
		return -1;
	u->listening = make_socket(u->dir, "live.sock", true);
	if (u->listening < 0 || make_socket(u->dir, "stale.sock", false) < 0)
		return -1;
	return 0;
}

static int teardown_unreachable(void **state)
{
	if (unreachable.listening >= 0)
		close(unreachable.listening);
	unreachable.listening = -1;
	remove_temp_dir(unreachable.dir);
	return 0;
}

static void test_unreachable(void **state)
{
	static const struct unreachable_case cases[] = {
		{ "no socket", "swtpm:path=%s/absent.sock", -ENOENT },
		{ "nobody listening", "swtpm:path=%s/stale.sock",
		  -ECONNREFUSED },
		/* The TPM socket answers, its control socket is missing. */
		{ "no control socket", "swtpm:path=%s/live.sock", -ENOENT },
		{ "no such device", "device:%s/absent", -ENOENT },
		{ "not a TPM", "device:/dev/null", -EIO },
		{ "a directory", "device:%s", -EISDIR },
		{ "bad swtpm key", "swtpm:socket=%s/x", -EINVAL },
	};
	static struct tpm t;
	int before = count_open_fds();

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char conf[TPM_CONF_MAX];
		uint8_t digest[TPM_SHA256_LEN];

		print_message("unreachable: %s\n", cases[i].name);
		snprintf(conf, sizeof(conf), cases[i].conf_fmt,
			 unreachable.dir);
		assert_int_equal(tpm_open(&t, conf), cases[i].rc);
		assert_null(t.tcti);
		assert_null(t.sys);
		assert_int_equal(tpm_pcr_read_sha256(&t, 0, digest), -EBADF);
		tpm_close(&t);
		assert_int_equal(count_open_fds(), before);
	}
}

int main(void)
{
	const struct CMUnitTest fake_tests[] = {
		cmocka_unit_test(test_command_bytes),
		cmocka_unit_test(test_response_table),
		cmocka_unit_test(test_response_truncated),
		cmocka_unit_test(test_response_flipped),
		cmocka_unit_test(test_transport_errors),
		cmocka_unit_test(test_error_then_success),
		cmocka_unit_test(test_bad_index_fake),
		cmocka_unit_test(test_conf_refused),
		cmocka_unit_test(test_conf_length),
		cmocka_unit_test(test_closed_handle),
		cmocka_unit_test_setup_teardown(test_unreachable,
						setup_unreachable,
						teardown_unreachable),
	};
	const struct CMUnitTest swtpm_tests[] = {
		cmocka_unit_test(test_fresh_values),
		cmocka_unit_test(test_extend_pcr7),
		cmocka_unit_test(test_all_pcrs_match_tpm2_pcrread),
		cmocka_unit_test(test_bad_index),
		cmocka_unit_test(test_no_fd_leak),
	};
	const struct CMUnitTest external_tests[] = {
		cmocka_unit_test(test_all_pcrs_match_tpm2_pcrread),
		cmocka_unit_test(test_bad_index),
		cmocka_unit_test(test_no_fd_leak),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("fake TCTI", fake_tests, NULL,
					      NULL);
	if (getenv("OCIBOOT_TPM_TCTI")) {
		failed += cmocka_run_group_tests_name("OCIBOOT_TPM_TCTI",
						      external_tests,
						      setup_external,
						      teardown_swtpm);
		return failed ? 1 : 0;
	}
	failed += cmocka_run_group_tests_name("swtpm socket (tcti-swtpm)",
					      swtpm_tests, setup_socket,
					      teardown_swtpm);
	failed += cmocka_run_group_tests_name("swtpm chardev (tcti-device)",
					      swtpm_tests, setup_pty,
					      teardown_swtpm);
	return failed ? 1 : 0;
}
