/* SPDX-License-Identifier: MIT */
/*
 * A service's life in the booted system (service/service.h): a fresh
 * rootfs and bundle at every start, run by the OCI runtime, and nothing
 * of them left after a stop.
 */
#include "service/service.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/sha256.h"
#include "fs/mount.h"
#include "lib/clock.h"
#include "lib/fileio.h"
#include "lib/util.h"
#include "service/bundle.h"

#define DIR_MODE 0755
#define CONFIG_MODE 0444
#define POLL_MS 50
/* "/run/ociboot/services/NAME/container/bundle/rootfs" and the like. */
#define PATH_MAX_HERE (HANDOVER_DIR_MAX + 64)
/* Bytes of a volume's host directory. */
#define VOLUME_PATH_MAX 4096
#define ENV_PATH_DEFAULT "PATH=/usr/local/sbin:/usr/local/bin:" \
	"/usr/sbin:/usr/bin:/sbin:/bin"

/* The paths of one service. */
struct paths {
	char dir[HANDOVER_DIR_MAX];
	char container[PATH_MAX_HERE];
	char upper[PATH_MAX_HERE];
	char work[PATH_MAX_HERE];
	char lower[PATH_MAX_HERE];
	char bundle[PATH_MAX_HERE];
	char rootfs[PATH_MAX_HERE];
	char pid[PATH_MAX_HERE];
	char runtime[PATH_MAX_HERE];
};

void service_options_default(struct service_options *o)
{
	o->runtime = SERVICE_RUNTIME_DEFAULT;
	o->volumes = SERVICE_VOLUMES_DEFAULT;
	o->stop_timeout_ms = SERVICE_STOP_TIMEOUT_MS;
}

static int paths_of(const char *name, struct paths *p, struct error *err)
{
	if (!handover_name_valid(name))
		return error_set(err, -EINVAL, NULL, "'%.*s' is not a service "
				 "name", OCI_SERVICE_NAME_MAX, name);
	handover_dir(name, p->dir);
#define CONTAINER "%s/" SERVICE_CONTAINER_DIR
	snprintf(p->container, sizeof(p->container), CONTAINER, p->dir);
	snprintf(p->upper, sizeof(p->upper), CONTAINER "/" MOUNT_UPPER_DIR,
		 p->dir);
	snprintf(p->work, sizeof(p->work), CONTAINER "/" MOUNT_WORK_DIR,
		 p->dir);
	snprintf(p->lower, sizeof(p->lower), CONTAINER "/lower", p->dir);
	snprintf(p->bundle, sizeof(p->bundle), CONTAINER "/bundle", p->dir);
	snprintf(p->rootfs, sizeof(p->rootfs), CONTAINER "/bundle/"
		 BUNDLE_ROOTFS, p->dir);
	snprintf(p->pid, sizeof(p->pid), CONTAINER "/pid", p->dir);
#undef CONTAINER
	snprintf(p->runtime, sizeof(p->runtime), "%s/" SERVICE_RUNTIME_DIR,
		 p->dir);
	return 0;
}

/* --- the hand-over ----------------------------------------------------- */

static int read_handover(const char *name, const struct paths *p,
			 struct service_work *w, struct error *err)
{
	char path[PATH_MAX_HERE];
	ssize_t n;
	int r;

	snprintf(path, sizeof(path), "%s/" HANDOVER_FILE, p->dir);
	n = fileio_read_file(AT_FDCWD, path, w->file, sizeof(w->file),
			     FILEIO_REGULAR);
	if (n == -ENOENT)
		return error_set(err, -ENOENT, name, "no such service (%s)",
				 path);
	if (n < 0)
		return error_set(err, (int)n, path, "%s",
				 ociboot_strerror((int)n));
	r = handover_parse(w->file, (size_t)n, &w->handover, err);
	if (r < 0)
		return error_context(err, "%s", path), r;
	if (!streq(w->handover.name, name))
		return error_set(err, -OCIBOOT_EMALFORMED, path,
				 "names service '%s'", w->handover.name);
	return 0;
}

/* image-config.json, checked against the digest the init verified. */
static int read_config(const struct paths *p, struct service_work *w,
		       struct error *err)
{
	char path[PATH_MAX_HERE];
	uint8_t digest[SHA256_LEN];
	struct error je;
	ssize_t n;
	int r;

	snprintf(path, sizeof(path), "%s/" HANDOVER_CONFIG_FILE, p->dir);
	n = fileio_read_file(AT_FDCWD, path, w->config_blob,
			     sizeof(w->config_blob), FILEIO_REGULAR);
	if (n < 0)
		return error_set(err, (int)n, path, "%s",
				 ociboot_strerror((int)n));
	sha256_digest(w->config_blob, (size_t)n, digest);
	if (!ct_memeq(digest, w->handover.config_digest, SHA256_LEN))
		return error_set(err, -OCIBOOT_EVERIFY, path,
				 "does not match the verified config digest");
	r = oci_config_parse(w->config_blob, (size_t)n, w->tokens,
			     OCI_TOKENS_MAX, &w->config, &je);
	if (r < 0) {
		error_set(err, r, path, "%s", je.why);
		return error_at(err, "%s", je.where);
	}
	return 0;
}

/* --- the rootfs -------------------------------------------------------- */

static bool started(const struct paths *p)
{
	struct stat st;

	return stat(p->bundle, &st) == 0;
}

static void unmount(const char *path)
{
	if (umount2(path, 0) < 0 && errno == EBUSY)
		umount2(path, MNT_DETACH);
}

/*
 * The image's layers stacked as the init stacks the root (and atomfs its
 * molecules): a read-only overlay mounted with userxattr, so that an
 * opaque directory marked the way stacker marks it (user.overlay.opaque)
 * hides the layers below, then the writable overlay over that one
 * directory. The writable overlay cannot take userxattr itself: its upper
 * is a tmpfs, which stores user. xattrs only from Linux 6.6 (fs/mount.h).
 * A single layer is the writable overlay's lower as it is.
 */
static int stack_layers(const struct paths *p, const struct handover *h,
			const char **lower)
{
	const char *lowers[OCI_LAYERS_MAX];
	struct mount_overlay ov = { lowers, h->layer_count, NULL, NULL, true };
	int r;

	for (size_t i = 0; i < h->layer_count; i++)	/* top first */
		lowers[i] = h->layers[h->layer_count - 1 - i].dir;
	*lower = lowers[0];
	if (h->layer_count < 2)
		return 0;
	r = mount_mkdir_p(p->lower, DIR_MODE);
	if (r == 0)
		r = mount_overlay(p->lower, &ov, 0);
	*lower = p->lower;
	return r;
}

static void unmount_container(const struct paths *p)
{
	unmount(p->lower);	/* EINVAL when it is not a mount: fine */
	unmount(p->container);
	rmdir(p->container);
}

static int mount_rootfs(const struct paths *p, const struct handover *h,
			struct error *err)
{
	const char *lower = NULL;
	struct mount_overlay ov = { &lower, 1, p->upper, p->work, false };
	int r;

	r = mount_mkdir_p(p->container, DIR_MODE);
	if (r == 0)
		r = mount_overlay_scratch(p->container, 0);
	if (r < 0)
		return error_set(err, r, p->container, "tmpfs for the "
				 "writable layer: %s", strerror(-r));
	r = stack_layers(p, h, &lower);
	if (r < 0) {
		unmount_container(p);
		return error_set(err, r, p->lower, "read-only overlay of %zu "
				 "verified layers: %s", h->layer_count,
				 strerror(-r));
	}
	r = mount_mkdir_p(p->rootfs, DIR_MODE);
	if (r == 0)
		r = mount_overlay(p->rootfs, &ov, 0);
	if (r < 0) {
		unmount_container(p);
		return error_set(err, r, p->rootfs, "overlay of %zu verified "
				 "layers: %s", h->layer_count, strerror(-r));
	}
	return 0;
}

static void unmount_rootfs(const struct paths *p)
{
	unmount(p->rootfs);
	unmount_container(p);
}

/* The rootfs's etc/FILE into buf (empty when it has none). */
static size_t read_etc(const struct paths *p, const char *file, char *buf,
		       size_t size)
{
	char path[PATH_MAX_HERE + 16];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/etc/%s", p->rootfs, file);
	n = fileio_read_text(AT_FDCWD, path, buf, size, FILEIO_REGULAR);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/* --- the bundle -------------------------------------------------------- */

/* VOLUMES/NAME/<path without its first '/', '/' as '-'>, created. */
static int volume_source(const struct service_options *o, const char *name,
			 const char *volume, char *out, size_t size,
			 struct error *err)
{
	size_t n;
	int r;

	r = snprintf(out, size, "%s/%s/", o->volumes, name);
	if (r < 0 || (size_t)r >= size)
		return error_set(err, -ENAMETOOLONG, volume, "volume path");
	n = (size_t)r;
	for (const char *v = volume + 1; *v && n + 1 < size; v++)
		out[n++] = *v == '/' ? '-' : *v;
	out[n] = '\0';
	if (n + 1 >= size)
		return error_set(err, -ENAMETOOLONG, volume, "volume path");
	r = mount_mkdir_p(out, DIR_MODE);
	if (r < 0)
		return error_set(err, r, out, "volume directory: %s",
				 strerror(-r));
	return 0;
}

static int write_bundle(const struct service_options *o,
			const struct paths *p, struct service_work *w,
			struct error *err)
{
	static char sources[OCI_VOLUMES_MAX][VOLUME_PATH_MAX];
	const char *source_of[OCI_VOLUMES_MAX];
	struct bundle_spec spec = { w->handover.name, &w->config, 0, 0,
				    source_of, false };
	const struct oci_config *c = &w->config;
	size_t plen, glen, len;
	char path[PATH_MAX_HERE + 16], *json;
	int r;

	plen = read_etc(p, "passwd", w->passwd, sizeof(w->passwd));
	glen = read_etc(p, "group", w->group, sizeof(w->group));
	r = user_resolve(c->has_user ? oci_config_string(c, c->user) : "",
			 w->passwd, plen, w->group, glen, &spec.uid,
			 &spec.gid, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->volume_count; i++) {
		r = volume_source(o, w->handover.name,
				  oci_config_string(c, c->volumes[i]),
				  sources[i], sizeof(sources[i]), err);
		if (r < 0)
			return r;
		source_of[i] = sources[i];
	}
	r = bundle_config_json(&spec, &json, &len, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/" BUNDLE_CONFIG, p->bundle);
	r = fileio_write_new(AT_FDCWD, path, json, len, CONFIG_MODE);
	free(json);
	if (r < 0)
		return error_set(err, r, path, "%s", strerror(-r));
	return 0;
}

/* --- the runtime ------------------------------------------------------- */

/* Run argv[0] with argv and wait for it; its exit status or -errno. */
static int run(char *const argv[], bool quiet)
{
	static char *const envp[] = { (char *)ENV_PATH_DEFAULT, NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

			if (fd >= 0)
				dup2(fd, STDERR_FILENO);
		}
		execve(argv[0], argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* RUNTIME --root DIR/runtime VERB A1 A2 */
static int runtime(const struct service_options *o, const struct paths *p,
		   const char *verb, const char *a1, const char *a2,
		   bool quiet)
{
	char *argv[] = { (char *)o->runtime, (char *)"--root",
			 (char *)p->runtime, (char *)verb, (char *)a1,
			 (char *)a2, NULL };

	return run(argv, quiet);
}

static int runtime_run(const struct service_options *o, const struct paths *p,
		       const char *name)
{
	char *argv[] = { (char *)o->runtime, (char *)"--root",
			 (char *)p->runtime, (char *)"run", (char *)"--bundle",
			 (char *)p->bundle, (char *)"--detach",
			 (char *)"--pid-file", (char *)p->pid, (char *)name,
			 NULL };

	return run(argv, false);
}

/* The pid the runtime wrote; 0 when there is none. */
static pid_t container_pid(const struct paths *p)
{
	char buf[32];
	ssize_t n = fileio_read_text(AT_FDCWD, p->pid, buf, sizeof(buf),
				     FILEIO_REGULAR);
	long v;

	if (n <= 0)
		return 0;
	v = strtol(buf, NULL, 10);
	return v > 1 && v < 1L << 30 ? (pid_t)v : 0;
}

/*
 * /proc/PID/stat's first bytes: "PID (COMM) STATE ...". COMM is at most
 * TASK_COMM_LEN (16) bytes, and may hold ')' itself; every field after it
 * is a number, so the last ')' of these bytes is the one that ends it.
 */
#define PROC_STAT_HEAD 128

bool service_pid_alive(pid_t pid)
{
	char path[32], stat[PROC_STAT_HEAD + 1], *close_paren;
	ssize_t n;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = fileio_read_file(AT_FDCWD, path, stat, PROC_STAT_HEAD, 0);
	if (n == -OCIBOOT_ETOOBIG)
		n = PROC_STAT_HEAD;	/* the head is all we need */
	if (n < 0)
		return false;
	stat[n] = '\0';
	close_paren = strrchr(stat, ')');
	return close_paren && close_paren[1] == ' ' &&
	       close_paren[2] != 'Z' && close_paren[2] != 'X' &&
	       close_paren[2] != '\0';
}

static void wait_gone(pid_t pid, unsigned int timeout_ms)
{
	int64_t deadline = clock_deadline_ms(timeout_ms);
	struct timespec ts = { 0, POLL_MS * 1000000L };

	while (service_pid_alive(pid) && !clock_deadline_passed(deadline))
		nanosleep(&ts, NULL);
}

/* --- the commands ------------------------------------------------------ */

int service_start(const struct service_options *o, const char *name,
		  struct service_work *w, struct error *err)
{
	struct paths p;
	int r;

	error_clear(err);
	r = paths_of(name, &p, err);
	if (r == 0)
		r = read_handover(name, &p, w, err);
	if (r == 0)
		r = read_config(&p, w, err);
	if (r < 0)
		return r;
	if (started(&p))
		return error_set(err, -EALREADY, name, "already started: "
				 "stop it first");
	r = mount_mkdir_p(p.runtime, 0700);
	if (r < 0)
		return error_set(err, r, p.runtime, "%s", strerror(-r));
	r = mount_rootfs(&p, &w->handover, err);
	if (r < 0)
		return r;
	r = write_bundle(o, &p, w, err);
	if (r == 0) {
		r = runtime_run(o, &p, name);
		if (r != 0)
			r = error_set(err, r < 0 ? r : -ECHILD, o->runtime,
				      "run %s: %s %d", name,
				      r < 0 ? "failed:" : "exit status",
				      r < 0 ? -r : r);
	}
	if (r < 0) {
		runtime(o, &p, "delete", "--force", name, true);
		unmount_rootfs(&p);
	}
	return r;
}

int service_stop(const struct service_options *o, const char *name,
		 struct error *err)
{
	struct paths p;
	pid_t pid;
	int r;

	error_clear(err);
	r = paths_of(name, &p, err);
	if (r < 0)
		return r;
	if (!started(&p))
		return error_set(err, -ESRCH, name, "not started");
	pid = container_pid(&p);
	if (service_pid_alive(pid)) {
		runtime(o, &p, "kill", name, "TERM", true);
		wait_gone(pid, o->stop_timeout_ms);
	}
	r = runtime(o, &p, "delete", "--force", name, false);
	unmount_rootfs(&p);
	if (started(&p))
		return error_set(err, -EBUSY, p.container, "still there after "
				 "unmounting");
	if (r != 0)
		return error_set(err, -ECHILD, o->runtime, "delete %s: exit "
				 "status %d", name, r);
	return 0;
}

int service_status(const char *name, FILE *out, struct error *err)
{
	struct paths p;
	pid_t pid;
	int r;

	error_clear(err);
	r = paths_of(name, &p, err);
	if (r < 0)
		return r;
	if (access(p.dir, F_OK) < 0)
		return error_set(err, -ENOENT, name, "no such service");
	pid = container_pid(&p);
	if (!started(&p))
		fprintf(out, "%s: stopped\n", name);
	else if (service_pid_alive(pid))
		fprintf(out, "%s: running (pid %d)\n", name, (int)pid);
	else
		fprintf(out, "%s: exited\n", name);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int valid_entry(const struct dirent *d)
{
	return handover_name_valid(d->d_name);
}

int service_list(FILE *out, struct error *err)
{
	struct dirent **names;
	int n, r = 0;

	error_clear(err);
	n = scandir(HANDOVER_SERVICES_DIR, &names, valid_entry, by_name);
	if (n < 0 && errno == ENOENT)
		return 0;
	if (n < 0)
		return error_set(err, -errno, HANDOVER_SERVICES_DIR, "%s",
				 strerror(errno));
	for (int i = 0; i < n; i++) {
		if (r == 0)
			r = service_status(names[i]->d_name, out, err);
		free(names[i]);
	}
	free(names);
	return r;
}
