// SPDX-License-Identifier: MIT
/*
 * bounded_call(): work that finishes comes back; a read that never
 * returns (a FIFO whose writer stays silent, standing in for a block
 * device whose I/O hangs) gives -OCIBOOT_ETIMEOUT near the deadline and
 * leaves the caller free; errors and the caller's wait are passed on.
 * bounded_run(): what the child writes to shared memory is the caller's,
 * at the same addresses; fds it opens reach the caller; a child that
 * sleeps for good ends in -OCIBOOT_ETIMEOUT at the deadline, one that dies
 * without a result in -ECHILD at once.
 * bounded_start() and bounded_finish(): the caller runs while the child
 * does; the deadline counts from bounded_finish().
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
#include <time.h>
#include <unistd.h>

#include "fs/bounded.h"
#include "lib/clock.h"
#include "lib/fileio.h"
#include "lib/util.h"

struct read_arg {
	const char *path;
};

/* Open path and read what fits: the shape of a device probe. */
static ssize_t read_path(void *arg, void *out, size_t size)
{
	const struct read_arg *a = arg;
	int fd = open(a->path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, out, size);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static ssize_t fail_eio(void *arg, void *out, size_t size)
{
	return -EIO;
}

static ssize_t too_much(void *arg, void *out, size_t size)
{
	return (ssize_t)size + 1;
}

static char dir[] = "/tmp/bounded_test.XXXXXX";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_finishes(void **state)
{
	char path[64], out[16] = "";
	struct read_arg a = { path };
	ssize_t n;

	snprintf(path, sizeof(path), "%s/file", dir);
	assert_int_equal(fileio_write_new(AT_FDCWD, path, "hello", 5, 0600),
			 0);
	n = bounded_call(read_path, &a, out, sizeof(out), 2000, NULL);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "hello", 5);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(bounded_call(read_path, &a, out, sizeof(out), 2000,
				      NULL), -ENOENT);
	assert_int_equal(bounded_call(fail_eio, NULL, out, sizeof(out), 2000,
				      NULL), -EIO);
	assert_int_equal(bounded_call(too_much, NULL, out, sizeof(out), 2000,
				      NULL), -EOVERFLOW);
	assert_int_equal(bounded_call(fail_eio, NULL, out,
				      BOUNDED_OUT_MAX + 1, 2000, NULL),
			 -EINVAL);
}

/* A read that never returns: the caller is back at the deadline. */
static void test_never_returns(void **state)
{
	char path[64], out[16] = "untouched";
	struct read_arg a = { path };
	int64_t start, took;
	int keep;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	/* A writer that never writes: the child's read blocks for good. */
	keep = open(path, O_RDWR | O_CLOEXEC);
	assert_true(keep >= 0);
	start = clock_now_ms();
	n = bounded_call(read_path, &a, out, sizeof(out), 300, NULL);
	took = clock_now_ms() - start;
	print_message("a read that never returns: %zd after %lld ms\n", n,
		      (long long)took);
	assert_int_equal(n, -OCIBOOT_ETIMEOUT);
	assert_true(took >= 300 && took < 300 + 1000);
	assert_string_equal(out, "untouched");
	close(keep);
}

struct counter {
	unsigned int calls;
	int give_up_after;
};

static int counting_wait(void *ctx, unsigned int ms)
{
	struct counter *c = ctx;
	struct timespec ts = { 0, (long)ms * 1000000 };

	assert_true(ms >= 1 && ms <= BOUNDED_POLL_MS);
	if (++c->calls > (unsigned int)c->give_up_after)
		return -EINTR;
	nanosleep(&ts, NULL);
	return 0;
}

/* The caller's wait is used, and its error ends the call. */
static void test_caller_wait(void **state)
{
	char path[64], out[16];
	struct read_arg a = { path };
	struct counter c = { 0, 3 };
	struct bounded_wait w = { counting_wait, &c };
	int keep;

	snprintf(path, sizeof(path), "%s/fifo2", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	keep = open(path, O_RDWR | O_CLOEXEC);
	assert_true(keep >= 0);
	assert_int_equal(bounded_call(read_path, &a, out, sizeof(out), 5000,
				      &w), -EINTR);
	assert_int_equal(c.calls, 4);
	close(keep);
}

/* --- bounded_run ------------------------------------------------------ */

/* What a stage leaves for the caller: bytes, and a pointer into them. */
struct shared_state {
	char text[4096];
	const char *word;	/* into text */
	int count;
};

static int fill_shared(void *arg, struct bounded_fds *fds)
{
	struct shared_state *s = arg;

	for (size_t i = 0; i < sizeof(s->text) - 1; i++)
		s->text[i] = (char)('a' + i % 26);
	s->text[sizeof(s->text) - 1] = '\0';
	s->word = s->text + 100;
	s->count = 42;
	return 7;
}

static void test_run_shared(void **state)
{
	struct shared_state *s = bounded_shared_map(sizeof(*s));
	struct bounded_fds fds = { .count = 3 };

	assert_non_null(s);
	assert_int_equal(bounded_run(fill_shared, s, 2000, NULL, &fds), 7);
	assert_int_equal(fds.count, 0);
	assert_int_equal(s->count, 42);
	assert_ptr_equal(s->word, s->text + 100);
	assert_int_equal(s->word[0], 'a' + 100 % 26);
	for (size_t i = 0; i < sizeof(s->text) - 1; i++)
		assert_int_equal(s->text[i], 'a' + i % 26);
	bounded_shared_unmap(s, sizeof(*s));
}

/* The child opens the file and a directory; the caller reads through them. */
static int open_two(void *arg, struct bounded_fds *fds)
{
	const char *path = arg;

	fds->fd[0] = open(path, O_RDONLY | O_CLOEXEC);
	fds->fd[1] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fds->fd[0] < 0 || fds->fd[1] < 0)
		return -errno;
	fds->count = 2;
	return 0;
}

static void test_run_fds(void **state)
{
	struct bounded_fds fds;
	char path[64], buf[8] = "";
	struct stat st;

	snprintf(path, sizeof(path), "%s/fdfile", dir);
	assert_int_equal(fileio_write_new(AT_FDCWD, path, "fd ok", 5, 0600),
			 0);
	assert_int_equal(bounded_run(open_two, path, 2000, NULL, &fds), 0);
	assert_int_equal(fds.count, 2);
	assert_int_equal(pread(fds.fd[0], buf, 5, 0), 5);
	assert_memory_equal(buf, "fd ok", 5);
	assert_int_equal(fcntl(fds.fd[0], F_GETFD), FD_CLOEXEC);
	assert_int_equal(fstat(fds.fd[1], &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(faccessat(fds.fd[1], "fdfile", F_OK, 0), 0);
	close(fds.fd[0]);
	close(fds.fd[1]);
	/* Without fds_out, what the child opened is closed, not leaked. */
	assert_int_equal(bounded_run(open_two, path, 2000, NULL, NULL), 0);
}

static int sleep_forever(void *arg, struct bounded_fds *fds)
{
	for (;;)
		pause();
	return 0;
}

static int die(void *arg, struct bounded_fds *fds)
{
	raise(SIGKILL);
	return 0;
}

static int fail_enodev(void *arg, struct bounded_fds *fds)
{
	fds->fd[0] = dup(0);
	fds->count = 1;
	return -ENODEV;
}

static void test_run_ends(void **state)
{
	struct bounded_fds fds = { .count = 1 };
	int64_t start, took;
	int r;

	start = clock_now_ms();
	r = bounded_run(sleep_forever, NULL, 300, NULL, &fds);
	took = clock_now_ms() - start;
	print_message("a child that sleeps for good: %d after %lld ms\n", r,
		      (long long)took);
	assert_int_equal(r, -OCIBOOT_ETIMEOUT);
	assert_true(took >= 300 && took < 300 + 1000);
	assert_int_equal(fds.count, 0);

	start = clock_now_ms();
	assert_int_equal(bounded_run(die, NULL, 5000, NULL, NULL), -ECHILD);
	assert_true(clock_now_ms() - start < 2000);
	assert_int_equal(bounded_run(fail_enodev, NULL, 2000, NULL, &fds),
			 -ENODEV);
	assert_int_equal(fds.count, 0);
}

/* A reaper (PID 1's waitpid(-1)) collecting the child first changes nothing. */
static int reaping_wait(void *ctx, unsigned int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000 };

	nanosleep(&ts, NULL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return 0;
}

static int slow_seven(void *arg, struct bounded_fds *fds)
{
	struct timespec ts = { 0, 50 * 1000000 };
	int *shared = arg;

	nanosleep(&ts, NULL);
	*shared = 1234;
	return 7;
}

static void test_run_reaped_elsewhere(void **state)
{
	struct bounded_wait w = { reaping_wait, NULL };
	int *shared = bounded_shared_map(sizeof(int));

	assert_non_null(shared);
	assert_int_equal(bounded_run(slow_seven, shared, 2000, &w, NULL), 7);
	assert_int_equal(*shared, 1234);
	assert_int_equal(bounded_run(die, NULL, 2000, &w, NULL), -ECHILD);
	bounded_shared_unmap(shared, sizeof(int));
}

/* The child waits for the caller's word, then answers it. */
struct handshake {
	int asked;
	int answer;
};

static int answer_when_asked(void *arg, struct bounded_fds *fds)
{
	struct handshake *h = arg;
	struct timespec ts = { 0, 1000000 };

	while (!__atomic_load_n(&h->asked, __ATOMIC_ACQUIRE))
		nanosleep(&ts, NULL);
	h->answer = h->asked * 2;
	return 5;
}

static void test_start_finish(void **state)
{
	struct handshake *h = bounded_shared_map(sizeof(*h));
	struct timespec ts = { 0, 400 * 1000000 };
	struct bounded_job j;
	struct bounded_fds fds = { .count = 3 };
	int64_t start, took;
	int r;

	assert_non_null(h);
	/* The child needs the caller to go on after bounded_start(). */
	assert_int_equal(bounded_start(&j, answer_when_asked, h), 0);
	__atomic_store_n(&h->asked, 21, __ATOMIC_RELEASE);
	assert_int_equal(bounded_finish(&j, 2000, NULL, &fds), 5);
	assert_int_equal(h->answer, 42);
	assert_int_equal(fds.count, 0);
	assert_int_equal(j.pid, -1);

	/* Fds and errors come back as bounded_run()'s do. */
	assert_int_equal(bounded_start(&j, fail_enodev, NULL), 0);
	assert_int_equal(bounded_finish(&j, 2000, NULL, &fds), -ENODEV);
	assert_int_equal(bounded_start(&j, die, NULL), 0);
	assert_int_equal(bounded_finish(&j, 2000, NULL, NULL), -ECHILD);

	/* The deadline counts from bounded_finish(), not from the start. */
	assert_int_equal(bounded_start(&j, sleep_forever, NULL), 0);
	nanosleep(&ts, NULL);
	start = clock_now_ms();
	r = bounded_finish(&j, 300, NULL, &fds);
	took = clock_now_ms() - start;
	assert_int_equal(r, -OCIBOOT_ETIMEOUT);
	assert_true(took >= 300 && took < 300 + 1000);
	bounded_shared_unmap(h, sizeof(*h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finishes),
		cmocka_unit_test(test_never_returns),
		cmocka_unit_test(test_caller_wait),
		cmocka_unit_test(test_run_shared),
		cmocka_unit_test(test_run_fds),
		cmocka_unit_test(test_run_ends),
		cmocka_unit_test(test_run_reaped_elsewhere),
		cmocka_unit_test(test_start_finish),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
