/* SPDX-License-Identifier: MIT */
/*
 * Tests of init/switch_root.c. The pure parts get tables (the fdinfo
 * parser with truncation at every offset, the initramfs magic). The rest
 * runs for real, each case in a forked child inside its own mount
 * namespace (unshare(CLONE_NEWNS), everything private), so nothing it
 * mounts is seen outside and all of it vanishes with the child:
 *
 *   - switch_root_empty() on a tmpfs holding a bind mount of another
 *     filesystem, a bind mount of itself, a symlink to a directory outside,
 *     a directory to keep and a tree deeper than the cap;
 *   - the whole switch: a tmpfs made "/" plays the initramfs (with /dev,
 *     /proc, /sys and /run mounted and a mount point of its own), a
 *     read-only tmpfs with a static busybox and no /sys or /run is the new
 *     root; busybox, exec'd as the new init, checks from inside what it got
 *     (environment, signal mask, mounts, the emptied old root through an
 *     inherited fd);
 *   - failures: checks that must leave everything as it was, a required
 *     move that must be undone, an exec that fails after the switch.
 *
 * Needs root and /bin/busybox (static); skipped without them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>

#include "init/switch_root.h"
#include "lib/util.h"

#define BUSYBOX "/bin/busybox"
#define CHILD_SKIP 77
#define OUTPUT_MAX 8192

/* --- pure parts ----------------------------------------------------------- */

static void test_initramfs_magic(void **state)
{
	assert_true(switch_root_is_initramfs(RAMFS_MAGIC));
	assert_true(switch_root_is_initramfs(TMPFS_MAGIC));
	assert_false(switch_root_is_initramfs(EXT4_SUPER_MAGIC));
	assert_false(switch_root_is_initramfs(SQUASHFS_MAGIC));
	assert_false(switch_root_is_initramfs(OVERLAYFS_SUPER_MAGIC));
	assert_false(switch_root_is_initramfs(0));
	assert_false(switch_root_is_initramfs((uint64_t)TMPFS_MAGIC << 32));
}

static void test_mnt_id_table(void **state)
{
	const struct {
		const char *text;
		int err;
		int id;
	} cases[] = {
		{ "pos:\t0\nflags:\t02100000\nmnt_id:\t29\nino:\t1\n", 0, 29 },
		{ "mnt_id:\t7\n", 0, 7 },
		{ "mnt_id: 2147483647", 0, INT32_MAX },
		{ "mnt_id:0\n", 0, 0 },
		{ "pos:\t0\nmnt_id:\t1\nmnt_id:\t2\n", 0, 1 },
		{ "", -OCIBOOT_EMALFORMED, 0 },
		{ "pos:\t0\n", -OCIBOOT_EMALFORMED, 0 },
		{ "mnt_id:\n", -OCIBOOT_EMALFORMED, 0 },
		{ "mnt_id:\t\n", -OCIBOOT_EMALFORMED, 0 },
		{ "mnt_id:\t-1\n", -OCIBOOT_EMALFORMED, 0 },
		{ "mnt_id:\t12x\n", -OCIBOOT_EMALFORMED, 0 },
		{ "mnt_id:\t2147483648\n", -OCIBOOT_EMALFORMED, 0 },
		{ "mnt_id:\t99999999999\n", -OCIBOOT_EMALFORMED, 0 },
		{ "xmnt_id:\t5\n", -OCIBOOT_EMALFORMED, 0 },
		{ "pos: mnt_id:\t5\n", -OCIBOOT_EMALFORMED, 0 },
		{ "mnt_i", -OCIBOOT_EMALFORMED, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int id = -7;

		assert_int_equal(switch_root_parse_mnt_id(cases[i].text,
							  strlen(cases[i].text),
							  &id),
				 cases[i].err);
		assert_int_equal(id, cases[i].err ? -7 : cases[i].id);
	}
}

/* Cut before the number nothing parses; cut inside it, the digits there
 * are the id; the rest of the text changes nothing. */
static void test_mnt_id_truncated(void **state)
{
	const char text[] =
		"pos:\t0\nflags:\t02100000\nmnt_id:\t293\nino:\t1\n";
	const size_t at = strlen("pos:\t0\nflags:\t02100000\nmnt_id:\t");

	for (size_t len = 0; len <= sizeof(text) - 1; len++) {
		char *copy = malloc(len ? len : 1);
		int id = -1, r;

		assert_non_null(copy);
		memcpy(copy, text, len);
		r = switch_root_parse_mnt_id(copy, len, &id);
		free(copy);
		if (len <= at) {
			assert_int_equal(r, -OCIBOOT_EMALFORMED);
		} else if (len < at + 3) {
			assert_int_equal(r, 0);
			assert_int_equal(id, len == at + 1 ? 2 : 29);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(id, 293);
		}
	}
}

/* The real thing: our own fdinfo names the root's mount. */
static void test_mnt_id_self(void **state)
{
	char path[64], buf[SWITCH_ROOT_FDINFO_MAX];
	ssize_t n;
	int fd, id = -1, pfd;

	fd = open("/", O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0) {
		close(fd);
		skip();
	}
	n = read(pfd, buf, sizeof(buf));
	close(pfd);
	close(fd);
	assert_true(n > 0);
	assert_int_equal(switch_root_parse_mnt_id(buf, (size_t)n, &id), 0);
	assert_true(id > 0);
}

static void test_bad_arguments(void **state)
{
	char *argv[] = { "/sbin/init", NULL };
	char *relative[] = { "sbin/init", NULL };
	char *none[] = { NULL };
	char *envp[] = { NULL };
	char line[ERROR_LINE_MAX];
	struct error err;

	assert_int_equal(switch_root("/", NULL, argv, envp, NULL, &err),
			 -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_string_equal(error_format(&err, line, sizeof(line)),
			    "new root /: Invalid argument");
	assert_int_equal(switch_root("sysroot", NULL, argv, envp, NULL, &err),
			 -EINVAL);
	assert_int_equal(switch_root(NULL, NULL, argv, envp, NULL, &err),
			 -EINVAL);
	assert_int_equal(switch_root("/sysroot", NULL, relative, envp, NULL,
				     &err), -EINVAL);
	assert_non_null(strstr(err.why, "absolute"));
	assert_int_equal(switch_root("/sysroot", NULL, none, envp, NULL, &err),
			 -EINVAL);
	assert_int_equal(switch_root("/sysroot", NULL, NULL, envp, NULL, &err),
			 -EINVAL);
	/* WorkingDir is absolute. */
	assert_int_equal(switch_root("/sysroot", "srv", argv, envp, NULL,
				     &err), -EINVAL);
	assert_string_equal(error_format(&err, line, sizeof(line)),
			    "working directory srv is not an absolute path: "
			    "Invalid argument");
	/* The caller may want only the code. */
	assert_int_equal(switch_root("/", NULL, argv, envp, NULL, NULL),
			 -EINVAL);
}

/* --- children in their own mount namespace -------------------------------- */

/* In a child: report and leave. Never returns to cmocka. */
#define CHILD_CHECK(cond)                                                   \
	do {                                                                \
		if (!(cond)) {                                              \
			fflush(stdout);                                     \
			fprintf(stderr, "child check failed at line %d: %s " \
				"(errno %s)\n", __LINE__, #cond,           \
				strerror(errno));                          \
			_exit(1);                                           \
		}                                                           \
	} while (0)

static char base[64];		/* host directory the child mounts on */
static char outside[64];	/* host directory a symlink points into */

static void need_root(void)
{
	if (geteuid() != 0) {
		print_message("not root: skipped\n");
		skip();
	}
}

static int make_dirs(void **state)
{
	snprintf(base, sizeof(base), "/tmp/ociboot-sr-XXXXXX");
	snprintf(outside, sizeof(outside), "/tmp/ociboot-sr-out-XXXXXX");
	assert_non_null(mkdtemp(base));
	assert_non_null(mkdtemp(outside));
	return 0;
}

static int remove_dirs(void **state)
{
	char cmd[192];

	/* Only the child's namespace ever had mounts here. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", base, outside);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Run fn in a child with a private mount namespace, its stdout and stderr
 * collected into out. Returns the exit status; skips the test when the
 * child could not get a namespace.
 */
static int run_child(void (*fn)(void), char *out, size_t size)
{
	int pipefd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			fprintf(stderr, "no mount namespace: %s\n",
				strerror(errno));
			_exit(CHILD_SKIP);
		}
		fn();
		fflush(NULL);
		_exit(0);
	}
	close(pipefd[1]);
	while (len + 1 < size &&
	       (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (len)
		print_message("%s", out);
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SKIP)
		skip();
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	CHILD_CHECK(fd >= 0);
	CHILD_CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	CHILD_CHECK(fchmod(fd, mode) == 0);
	close(fd);
}

static void copy_file(const char *from, const char *to, mode_t mode)
{
	static char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	CHILD_CHECK(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	CHILD_CHECK(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHILD_CHECK(write(out, buf, (size_t)n) == n);
	CHILD_CHECK(n == 0);
	close(in);
	close(out);
}

static void mkdirs(const char *root, const char *const *dirs, size_t n)
{
	char path[256];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		CHILD_CHECK(mkdir(path, 0755) == 0);
	}
}

static void mount_at(const char *root, const char *dir, const char *fstype)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	CHILD_CHECK(mount(fstype, path, fstype, 0, NULL) == 0);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* --- switch_root_empty() -------------------------------------------------- */

#define DEEP (SWITCH_ROOT_DEPTH_MAX + 6)

static void empty_child(void)
{
	static const char *const dirs[] = {
		"etc", "etc/sub", "other", "same", "keepme", "deep",
	};
	struct switch_root_empty_stats st;
	char path[1024], other_file[128];
	struct stat keep;
	int fd, r, n;

	CHILD_CHECK(mount("tmpfs", base, "tmpfs", 0, "mode=0755") == 0);
	mkdirs(base, dirs, ARRAY_SIZE(dirs));
	snprintf(path, sizeof(path), "%s/etc/sub/file", base);
	write_file(path, "x", 0644);
	snprintf(path, sizeof(path), "%s/top-file", base);
	write_file(path, "x", 0600);
	snprintf(path, sizeof(path), "%s/keepme/kept", base);
	write_file(path, "kept", 0644);
	/* Another filesystem bound in: its content must survive. */
	snprintf(path, sizeof(path), "%s/other", base);
	CHILD_CHECK(mount(outside, path, NULL, MS_BIND, NULL) == 0);
	/* The same filesystem bound in: a mount point all the same. */
	snprintf(path, sizeof(path), "%s/etc", base);
	snprintf(other_file, sizeof(other_file), "%s/same", base);
	CHILD_CHECK(mount(path, other_file, NULL, MS_BIND, NULL) == 0);
	/* A symlink to a directory outside: removed, never followed. */
	snprintf(path, sizeof(path), "%s/link", base);
	CHILD_CHECK(symlink(outside, path) == 0);
	/* A chain deeper than the cap. */
	n = snprintf(path, sizeof(path), "%s/deep", base);
	for (int i = 0; i < DEEP; i++) {
		n += snprintf(path + n, sizeof(path) - (size_t)n, "/d");
		CHILD_CHECK(mkdir(path, 0755) == 0);
	}

	snprintf(path, sizeof(path), "%s/keepme", base);
	CHILD_CHECK(stat(path, &keep) == 0);
	fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0);
	r = switch_root_empty(fd, &keep, &st);
	printf("removed %lu mounts %lu failed %lu r %d\n", st.removed,
	       st.mounts, st.failed, r);
	CHILD_CHECK(r == -OCIBOOT_ETOOBIG);
	CHILD_CHECK(st.mounts == 2);
	/* The level past the cap stays, and so do its parents. */
	CHILD_CHECK(st.failed >= 1);

	snprintf(path, sizeof(path), "%s/top-file", base);
	CHILD_CHECK(!exists(path));
	snprintf(path, sizeof(path), "%s/etc", base);
	CHILD_CHECK(!exists(path));
	snprintf(path, sizeof(path), "%s/link", base);
	CHILD_CHECK(!exists(path));
	snprintf(path, sizeof(path), "%s/other/outside-file", base);
	CHILD_CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/same", base);
	CHILD_CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/keepme/kept", base);
	CHILD_CHECK(exists(path));
	snprintf(path, sizeof(path), "%s/deep/d", base);
	CHILD_CHECK(exists(path));
	/* dirfd itself stays. */
	CHILD_CHECK(fstat(fd, &keep) == 0 && keep.st_nlink >= 2);

	/* Without the deep chain and the keep: everything else goes. */
	snprintf(path, sizeof(path), "%s/same", base);
	CHILD_CHECK(umount(path) == 0);
	snprintf(path, sizeof(path), "%s/other", base);
	CHILD_CHECK(umount(path) == 0);
	n = snprintf(path, sizeof(path), "%s/deep", base);
	for (int i = 0; i < DEEP; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "/d");
	while (n > (int)strlen(base) + 5) {
		rmdir(path);
		path[n -= 2] = '\0';
	}
	r = switch_root_empty(fd, NULL, &st);
	CHILD_CHECK(r == 0);
	CHILD_CHECK(st.failed == 0 && st.mounts == 0);
	/* Empty now: only "." and "..". */
	CHILD_CHECK(fstat(fd, &keep) == 0 && keep.st_nlink == 2);
	close(fd);
}

static void test_empty(void **state)
{
	char out[OUTPUT_MAX], path[128];
	FILE *f;

	need_root();
	snprintf(path, sizeof(path), "%s/outside-file", outside);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("outside", f);
	fclose(f);
	assert_int_equal(run_child(empty_child, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "mounts 2"));
	/* Outside the namespace nothing was touched. */
	assert_true(exists(path));
}

/* --- a fake initramfs and a new root -------------------------------------- */

enum newroot_kind {
	NEWROOT_PLAIN_DIR,	/* not a mount point */
	NEWROOT_FULL,		/* read-only, dev and proc only */
	NEWROOT_NO_PROC,	/* read-only, dev only */
};

/*
 * Mount a tmpfs on base, fill it like an initramfs, mount /dev, /proc,
 * /sys, /run and /keep in it, prepare /newroot, and make it "/".
 */
static void fake_initramfs(enum newroot_kind kind)
{
	static const char *const dirs[] = {
		"etc", "deep", "deep/a", "deep/a/b", "dev", "proc", "sys",
		"run", "keep", "newroot",
	};
	static const char *const nr_dirs[] = { "bin", "dev" };
	static const char *const applets[] = {
		"sh", "cat", "cut", "grep", "ls", "touch",
	};
	char path[256], nr[128];

	CHILD_CHECK(mount("tmpfs", base, "tmpfs", 0, "mode=0755") == 0);
	mkdirs(base, dirs, ARRAY_SIZE(dirs));
	snprintf(path, sizeof(path), "%s/init-marker", base);
	write_file(path, "initramfs", 0644);
	snprintf(path, sizeof(path), "%s/deep/a/b/file", base);
	write_file(path, "deep", 0644);
	snprintf(path, sizeof(path), "%s/link", base);
	CHILD_CHECK(symlink("/etc", path) == 0);

	mount_at(base, "dev", "tmpfs");
	snprintf(path, sizeof(path), "%s/dev/marker", base);
	write_file(path, "dev", 0644);
	mount_at(base, "proc", "proc");
	mount_at(base, "sys", "sysfs");
	mount_at(base, "run", "tmpfs");
	mount_at(base, "keep", "tmpfs");
	snprintf(path, sizeof(path), "%s/keep/survivor", base);
	write_file(path, "alive", 0644);

	snprintf(nr, sizeof(nr), "%s/newroot", base);
	if (kind != NEWROOT_PLAIN_DIR)
		mount_at(base, "newroot", "tmpfs");
	mkdirs(nr, nr_dirs, ARRAY_SIZE(nr_dirs));
	if (kind == NEWROOT_FULL)
		mkdirs(nr, (const char *const[]){ "proc" }, 1);
	snprintf(path, sizeof(path), "%s/bin/busybox", nr);
	copy_file(BUSYBOX, path, 0755);
	/* Absolute links, as a distribution's /sbin/init is. */
	for (size_t i = 0; i < ARRAY_SIZE(applets); i++) {
		snprintf(path, sizeof(path), "%s/bin/%s", nr, applets[i]);
		CHILD_CHECK(symlink("/bin/busybox", path) == 0);
	}
	snprintf(path, sizeof(path), "%s/notelf", nr);
	write_file(path, "not an executable\n", 0755);
	if (kind != NEWROOT_PLAIN_DIR)
		CHILD_CHECK(mount(NULL, nr, NULL, MS_REMOUNT | MS_RDONLY,
				  NULL) == 0);

	CHILD_CHECK(chdir(base) == 0);
	CHILD_CHECK(mount(".", "/", NULL, MS_MOVE, NULL) == 0);
	CHILD_CHECK(chroot(".") == 0);
	CHILD_CHECK(chdir("/") == 0);
}

/* Blocked in the child before the switch; the new init must not be. */
static sigset_t blocked_usr1(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHILD_CHECK(sigprocmask(SIG_SETMASK, &set, NULL) == 0);
	return set;
}

/* What the new init checks from inside. fd 9 is the old root. */
static const char inside_script[] =
	"fails=0\n"
	"ck() { if ! eval \"$1\"; then echo \"inside: FAILED: $1\"; "
	"fails=$((fails + 1)); fi; }\n"
	"mp() { cut -d' ' -f5 /proc/self/mountinfo | grep -qx \"$1\"; }\n"
	"ck '[ \"$OCIBOOT_SWITCHED\" = 1 ]'\n"
	"ck '[ -z \"${OCIBOOT_LEAK+x}\" ] && [ -z \"${HOME+x}\" ]'\n"
	"ck '[ -x /bin/busybox ] && [ ! -e /init-marker ]'\n"
	"ck '[ \"$(cat /dev/marker)\" = dev ]'\n"
	"ck '[ -r /proc/self/status ]'\n"
	"ck 'grep -q \"^SigBlk:[[:space:]]*0*$\" /proc/self/status'\n"
	"ck 'mp /dev && mp /proc'\n"
	"ck '! mp /sys && ! mp /run'\n"
	"ck '[ ! -e /sys ] && [ ! -e /run ]'\n"
	"ck '[ \"$(ls -A /proc/$$/fd/9/)\" = keep ]'\n"
	"ck '[ \"$(cat /proc/$$/fd/9/keep/survivor)\" = alive ]'\n"
	"ck '! touch /x 2>/dev/null'\n"
	"ck '[ \"$(pwd)\" = /bin ]'\n"
	"[ $fails = 0 ] && echo inside: all checks passed\n"
	"exit $fails\n";

static void switch_child(void)
{
	char *argv[] = { "/bin/sh", "-c", (char *)inside_script, NULL };
	char *envp[] = { "OCIBOOT_SWITCHED=1", "PATH=/bin", NULL };
	char reason[ERROR_LINE_MAX];
	struct error err;
	sigset_t empty;
	int fd, r;

	fake_initramfs(NEWROOT_FULL);
	CHILD_CHECK(setenv("OCIBOOT_LEAK", "1", 1) == 0);
	/* The old root, inherited by the new init for its checks. */
	fd = open("/", O_RDONLY | O_DIRECTORY);
	CHILD_CHECK(fd >= 0 && dup2(fd, 9) == 9);
	close(fd);
	blocked_usr1();
	sigemptyset(&empty);
	r = switch_root("/newroot", "/bin", argv, envp, &empty, &err);
	fprintf(stderr, "switch_root returned %d: %s\n", r,
		error_format(&err, reason, sizeof(reason)));
	_exit(2);
}

static void test_switch(void **state)
{
	char out[OUTPUT_MAX];
	struct statfs sfs;

	need_root();
	if (access(BUSYBOX, X_OK) < 0) {
		print_message("no %s: skipped\n", BUSYBOX);
		skip();
	}
	assert_int_equal(statfs("/", &sfs), 0);
	assert_int_equal(run_child(switch_child, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "inside: all checks passed"));
	/* /sys and /run could not move to a read-only root: warned. */
	assert_non_null(strstr(out, "cannot move /sys to /newroot/sys"));
	assert_non_null(strstr(out, "cannot move /run to /newroot/run"));
}

/* A check that fails must leave everything in place. */
static void expect_untouched(void)
{
	CHILD_CHECK(exists("/init-marker"));
	CHILD_CHECK(exists("/deep/a/b/file"));
	CHILD_CHECK(exists("/dev/marker"));
	CHILD_CHECK(exists("/proc/self/status"));
	CHILD_CHECK(exists("/sys/kernel"));
	CHILD_CHECK(!exists("/newroot/dev/marker"));
}

static void call_in(const char *workdir, const char *init, int want,
		    const char *text)
{
	char *argv[] = { (char *)init, NULL };
	char *envp[] = { NULL };
	char reason[ERROR_LINE_MAX];
	sigset_t set = blocked_usr1(), now, empty;
	struct error err;
	int r;

	sigemptyset(&empty);
	r = switch_root("/newroot", workdir, argv, envp, &empty, &err);
	error_format(&err, reason, sizeof(reason));
	printf("switch_root: %d %s\n", r, reason);
	CHILD_CHECK(r == want);
	CHILD_CHECK(strstr(reason, text) != NULL);
	CHILD_CHECK(sigprocmask(SIG_SETMASK, NULL, &now) == 0);
	CHILD_CHECK(sigismember(&now, SIGUSR1) == sigismember(&set, SIGUSR1));
}

static void call_expecting(const char *init, int want, const char *text)
{
	call_in(NULL, init, want, text);
}

static void not_mount_point_child(void)
{
	fake_initramfs(NEWROOT_PLAIN_DIR);
	call_expecting("/bin/sh", -EINVAL, "is not a mount point");
	expect_untouched();
}

static void no_init_child(void)
{
	fake_initramfs(NEWROOT_FULL);
	call_expecting("/sbin/init", -ENOENT, "init /sbin/init in /newroot");
	expect_untouched();
	/* A directory is no init either. */
	call_expecting("/bin", -EACCES, "init /bin");
	expect_untouched();
	/* Nor is a WorkingDir that is missing or not a directory. */
	call_in("/srv", "/bin/sh", -ENOENT, "working directory /srv in "
		"/newroot: No such file");
	expect_untouched();
	call_in("/bin/sh", "/bin/sh", -ENOTDIR, "working directory /bin/sh");
	expect_untouched();
}

static void not_initramfs_child(void)
{
	char *argv[] = { "/bin/sh", NULL };
	char *envp[] = { NULL };
	char reason[ERROR_LINE_MAX];
	struct statfs sfs;
	struct error err;
	int r;

	CHILD_CHECK(statfs("/", &sfs) == 0);
	if (switch_root_is_initramfs((uint64_t)sfs.f_type))
		_exit(CHILD_SKIP);
	CHILD_CHECK(mount("tmpfs", base, "tmpfs", 0, NULL) == 0);
	r = switch_root(base, NULL, argv, envp, NULL, &err);
	error_format(&err, reason, sizeof(reason));
	printf("switch_root: %d %s\n", r, reason);
	CHILD_CHECK(r == -EINVAL);
	CHILD_CHECK(strstr(reason, "/ is not an initramfs") != NULL);
}

/* /dev moves, /proc cannot: /dev must come back. */
static void undo_child(void)
{
	fake_initramfs(NEWROOT_NO_PROC);
	call_expecting("/bin/sh", -EROFS,
		       "moving /proc to /newroot/proc: Read-only");
	expect_untouched();
	CHILD_CHECK(exists("/newroot/dev"));
}

/* Past the point of no return the exec fails: the mask comes back. */
static void exec_fails_child(void)
{
	fake_initramfs(NEWROOT_FULL);
	call_expecting("/notelf", -ENOEXEC, "exec /notelf");
	/* We are in the new root now, with /dev and /proc. */
	CHILD_CHECK(exists("/notelf") && exists("/bin/busybox"));
	CHILD_CHECK(!exists("/init-marker"));
	CHILD_CHECK(exists("/dev/marker"));
	CHILD_CHECK(exists("/proc/self/status"));
}

static void test_failures(void **state)
{
	void (*const children[])(void) = {
		not_mount_point_child, no_init_child, not_initramfs_child,
		undo_child, exec_fails_child,
	};
	char out[OUTPUT_MAX];

	need_root();
	if (access(BUSYBOX, X_OK) < 0)
		skip();
	for (size_t i = 0; i < ARRAY_SIZE(children); i++) {
		int status = run_child(children[i], out, sizeof(out));

		if (status == CHILD_SKIP)
			continue;
		assert_int_equal(status, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initramfs_magic),
		cmocka_unit_test(test_mnt_id_table),
		cmocka_unit_test(test_mnt_id_truncated),
		cmocka_unit_test(test_mnt_id_self),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_switch),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, make_dirs, remove_dirs);
}
