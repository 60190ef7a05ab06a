/* SPDX-License-Identifier: MIT */
/*
 * Session protection (tpm/esys.h) against swtpm, started by this test,
 * with a TCTI that records every command and response as it crosses the
 * transport (tpm/tpm_fake.h): what an interposer on the TPM bus sees.
 *
 * The same sequence runs twice, on a fresh swtpm each time: the disk key
 * and the new owner authorization from the TPM's RNG, the sealed index
 * defined and written, the owner authorization changed, the floor
 * written and write-locked with it, the secret read back through its
 * PolicyPCR session, and again after a failed read (the salted sessions
 * are kept and replaced after a failure). With tpm_protect() on, no 8-byte piece of the secret
 * or of the owner authorization may appear anywhere in the recording;
 * with it off (the tss2-sys path), both must appear, which shows the
 * check can see them.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <tss2/tss2_tcti_swtpm.h>

#include "lib/clock.h"
#include "lib/util.h"
#include "tpm/esys.h"
#include "tpm/layout.h"
#include "tpm/nv.h"
#include "tpm/policy.h"
#include "tpm/tpm.h"
#include "tpm/tpm_fake.h"

#define LOG_MAX (512 * 1024)
#define START_TIMEOUT_MS 10000
#define STEP_MS 50
#define PIECE 8		/* bytes of a secret that must not show */

extern char **environ;

struct swtpm {
	char dir[PATH_MAX];
	char conf[PATH_MAX + 16];	/* tcti-swtpm's "path=..." */
	pid_t pid;
	void *inner;			/* the swtpm TCTI's memory */
};

static uint8_t bus[LOG_MAX];

static void swtpm_start(struct swtpm *s)
{
	char state[PATH_MAX + 8], server[PATH_MAX + 40], ctrl[PATH_MAX + 48];
	char *argv[] = { "swtpm", "socket", "--tpm2", "--tpmstate", state,
			 "--server", server, "--ctrl", ctrl, "--flags",
			 "not-need-init,startup-clear", NULL };

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/esys-test.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(state, sizeof(state), "dir=%s", s->dir);
	snprintf(server, sizeof(server), "type=unixio,path=%s/tpm.sock",
		 s->dir);
	snprintf(ctrl, sizeof(ctrl), "type=unixio,path=%s/tpm.sock.ctrl",
		 s->dir);
	snprintf(s->conf, sizeof(s->conf), "path=%s/tpm.sock", s->dir);
	posix_spawn_file_actions_t fa;

	/* swtpm says "Data client disconnected" after every command. */
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
							  O_WRONLY, 0), 0);
	assert_int_equal(posix_spawn_file_actions_adddup2(&fa, 1, 2), 0);
	assert_int_equal(posix_spawnp(&s->pid, "swtpm", &fa, NULL, argv,
				      environ), 0);
	posix_spawn_file_actions_destroy(&fa);
}

static void swtpm_stop(struct swtpm *s)
{
	char cmd[PATH_MAX + 16];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	free(s->inner);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	assert_int_equal(system(cmd), 0);
}

/* Open t over a recording TCTI around swtpm's, once swtpm listens. */
static struct tpm_record_tcti *open_recorded(struct swtpm *s, struct tpm *t)
{
	int64_t deadline = clock_deadline_ms(START_TIMEOUT_MS);
	struct tpm_record_tcti *r = (struct tpm_record_tcti *)t->storage;
	size_t size = 0;

	assert_int_equal(Tss2_Tcti_Swtpm_Init(NULL, &size, NULL),
			 TSS2_RC_SUCCESS);
	s->inner = calloc(1, size);
	assert_non_null(s->inner);
	while (Tss2_Tcti_Swtpm_Init(s->inner, &size, s->conf) !=
	       TSS2_RC_SUCCESS) {
		Tss2_Tcti_Finalize((TSS2_TCTI_CONTEXT *)s->inner);
		assert_false(clock_deadline_passed(deadline));
		clock_sleep_ms(STEP_MS);
	}
	memset(t, 0, sizeof(*t));
	tpm_record_init(r, s->inner, bus, sizeof(bus));
	assert_int_equal(tpm_open_tcti(t, sizeof(*r)), 0);
	return r;
}

/* Whether any PIECE-byte piece of secret[0, len) is in the recording. */
static bool on_bus(const struct tpm_record_tcti *r, const uint8_t *secret,
		   size_t len)
{
	for (size_t at = 0; at + PIECE <= len; at++)
		if (memmem(r->log, r->len, secret + at, PIECE))
			return true;
	return false;
}

struct seen {
	bool disk_key, owner;
	unsigned commands;
};

/*
 * What provisioning and a boot do with secrets, through tpm/nv.h and
 * tpm/layout.h, with session protection on or off.
 */
static struct seen run(bool protect)
{
	const struct tpm_slot_spec *disk = tpm_slot(TPM_SLOT_DISK_KEY);
	const struct tpm_slot_spec *floor = tpm_slot(TPM_SLOT_FLOOR);
	uint8_t key[TPM_LAYOUT_DISK_KEY_LEN], owner[TPM_LAYOUT_AUTH_LEN];
	uint8_t got[TPM_LAYOUT_DISK_KEY_LEN], zero[TPM_LAYOUT_FLOOR_LEN] = { 0 };
	uint8_t pcr7[TPM_SHA256_LEN], policy[TPM_POLICY_DIGEST_LEN];
	struct tpm_record_tcti *r;
	struct tpm_nv_public pub;
	struct tpm_auth empty;
	struct seen seen;
	struct swtpm s;
	uint64_t value;
	struct tpm t;

	swtpm_start(&s);
	r = open_recorded(&s, &t);
	if (protect)
		assert_int_equal(tpm_protect(&t), 0);
	assert_int_equal(tpm_protected(&t), protect);
	tpm_auth_password(&empty, NULL, 0);

	/* Provisioning: secrets from the TPM's RNG, sealed to PCR 7 now. */
	assert_int_equal(tpm_get_random(&t, key, sizeof(key)), 0);
	assert_int_equal(tpm_get_random(&t, owner, sizeof(owner)), 0);
	assert_int_equal(tpm_pcr_read_sha256(&t, TPM_LAYOUT_POLICY_PCR, pcr7),
			 0);
	tpm_policy_pcr_one(TPM_LAYOUT_POLICY_PCR, pcr7, policy);
	tpm_slot_public(TPM_SLOT_DISK_KEY, policy, &pub);
	assert_int_equal(tpm_nv_define(&t, &empty, &pub), 0);
	assert_int_equal(tpm_nv_write(&t, TPM_RH_OWNER, disk->index, &empty,
				      key, sizeof(key), 0), 0);
	assert_int_equal(tpm_nv_write_lock(&t, TPM_RH_OWNER, disk->index,
					   &empty), 0);
	tpm_slot_public(TPM_SLOT_FLOOR, NULL, &pub);
	assert_int_equal(tpm_nv_define(&t, &empty, &pub), 0);
	assert_int_equal(tpm_nv_write(&t, TPM_RH_OWNER, floor->index, &empty,
				      zero, sizeof(zero), 0), 0);
	assert_int_equal(tpm_hierarchy_change_auth(&t, TPM_RH_OWNER, &empty,
						   owner, sizeof(owner)), 0);

	/* A boot: the secret read, the floor raised and locked as owner. */
	assert_int_equal(tpm_layout_read_sealed(&t, TPM_SLOT_DISK_KEY, got),
			 0);
	assert_memory_equal(got, key, sizeof(key));
	assert_int_equal(tpm_layout_write_floor(&t, owner, 7, true), 0);
	assert_int_equal(tpm_layout_read_floor(&t, &value), 0);
	assert_int_equal(value, 7);
	/* The empty owner authorization no longer writes. */
	assert_int_equal(tpm_nv_write(&t, TPM_RH_OWNER, floor->index, &empty,
				      zero, sizeof(zero), 0),
			 -OCIBOOT_EPROTO);
	assert_int_equal(tpm_rc_base(t.last_rc), TPM_RC_BAD_AUTH);
	/* A failed command's session is replaced: the next ones work. */
	assert_int_equal(tpm_get_random(&t, got, sizeof(got)), 0);
	assert_int_equal(tpm_nv_read_policy_pcr(&t, disk->index, 0, got,
						sizeof(got), 0),
			 -OCIBOOT_EPROTO);
	assert_int_equal(tpm_rc_base(t.last_rc), TPM_RC_POLICY_FAIL);
	assert_int_equal(tpm_layout_read_sealed(&t, TPM_SLOT_DISK_KEY, got),
			 0);
	assert_memory_equal(got, key, sizeof(key));

	assert_int_equal(r->dropped, 0);
	seen.disk_key = on_bus(r, key, sizeof(key));
	seen.owner = on_bus(r, owner, sizeof(owner));
	seen.commands = r->commands;
	print_message("%s: %u commands, %zu bytes on the bus\n",
		      protect ? "protected" : "in clear", r->commands, r->len);
	tpm_close(&t);
	swtpm_stop(&s);
	return seen;
}

static void test_protected(void **state)
{
	struct seen seen = run(true);

	assert_false(seen.disk_key);
	assert_false(seen.owner);
}

/* The control: without protection the same check finds both. */
static void test_in_clear(void **state)
{
	struct seen seen = run(false);

	assert_true(seen.disk_key);
	assert_true(seen.owner);
}

/* A closed TPM refuses; protecting twice is a no-op. */
static void test_protect_refusals(void **state)
{
	struct tpm t;
	struct swtpm s;

	memset(&t, 0, sizeof(t));
	assert_int_equal(tpm_protect(&t), -EBADF);
	assert_false(tpm_protected(&t));
	swtpm_start(&s);
	open_recorded(&s, &t);
	assert_int_equal(tpm_protect(&t), 0);
	assert_int_equal(tpm_protect(&t), 0);
	assert_true(tpm_protected(&t));
	tpm_close(&t);
	assert_false(tpm_protected(&t));
	tpm_close(&t);
	swtpm_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protected),
		cmocka_unit_test(test_in_clear),
		cmocka_unit_test(test_protect_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
