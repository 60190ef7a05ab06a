/* SPDX-License-Identifier: MIT */
#include "init/switch_root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/openat2.h>

#include "init/log.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"

#define SWITCH_ROOT_PATH_MAX PATH_MAX
#define MNT_ID_DIGITS_MAX 10
#define MNT_ID_KEY "mnt_id:"

_Static_assert(sizeof(struct open_how) == 24, "struct open_how is ABI");

/* The API filesystems the new root gets; /dev and /proc must move. */
static const struct api_mount {
	const char *path;
	bool required;
} api_mounts[] = {
	{ "/dev", true },
	{ "/proc", true },
	{ "/sys", false },
	{ "/run", false },
};

#define API_MOUNTS ARRAY_SIZE(api_mounts)

bool switch_root_is_initramfs(uint64_t f_type)
{
	return f_type == RAMFS_MAGIC || f_type == TMPFS_MAGIC;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int switch_root_parse_mnt_id(const char *buf, size_t len, int *id)
{
	const size_t key_len = sizeof(MNT_ID_KEY) - 1;
	size_t i = 0, digits = 0;
	uint64_t v = 0;

	/* Find "mnt_id:" at the start of a line. */
	while (i < len) {
		if (len - i >= key_len && !memcmp(buf + i, MNT_ID_KEY, key_len))
			break;
		while (i < len && buf[i] != '\n')
			i++;
		i++;
	}
	if (i >= len)
		return -OCIBOOT_EMALFORMED;
	i += key_len;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
		i++;
	while (i < len && is_digit(buf[i])) {
		if (++digits > MNT_ID_DIGITS_MAX)
			return -OCIBOOT_EMALFORMED;
		v = v * 10 + (uint64_t)(buf[i++] - '0');
	}
	if (digits == 0 || v > INT32_MAX || (i < len && buf[i] != '\n'))
		return -OCIBOOT_EMALFORMED;
	*id = (int)v;
	return 0;
}

/* The mount id of what fd is open on, from /proc/self/fdinfo. */
static int mount_id(int fd)
{
	char path[48], buf[SWITCH_ROOT_FDINFO_MAX];
	ssize_t n;
	int id, err;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	n = fileio_read_text(AT_FDCWD, path, buf, sizeof(buf), 0);
	if (n < 0)
		return (int)n;
	err = switch_root_parse_mnt_id(buf, (size_t)n, &id);
	return err < 0 ? err : id;
}

/*
 * Whether the directory at (dirfd, path) is a mount point: on another
 * device than its parent, the root of its filesystem, or (for a bind
 * mount of the same filesystem) of another mount id. Returns 1, 0, or
 * -errno. Without /proc the mount id is not known and only the first two
 * tests count.
 */
static int is_mount_point(int dirfd, const char *path)
{
	struct stat st, up;
	int fd, parent, r, a, b;

	fd = openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0) {
		r = -errno;
		goto out_close_fd;
	}
	if (fstat(fd, &st) < 0 || fstat(parent, &up) < 0) {
		r = -errno;
		goto out_close_parent;
	}
	if (st.st_dev != up.st_dev || st.st_ino == up.st_ino) {
		r = 1;
		goto out_close_parent;
	}
	a = mount_id(fd);
	b = mount_id(parent);
	r = a >= 0 && b >= 0 && a != b;

out_close_parent:
	close(parent);
out_close_fd:
	close(fd);
	return r;
}

/* --- emptying the old root ------------------------------------------------ */

struct empty_walk {
	dev_t dev;
	int mnt_id;			/* of the root; -1 unknown */
	const struct stat *keep;
	struct switch_root_empty_stats stats;
	int first_error;
};

static void walk_error(struct empty_walk *w, int err)
{
	w->stats.failed++;
	if (w->first_error == 0)
		w->first_error = err;
}

static bool is_keep(const struct empty_walk *w, const struct stat *st)
{
	return w->keep && st->st_dev == w->keep->st_dev &&
	       st->st_ino == w->keep->st_ino;
}

/* A directory open on fd that belongs to another mount than the root. */
static bool other_mount(const struct empty_walk *w, int fd,
			const struct stat *st)
{
	int id;

	if (st->st_dev != w->dev)
		return true;
	if (w->mnt_id < 0)
		return false;
	id = mount_id(fd);
	return id >= 0 && id != w->mnt_id;
}

static void empty_dir(struct empty_walk *w, int fd, unsigned int depth);

static void empty_subdir(struct empty_walk *w, int dfd, const char *name,
			 const struct stat *st, unsigned int depth)
{
	struct stat again;
	int fd;

	if (depth >= SWITCH_ROOT_DEPTH_MAX) {
		walk_error(w, -OCIBOOT_ETOOBIG);
		return;
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		walk_error(w, -errno);
		return;
	}
	/* Whatever we opened must be what we looked at, on our mount. */
	if (fstat(fd, &again) < 0 || again.st_ino != st->st_ino ||
	    other_mount(w, fd, &again)) {
		w->stats.mounts++;
		close(fd);
		return;
	}
	empty_dir(w, fd, depth + 1);	/* closes fd */
	if (unlinkat(dfd, name, AT_REMOVEDIR) == 0)
		w->stats.removed++;
	else if (errno == EBUSY)
		w->stats.mounts++;	/* a mount point of our own device */
	else
		walk_error(w, -errno);
}

static void empty_entry(struct empty_walk *w, int dfd, const char *name,
			unsigned int depth)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		walk_error(w, -errno);
		return;
	}
	if (st.st_dev != w->dev) {
		w->stats.mounts++;
		return;
	}
	if (is_keep(w, &st))
		return;
	if (S_ISDIR(st.st_mode)) {
		empty_subdir(w, dfd, name, &st, depth);
		return;
	}
	if (unlinkat(dfd, name, 0) == 0)
		w->stats.removed++;
	else if (errno == EBUSY)
		w->stats.mounts++;	/* a file bind-mounted over */
	else
		walk_error(w, -errno);
}

/* Delete what is below the directory open on fd, then close fd. */
static void empty_dir(struct empty_walk *w, int fd, unsigned int depth)
{
	struct dirent *e;
	DIR *d = fdopendir(fd);

	if (!d) {
		walk_error(w, -errno);
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		empty_entry(w, dirfd(d), e->d_name, depth);
	}
	closedir(d);
}

int switch_root_empty(int dirfd, const struct stat *keep,
		      struct switch_root_empty_stats *stats)
{
	struct empty_walk w = { 0, -1, keep, { 0, 0, 0 }, 0 };
	struct stat st;
	int fd;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		walk_error(&w, -errno);
	} else {
		w.dev = st.st_dev;
		w.mnt_id = mount_id(fd);
		if (w.mnt_id < 0)
			w.mnt_id = -1;
		empty_dir(&w, fd, 0);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	if (stats)
		*stats = w.stats;
	return w.first_error;
}

/* --- the switch ----------------------------------------------------------- */

/*
 * argv[0] inside the new root: an executable regular file, symlinks
 * resolved as if newroot were "/". -ENOSYS: no openat2, not checked.
 */
static int check_init(int rootfd, const char *init)
{
	struct open_how how;
	struct stat st;
	long fd;
	int err = 0;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, rootfd, init, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	if (fstat((int)fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EACCES;
	else if (!(st.st_mode & 0111))
		err = -EACCES;
	close((int)fd);
	return err;
}

/*
 * The working directory inside the new root: a directory, symlinks
 * resolved as if newroot were "/". -ENOSYS: no openat2, not checked.
 */
static int check_workdir(int rootfd, const char *workdir)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, rootfd, workdir, &how, sizeof(how));
	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

static int check_args(const char *newroot, const char *workdir,
		      char *const argv[], struct error *e)
{
	if (!newroot || newroot[0] != '/' || streq(newroot, "/"))
		return error_set(e, -EINVAL, NULL, "new root %s",
				 newroot ? newroot : "(none)");
	if (strnlen(newroot, SWITCH_ROOT_PATH_MAX) >= SWITCH_ROOT_PATH_MAX - 8)
		return error_set(e, -ENAMETOOLONG, NULL, "new root");
	if (!argv || !argv[0] || argv[0][0] != '/')
		return error_set(e, -EINVAL, NULL,
				 "init must be an absolute path");
	if (workdir && workdir[0] != '/')
		return error_set(e, -EINVAL, NULL, "working directory %s is "
				 "not an absolute path", workdir);
	if (workdir && strnlen(workdir, SWITCH_ROOT_PATH_MAX) >=
	    SWITCH_ROOT_PATH_MAX)
		return error_set(e, -ENAMETOOLONG, NULL, "working directory");
	return 0;
}

/* Step 1: nothing changes here. */
static int check_roots(const char *newroot, int rootfd, const char *init,
		       const char *workdir, struct error *e)
{
	struct statfs sfs;
	int r;

	if (statfs("/", &sfs) < 0)
		return error_set(e, -errno, NULL, "statfs /");
	if (!switch_root_is_initramfs((uint64_t)sfs.f_type))
		return error_set(e, -EINVAL, NULL,
				 "/ is not an initramfs (filesystem 0x%llx)",
				 (unsigned long long)sfs.f_type);
	r = is_mount_point(AT_FDCWD, newroot);
	if (r < 0)
		return error_set(e, r, NULL, "new root %s", newroot);
	if (r == 0)
		return error_set(e, -EINVAL, NULL,
				 "new root %s is not a mount point", newroot);
	r = check_init(rootfd, init);
	if (r == -ENOSYS) {
		log_debug("switch_root", "no openat2: %s not checked", init);
		return 0;
	}
	if (r < 0)
		return error_set(e, r, NULL, "init %s in %s", init,
				 newroot);
	r = workdir ? check_workdir(rootfd, workdir) : 0;
	if (r < 0)
		return error_set(e, r, NULL, "working directory %s in %s",
				 workdir, newroot);
	return 0;
}

/* Move the ones done back, last first. */
static void undo_moves(const char *newroot, const bool moved[API_MOUNTS])
{
	char target[SWITCH_ROOT_PATH_MAX];

	for (size_t i = API_MOUNTS; i-- > 0;) {
		if (!moved[i])
			continue;
		snprintf(target, sizeof(target), "%s%s", newroot,
			 api_mounts[i].path);
		if (mount(target, api_mounts[i].path, NULL, MS_MOVE, NULL) < 0)
			log_warning("switch_root", "moving %s back to %s: %s",
				    target, api_mounts[i].path,
				    strerror(errno));
	}
}

/* An optional mount that cannot move: detach it, with a warning. */
static void drop_mount(const struct api_mount *m, const char *target, int err)
{
	log_warning("switch_root", "cannot move %s to %s (%s): detaching it",
		    m->path, target, ociboot_strerror(err));
	umount2(m->path, MNT_DETACH);
}

static int make_target(const char *target)
{
	struct stat st;

	if (stat(target, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (errno != ENOENT)
		return -errno;
	if (mkdir(target, 0755) < 0)
		return -errno;
	return 0;
}

/*
 * Move one API mount. Returns 1 when moved, 0 when there was nothing to
 * move or it was detached instead, or -errno for a required one.
 */
static int move_one(const struct api_mount *m, const char *newroot,
		    struct error *e)
{
	char target[SWITCH_ROOT_PATH_MAX];
	int r;

	snprintf(target, sizeof(target), "%s%s", newroot, m->path);
	r = is_mount_point(AT_FDCWD, m->path);
	if (r <= 0) {
		log_debug("switch_root", "%s is not mounted", m->path);
		return 0;
	}
	if (is_mount_point(AT_FDCWD, target) == 1) {
		log_debug("switch_root", "%s is mounted already", target);
		umount2(m->path, MNT_DETACH);
		return 0;
	}
	r = make_target(target);
	if (r == 0 && mount(m->path, target, NULL, MS_MOVE, NULL) < 0)
		r = -errno;
	if (r == 0)
		return 1;
	if (m->required)
		return error_set(e, r, NULL, "moving %s to %s", m->path,
				 target);
	drop_mount(m, target, r);
	return 0;
}

/* Step 2. On failure the moves done are undone. */
static int move_api_mounts(const char *newroot, bool moved[API_MOUNTS],
			   struct error *e)
{
	for (size_t i = 0; i < API_MOUNTS; i++) {
		int r = move_one(&api_mounts[i], newroot, e);

		if (r < 0) {
			undo_moves(newroot, moved);
			return r;
		}
		moved[i] = r == 1;
	}
	return 0;
}

/* Step 3 up to the point of no return; undone on failure. */
static int enter_new_root(const char *newroot, const bool moved[API_MOUNTS],
			  struct error *e)
{
	int err;

	if (chdir(newroot) < 0) {
		err = error_set(e, -errno, NULL, "chdir %s", newroot);
		goto out_undo;
	}
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) {
		err = error_set(e, -errno, NULL, "moving %s to /", newroot);
		if (chdir("/") < 0)
			return err;
		goto out_undo;
	}
	if (chroot(".") < 0)
		return error_set(e, -errno, NULL, "chroot %s", newroot);
	if (chdir("/") < 0)
		return error_set(e, -errno, NULL, "chdir / in %s", newroot);
	return 0;

out_undo:
	undo_moves(newroot, moved);
	return err;
}

static void empty_old_root(int oldroot, const struct stat *keep)
{
	struct switch_root_empty_stats st;
	int r = switch_root_empty(oldroot, keep, &st);

	if (r < 0)
		log_warning("switch_root",
			    "initramfs: %lu entries left (%s), %lu removed",
			    st.failed, ociboot_strerror(r), st.removed);
	else
		log_debug("switch_root", "initramfs: %lu removed, %lu mounts "
			  "left", st.removed, st.mounts);
}

static int exec_init(const char *workdir, char *const argv[],
		     char *const envp[], const sigset_t *exec_mask,
		     struct error *e)
{
	sigset_t saved;
	int err;

	if (workdir && chdir(workdir) < 0)
		return error_set(e, -errno, NULL, "chdir %s", workdir);
	if (exec_mask && sigprocmask(SIG_SETMASK, exec_mask, &saved) < 0)
		return error_set(e, -errno, NULL, "signal mask");
	execve(argv[0], argv, envp);
	err = -errno;
	if (exec_mask)
		sigprocmask(SIG_SETMASK, &saved, NULL);
	return error_set(e, err, NULL, "exec %s", argv[0]);
}

int switch_root(const char *newroot, const char *workdir,
		char *const argv[], char *const envp[],
		const sigset_t *exec_mask, struct error *e)
{
	bool moved[API_MOUNTS] = { false };
	struct stat keep;
	int rootfd, oldroot, err;

	err = check_args(newroot, workdir, argv, e);
	if (err < 0)
		return err;
	rootfd = open(newroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return error_set(e, -errno, NULL, "new root %s",
				 newroot);
	err = check_roots(newroot, rootfd, argv[0], workdir, e);
	if (err == 0 && fstat(rootfd, &keep) < 0)
		err = error_set(e, -errno, NULL, "stat %s", newroot);
	close(rootfd);
	if (err < 0)
		return err;

	oldroot = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return error_set(e, -errno, NULL, "open /");
	err = move_api_mounts(newroot, moved, e);
	if (err == 0)
		err = enter_new_root(newroot, moved, e);
	if (err < 0) {
		close(oldroot);
		return err;
	}
	empty_old_root(oldroot, &keep);
	close(oldroot);
	return exec_init(workdir, argv, envp, exec_mask, e);
}
