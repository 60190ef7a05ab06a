/* SPDX-License-Identifier: MIT */
/*
 * Whole-buffer I/O: every byte written and read back (the file checked with
 * stdio as the reference), writes and reads gathered over short transfers
 * (a write into a full pipe cut short by a signal; a SOCK_SEQPACKET socket
 * returning one message a read), a write and a read interrupted by a
 * signal before they moved a byte, reads stopping at the end of the file
 * or at the cap, pread() leaving the file offset alone, offsets beyond
 * off_t refused, and errors passed up as -errno.
 *
 * Whole files: reads at, under and over their cap (sizes 0 to one past
 * it), text NUL-terminated, non-regular files refused without hanging on a
 * FIFO, procfs read as stdio reads it; attributes written in one write();
 * new files with their exact mode, never over an existing file or link;
 * atomic replacement leaving the old contents and no temporary file when
 * it fails (a write cut by RLIMIT_FSIZE), in the working directory, a
 * subdirectory or by absolute path, with the path's limits checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <limits.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* --- whole files ---------------------------------------------------------- */

/* A new empty directory; its fd, its path into dir. */
static int temp_dir(char dir[64])
{
	int fd;

	snprintf(dir, 64, "/tmp/fileio_test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* Entries in dir_fd besides "." and "..". */
static int count_entries(int dir_fd)
{
	DIR *d = fdopendir(dup(dir_fd));
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	rewinddir(d);		/* the offset is shared with dir_fd's */
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	return remove(path);
}

static void remove_dir(int dir_fd, const char *dir)
{
	close(dir_fd);
	assert_int_equal(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void put_file(int dir_fd, const char *name, const void *data,
		     size_t len)
{
	int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void assert_holds(int dir_fd, const char *name, const char *want)
{
	char got[256];
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, got, sizeof(got));
	close(fd);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(got, want, (size_t)n);
}

static mode_t mode_of(int dir_fd, const char *name)
{
	struct stat st;

	assert_int_equal(fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode & 07777;
}

/* Files of 0..9 bytes against caps 0..9: the count, or too big. */
static void test_pwrite(void **state)
{
	uint8_t data[100], buf[200];
	int fd = temp_file();

	fill_pattern(data, sizeof(data));
	assert_int_equal(lseek(fd, 11, SEEK_SET), 11);
	assert_int_equal(fileio_pwrite_all(fd, data, sizeof(data), 100), 0);
	assert_int_equal(fileio_pwrite_all(fd, data, 10, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 11);
	assert_int_equal(fileio_pread_exact(fd, buf, 200, 0), 0);
	assert_memory_equal(buf, data, 10);
	assert_memory_equal(buf + 100, data, sizeof(data));
	assert_int_equal(fileio_pwrite_all(fd, data, 1, (uint64_t)INT64_MAX),
			 -EINVAL);
	assert_int_equal(fileio_pwrite_all(fd, data, 0, UINT64_MAX), -EINVAL);
	assert_int_equal(fileio_pwrite_all(-1, data, 1, 0), -EBADF);
	close(fd);
	(void)state;
}

static void test_read_file_caps(void **state)
{
	static const char data[] = "0123456789";
	char dir[64];
	int dir_fd = temp_dir(dir);

	for (size_t len = 0; len < 10; len++) {
		put_file(dir_fd, "f", data, len);
		for (size_t cap = 0; cap < 10; cap++) {
			char *buf = test_malloc(cap ? cap : 1);
			ssize_t n = fileio_read_file(dir_fd, "f", buf, cap, 0);

			if (len > cap) {
				assert_int_equal(n, -OCIBOOT_ETOOBIG);
			} else {
				assert_int_equal(n, len);
				assert_memory_equal(buf, data, len);
			}
			test_free(buf);
		}
	}
	remove_dir(dir_fd, dir);
}

static void test_read_text(void **state)
{
	char dir[64], buf[6];
	int dir_fd = temp_dir(dir);

	put_file(dir_fd, "five", "hello", 5);
	put_file(dir_fd, "six", "hello!", 6);
	put_file(dir_fd, "nul", "a\0b", 3);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(fileio_read_text(dir_fd, "five", buf, sizeof(buf),
					  FILEIO_REGULAR), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(fileio_read_text(dir_fd, "six", buf, sizeof(buf), 0),
			 -OCIBOOT_ETOOBIG);
	assert_int_equal(fileio_read_text(dir_fd, "nul", buf, sizeof(buf), 0),
			 3);
	assert_memory_equal(buf, "a\0b\0", 4);
	assert_int_equal(fileio_read_text(dir_fd, "five", buf, 0, 0), -EINVAL);
	assert_int_equal(fileio_read_text(dir_fd, "five", buf, 1, 0),
			 -OCIBOOT_ETOOBIG);
	remove_dir(dir_fd, dir);
}

/* procfs reports size 0: the file is read to its end all the same. */
static void test_read_procfs(void **state)
{
	char buf[4096], want[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t len;
	ssize_t n;

	if (!f) {
		/* No procfs: say it, as a skip the runner can count. */
		skip();
	}
	len = fread(want, 1, sizeof(want), f);
	fclose(f);
	n = fileio_read_text(AT_FDCWD, "/proc/self/mountinfo", buf,
			     sizeof(buf), 0);
	if (len == sizeof(want)) {
		assert_int_equal(n, -OCIBOOT_ETOOBIG);
		return;
	}
	/* The same process, nothing mounted between: the same text. */
	assert_int_equal(n, len);
	assert_memory_equal(buf, want, len);
	assert_int_equal(fileio_read_text(AT_FDCWD, "/proc/self/mountinfo",
					  buf, sizeof(buf), FILEIO_REGULAR),
			 n);
}

static void test_read_file_kinds(void **state)
{
	char dir[64], buf[8];
	int dir_fd = temp_dir(dir);

	assert_int_equal(fileio_read_file(dir_fd, "missing", buf, sizeof(buf),
					  0), -ENOENT);
	assert_int_equal(mkdirat(dir_fd, "d", 0755), 0);
	assert_int_equal(fileio_read_file(dir_fd, "d", buf, sizeof(buf),
					  FILEIO_REGULAR), -EISDIR);
	assert_int_equal(fileio_read_file(dir_fd, "d", buf, sizeof(buf), 0),
			 -EISDIR);	/* read() says so too */
	/* A FIFO with no writer: refused, not waited on. */
	assert_int_equal(mkfifoat(dir_fd, "fifo", 0600), 0);
	assert_int_equal(fileio_read_file(dir_fd, "fifo", buf, sizeof(buf),
					  FILEIO_REGULAR), -EINVAL);
	assert_int_equal(fileio_read_file(AT_FDCWD, "/dev/null", buf,
					  sizeof(buf), FILEIO_REGULAR),
			 -EINVAL);
	assert_int_equal(fileio_read_file(AT_FDCWD, "/dev/null", buf,
					  sizeof(buf), 0), 0);
	remove_dir(dir_fd, dir);
}

/* fileio_read_whole() from the fd's offset, and its cap limit. */
static void test_read_whole(void **state)
{
	char buf[8];
	int fd = temp_file();

	assert_int_equal(write(fd, "abcdef", 6), 6);
	assert_int_equal(lseek(fd, 2, SEEK_SET), 2);
	assert_int_equal(fileio_read_whole(fd, buf, 4), 4);
	assert_memory_equal(buf, "cdef", 4);
	assert_int_equal(fileio_read_whole(fd, buf, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(fileio_read_whole(fd, buf, 5), -OCIBOOT_ETOOBIG);
	assert_int_equal(fileio_read_whole(fd, buf, SSIZE_MAX), -EINVAL);
	close(fd);
	assert_int_equal(fileio_read_whole(fd, buf, 4), -EBADF);
}

static void test_write_attr(void **state)
{
	char dir[64];
	int dir_fd = temp_dir(dir);

	put_file(dir_fd, "attr", "old value", 9);
	assert_int_equal(fileio_write_attr(dir_fd, "attr", "new", 3), 0);
	assert_holds(dir_fd, "attr", "new value");	/* not truncated */
	/* Never creates: a missing attribute is an error. */
	assert_int_equal(fileio_write_attr(dir_fd, "missing", "x", 1),
			 -ENOENT);
	assert_int_equal(count_entries(dir_fd), 1);
	remove_dir(dir_fd, dir);
}

static void test_write_new(void **state)
{
	char dir[64];
	int dir_fd = temp_dir(dir);
	mode_t mask = umask(077);

	assert_int_equal(fileio_write_new(dir_fd, "f", "data", 4, 0644), 0);
	assert_holds(dir_fd, "f", "data");
	assert_int_equal(mode_of(dir_fd, "f"), 0644);	/* umask not applied */
	assert_int_equal(fileio_write_new(dir_fd, "f", "other", 5, 0644),
			 -EEXIST);
	assert_holds(dir_fd, "f", "data");
	assert_int_equal(symlinkat("target", dir_fd, "link"), 0);
	assert_int_equal(fileio_write_new(dir_fd, "link", "x", 1, 0644),
			 -EEXIST);
	assert_int_equal(faccessat(dir_fd, "target", F_OK, 0), -1);
	assert_int_equal(fileio_write_new(dir_fd, "empty", "", 0, 0444), 0);
	assert_int_equal(mode_of(dir_fd, "empty"), 0444);
	umask(mask);
	remove_dir(dir_fd, dir);
}

/*
 * In a child with RLIMIT_FSIZE at 4 bytes (SIGXFSZ ignored), a longer
 * write fails with EFBIG: fn must then leave the directory as it was.
 */
static void run_with_small_fsize(int dir_fd,
				 int (*fn)(int dir_fd, const char *path,
					   const void *data, size_t len,
					   mode_t mode))
{
	int status;
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0) {
		struct rlimit rl = { 4, 4 };
		int r;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(2);
		r = fn(dir_fd, "f", "too long", 8, 0644);
		_exit(r == -EFBIG ? 0 : 1);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_write_new_failure(void **state)
{
	char dir[64];
	int dir_fd = temp_dir(dir);

	run_with_small_fsize(dir_fd, fileio_write_new);
	assert_int_equal(count_entries(dir_fd), 0);	/* removed */
	remove_dir(dir_fd, dir);
}

static void test_replace(void **state)
{
	char dir[64], path[128];
	int dir_fd = temp_dir(dir);
	mode_t mask = umask(077);

	/* New, then replaced; the mode each time as given. */
	assert_int_equal(fileio_replace(dir_fd, "f", "first", 5, 0640), 0);
	assert_holds(dir_fd, "f", "first");
	assert_int_equal(mode_of(dir_fd, "f"), 0640);
	assert_int_equal(fileio_replace(dir_fd, "f", "second", 6, 0644), 0);
	assert_holds(dir_fd, "f", "second");
	assert_int_equal(mode_of(dir_fd, "f"), 0644);
	assert_int_equal(count_entries(dir_fd), 1);

	/* A link is replaced, not followed. */
	assert_int_equal(symlinkat("f", dir_fd, "link"), 0);
	assert_int_equal(fileio_replace(dir_fd, "link", "own", 3, 0644), 0);
	assert_holds(dir_fd, "f", "second");
	assert_holds(dir_fd, "link", "own");
	assert_int_equal(mode_of(dir_fd, "link") & 0777, 0644);

	/* In a subdirectory, and by absolute path. */
	assert_int_equal(mkdirat(dir_fd, "sub", 0755), 0);
	assert_int_equal(fileio_replace(dir_fd, "sub/g", "in sub", 6, 0600),
			 0);
	assert_holds(dir_fd, "sub/g", "in sub");
	snprintf(path, sizeof(path), "%s/sub/g", dir);
	assert_int_equal(fileio_replace(AT_FDCWD, path, "absolute", 8, 0600),
			 0);
	assert_holds(dir_fd, "sub/g", "absolute");
	umask(mask);

	/* Failure: the old file stays, no temporary is left. */
	run_with_small_fsize(dir_fd, fileio_replace);
	assert_holds(dir_fd, "f", "second");
	assert_int_equal(count_entries(dir_fd), 3);	/* f, link, sub */
	remove_dir(dir_fd, dir);
}

static void test_replace_paths(void **state)
{
	char dir[64], name[NAME_MAX + 2], *deep;
	int dir_fd = temp_dir(dir);

	assert_int_equal(fileio_replace(dir_fd, "", "x", 1, 0644), -EINVAL);
	assert_int_equal(fileio_replace(dir_fd, "sub/", "x", 1, 0644),
			 -EINVAL);
	assert_int_equal(fileio_replace(dir_fd, "missing/f", "x", 1, 0644),
			 -ENOENT);
	memset(name, 'n', NAME_MAX + 1);
	name[NAME_MAX + 1] = '\0';
	assert_int_equal(fileio_replace(dir_fd, name, "x", 1, 0644),
			 -ENAMETOOLONG);
	/* The longest name: its temporary name is shortened, not refused. */
	name[NAME_MAX] = '\0';
	assert_int_equal(fileio_replace(dir_fd, name, "x", 1, 0644), 0);
	assert_holds(dir_fd, name, "x");
	deep = test_malloc(PATH_MAX + 8);
	memset(deep, 'd', PATH_MAX + 1);
	memcpy(deep + PATH_MAX + 1, "/f", 3);
	assert_int_equal(fileio_replace(dir_fd, deep, "x", 1, 0644),
			 -ENAMETOOLONG);
	test_free(deep);
	assert_int_equal(count_entries(dir_fd), 1);
	remove_dir(dir_fd, dir);
}

/* Written in pieces, named at the end; or abandoned. */
static void test_temp(void **state)
{
	struct fileio_temp t;
	char dir[64];
	int dir_fd = temp_dir(dir);

	assert_int_equal(fileio_temp_open(&t, dir_fd, "blob", 0644), 0);
	assert_int_equal(count_entries(dir_fd), 1);
	assert_int_equal(fileio_write_all(t.fd, "ab", 2), 0);
	assert_int_equal(fileio_write_all(t.fd, "cd", 2), 0);
	{
		char back[4];

		/* Readable: a caller hashes what it wrote. */
		assert_int_equal(fileio_pread_exact(t.fd, back, 4, 0), 0);
		assert_memory_equal(back, "abcd", 4);
	}
	assert_int_equal(fileio_temp_commit(&t, "by-digest"), 0);
	assert_int_equal(t.fd, -1);
	assert_int_equal(t.dir_fd, -1);
	assert_holds(dir_fd, "by-digest", "abcd");
	assert_int_equal(count_entries(dir_fd), 1);

	assert_int_equal(fileio_temp_open(&t, dir_fd, "blob", 0644), 0);
	assert_int_equal(fileio_write_all(t.fd, "xy", 2), 0);
	fileio_temp_abort(&t);
	fileio_temp_abort(&t);		/* twice is harmless */
	assert_int_equal(count_entries(dir_fd), 1);

	/* A commit that cannot rename removes the temporary file. */
	assert_int_equal(mkdirat(dir_fd, "dir", 0755), 0);
	assert_int_equal(mkdirat(dir_fd, "dir/full", 0755), 0);
	assert_int_equal(fileio_temp_open(&t, dir_fd, "dir/f", 0644), 0);
	assert_int_equal(fileio_temp_commit(&t, "full"), -EISDIR);
	assert_int_equal(unlinkat(dir_fd, "dir/full", AT_REMOVEDIR), 0);
	assert_int_equal(unlinkat(dir_fd, "dir", AT_REMOVEDIR), 0);
	assert_int_equal(count_entries(dir_fd), 1);
	remove_dir(dir_fd, dir);
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
		cmocka_unit_test(test_pwrite),
		cmocka_unit_test(test_read_file_caps),
		cmocka_unit_test(test_read_text),
		cmocka_unit_test(test_read_procfs),
		cmocka_unit_test(test_read_file_kinds),
		cmocka_unit_test(test_read_whole),
		cmocka_unit_test(test_write_attr),
		cmocka_unit_test(test_write_new),
		cmocka_unit_test(test_write_new_failure),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_replace_paths),
		cmocka_unit_test(test_temp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
