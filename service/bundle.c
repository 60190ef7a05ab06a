/* SPDX-License-Identifier: MIT */
/*
 * A service's runtime-spec config.json (service/bundle.h), written with
 * oci/jsonw in the order of `crun spec`'s, so the two compare line by
 * line.
 */
#include "service/bundle.h"

#include <errno.h>
#include <string.h>

#include "lib/util.h"
#include "oci/jsonw.h"

const char *const bundle_capabilities[] = {
	"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
};
const size_t bundle_capability_count = ARRAY_SIZE(bundle_capabilities);

const char *const bundle_masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/sys/firmware", "/proc/scsi",
};
const size_t bundle_masked_path_count = ARRAY_SIZE(bundle_masked_paths);

const char *const bundle_readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger",
};
const size_t bundle_readonly_path_count = ARRAY_SIZE(bundle_readonly_paths);

/* One mount of `crun spec`'s: its options end with NULL. */
struct default_mount {
	const char *destination, *type, *source;
	const char *options[8];
};

static const struct default_mount default_mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs",
	  { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
	{ "/dev/pts", "devpts", "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
	    "gid=5", NULL } },
	{ "/dev/shm", "tmpfs", "shm",
	  { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
	{ "/dev/mqueue", "mqueue", "mqueue",
	  { "nosuid", "noexec", "nodev", NULL } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro", NULL } },
	{ "/sys/fs/cgroup", "cgroup", "cgroup",
	  { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
};

static const char *const volume_options[] = {
	"rbind", "rw", "nosuid", "nodev",
};

static const char *const namespaces[] = { "pid", "ipc", "uts", "mount" };

static void strings(struct jsonw *w, const char *key,
		    const char *const *s, size_t n)
{
	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		jsonw_string(w, s[i]);
	jsonw_array_end(w);
}

static void config_strings(struct jsonw *w, const struct oci_config *c,
			   const uint32_t *offsets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		jsonw_string(w, oci_config_string(c, offsets[i]));
}

static bool has_path(const struct oci_config *c)
{
	for (size_t i = 0; i < c->env_count; i++)
		if (strncmp(oci_config_string(c, c->env[i]), "PATH=", 5) == 0)
			return true;
	return false;
}

static void write_capabilities(struct jsonw *w)
{
	static const char *const sets[] = {
		"bounding", "effective", "inheritable", "permitted", "ambient",
	};

	jsonw_key(w, "capabilities");
	jsonw_object_begin(w);
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		strings(w, sets[i], bundle_capabilities,
			streq(sets[i], "inheritable") ? 0 :
			bundle_capability_count);
	jsonw_object_end(w);
}

static void write_process(struct jsonw *w, const struct bundle_spec *s)
{
	const struct oci_config *c = s->config;

	jsonw_key(w, "process");
	jsonw_object_begin(w);
	jsonw_key(w, "terminal");
	jsonw_bool(w, false);
	jsonw_key(w, "user");
	jsonw_object_begin(w);
	jsonw_key(w, "uid");
	jsonw_uint(w, s->uid);
	jsonw_key(w, "gid");
	jsonw_uint(w, s->gid);
	jsonw_object_end(w);
	jsonw_key(w, "args");
	jsonw_array_begin(w);
	config_strings(w, c, c->entrypoint, c->entrypoint_count);
	config_strings(w, c, c->cmd, c->cmd_count);
	jsonw_array_end(w);
	jsonw_key(w, "env");
	jsonw_array_begin(w);
	if (!has_path(c))
		jsonw_string(w, BUNDLE_PATH_DEFAULT);
	config_strings(w, c, c->env, c->env_count);
	jsonw_array_end(w);
	jsonw_key(w, "cwd");
	jsonw_string(w, c->has_working_dir ?
		     oci_config_string(c, c->working_dir) : "/");
	write_capabilities(w);
	jsonw_key(w, "rlimits");
	jsonw_array_begin(w);
	jsonw_object_begin(w);
	jsonw_key(w, "type");
	jsonw_string(w, "RLIMIT_NOFILE");
	jsonw_key(w, "hard");
	jsonw_uint(w, BUNDLE_NOFILE);
	jsonw_key(w, "soft");
	jsonw_uint(w, BUNDLE_NOFILE);
	jsonw_object_end(w);
	jsonw_array_end(w);
	jsonw_key(w, "noNewPrivileges");
	jsonw_bool(w, true);
	jsonw_object_end(w);
}

static void write_mount(struct jsonw *w, const char *destination,
			const char *type, const char *source,
			const char *const *options, size_t n)
{
	jsonw_object_begin(w);
	jsonw_key(w, "destination");
	jsonw_string(w, destination);
	jsonw_key(w, "type");
	jsonw_string(w, type);
	jsonw_key(w, "source");
	jsonw_string(w, source);
	if (n)
		strings(w, "options", options, n);
	jsonw_object_end(w);
}

static void write_mounts(struct jsonw *w, const struct bundle_spec *s)
{
	const struct oci_config *c = s->config;

	jsonw_key(w, "mounts");
	jsonw_array_begin(w);
	for (size_t i = 0; i < ARRAY_SIZE(default_mounts); i++) {
		const struct default_mount *m = &default_mounts[i];
		size_t n = 0;

		while (m->options[n])
			n++;
		write_mount(w, m->destination, m->type, m->source, m->options,
			    n);
	}
	for (size_t i = 0; i < c->volume_count; i++)
		write_mount(w, oci_config_string(c, c->volumes[i]), "bind",
			    s->volume_sources[i], volume_options,
			    ARRAY_SIZE(volume_options));
	jsonw_array_end(w);
}

static void write_linux(struct jsonw *w, const struct bundle_spec *s)
{
	jsonw_key(w, "linux");
	jsonw_object_begin(w);
	jsonw_key(w, "cgroupsPath");
	{
		char path[sizeof(BUNDLE_CGROUP_PARENT "/") +
			  OCI_SERVICE_NAME_MAX];

		strcpy(path, BUNDLE_CGROUP_PARENT "/");
		strncat(path, s->name, OCI_SERVICE_NAME_MAX);
		jsonw_string(w, path);
	}
	jsonw_key(w, "resources");
	jsonw_object_begin(w);
	jsonw_key(w, "devices");
	jsonw_array_begin(w);
	jsonw_object_begin(w);
	jsonw_key(w, "allow");
	jsonw_bool(w, false);
	jsonw_key(w, "access");
	jsonw_string(w, "rwm");
	jsonw_object_end(w);
	jsonw_array_end(w);
	jsonw_object_end(w);
	jsonw_key(w, "namespaces");
	jsonw_array_begin(w);
	for (size_t i = 0; i < ARRAY_SIZE(namespaces) + s->own_network; i++) {
		jsonw_object_begin(w);
		jsonw_key(w, "type");
		jsonw_string(w, i < ARRAY_SIZE(namespaces) ? namespaces[i] :
			     "network");
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	strings(w, "maskedPaths", bundle_masked_paths,
		bundle_masked_path_count);
	strings(w, "readonlyPaths", bundle_readonly_paths,
		bundle_readonly_path_count);
	jsonw_object_end(w);
}

static int check_spec(const struct bundle_spec *s, struct error *err)
{
	const struct oci_config *c = s->config;

	if (c->entrypoint_count + c->cmd_count == 0)
		return error_set(err, -EINVAL, "image config",
				 "no Entrypoint and no Cmd: nothing to run");
	if (c->has_working_dir &&
	    oci_config_string(c, c->working_dir)[0] != '/')
		return error_set(err, -EINVAL, "image config",
				 "WorkingDir '%s' is not an absolute path",
				 oci_config_string(c, c->working_dir));
	for (size_t i = 0; i < c->volume_count; i++) {
		const char *v = oci_config_string(c, c->volumes[i]);

		if (v[0] != '/')
			return error_set(err, -EINVAL, "image config",
					 "volume '%s' is not an absolute path",
					 v);
		if (!s->volume_sources || !s->volume_sources[i] ||
		    s->volume_sources[i][0] != '/')
			return error_set(err, -EINVAL, "image config",
					 "volume '%s' has no directory", v);
	}
	return 0;
}

int bundle_config_json(const struct bundle_spec *spec, char **out,
		       size_t *len, struct error *err)
{
	struct jsonw w;
	int r;

	error_clear(err);
	r = check_spec(spec, err);
	if (r < 0)
		return r;
	jsonw_init(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "ociVersion");
	jsonw_string(&w, BUNDLE_OCI_VERSION);
	write_process(&w, spec);
	jsonw_key(&w, "root");
	jsonw_object_begin(&w);
	jsonw_key(&w, "path");
	jsonw_string(&w, BUNDLE_ROOTFS);
	jsonw_key(&w, "readonly");
	jsonw_bool(&w, false);
	jsonw_object_end(&w);
	jsonw_key(&w, "hostname");
	jsonw_string(&w, spec->name);
	write_mounts(&w, spec);
	write_linux(&w, spec);
	jsonw_object_end(&w);
	r = jsonw_finish(&w, out, len);
	if (r < 0)
		return error_set(err, r, "config.json", "%s",
				 ociboot_strerror(r));
	return 0;
}
