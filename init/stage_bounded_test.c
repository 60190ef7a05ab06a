// SPDX-License-Identifier: MIT
/*
 * stage_bounded_run(): a stage run in a child fills the shared struct boot
 * for PID 1 (its result, its reason, a layout it opened, as fds of the
 * caller's); a stage that never returns fails at the deadline naming what
 * it was doing; one that dies is not mistaken for one that is slow; with
 * a struct boot that is not shared the stage runs in the caller. A stage
 * bounded by quiet time runs as long as it says what it does, and fails
 * once it falls silent. A stage run beside works while the caller runs
 * stages in front, and its join gives its own result and reason, or its
 * timeout naming what it was doing, never mixed with the front's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/bounded.h"
#include "init/boot.h"
#include "init/pid1.h"
#include "init/stage_bounded.h"
#include "lib/clock.h"
#include "lib/fileio.h"

static char dir[] = "/tmp/stage_bounded_test.XXXXXX";

static struct boot *shared_boot(void)
{
	struct boot *b = bounded_shared_map(sizeof(*b));

	assert_non_null(b);
	boot_init(b);
	b->shared = true;
	return b;
}

static int stage_fills(struct boot *b)
{
	snprintf(b->store_device, sizeof(b->store_device), "/dev/test%d",
		 (int)getpid());
	b->layers_mounted = 3;
	return 0;
}

static int stage_refuses(struct boot *b)
{
	return boot_failed(b, "refused: %d", 42);
}

static void test_result_and_reason(void **state)
{
	struct boot *b = shared_boot();
	char mine[32];

	assert_int_equal(stage_bounded_run(b, "store", stage_fills, 2000), 0);
	assert_int_equal(b->layers_mounted, 3);
	/* Written by another process: not this one's pid. */
	snprintf(mine, sizeof(mine), "/dev/test%d", (int)getpid());
	assert_true(strncmp(b->store_device, "/dev/test", 9) == 0);
	assert_string_not_equal(b->store_device, mine);
	assert_int_equal(stage_bounded_run(b, "verify", stage_refuses, 2000),
			 -1);
	assert_string_equal(b->reason, "refused: 42");
	bounded_shared_unmap(b, sizeof(*b));
}

static int stage_stalls(struct boot *b)
{
	boot_doing(b, "/dev/vdz: mounting it read-only (ext4)");
	for (;;)
		pause();
	return 0;
}

static int stage_dies(struct boot *b)
{
	boot_doing(b, "reading index.json");
	raise(SIGKILL);
	return 0;
}

static void test_stall_and_death(void **state)
{
	struct boot *b = shared_boot();
	int64_t start = clock_now_ms(), took;

	assert_int_equal(stage_bounded_run(b, "store", stage_stalls, 1000),
			 -1);
	took = clock_now_ms() - start;
	print_message("a stage that never returns: failed after %lld ms\n",
		      (long long)took);
	assert_true(took >= 1000 && took < 1000 + 1500);
	assert_string_equal(b->reason, "store: /dev/vdz: mounting it "
			    "read-only (ext4) did not finish within 1 s; a "
			    "disk whose reads never return (stalled, or a "
			    "dead path) holds it: the process doing it is "
			    "left behind (ociboot.io_timeout= sets the "
			    "deadline)");
	assert_int_equal(stage_bounded_run(b, "verify", stage_dies, 5000), -1);
	assert_string_equal(b->reason, "verify: the process running the "
			    "stage ended without a result, while reading "
			    "index.json");
	bounded_shared_unmap(b, sizeof(*b));
}

static int stage_opens_layout(struct boot *b)
{
	struct error err;

	if (layout_open(&b->layout, AT_FDCWD, dir, &err) < 0)
		return boot_failed(b, "%s: %s", err.what, err.why);
	return 0;
}

static void test_layout_fds(void **state)
{
	struct boot *b = shared_boot();
	char path[96];
	struct stat st;

	snprintf(path, sizeof(path), "%s/oci-layout", dir);
	assert_int_equal(fileio_write_new(AT_FDCWD, path,
					  "{\"imageLayoutVersion\":\"1.0.0\"}",
					  30, 0644), 0);
	snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	assert_int_equal(mkdir(path, 0755) == 0 || errno == EEXIST, 1);
	assert_int_equal(stage_bounded_run(b, "store", stage_opens_layout,
					   2000), 0);
	assert_true(b->layout.dir_fd >= 0 && b->layout.blobs_fd >= 0);
	assert_int_equal(fstat(b->layout.dir_fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(faccessat(b->layout.dir_fd, "oci-layout", F_OK, 0),
			 0);
	assert_int_equal(faccessat(b->layout.dir_fd, "blobs/sha256", F_OK,
				   0), 0);
	assert_int_equal(fcntl(b->layout.blobs_fd, F_GETFD), FD_CLOEXEC);
	layout_close(&b->layout);
	bounded_shared_unmap(b, sizeof(*b));
}

/* Busy for 3 s, with a word every 200 ms; then silent forever. */
static int stage_talks_then_stalls(struct boot *b)
{
	for (int i = 0; i < 15; i++) {
		boot_doing(b, "sha256:0123456789ab: fetching: %d of 15", i + 1);
		usleep(200 * 1000);
	}
	boot_doing(b, "cache /dev/vdz: remounting it read-only");
	for (;;)
		pause();
	return 0;
}

/* Busy for 3 s with a word every 200 ms, then done. */
static int stage_talks(struct boot *b)
{
	for (int i = 0; i < 15; i++) {
		boot_alive(b);
		usleep(200 * 1000);
	}
	b->layers_mounted = 7;
	return 0;
}

static void test_quiet(void **state)
{
	struct boot *b = shared_boot();
	int64_t start = clock_now_ms(), took;

	/* Three times the quiet time, never quiet for long: it finishes. */
	assert_int_equal(stage_bounded_run_quiet(b, "network", stage_talks,
						 1000, "ociboot.x="), 0);
	assert_int_equal(b->layers_mounted, 7);
	took = clock_now_ms() - start;
	assert_true(took >= 3000);

	start = clock_now_ms();
	assert_int_equal(stage_bounded_run_quiet(b, "network",
						 stage_talks_then_stalls,
						 1000, "ociboot.x="), -1);
	took = clock_now_ms() - start;
	print_message("silent after 3 s: failed after %lld ms\n",
		      (long long)took);
	assert_true(took >= 3000 + 1000 && took < 3000 + 1000 + 1500);
	assert_string_equal(b->reason, "network: cache /dev/vdz: remounting "
			    "it read-only made no progress for 1 s; a disk "
			    "whose reads never return (stalled, or a dead "
			    "path) holds it: the process doing it is left "
			    "behind (ociboot.x= sets the deadline)");
	bounded_shared_unmap(b, sizeof(*b));
}

/*
 * PID 1's wait for a child of its own is back when the child ends, not at
 * the end of its sleep (pid1_sleep_until_child()); a plain sleep is not.
 * In a child of the test, as signals are taken over (blocked, signalfd).
 */
static void test_child_wakes(void **state)
{
	pid_t tester = fork();
	int status;

	assert_true(tester >= 0);
	if (tester == 0) {
		struct pid1 p = { .signal_fd = -1 };
		int64_t start, took;
		pid_t c;

		if (pid1_take_signals(&p) < 0)
			_exit(2);
		c = fork();
		if (c == 0) {
			usleep(100 * 1000);
			_exit(0);
		}
		start = clock_now_ms();
		pid1_sleep_until_child(&p, clock_deadline_ms(20000));
		took = clock_now_ms() - start;
		if (c < 0 || took < 90 || took > 10000)
			_exit(3);
		/* No child left to end: the whole sleep. */
		start = clock_now_ms();
		pid1_sleep_until_child(&p, clock_deadline_ms(300));
		took = clock_now_ms() - start;
		_exit(took >= 300 ? 0 : 4);
	}
	assert_int_equal(waitpid(tester, &status, 0), tester);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_not_shared(void **state)
{
	static struct boot b;
	char mine[32];

	boot_init(&b);
	assert_false(b.shared);
	assert_int_equal(stage_bounded_run(&b, "store", stage_fills, 2000), 0);
	/* Run here: this process's pid. */
	snprintf(mine, sizeof(mine), "/dev/test%d", (int)getpid());
	assert_string_equal(b.store_device, mine);
}

/* Beside: waits for the front to fill store_device, then answers. */
static int side_follows_front(struct boot *b, struct boot_side *side)
{
	while (!__atomic_load_n(&b->layers_mounted, __ATOMIC_ACQUIRE))
		usleep(1000);
	boot_side_doing_module(side, "dm_verity");
	b->plan.layer_count = 7;
	return 0;
}

static int side_refuses(struct boot *b, struct boot_side *side)
{
	boot_side_doing_module(side, "overlay");
	return boot_side_failed(side, "loading module /lib/x.ko: refused");
}

static int side_stalls(struct boot *b, struct boot_side *side)
{
	boot_side_doing_module(side, "dm_verity");
	for (;;)
		pause();
	return 0;
}

static void test_side(void **state)
{
	struct boot *b = shared_boot();
	int64_t start, took;

	/* Nothing started: nothing to wait for. */
	assert_int_equal(stage_side_join(b, 1000), 0);

	/* It can only finish once a stage in front ran. */
	assert_int_equal(stage_side_start(b, "layer modules",
					  side_follows_front), 0);
	assert_int_equal(stage_bounded_run(b, "store", stage_fills, 2000), 0);
	assert_int_equal(stage_side_join(b, 2000), 0);
	assert_int_equal(b->plan.layer_count, 7);
	assert_string_equal(b->side.doing, "loading dm_verity");
	/* Its run is in the timing, under its name. */
	assert_int_equal(b->timing.count, 1);
	assert_string_equal(b->timing.stages[0].name, "layer modules");
	assert_int_equal(b->timing.stages[0].start_ms, b->side.start_ms);
	assert_int_equal(b->timing.stages[0].ms,
			 b->side.end_ms - b->side.start_ms);

	/* Its failure is its own; the front's reason is the front's. */
	assert_int_equal(stage_side_start(b, "layer modules", side_refuses),
			 0);
	assert_int_equal(stage_bounded_run(b, "verify", stage_refuses, 2000),
			 -1);
	assert_string_equal(b->reason, "refused: 42");
	assert_string_equal(b->doing, "");
	assert_int_equal(stage_side_join(b, 2000), -1);
	assert_string_equal(b->reason, "loading module /lib/x.ko: refused");

	/* Stuck: the deadline counts from the join, and names its step. */
	assert_int_equal(stage_side_start(b, "layer modules", side_stalls),
			 0);
	assert_int_equal(stage_bounded_run(b, "store", stage_fills, 2000), 0);
	start = clock_now_ms();
	assert_int_equal(stage_side_join(b, 1000), -1);
	took = clock_now_ms() - start;
	print_message("a stage beside that never returns: failed after "
		      "%lld ms: %s\n", (long long)took, b->reason);
	assert_true(took >= 1000 && took < 1000 + 1500);
	assert_string_equal(b->reason, "layer modules: loading dm_verity did "
			    "not finish within 1 s; a disk whose reads never "
			    "return (stalled, or a dead path) holds it: the "
			    "process doing it is left behind "
			    "(ociboot.io_timeout= sets the deadline)");
	/* Joined: a second join has nothing to wait for. */
	assert_int_equal(stage_side_join(b, 1000), 0);
	bounded_shared_unmap(b, sizeof(*b));
}

static void test_side_not_shared(void **state)
{
	static struct boot b;

	boot_init(&b);
	assert_int_equal(stage_side_start(&b, "layer modules", side_refuses),
			 0);
	/* Run at once, here; its result kept for the join. */
	assert_string_equal(b.side.doing, "loading overlay");
	assert_int_equal(stage_side_join(&b, 1000), -1);
	assert_string_equal(b.reason, "loading module /lib/x.ko: refused");
}

static int setup(void **state)
{
	char path[96];

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/blobs", dir);
	return mkdir(path, 0755);
}

static int teardown(void **state)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_and_reason),
		cmocka_unit_test(test_stall_and_death),
		cmocka_unit_test(test_layout_fds),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_child_wakes),
		cmocka_unit_test(test_not_shared),
		cmocka_unit_test(test_side),
		cmocka_unit_test(test_side_not_shared),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
