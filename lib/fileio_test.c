/* SPDX-License-Identifier: MIT */
/*
 * Whole-buffer I/O: every byte written and read back (the file checked with
 * stdio as the reference), writes and reads gathered over short transfers
 * (a write into a full pipe cut short by a signal; a SOCK_SEQPACKET socket
 * returning one message a read), a write and a read interrupted by a
 * signal before they moved a byte, reads stopping at the end of the file
 * or at the cap, pread() leaving the file offset alone, offsets beyond
 * off_t refused, and errors passed up as -errno.
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
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/util.h"

#define BIG_LEN (3 * 1024 * 1024 + 17)

/* A new empty file, already unlinked; its fd. */
static int temp_file(void)
{
	char path[] = "/tmp/fileio_test.XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	return fd;
}

static void fill_pattern(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + i / 251);
}

/* The file's contents as stdio reads them. */
static void assert_file_holds(int fd, const uint8_t *want, size_t len)
{
	uint8_t *got = malloc(len + 1);
	FILE *f = fdopen(dup(fd), "rb");

	assert_non_null(got);
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	assert_int_equal(fread(got, 1, len + 1, f), len);
	assert_memory_equal(got, want, len);
	fclose(f);
	free(got);
}

static void test_write_all(void **state)
{
	uint8_t *data = malloc(BIG_LEN);
	int fd = temp_file();

	assert_non_null(data);
	fill_pattern(data, BIG_LEN);
	assert_int_equal(fileio_write_all(fd, data, BIG_LEN), 0);
	assert_int_equal(fileio_write_all(fd, data, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), BIG_LEN);
	assert_file_holds(fd, data, BIG_LEN);
	close(fd);
	free(data);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/*
 * SIGALRM in 50 ms, interrupting the read() or write() the caller then
 * blocks in: its peer (read_back(), or the child of test_read_all_eintr())
 * waits 300 ms before it moves a byte.
 */
static void alarm_soon(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };

	sigemptyset(&sa.sa_mask);	/* no SA_RESTART */
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	alarms = 0;
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

/*
 * Disarm the timer, then check the signal came: on a machine so loaded
 * that it did not, nothing was interrupted and the test proves less (the
 * results checked still hold).
 */
static void alarm_off(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	signal(SIGALRM, SIG_DFL);
	if (alarms != 1)
		print_message("note: no signal while blocked (busy machine)\n");
}

/* Exit 0 when fd gives exactly want[0, len) then ends. */
static _Noreturn void read_back(int fd, const uint8_t *want, size_t len)
{
	uint8_t *got = malloc(len + 1);
	size_t done = 0;
	ssize_t n;

	usleep(300000);		/* let the writer fill the pipe and block */
	while (got && (n = read(fd, got + done, len + 1 - done)) > 0)
		done += (size_t)n;
	_exit(got && done == len && memcmp(got, want, len) == 0 ? 0 : 1);
}

/*
 * A write() into a full pipe, cut short by a signal (it returns what it
 * wrote so far), goes on with the rest.
 */
static void test_write_all_short_writes(void **state)
{
	uint8_t *data = malloc(BIG_LEN);
	int pipefd[2], status;
	pid_t child;

	assert_non_null(data);
	fill_pattern(data, BIG_LEN);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pipefd[1]);
		read_back(pipefd[0], data, BIG_LEN);
	}
	close(pipefd[0]);
	alarm_soon();
	assert_int_equal(fileio_write_all(pipefd[1], data, BIG_LEN), 0);
	alarm_off();
	close(pipefd[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(data);
}

/* Fill the pipe's buffer with zeros, without blocking; the bytes put in. */
static size_t fill_pipe(int fd)
{
	static const uint8_t zeros[4096];
	int flags = fcntl(fd, F_GETFL);
	size_t filled = 0;
	ssize_t n;

	assert_true(flags >= 0);
	assert_int_equal(fcntl(fd, F_SETFL, flags | O_NONBLOCK), 0);
	while ((n = write(fd, zeros, sizeof(zeros))) > 0)
		filled += (size_t)n;
	assert_true(n < 0 && errno == EAGAIN);
	assert_int_equal(fcntl(fd, F_SETFL, flags), 0);
	return filled;
}

/* A write() interrupted before it wrote anything (-EINTR) is retried. */
static void test_write_all_eintr(void **state)
{
	uint8_t data[64], *want;
	int pipefd[2], status;
	size_t filled;
	pid_t child;

	fill_pattern(data, sizeof(data));
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	filled = fill_pipe(pipefd[1]);
	want = calloc(1, filled + sizeof(data));
	assert_non_null(want);
	memcpy(want + filled, data, sizeof(data));
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pipefd[1]);
		read_back(pipefd[0], want, filled + sizeof(data));
	}
	close(pipefd[0]);
	alarm_soon();
	assert_int_equal(fileio_write_all(pipefd[1], data, sizeof(data)), 0);
	alarm_off();
	close(pipefd[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(want);
}

static void test_write_errors(void **state)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int pipefd[2];

	assert_true(fd >= 0);
	assert_int_equal(fileio_write_all(fd, "x", 1), -EBADF);
	close(fd);
	assert_int_equal(fileio_write_all(-1, "x", 1), -EBADF);
	/* A pipe with no reader. */
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	close(pipefd[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(fileio_write_all(pipefd[1], "x", 1), -EPIPE);
	signal(SIGPIPE, SIG_DFL);
	close(pipefd[1]);
}

/* read_all over files of several sizes and caps: min(size, cap) bytes. */
static void test_read_all_file(void **state)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 65537, BIG_LEN };
	static const size_t caps[] = { 0, 1, 4096, 65536, BIG_LEN + 1 };
	uint8_t *data = malloc(BIG_LEN), *buf = malloc(BIG_LEN + 1);

	assert_non_null(data);
	assert_non_null(buf);
	fill_pattern(data, BIG_LEN);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		int fd = temp_file();

		assert_int_equal(fileio_write_all(fd, data, sizes[i]), 0);
		for (size_t j = 0; j < ARRAY_SIZE(caps); j++) {
			size_t want = sizes[i] < caps[j] ? sizes[i] : caps[j];

			assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
			memset(buf, 0xaa, BIG_LEN + 1);
			assert_int_equal(fileio_read_all(fd, buf, caps[j]),
					 want);
			assert_memory_equal(buf, data, want);
			/* Nothing written past what was read. */
			if (want < BIG_LEN + 1)
				assert_int_equal(buf[want], 0xaa);
		}
		close(fd);
	}
	free(data);
	free(buf);
}

/* Each read of a SOCK_SEQPACKET socket returns one message: short reads. */
static void test_read_all_short_reads(void **state)
{
	static const char *const parts[] = { "ab", "c", "defg", "hij" };
	char buf[32];
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		assert_int_equal(write(sv[1], parts[i], strlen(parts[i])),
				 strlen(parts[i]));
	/* The cap cuts the third message: its rest is lost (datagrams). */
	assert_int_equal(fileio_read_all(sv[0], buf, 5), 5);
	assert_memory_equal(buf, "abcde", 5);
	assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
	assert_int_equal(fileio_read_all(sv[0], buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "hij", 3);
	assert_int_equal(fileio_read_all(sv[0], buf, sizeof(buf)), 0);
	close(sv[0]);
	close(sv[1]);
}

/* A read interrupted by a signal (no SA_RESTART) goes on. */
static void test_read_all_eintr(void **state)
{
	char buf[16];
	int pipefd[2], status;
	pid_t child;

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pipefd[0]);
		usleep(300000);
		_exit(write(pipefd[1], "late", 4) == 4 ? 0 : 1);
	}
	close(pipefd[1]);
	alarm_soon();
	assert_int_equal(fileio_read_all(pipefd[0], buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "late", 4);
	alarm_off();
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(pipefd[0]);
}

static void test_read_errors(void **state)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int pipefd[2];
	char buf[4];

	assert_true(fd >= 0);
	assert_int_equal(fileio_read_all(fd, buf, sizeof(buf)), -EBADF);
	assert_int_equal(fileio_pread_all(fd, buf, sizeof(buf), 0), -EBADF);
	assert_int_equal(fileio_pread_exact(fd, buf, sizeof(buf), 0), -EBADF);
	close(fd);
	assert_int_equal(fileio_read_all(-1, buf, sizeof(buf)), -EBADF);
	/* A pipe cannot pread (nor would a read() of it block: no writer). */
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	close(pipefd[1]);
	assert_int_equal(fileio_pread_all(pipefd[0], buf, 1, 0), -ESPIPE);
	assert_int_equal(fileio_pread_exact(pipefd[0], buf, 1, 0), -ESPIPE);
	close(pipefd[0]);
}

static void test_pread(void **state)
{
	static const struct {
		uint64_t offset;
		size_t cap;
		ssize_t want_all;	/* fileio_pread_all() */
		int want_exact;		/* fileio_pread_exact() */
	} cases[] = {
		{ 0, 0, 0, 0 },
		{ 0, 10, 10, 0 },
		{ 0, 100, 100, 0 },
		{ 0, 101, 100, -EIO },
		{ 37, 63, 63, 0 },
		{ 37, 64, 63, -EIO },
		{ 99, 1, 1, 0 },
		{ 100, 0, 0, 0 },
		{ 100, 1, 0, -EIO },
		{ 5000, 1, 0, -EIO },
		{ (uint64_t)INT64_MAX, 0, 0, 0 },
		{ (uint64_t)INT64_MAX, 1, -EINVAL, -EINVAL },
		{ (uint64_t)INT64_MAX + 1, 0, -EINVAL, -EINVAL },
		{ UINT64_MAX, 1, -EINVAL, -EINVAL },
	};
	uint8_t data[100], buf[128];
	int fd = temp_file();

	fill_pattern(data, sizeof(data));
	assert_int_equal(fileio_write_all(fd, data, sizeof(data)), 0);
	assert_int_equal(lseek(fd, 11, SEEK_SET), 11);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ssize_t n;

		memset(buf, 0xaa, sizeof(buf));
		n = fileio_pread_all(fd, buf, cases[i].cap, cases[i].offset);
		assert_int_equal(n, cases[i].want_all);
		if (n > 0)
			assert_memory_equal(buf, data + cases[i].offset,
					    (size_t)n);
		assert_int_equal(fileio_pread_exact(fd, buf, cases[i].cap,
						    cases[i].offset),
				 cases[i].want_exact);
		if (cases[i].want_exact == 0 && cases[i].cap)
			assert_memory_equal(buf, data + cases[i].offset,
					    cases[i].cap);
		/* The file offset is the caller's. */
		assert_int_equal(lseek(fd, 0, SEEK_CUR), 11);
	}
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_all),
		cmocka_unit_test(test_write_all_short_writes),
		cmocka_unit_test(test_write_all_eintr),
		cmocka_unit_test(test_write_errors),
		cmocka_unit_test(test_read_all_file),
		cmocka_unit_test(test_read_all_short_reads),
		cmocka_unit_test(test_read_all_eintr),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_pread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
