/* SPDX-License-Identifier: MIT */
/*
 * Allocating whole-file reads: regular files of sizes around the cap and
 * around the first allocation (each byte checked, the NUL after the last),
 * a pipe whose size is unknown growing the buffer, a file that grew after
 * its size was taken, the cap exactly met and exceeded by one byte, the
 * outputs left alone on failure, and non-regular files refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/fileio_alloc.h"
#include "lib/util.h"

static void fill_pattern(uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + i / 255);
}

static int temp_file_with(const uint8_t *data, size_t len)
{
	char path[] = "/tmp/fileio_alloc_test.XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(fileio_write_all(fd, data, len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void test_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 4095, 4096, 4097, 10000,
					100000 };
	uint8_t *data = malloc(100001);

	assert_non_null(data);
	fill_pattern(data, 100001);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t len = sizes[i];
		size_t caps[] = { len, len + 1, len * 2 + 5, len ? len - 1 : 0 };

		for (size_t j = 0; j < ARRAY_SIZE(caps); j++) {
			int fd = temp_file_with(data, len);
			uint8_t *out = (uint8_t *)"untouched";
			size_t got = 12345;
			int r = fileio_read_whole_alloc(fd, caps[j], &out, &got);

			if (len > caps[j]) {
				assert_int_equal(r, -OCIBOOT_ETOOBIG);
				assert_string_equal((char *)out, "untouched");
				assert_int_equal(got, 12345);
			} else {
				assert_int_equal(r, 0);
				assert_int_equal(got, len);
				assert_memory_equal(out, data, len);
				assert_int_equal(out[len], '\0');
				free(out);
			}
			close(fd);
		}
	}
	free(data);
}

/* A pipe has no size: the buffer grows from its first allocation. */
static void test_pipe(void **state)
{
	const size_t len = 200000;
	uint8_t *data = malloc(len), *out;
	int pipefd[2], status;
	size_t got;
	pid_t child;

	assert_non_null(data);
	fill_pattern(data, len);
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pipefd[0]);
		_exit(fileio_write_all(pipefd[1], data, len) ? 1 : 0);
	}
	close(pipefd[1]);
	assert_int_equal(fileio_read_whole_alloc(pipefd[0], len, &out, &got),
			 0);
	assert_int_equal(got, len);
	assert_memory_equal(out, data, len);
	assert_int_equal(out[len], '\0');
	free(out);
	close(pipefd[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(data);
}

/* The size fstat() gave is a hint: more bytes after it are read too. */
static void test_grew(void **state)
{
	uint8_t data[300], *out;
	size_t got;
	int fd;

	fill_pattern(data, sizeof(data));
	fd = temp_file_with(data, 100);
	/* From offset 50: fstat says 100, 50 remain; then 200 more. */
	assert_int_equal(lseek(fd, 50, SEEK_SET), 50);
	assert_int_equal(pwrite(fd, data + 100, 200, 100), 200);
	assert_int_equal(fileio_read_whole_alloc(fd, 1000, &out, &got), 0);
	assert_int_equal(got, 250);
	assert_memory_equal(out, data + 50, 250);
	free(out);
	close(fd);
}

static void test_by_path(void **state)
{
	uint8_t *out;
	size_t got;

	assert_int_equal(fileio_read_file_alloc(AT_FDCWD, "/nonexistent/x",
						16, 0, &out, &got), -ENOENT);
	assert_int_equal(fileio_read_file_alloc(AT_FDCWD, "/tmp", 16,
						FILEIO_REGULAR, &out, &got),
			 -EISDIR);
	assert_int_equal(fileio_read_file_alloc(AT_FDCWD, "/dev/null", 16,
						FILEIO_REGULAR, &out, &got),
			 -EINVAL);
	assert_int_equal(fileio_read_file_alloc(AT_FDCWD, "/dev/null", 16, 0,
						&out, &got), 0);
	assert_int_equal(got, 0);
	assert_int_equal(out[0], '\0');
	free(out);
	assert_int_equal(fileio_read_file_alloc(AT_FDCWD, "/dev/zero", 4096,
						0, &out, &got),
			 -OCIBOOT_ETOOBIG);
	assert_int_equal(fileio_read_whole_alloc(0, SIZE_MAX, &out, &got),
			 -EINVAL);
	assert_int_equal(fileio_read_whole_alloc(-1, 16, &out, &got), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_grew),
		cmocka_unit_test(test_by_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
