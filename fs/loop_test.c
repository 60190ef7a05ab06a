/* SPDX-License-Identifier: MIT */
/*
 * Tests of fs/loop.c: the LOOP_CONFIGURE configuration as a table, then
 * real attaches on this host (skipped without /dev/loop-control or
 * without the right to use it) checked through sysfs -- the kernel's own
 * account of the device -- and through reads of the device. ioctl() of
 * the code under test is wrapped (-Wl,--wrap=ioctl) so that a test can
 * make LOOP_CONFIGURE look unsupported (the pre-5.8 fallback then runs
 * for real), lose races (EBUSY), or have the kernel report a writable
 * device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>

#include "fs/loop.h"
#include "lib/clock.h"
#include "lib/util.h"

#define FILE_SIZE (64 * 1024)

/* --- ioctl fault injection ------------------------------------------------ */

int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

static struct {
	int configure_errno;		/* LOOP_CONFIGURE fails with this */
	unsigned int busy_left;		/* ... EBUSY this many times */
	bool report_writable;		/* LOOP_GET_STATUS64 drops READ_ONLY */
	unsigned int get_free, configure, set_fd, set_status, clr_fd;
	int last_free;
} inject;

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (request) {
	case LOOP_CTL_GET_FREE:
		inject.get_free++;
		r = __real_ioctl(fd, request, arg);
		inject.last_free = r;
		return r;
	case LOOP_CONFIGURE:
		inject.configure++;
		if (inject.busy_left > 0) {
			inject.busy_left--;
			errno = EBUSY;
			return -1;
		}
		if (inject.configure_errno) {
			errno = inject.configure_errno;
			return -1;
		}
		break;
	case LOOP_SET_FD:
		inject.set_fd++;
		break;
	case LOOP_SET_STATUS64:
		inject.set_status++;
		break;
	case LOOP_CLR_FD:
		inject.clr_fd++;
		break;
	case LOOP_GET_STATUS64:
		r = __real_ioctl(fd, request, arg);
		if (r == 0 && inject.report_writable)
			((struct loop_info64 *)arg)->lo_flags &=
				~(uint32_t)LO_FLAGS_READ_ONLY;
		return r;
	}
	return __real_ioctl(fd, request, arg);
}

/* --- the configuration ---------------------------------------------------- */

static void test_config_table(void **state)
{
	const struct {
		bool null_opt;
		struct loop_options opt;
		uint32_t flags;
	} cases[] = {
		{ true, { 0, 0, 0 }, LO_FLAGS_READ_ONLY },
		{ false, { 0, 0, 0 }, LO_FLAGS_READ_ONLY },
		{ false, { 0, 0, LOOP_ATTACH_AUTOCLEAR },
		  LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR },
		{ false, { 4096, 8192, 0 }, LO_FLAGS_READ_ONLY },
		{ false, { 1, 0, 0 }, LO_FLAGS_READ_ONLY },
		{ false, { INT64_MAX, 0, 0 }, LO_FLAGS_READ_ONLY },
		{ false, { 0, INT64_MAX, 0 }, LO_FLAGS_READ_ONLY },
		{ false, { INT64_MAX - 10, 10, 0 }, LO_FLAGS_READ_ONLY },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct loop_config cfg, zero;

		memset(&cfg, 0xaa, sizeof(cfg));
		assert_int_equal(loop_config_init(&cfg, 7, cases[i].null_opt ?
						  NULL : &cases[i].opt), 0);
		assert_int_equal(cfg.fd, 7);
		assert_int_equal(cfg.block_size, 0);
		assert_int_equal(cfg.info.lo_offset, cases[i].opt.offset);
		assert_int_equal(cfg.info.lo_sizelimit, cases[i].opt.sizelimit);
		assert_int_equal(cfg.info.lo_flags, cases[i].flags);
		/* Everything else zero: no name, no key, nothing reserved. */
		memset(&zero, 0, sizeof(zero));
		cfg.fd = 0;
		cfg.info.lo_offset = 0;
		cfg.info.lo_sizelimit = 0;
		cfg.info.lo_flags = 0;
		assert_memory_equal(&cfg, &zero, sizeof(cfg));
	}
}

static void test_config_invalid(void **state)
{
	const struct {
		int fd;
		struct loop_options opt;
	} cases[] = {
		{ -1, { 0, 0, 0 } },
		{ 3, { 0, 0, 2 } },
		{ 3, { 0, 0, 1u << 31 } },
		{ 3, { (uint64_t)INT64_MAX + 1, 0, 0 } },
		{ 3, { 0, (uint64_t)INT64_MAX + 1, 0 } },
		{ 3, { INT64_MAX - 10, 11, 0 } },
		{ 3, { UINT64_MAX, 1, 0 } },
		{ 3, { 1, UINT64_MAX, 0 } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct loop_config cfg;

		memset(&cfg, 0x5a, sizeof(cfg));
		assert_int_equal(loop_config_init(&cfg, cases[i].fd,
						  &cases[i].opt), -EINVAL);
		for (size_t b = 0; b < sizeof(cfg); b++)
			assert_int_equal(((uint8_t *)&cfg)[b], 0x5a);
	}
}

/* --- real devices --------------------------------------------------------- */

static char file_path[64];
static int file_fd = -1;

/* Byte k of the backing file. */
static uint8_t pattern(size_t k)
{
	return (uint8_t)(k * 131 + (k >> 12) * 7);
}

static int setup_file(void **state)
{
	uint8_t data[FILE_SIZE];
	int fd;

	for (size_t k = 0; k < sizeof(data); k++)
		data[k] = pattern(k);
	snprintf(file_path, sizeof(file_path), "/tmp/ociboot-loop-XXXXXX");
	fd = mkostemp(file_path, O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	close(fd);
	/* Opened read-only: the attach must not need more. */
	file_fd = open(file_path, O_RDONLY | O_CLOEXEC);
	assert_true(file_fd >= 0);
	return 0;
}

static int teardown_file(void **state)
{
	if (file_fd >= 0)
		close(file_fd);
	unlink(file_path);
	return 0;
}

/* Skip unless this process can attach loop devices. */
static void need_loop(void)
{
	int fd = open(LOOP_CONTROL_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		print_message("no %s (%s): skipped\n", LOOP_CONTROL_PATH,
			      strerror(errno));
		skip();
	}
	close(fd);
}

/* /sys/block/loopN/<attr> without the newline, or "" when missing. */
static const char *sysfs(unsigned int index, const char *attr)
{
	static char value[PATH_MAX + 2];
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/block/loop%u/%s", index, attr);
	value[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return value;
	n = read(fd, value, sizeof(value) - 1);
	close(fd);
	if (n < 0)
		n = 0;
	value[n] = '\0';
	if (n > 0 && value[n - 1] == '\n')
		value[n - 1] = '\0';
	return value;
}

static unsigned long long sysfs_u64(unsigned int index, const char *attr)
{
	return strtoull(sysfs(index, attr), NULL, 10);
}

/* Whether loopN is bound, waiting up to 2 s for it to become want. */
static bool bound_becomes(unsigned int index, bool want)
{
	for (int i = 0; i < 200; i++) {
		bool bound = sysfs(index, "loop/backing_file")[0] != '\0';

		if (bound == want)
			return true;
		clock_sleep_ms(10);
	}
	return false;
}

/* The device shows the file's bytes [offset, offset + size). */
static void check_contents(const struct loop_device *loop, size_t offset,
			   size_t size)
{
	uint8_t got[FILE_SIZE];
	uint64_t dev_size = 0;
	int fd = open(loop->path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, BLKGETSIZE64, &dev_size), 0);
	assert_int_equal(dev_size, size);
	assert_int_equal(pread(fd, got, size, 0), (ssize_t)size);
	for (size_t k = 0; k < size; k++)
		if (got[k] != pattern(offset + k))
			fail_msg("byte %zu of %s differs", k, loop->path);
	close(fd);
}

static void check_attached(const struct loop_device *loop,
			   const struct loop_options *opt)
{
	struct stat st;
	char want_dev[32];

	assert_int_equal(stat(loop->path, &st), 0);
	assert_true(S_ISBLK(st.st_mode));
	assert_int_equal(st.st_rdev, loop->devt);
	snprintf(want_dev, sizeof(want_dev), "/dev/loop%u", loop->index);
	assert_string_equal(loop->path, want_dev);
	snprintf(want_dev, sizeof(want_dev), "%u:%u", major(loop->devt),
		 minor(loop->devt));
	assert_string_equal(sysfs(loop->index, "dev"), want_dev);

	assert_string_equal(sysfs(loop->index, "ro"), "1");
	assert_string_equal(sysfs(loop->index, "loop/backing_file"),
			    file_path);
	assert_int_equal(sysfs_u64(loop->index, "loop/offset"), opt->offset);
	assert_int_equal(sysfs_u64(loop->index, "loop/sizelimit"),
			 opt->sizelimit);
	assert_string_equal(sysfs(loop->index, "loop/autoclear"),
			    (opt->flags & LOOP_ATTACH_AUTOCLEAR) ? "1" : "0");
	assert_string_equal(sysfs(loop->index, "loop/dio"), "0");
	check_contents(loop, opt->offset, opt->sizelimit ?
		       opt->sizelimit : FILE_SIZE - opt->offset);

	/* Read-only for writers too, even root. */
	int fd = open(loop->path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		assert_int_equal(write(fd, "x", 1), -1);
		close(fd);
	} else {
		assert_int_equal(errno, EROFS);
	}
}

static void attach_check_detach(const struct loop_options *opt)
{
	struct loop_device loop;

	need_loop();
	memset(&inject, 0, sizeof(inject));
	assert_int_equal(loop_attach(file_fd, opt, &loop), 0);
	assert_true(loop.fd >= 0);
	assert_true(fcntl(loop.fd, F_GETFD) & FD_CLOEXEC);
	check_attached(&loop, opt);
	assert_int_equal(loop_detach(&loop), 0);
	assert_int_equal(loop.fd, -1);
	assert_true(bound_becomes(loop.index, false));
	assert_int_equal(loop_detach(&loop), -EBADF);
}

static void test_attach_whole(void **state)
{
	const struct loop_options opt = { 0, 0, 0 };

	attach_check_detach(&opt);
	assert_int_equal(inject.configure, 1);
	assert_int_equal(inject.set_fd, 0);
}

static void test_attach_window(void **state)
{
	const struct loop_options opt = { 4096, 3 * 4096, 0 };

	attach_check_detach(&opt);
}

/* Kernels before 5.8: LOOP_CONFIGURE is EINVAL there (or ENOTTY). */
static void test_attach_fallback(void **state)
{
	const struct loop_options opt = { 8192, 4096, 0 };
	const int errs[] = { EINVAL, ENOTTY };

	for (size_t i = 0; i < ARRAY_SIZE(errs); i++) {
		struct loop_device loop;

		need_loop();
		memset(&inject, 0, sizeof(inject));
		inject.configure_errno = errs[i];
		assert_int_equal(loop_attach(file_fd, &opt, &loop), 0);
		assert_int_equal(inject.set_fd, 1);
		assert_int_equal(inject.set_status, 1);
		check_attached(&loop, &opt);
		assert_int_equal(loop_detach(&loop), 0);
		assert_true(bound_becomes(loop.index, false));
	}
	/* Other errors are not a reason to fall back. */
	struct loop_device loop = { -1, 0, 0, "" };

	memset(&inject, 0, sizeof(inject));
	inject.configure_errno = EPERM;
	assert_int_equal(loop_attach(file_fd, &opt, &loop), -EPERM);
	assert_int_equal(inject.set_fd, 0);
	assert_int_equal(loop.fd, -1);
}

static void test_attach_races(void **state)
{
	const struct loop_options opt = { 0, 0, 0 };
	struct loop_device loop = { -1, 0, 0, "" };

	need_loop();
	memset(&inject, 0, sizeof(inject));
	inject.busy_left = LOOP_ATTACH_TRIES - 1;
	assert_int_equal(loop_attach(file_fd, &opt, &loop), 0);
	assert_int_equal(inject.get_free, LOOP_ATTACH_TRIES);
	check_attached(&loop, &opt);
	assert_int_equal(loop_detach(&loop), 0);

	memset(&inject, 0, sizeof(inject));
	inject.busy_left = LOOP_ATTACH_TRIES;
	assert_int_equal(loop_attach(file_fd, &opt, &loop), -EBUSY);
	assert_int_equal(inject.get_free, LOOP_ATTACH_TRIES);
	assert_int_equal(loop.fd, -1);
}

/* A device the kernel does not report read-only is refused and freed. */
static void test_attach_not_read_only(void **state)
{
	struct loop_device loop = { -1, 0, 0, "" };

	need_loop();
	memset(&inject, 0, sizeof(inject));
	inject.report_writable = true;
	assert_int_equal(loop_attach(file_fd, NULL, &loop), -EROFS);
	assert_int_equal(inject.clr_fd, 1);
	assert_int_equal(loop.fd, -1);
	assert_true(inject.last_free >= 0);
	assert_true(bound_becomes((unsigned int)inject.last_free, false));
}

/* Autoclear: gone at our last close, kept while another opener holds it. */
static void test_autoclear(void **state)
{
	const struct loop_options opt = { 0, 0, LOOP_ATTACH_AUTOCLEAR };
	struct loop_device loop;
	int holder;

	need_loop();
	memset(&inject, 0, sizeof(inject));
	assert_int_equal(loop_attach(file_fd, &opt, &loop), 0);
	check_attached(&loop, &opt);
	loop_release(&loop);
	assert_int_equal(loop.fd, -1);
	loop_release(&loop);
	assert_true(bound_becomes(loop.index, false));

	/* A second opener (as a dm table or a mount is) keeps it alive. */
	assert_int_equal(loop_attach(file_fd, &opt, &loop), 0);
	holder = open(loop.path, O_RDONLY | O_CLOEXEC);
	assert_true(holder >= 0);
	loop_release(&loop);
	assert_true(bound_becomes(loop.index, true));
	check_contents(&loop, 0, FILE_SIZE);
	close(holder);
	assert_true(bound_becomes(loop.index, false));
}

/* Detach while held: the kernel defers it to the last close. */
static void test_detach_deferred(void **state)
{
	struct loop_device loop;
	int holder;

	need_loop();
	memset(&inject, 0, sizeof(inject));
	assert_int_equal(loop_attach(file_fd, NULL, &loop), 0);
	holder = open(loop.path, O_RDONLY | O_CLOEXEC);
	assert_true(holder >= 0);
	assert_int_equal(loop_detach(&loop), 0);
	assert_true(bound_becomes(loop.index, true));
	assert_string_equal(sysfs(loop.index, "loop/autoclear"), "1");
	close(holder);
	assert_true(bound_becomes(loop.index, false));
}

static void test_attach_bad_fd(void **state)
{
	struct loop_device loop = { -1, 0, 0, "" };
	int fd;

	assert_int_equal(loop_attach(-1, NULL, &loop), -EINVAL);
	need_loop();
	/* An fd that is not open: the kernel refuses it. */
	fd = 1000;
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	memset(&inject, 0, sizeof(inject));
	assert_int_equal(loop_attach(fd, NULL, &loop), -EBADF);
	assert_int_equal(loop.fd, -1);
	/* Not a file: a character device is refused as well. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(loop_attach(fd, NULL, &loop), -EINVAL);
	assert_int_equal(loop.fd, -1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_table),
		cmocka_unit_test(test_config_invalid),
		cmocka_unit_test(test_attach_whole),
		cmocka_unit_test(test_attach_window),
		cmocka_unit_test(test_attach_fallback),
		cmocka_unit_test(test_attach_races),
		cmocka_unit_test(test_attach_not_read_only),
		cmocka_unit_test(test_autoclear),
		cmocka_unit_test(test_detach_deferred),
		cmocka_unit_test(test_attach_bad_fd),
	};

	return cmocka_run_group_tests(tests, setup_file, teardown_file);
}
