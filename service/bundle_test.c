/* SPDX-License-Identifier: MIT */
/*
 * A service's config.json from image configs, table-driven: each output
 * parses back and holds the runtime-spec's required fields (ociVersion,
 * root.path, process.cwd absolute, process.args not empty, process.user
 * uid and gid); args are Entrypoint then Cmd, env is Env (PATH added when
 * missing), cwd is WorkingDir, volumes become bind mounts; what cannot run
 * is refused. The default capabilities, masked and read-only paths and
 * mounts are compared with `crun spec`'s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/util.h"
#include "oci/json.h"
#include "oci/oci.h"
#include "service/bundle.h"

#define TOKENS 4096
#define CONFIG_PREFIX "{\"architecture\":\"amd64\",\"os\":\"linux\"," \
	"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":"

struct bundle_case {
	const char *name;
	const char *config;		/* the image's "config" object */
	uint32_t uid, gid;
	bool own_network;
	int want;			/* 0 or the error */
	const char *args;		/* joined with '|' */
	const char *env;		/* joined with '|' */
	const char *cwd;
	const char *volumes;		/* "dest=source|..." bind mounts */
};

#define PATH_ENV BUNDLE_PATH_DEFAULT

static const struct bundle_case cases[] = {
	{ "entrypoint and cmd",
	  "{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"]}",
	  0, 0, false, 0, "/bin/sh|-c|echo hi", PATH_ENV, "/", "" },
	{ "cmd only, env, workdir",
	  "{\"Cmd\":[\"/svc/run\"],\"Env\":[\"A=1\",\"B=two words\"],"
	  "\"WorkingDir\":\"/srv/www\"}",
	  0, 0, false, 0, "/svc/run", PATH_ENV "|A=1|B=two words",
	  "/srv/www", "" },
	{ "entrypoint only, own PATH kept",
	  "{\"Entrypoint\":[\"/app\"],\"Env\":[\"PATH=/opt/bin\"]}",
	  33, 33, false, 0, "/app", "PATH=/opt/bin", "/", "" },
	{ "user ids",
	  "{\"Cmd\":[\"/app\"],\"User\":\"1000:100\"}",
	  1000, 100, false, 0, "/app", PATH_ENV, "/", "" },
	{ "volumes",
	  "{\"Cmd\":[\"/app\"],\"Volumes\":{\"/data\":{},\"/var/cache\":{}}}",
	  0, 0, false, 0, "/app", PATH_ENV, "/",
	  "/data=/v/svc/data|/var/cache=/v/svc/var-cache" },
	{ "own network",
	  "{\"Cmd\":[\"/app\"]}", 0, 0, true, 0, "/app", PATH_ENV, "/", "" },
	{ "unicode and quotes kept",
	  "{\"Cmd\":[\"/app\",\"\\\"q\\\" \\u00e9\"],\"Env\":[\"X=\\\\\"]}",
	  0, 0, false, 0, "/app|\"q\" \xc3\xa9", PATH_ENV "|X=\\", "/", "" },
	{ "nothing to run", "{\"Env\":[\"A=1\"]}", 0, 0, false, -EINVAL,
	  NULL, NULL, NULL, NULL },
	{ "no config at all", "null", 0, 0, false, -EINVAL, NULL, NULL, NULL,
	  NULL },
	{ "relative WorkingDir",
	  "{\"Cmd\":[\"/app\"],\"WorkingDir\":\"srv\"}", 0, 0, false,
	  -EINVAL, NULL, NULL, NULL, NULL },
	{ "volume without a directory",
	  "{\"Cmd\":[\"/app\"],\"Volumes\":{\"/data\":{}}}", 0, 0, false,
	  -EINVAL, NULL, NULL, NULL, NULL },
};

/* Parse "{...,\"config\":CONFIG}" into *cfg. */
static void image_config(const char *config, struct oci_config *cfg)
{
	static struct json_token tokens[TOKENS];
	char doc[4096];
	struct error err;
	int n = snprintf(doc, sizeof(doc), CONFIG_PREFIX "%s}", config);

	assert_true(n > 0 && (size_t)n < sizeof(doc));
	if (oci_config_parse(doc, (size_t)n, tokens, TOKENS, cfg, &err) < 0)
		fail_msg("image config %s: %s at %s", config, err.why,
			 err.where);
}

/* Members of the output, by path from the root. */
static int get(const struct json_doc *d, int obj, const char *key,
	       enum json_type type)
{
	int i = json_object_get(d, obj, key);

	if (i < 0 || json_type(d, i) != type)
		fail_msg("config.json: no %s of the right type", key);
	return i;
}

/* The strings of array a joined with '|'. */
static void joined(const struct json_doc *d, int a, char *out, size_t size)
{
	char s[512];

	out[0] = '\0';
	for (int e = json_array_first(d, a); e >= 0;
	     e = json_array_next(d, a, e)) {
		assert_true(json_string(d, e, s, sizeof(s)) >= 0);
		if (out[0])
			strncat(out, "|", size - strlen(out) - 1);
		strncat(out, s, size - strlen(out) - 1);
	}
}

/* The bind mounts as "dest=source|...". */
static void bind_mounts(const struct json_doc *d, int mounts, char *out,
			size_t size)
{
	char dest[256], src[256];

	out[0] = '\0';
	for (int e = json_array_first(d, mounts); e >= 0;
	     e = json_array_next(d, mounts, e)) {
		if (!json_string_eq(d, get(d, e, "type", JSON_STRING),
				    "bind"))
			continue;
		json_string(d, get(d, e, "destination", JSON_STRING), dest,
			    sizeof(dest));
		json_string(d, get(d, e, "source", JSON_STRING), src,
			    sizeof(src));
		snprintf(out + strlen(out), size - strlen(out), "%s%s=%s",
			 out[0] ? "|" : "", dest, src);
	}
}

static bool has_namespace(const struct json_doc *d, int ns, const char *t)
{
	for (int e = json_array_first(d, ns); e >= 0;
	     e = json_array_next(d, ns, e))
		if (json_string_eq(d, get(d, e, "type", JSON_STRING), t))
			return true;
	return false;
}

static void check_output(const struct bundle_case *c, const char *text,
			 size_t len)
{
	static struct json_token tokens[TOKENS];
	struct json_doc d;
	char got[1024], cwd[256];
	int64_t v;
	int p, u, l, ns;

	assert_true(json_parse(&d, text, len, tokens, TOKENS, NULL) > 0);
	/* required by the runtime-spec (config.md, config-linux.md) */
	assert_true(json_string_eq(&d, get(&d, 0, "ociVersion", JSON_STRING),
				   BUNDLE_OCI_VERSION));
	assert_true(json_string_eq(&d, get(&d, get(&d, 0, "root",
						   JSON_OBJECT), "path",
					   JSON_STRING), BUNDLE_ROOTFS));
	p = get(&d, 0, "process", JSON_OBJECT);
	json_string(&d, get(&d, p, "cwd", JSON_STRING), cwd, sizeof(cwd));
	assert_int_equal(cwd[0], '/');
	assert_true(json_count(&d, get(&d, p, "args", JSON_ARRAY)) > 0);
	u = get(&d, p, "user", JSON_OBJECT);
	assert_int_equal(json_int64(&d, get(&d, u, "uid", JSON_NUMBER), &v),
			 0);
	assert_int_equal(v, c->uid);
	assert_int_equal(json_int64(&d, get(&d, u, "gid", JSON_NUMBER), &v),
			 0);
	assert_int_equal(v, c->gid);
	/* what the image config says */
	joined(&d, get(&d, p, "args", JSON_ARRAY), got, sizeof(got));
	assert_string_equal(got, c->args);
	joined(&d, get(&d, p, "env", JSON_ARRAY), got, sizeof(got));
	assert_string_equal(got, c->env);
	assert_string_equal(cwd, c->cwd);
	bind_mounts(&d, get(&d, 0, "mounts", JSON_ARRAY), got, sizeof(got));
	assert_string_equal(got, c->volumes);
	/* the defaults */
	assert_true(json_string_eq(&d, get(&d, 0, "hostname", JSON_STRING),
				   "svc"));
	l = get(&d, 0, "linux", JSON_OBJECT);
	ns = get(&d, l, "namespaces", JSON_ARRAY);
	assert_true(has_namespace(&d, ns, "pid"));
	assert_true(has_namespace(&d, ns, "mount"));
	assert_true(has_namespace(&d, ns, "ipc"));
	assert_true(has_namespace(&d, ns, "uts"));
	assert_int_equal(has_namespace(&d, ns, "network"), c->own_network);
	assert_true(json_string_eq(&d, get(&d, l, "cgroupsPath", JSON_STRING),
				   BUNDLE_CGROUP_PARENT "/svc"));
	assert_true(json_type(&d, get(&d, p, "noNewPrivileges", JSON_TRUE)) ==
		    JSON_TRUE);
}

static void test_cases(void **state)
{
	static const char *const sources[] = { "/v/svc/data",
					       "/v/svc/var-cache" };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct bundle_case *c = &cases[i];
		static struct oci_config cfg;
		struct bundle_spec spec = { "svc", &cfg, c->uid, c->gid,
					    NULL, c->own_network };
		struct error err;
		char *out = NULL;
		size_t len = 0;
		int r;

		print_message("case: %s\n", c->name);
		image_config(c->config, &cfg);
		if (!strstr(c->name, "without"))
			spec.volume_sources = sources;
		r = bundle_config_json(&spec, &out, &len, &err);
		if (r != c->want)
			fail_msg("%s: got %d (%s), want %d", c->name, r,
				 err.why, c->want);
		if (r < 0) {
			assert_non_null(err.why[0] ? err.why : NULL);
			assert_null(out);
			continue;
		}
		assert_int_equal(strlen(out), len);
		check_output(c, out, len);
		free(out);
	}
}

/* --- against crun spec --------------------------------------------------- */

static bool have(const char *command)
{
	char line[256];

	snprintf(line, sizeof(line), "command -v %s > /dev/null 2>&1",
		 command);
	return system(line) == 0;
}

/* The strings of array a of d are exactly want[0..n), in order. */
static void same_strings(const struct json_doc *d, int a,
			 const char *const *want, size_t n, const char *what)
{
	size_t i = 0;
	char s[256];

	for (int e = json_array_first(d, a); e >= 0;
	     e = json_array_next(d, a, e), i++) {
		assert_true(json_string(d, e, s, sizeof(s)) >= 0);
		if (i >= n || !streq(s, want[i]))
			fail_msg("%s[%zu]: crun spec has %s, we %s", what, i,
				 s, i < n ? want[i] : "(nothing)");
	}
	assert_int_equal(i, n);
}

static void test_against_crun_spec(void **state)
{
	static struct json_token tokens[TOKENS], ours_tokens[TOKENS];
	static struct oci_config cfg;
	static char theirs[65536];
	char dir[] = "/tmp/bundle_test.XXXXXX", line[256];
	struct bundle_spec spec = { "svc", &cfg, 0, 0, NULL, false };
	struct json_doc d, o;
	struct error err;
	ssize_t n;
	size_t len;
	char *ours;
	int p, caps, l, mt, om;

	if (!have("crun")) {
		print_message("crun not found: comparison skipped\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(line, sizeof(line), "cd %s && crun spec", dir);
	assert_int_equal(system(line), 0);
	snprintf(line, sizeof(line), "%s/config.json", dir);
	n = fileio_read_file(AT_FDCWD, line, theirs, sizeof(theirs), 0);
	unlink(line);
	rmdir(dir);
	assert_true(n > 0);
	assert_true(json_parse(&d, theirs, (size_t)n, tokens, TOKENS,
			       NULL) > 0);
	p = get(&d, 0, "process", JSON_OBJECT);
	caps = get(&d, p, "capabilities", JSON_OBJECT);
	for (int k = json_member_first(&d, caps); k >= 0;
	     k = json_member_next(&d, caps, k)) {
		bool inheritable = json_string_eq(&d, k, "inheritable");

		same_strings(&d, k + 1, bundle_capabilities,
			     inheritable ? 0 : bundle_capability_count,
			     "capabilities");
	}
	l = get(&d, 0, "linux", JSON_OBJECT);
	same_strings(&d, get(&d, l, "maskedPaths", JSON_ARRAY),
		     bundle_masked_paths, bundle_masked_path_count,
		     "maskedPaths");
	same_strings(&d, get(&d, l, "readonlyPaths", JSON_ARRAY),
		     bundle_readonly_paths, bundle_readonly_path_count,
		     "readonlyPaths");

	/* our mounts, with no volume, are crun's, text for text */
	image_config("{\"Cmd\":[\"/app\"]}", &cfg);
	assert_int_equal(bundle_config_json(&spec, &ours, &len, &err), 0);
	assert_true(json_parse(&o, ours, len, ours_tokens, TOKENS, NULL) > 0);
	mt = get(&d, 0, "mounts", JSON_ARRAY);
	om = get(&o, 0, "mounts", JSON_ARRAY);
	assert_int_equal(json_count(&d, mt), json_count(&o, om));
	{
		size_t tl, ol;
		const char *t = json_raw(&d, mt, &tl);
		const char *w = json_raw(&o, om, &ol);
		char a[4096], b[4096];
		size_t an = 0, bn = 0;

		/* compare without the whitespace crun indents with */
		for (size_t i = 0; i < tl && an < sizeof(a); i++)
			if (!strchr(" \t\n", t[i]))
				a[an++] = t[i];
		for (size_t i = 0; i < ol && bn < sizeof(b); i++)
			if (!strchr(" \t\n", w[i]))
				b[bn++] = w[i];
		assert_int_equal(an, bn);
		assert_memory_equal(a, b, an);
	}
	free(ours);
	print_message("capabilities, maskedPaths, readonlyPaths and mounts "
		      "are crun spec's\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_against_crun_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
