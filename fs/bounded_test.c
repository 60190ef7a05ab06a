// SPDX-License-Identifier: MIT
/*
 * bounded_call(): work that finishes comes back; a read that never
 * returns (a FIFO whose writer stays silent, standing in for a block
 * device whose I/O hangs) gives -OCIBOOT_ETIMEOUT near the deadline and
 * leaves the caller free; errors and the caller's wait are passed on.
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finishes),
		cmocka_unit_test(test_never_returns),
		cmocka_unit_test(test_caller_wait),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
