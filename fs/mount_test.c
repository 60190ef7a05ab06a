/* SPDX-License-Identifier: MIT */
/*
 * Tests of fs/mount.c. Without arguments: the cmocka tests of the option
 * builders (order, every check, overflow at the exact boundary, the page
 * cap) and of mount_mkdir_p() in a scratch directory. With arguments it is
 * the driver fs/mount_test.sh runs on real loop devices and mounts:
 *
 *   mount attach FILE [OFFSET SIZELIMIT]  attach read-only, print /dev/loopN
 *   mount attach-mount FILE DIR           attach with autoclear, mount the
 *                                         squashfs on DIR, close our fd,
 *                                         print /dev/loopN
 *   mount detach DEV                      detach /dev/loopN
 *   mount squashfs DEV DIR                mount_squashfs()
 *   mount scratch DIR [SIZE]              mount_overlay_scratch()
 *   mount overlay DIR UPPER WORK LOWER... mount_overlay() (UPPER and WORK
 *                                         "-" for a read-only overlay;
 *                                         LOWERs top first; userxattr
 *                                         when MOUNT_USERXATTR is set)
 *   mount options UPPER WORK LOWER...     print mount_overlay_options()
 *   mount mkdir-p PATH                    mount_mkdir_p(PATH, 0755)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/loop.h"
#include "fs/mount.h"
#include "lib/util.h"

#define FIXED "," MOUNT_OVERLAY_FIXED_OPTIONS

/* --- overlay options ------------------------------------------------------ */

static void test_overlay_options(void **state)
{
	const char *three[] = { "/run/l/2", "/run/l/1", "/run/l/0" };
	const char *one[] = { "/top" };
	const char *two[] = { "/a", "/b" };
	const struct {
		struct mount_overlay ov;
		const char *want;
	} cases[] = {
		{ { three, 3, "/run/rw/upper", "/run/rw/work", false },
		  "lowerdir=/run/l/2:/run/l/1:/run/l/0,upperdir=/run/rw/upper,"
		  "workdir=/run/rw/work" FIXED },
		{ { one, 1, "/u", "/w", false },
		  "lowerdir=/top,upperdir=/u,workdir=/w" FIXED },
		{ { two, 2, NULL, NULL, false }, "lowerdir=/a:/b" FIXED },
		{ { three, 2, NULL, NULL, false }, "lowerdir=/run/l/2:/run/l/1"
		  FIXED },
		{ { three, 3, NULL, NULL, true },
		  "lowerdir=/run/l/2:/run/l/1:/run/l/0,userxattr" FIXED },
	};
	char buf[MOUNT_OPTIONS_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int n = mount_overlay_options(buf, sizeof(buf), &cases[i].ov);

		assert_int_equal(n, strlen(cases[i].want));
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_overlay_options_invalid(void **state)
{
	const char *ok[] = { "/a", "/b" };
	const char *comma[] = { "/a,b", "/b" };
	const char *colon[] = { "/a", "/b:c" };
	const char *backslash[] = { "/a\\", "/b" };
	const char *space[] = { "/a b", "/b" };
	const char *newline[] = { "/a", "/b\n" };
	const char *high[] = { "/caf\xc3\xa9", "/b" };
	const char *relative[] = { "a", "/b" };
	const char *empty[] = { "", "/b" };
	const char *null[] = { NULL, "/b" };
	const struct mount_overlay cases[] = {
		{ ok, 0, "/u", "/w", false },
		{ NULL, 1, "/u", "/w", false },
		{ ok, MOUNT_LOWER_MAX + 1, "/u", "/w", false },
		{ ok, 1, NULL, NULL, false },	/* read-only needs two */
		{ ok, 2, "/u", "/w", true },	/* userxattr: no upper */
		{ ok, 2, "/u", NULL, false },
		{ ok, 2, NULL, "/w", false },
		{ ok, 2, "/u,x", "/w", false },
		{ ok, 2, "/u", "w", false },
		{ comma, 2, "/u", "/w", false },
		{ colon, 2, "/u", "/w", false },
		{ backslash, 2, "/u", "/w", false },
		{ space, 2, "/u", "/w", false },
		{ newline, 2, "/u", "/w", false },
		{ high, 2, "/u", "/w", false },
		{ relative, 2, "/u", "/w", false },
		{ empty, 2, "/u", "/w", false },
		{ null, 2, "/u", "/w", false },
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, 'z', sizeof(buf));
		assert_int_equal(mount_overlay_options(buf, sizeof(buf),
						       &cases[i]), -EINVAL);
		assert_int_equal(buf[0], 'z');
	}
	assert_int_equal(mount_overlay_options(buf, sizeof(buf), NULL),
			 -EINVAL);
}

/* Fits with exactly its length + 1, not with one byte less. */
static void test_overlay_options_boundary(void **state)
{
	const char *lowers[] = { "/l/top", "/l/base" };
	struct mount_overlay ov = { lowers, 2, "/rw/upper", "/rw/work", false };
	char want[MOUNT_OPTIONS_MAX], buf[MOUNT_OPTIONS_MAX];
	int n = mount_overlay_options(want, sizeof(want), &ov);

	assert_true(n > 0);
	for (size_t size = 0; size <= (size_t)n; size++) {
		memset(buf, 'z', sizeof(buf));
		assert_int_equal(mount_overlay_options(buf, size, &ov),
				 -ENOSPC);
		assert_int_equal(buf[0], 'z');
	}
	memset(buf, 'z', sizeof(buf));
	assert_int_equal(mount_overlay_options(buf, (size_t)n + 1, &ov), n);
	assert_string_equal(buf, want);
}

/* The page cap holds whatever buffer the caller has. */
static void test_overlay_options_page_cap(void **state)
{
	static char paths[MOUNT_LOWER_MAX][64];
	static const char *lowers[MOUNT_LOWER_MAX];
	static char big[4 * MOUNT_OPTIONS_MAX];
	struct mount_overlay ov = { lowers, 0, "/u", "/w", false };
	size_t fits = 0;

	for (size_t i = 0; i < MOUNT_LOWER_MAX; i++) {
		/* 39-character paths: 128 of them are over a page. */
		snprintf(paths[i], sizeof(paths[i]),
			 "/run/ociboot/layers/%019zu", i);
		lowers[i] = paths[i];
	}
	for (size_t count = 1; count <= MOUNT_LOWER_MAX; count++) {
		int n;

		ov.lower_count = count;
		n = mount_overlay_options(big, sizeof(big), &ov);
		if (n == -ENOSPC)
			break;
		assert_true(n > 0 && n < MOUNT_OPTIONS_MAX);
		assert_int_equal(strlen(big), n);
		fits = count;
	}
	/* The largest N with N paths, N - 1 colons and the rest < a page. */
	size_t rest = strlen("lowerdir=,upperdir=/u,workdir=/w" FIXED);
	size_t path = strlen(paths[0]), want = 0;

	while (rest + (want + 1) * path + want <= MOUNT_OPTIONS_MAX - 1)
		want++;
	assert_int_equal(fits, want);
	assert_true(fits < MOUNT_LOWER_MAX);
}

static void test_tmpfs_options(void **state)
{
	char buf[64];

	assert_int_equal(mount_tmpfs_options(buf, sizeof(buf), 0755, 0),
			 strlen("mode=0755"));
	assert_string_equal(buf, "mode=0755");
	assert_int_equal(mount_tmpfs_options(buf, sizeof(buf), 01777,
					     UINT64_C(1) << 30),
			 strlen("mode=01777,size=1073741824"));
	assert_string_equal(buf, "mode=01777,size=1073741824");
	assert_int_equal(mount_tmpfs_options(buf, sizeof(buf), 0700,
					     UINT64_MAX),
			 strlen("mode=0700,size=18446744073709551615"));
	assert_int_equal(mount_tmpfs_options(buf, sizeof(buf), 010000, 0),
			 -EINVAL);
	assert_int_equal(mount_tmpfs_options(buf, 9, 0755, 0), -ENOSPC);
	assert_int_equal(mount_tmpfs_options(buf, 10, 0755, 0), 9);
}

/* --- mkdir -p ------------------------------------------------------------- */

static char scratch[64];

static int make_scratch(void **state)
{
	snprintf(scratch, sizeof(scratch), "/tmp/ociboot-mount-XXXXXX");
	assert_non_null(mkdtemp(scratch));
	return 0;
}

static int remove_scratch(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

static void assert_dir_mode(const char *path, mode_t mode)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
}

static void test_mkdir_p(void **state)
{
	char path[MOUNT_PATH_MAX + 8], file[96];
	mode_t old = umask(077);
	int fd;

	snprintf(path, sizeof(path), "%s/a/b//c/", scratch);
	assert_int_equal(mount_mkdir_p(path, 0755), 0);
	umask(old);
	snprintf(path, sizeof(path), "%s/a/b/c", scratch);
	assert_dir_mode(path, 0755);	/* not narrowed by the umask */
	snprintf(path, sizeof(path), "%s/a", scratch);
	assert_dir_mode(path, 0755);
	/* Again: all there. */
	snprintf(path, sizeof(path), "%s/a/b/c", scratch);
	assert_int_equal(mount_mkdir_p(path, 0700), 0);
	assert_dir_mode(path, 0755);

	snprintf(file, sizeof(file), "%s/file", scratch);
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/file/x", scratch);
	assert_int_equal(mount_mkdir_p(path, 0755), -ENOTDIR);
	assert_int_equal(mount_mkdir_p(file, 0755), -ENOTDIR);

	assert_int_equal(mount_mkdir_p("relative/x", 0755), -EINVAL);
	assert_int_equal(mount_mkdir_p(NULL, 0755), -EINVAL);
	assert_int_equal(mount_mkdir_p("/", 0755), 0);

	/* Too deep: refused before anything is made past the cap. */
	int n = snprintf(path, sizeof(path), "%s/deep", scratch);

	for (int i = 0; i < MOUNT_MKDIR_DEPTH_MAX; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "/d");
	assert_int_equal(mount_mkdir_p(path, 0755), -EINVAL);

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[MOUNT_PATH_MAX] = '\0';
	assert_int_equal(mount_mkdir_p(path, 0755), -ENAMETOOLONG);
}

/* --- the driver ----------------------------------------------------------- */

static int die(const char *what, int err)
{
	fprintf(stderr, "mount: %s: %s\n", what, ociboot_strerror(err));
	return 1;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

static int drive_attach(int argc, char **argv, bool then_mount)
{
	struct loop_options opt = { 0, 0, 0 };
	struct loop_device loop;
	int fd, err;

	if (argc == 5 && !then_mount &&
	    (parse_u64(argv[3], &opt.offset) < 0 ||
	     parse_u64(argv[4], &opt.sizelimit) < 0))
		return die("bad offset or size limit", -EINVAL);
	if (then_mount)
		opt.flags = LOOP_ATTACH_AUTOCLEAR;
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return die(argv[2], -errno);
	err = loop_attach(fd, &opt, &loop);
	close(fd);
	if (err < 0)
		return die("loop_attach", err);
	if (then_mount) {
		err = mount_squashfs(loop.path, argv[3]);
		loop_release(&loop);
		if (err < 0)
			return die("mount_squashfs", err);
	} else {
		loop_release(&loop);
	}
	printf("%s\n", loop.path);
	return 0;
}

static int drive_detach(const char *dev)
{
	struct loop_device loop = { -1, 0, 0, "" };
	int err;

	loop.fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (loop.fd < 0)
		return die(dev, -errno);
	err = loop_detach(&loop);
	return err < 0 ? die("loop_detach", err) : 0;
}

static int drive_overlay(int argc, char **argv, bool print_only)
{
	int first = print_only ? 2 : 3;
	struct mount_overlay ov = {
		(const char *const *)argv + first + 2,
		(size_t)(argc - first - 2),
		streq(argv[first], "-") ? NULL : argv[first],
		streq(argv[first + 1], "-") ? NULL : argv[first + 1],
		getenv("MOUNT_USERXATTR") != NULL,
	};
	char opts[MOUNT_OPTIONS_MAX];
	int r;

	if (print_only) {
		r = mount_overlay_options(opts, sizeof(opts), &ov);
		if (r < 0)
			return die("mount_overlay_options", r);
		printf("%s\n", opts);
		return 0;
	}
	r = mount_overlay(argv[2], &ov, 0);
	return r < 0 ? die("mount_overlay", r) : 0;
}

static int drive(int argc, char **argv)
{
	const char *cmd = argv[1];
	uint64_t size = 0;
	int r;

	if (streq(cmd, "attach") && (argc == 3 || argc == 5))
		return drive_attach(argc, argv, false);
	if (streq(cmd, "attach-mount") && argc == 4)
		return drive_attach(argc, argv, true);
	if (streq(cmd, "detach") && argc == 3)
		return drive_detach(argv[2]);
	if (streq(cmd, "squashfs") && argc == 4) {
		r = mount_squashfs(argv[2], argv[3]);
		return r < 0 ? die("mount_squashfs", r) : 0;
	}
	if (streq(cmd, "scratch") && (argc == 3 || argc == 4)) {
		if (argc == 4 && parse_u64(argv[3], &size) < 0)
			return die("bad size", -EINVAL);
		r = mount_overlay_scratch(argv[2], size);
		return r < 0 ? die("mount_overlay_scratch", r) : 0;
	}
	if (streq(cmd, "overlay") && argc >= 6)
		return drive_overlay(argc, argv, false);
	if (streq(cmd, "options") && argc >= 5)
		return drive_overlay(argc, argv, true);
	if (streq(cmd, "mkdir-p") && argc == 3) {
		r = mount_mkdir_p(argv[2], 0755);
		return r < 0 ? die("mount_mkdir_p", r) : 0;
	}
	fprintf(stderr, "mount: unknown command or arguments (see %s)\n",
		__FILE__);
	return 2;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlay_options),
		cmocka_unit_test(test_overlay_options_invalid),
		cmocka_unit_test(test_overlay_options_boundary),
		cmocka_unit_test(test_overlay_options_page_cap),
		cmocka_unit_test(test_tmpfs_options),
		cmocka_unit_test_setup_teardown(test_mkdir_p, make_scratch,
						remove_scratch),
	};

	if (argc > 1)
		return drive(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
