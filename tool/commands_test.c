/* SPDX-License-Identifier: MIT */
/*
 * The commands, run in-process as `ociboot` runs them: every --help says
 * "usage: PREFIX"; a table of bad usages, each exit 2 with one line naming
 * the option at fault and nothing written; then, in a temporary directory,
 * layer create (byte-identical when salt, uuid and mtime are given; no
 * temporary file left; a failure leaves no output), layer inspect, keys
 * ca/product/sign/verify round trips and refusals (an existing file kept
 * without --force, a changed input refused); `limits` prints the table,
 * and one past the layer and service limits is refused naming the limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/fileio_alloc.h"
#include "lib/util.h"
#include "oci/limits.h"
#include "tool/cli.h"
#include "tool/commands.h"

#define ARGV_MAX 24
#define UUID "6a0d3c1e-5b7f-4e2a-9c4d-0123456789ab"
#define SALT "00112233445566778899aabbccddeeff"

/* What a command printed. */
struct run {
	int status;
	char *out, *err;
	size_t out_len, err_len;
};

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Run main with argv[0, argc), capturing its output. */
static struct run run_argv(int (*main_fn)(int, char **), int argc,
			   char **argv)
{
	FILE *saved_out = stdout, *saved_err = stderr;
	struct run r = { 0 };

	stdout = open_memstream(&r.out, &r.out_len);
	stderr = open_memstream(&r.err, &r.err_len);
	assert_non_null(stdout);
	assert_non_null(stderr);
	r.status = main_fn(argc, argv);
	fclose(stdout);
	fclose(stderr);
	stdout = saved_out;
	stderr = saved_err;
	return r;
}

/* Run main with the NULL-terminated words as argv, capturing its output. */
static struct run run(int (*main_fn)(int, char **), const char *const *words)
{
	char *argv[ARGV_MAX + 1] = { NULL };
	int argc = 0;

	while (words[argc]) {
		assert_true(argc < ARGV_MAX);
		argv[argc] = (char *)words[argc];
		argc++;
	}
	return run_argv(main_fn, argc, argv);
}

#define RUN(main_fn, ...) run(main_fn, (const char *const[]){ __VA_ARGS__, \
							   NULL })

static size_t lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_help(void **state)
{
	static const struct {
		int (*main_fn)(int, char **);
		const char *argv[3], *usage;
	} cases[] = {
		{ keys_main, { "keys", "ca" }, "usage: ociboot keys ca " },
		{ keys_main, { "keys", "product" },
		  "usage: ociboot keys product " },
		{ keys_main, { "keys", "sign" }, "usage: ociboot keys sign " },
		{ keys_main, { "keys", "verify" },
		  "usage: ociboot keys verify " },
		{ layer_main, { "layer", "create" },
		  "usage: ociboot layer create " },
		{ layer_main, { "layer", "inspect" },
		  "usage: ociboot layer inspect " },
		{ image_main, { "image", "create" },
		  "usage: ociboot image create " },
		{ image_main, { "image", "inspect" },
		  "usage: ociboot image inspect " },
		{ manifest_main, { "manifest", "create" },
		  "usage: ociboot manifest create " },
		{ manifest_main, { "manifest", "sign" },
		  "usage: ociboot manifest sign " },
		{ manifest_main, { "manifest", "package" },
		  "usage: ociboot manifest package " },
		{ verify_main, { "verify" }, "usage: ociboot verify " },
		{ ukify_main, { "ukify", "initrd" }, "usage: ukify initrd " },
		{ ukify_main, { "ukify", "build" }, "usage: ukify build " },
		{ ukify_main, { "ukify", "inspect" }, "usage: ukify inspect " },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *words[4] = { cases[i].argv[0], cases[i].argv[1],
					 NULL, NULL };
		struct run r;

		words[cases[i].argv[1] ? 2 : 1] = "--help";
		r = run(cases[i].main_fn, words);
		if (r.status != 0 || strncmp(r.out, cases[i].usage,
					     strlen(cases[i].usage)) != 0)
			fail_msg("case %zu: exit %d, printed '%s'", i,
				 r.status, r.out);
		assert_non_null(strstr(r.out, "\noptions:\n"));
		assert_int_equal(r.err_len, 0);
		run_free(&r);
	}
}

static const struct usage_case {
	int (*main_fn)(int, char **);
	const char *argv[ARGV_MAX];
	const char *says;
} usage_cases[] = {
	{ keys_main, { "keys", NULL }, "ociboot keys: missing command" },
	{ keys_main, { "keys", "frob", NULL }, "unknown command 'frob'" },
	{ keys_main, { "keys", "ca", "--out-key", "k", NULL },
	  "ociboot keys ca: --out-cert is required" },
	{ keys_main, { "keys", "ca", "--out-key", "k", "--out-cert", "k",
		       NULL }, "name the same file" },
	{ keys_main, { "keys", "ca", "--out-key", "k", "--out-cert", "c",
		       "--days", "0", NULL }, "--days '0': takes 1 to" },
	{ keys_main, { "keys", "ca", "--out-key", "k", "--out-cert", "c",
		       "--rsa", "1024", NULL }, "--rsa '1024': takes" },
	{ keys_main, { "keys", "ca", "--out-key", "k", "--out-cert", "c",
		       "--rsa", "2048", "--curve", "P-256", NULL },
	  "--rsa and --curve exclude each other" },
	{ keys_main, { "keys", "ca", "--out-key", "k", "--out-cert", "c",
		       "--product", UUID, NULL },
	  "unknown option '--product'" },
	{ keys_main, { "keys", "product", "--ca-key", "a", "--ca-cert", "b",
		       "--product", "nope", "--out-key", "k", "--out-cert",
		       "c", NULL }, "--product 'nope': is not a UUID" },
	{ keys_main, { "keys", "sign", "--key", "k", "--in", "f", "--out",
		       "f", NULL }, "--in and --out name the same file" },
	{ keys_main, { "keys", "verify", "--ca", "a", "--cert", "c", "--in",
		       "i", NULL }, "--sig is required" },
	{ keys_main, { "keys", "verify", "--ca", "a", "--cert", "c", "--in",
		       "i", "--sig", "s", "--time", "now", NULL },
	  "--time 'now': takes Unix seconds" },
	{ layer_main, { "layer", "create", "--output", "o", NULL },
	  "need one of --from-dir, --from-tar" },
	{ layer_main, { "layer", "create", "--from-dir", "d", "--output", "o",
		       "--salt", "xyz", NULL }, "--salt 'xyz': takes" },
	{ layer_main, { "layer", "create", "--from-dir", "d", "--output", "o",
		       "--uuid", "1234", NULL }, "--uuid '1234': is not" },
	{ layer_main, { "layer", "create", "--from-dir", "d", "-o", "o",
		       "--jobs", "0", NULL }, "--jobs '0': takes 1 to" },
	{ layer_main, { "layer", "create", "--from-dir", "d", "-o", "o",
		       "--owner", "0", NULL }, "--owner '0': takes UID:GID" },
	{ layer_main, { "layer", "inspect", NULL },
	  "ociboot layer inspect: takes exactly one FILE" },
	{ image_main, { "image", "create", "--layout", "l", "--tag", "t",
		       NULL }, "--layer is required" },
	{ image_main, { "image", "create", "--layout", "l", "--tag", "a b",
		       "--layer", "x", NULL }, "bad --tag 'a b'" },
	{ image_main, { "image", "create", "--layout", "l", "--tag", "t",
		       "--layer", "x", "--env", "=v", NULL },
	  "bad --env '=v'" },
	{ image_main, { "image", "inspect", "--layout", "l", NULL },
	  "need one of --tag, --digest" },
	{ image_main, { "image", "inspect", "--layout", "l", "--digest",
		       "sha256:00", NULL }, "--digest 'sha256:00': " },
	{ manifest_main, { "manifest", "create", "--product", UUID,
		       "--version", "1", "--rootfs-layout", "l",
		       "--rootfs-tag", "t", NULL }, "--output is required" },
	{ manifest_main, { "manifest", "create", "--product", UUID,
		       "--version", "-1", NULL }, "--version '-1': takes 0" },
	{ manifest_main, { "manifest", "create", "--service", "x", NULL },
	  "--service 'x': takes NAME=LAYOUT:TAG" },
	{ manifest_main, { "manifest", "package", "--layout", "l", "--tag",
		       "t", "--manifest", "m", "--signature", "s", NULL },
	  "--cert is required" },
	{ verify_main, { "verify", "--layout", "l", NULL },
	  "--ca is required" },
	{ verify_main, { "verify", "--layout", "l", "--ca", "c", "--tag",
		       "t", "--digest", "sha256:00", NULL },
	  "give one --tag or --digest" },
	{ verify_main, { "verify", "--layout", "l", "--ca", "c",
		       "--product", "x", NULL }, "--product 'x': is not" },
	{ ukify_main, { "ukify", NULL }, "ukify: missing command" },
	{ ukify_main, { "ukify", "initrd", "--output", "o", NULL },
	  "ukify initrd: --init is required" },
	{ ukify_main, { "ukify", "initrd", "--init", "i", "--output", "o",
		       "--module", "loop", NULL },
	  "--module, --preset and --host-only need --modules-dir" },
	{ ukify_main, { "ukify", "initrd", "--init", "i", "--output", "o",
		       "--host-only", NULL },
	  "--module, --preset and --host-only need --modules-dir" },
	{ ukify_main, { "ukify", "initrd", "--init", "i", "--output", "o",
		       "--preset", "nope", NULL },
	  "--preset 'nope': names no preset" },
	{ ukify_main, { "ukify", "initrd", "--init", "i", "--output", "o",
		       "--modules-dir", "m", "--sysfs", "s", NULL },
	  "--sysfs goes with --host-only" },
	{ ukify_main, { "ukify", "presets", "x", NULL }, "ukify presets" },
	{ ukify_main, { "ukify", "initrd", "--init", "i", "--output", "o",
		       "--compress", "xz", NULL }, "--compress 'xz': takes" },
	{ ukify_main, { "ukify", "build", "--kernel", "k", "--initrd", "i",
		       "--init", "j", "--output", "o", NULL },
	  "--initrd excludes --init" },
	{ ukify_main, { "ukify", "build", "--kernel", "k", "--initrd", "i",
		       "--key", "k", "--output", "o", NULL },
	  "--key and --cert go together" },
	{ ukify_main, { "ukify", "build", "--cmdline", NULL },
	  "ukify build: --cmdline needs a value" },
	{ ukify_main, { "ukify", "inspect", "a", "b", NULL },
	  "takes exactly one FILE" },
};

static void test_usage_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(usage_cases); i++) {
		const struct usage_case *c = &usage_cases[i];
		struct run r = run(c->main_fn, c->argv);

		if (r.status != CLI_EXIT_USAGE || lines(r.err) != 1 ||
		    !strstr(r.err, c->says))
			fail_msg("case %zu: exit %d, said '%s', want '%s'", i,
				 r.status, r.err, c->says);
		assert_int_equal(r.out_len, 0);
		run_free(&r);
	}
}

/* A temporary directory to work in; the test's state. */
static int setup_dir(void **state)
{
	char *dir = strdup("/tmp/commands_test.XXXXXX");

	if (!dir || !mkdtemp(dir) || chdir(dir) < 0) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[128];

	if (chdir("/") < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	free(*state);
	return system(cmd) == 0 ? 0 : -1;
}

/* The names in the working directory, excluding . and .., as "a b c". */
static void names(char *out, size_t size)
{
	DIR *d = opendir(".");
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	out[0] = '\0';
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' || (e->d_name[1] &&
		    (e->d_name[1] != '.' || e->d_name[2])))
			n += (size_t)snprintf(out + n, size - n, "%s%s",
					      n ? " " : "", e->d_name);
	closedir(d);
}

static bool same_file(const char *a, const char *b)
{
	uint8_t *x, *y;
	size_t xn, yn;
	bool same;

	assert_int_equal(fileio_read_file_alloc(AT_FDCWD, a, 1 << 24, 0, &x,
						&xn), 0);
	assert_int_equal(fileio_read_file_alloc(AT_FDCWD, b, 1 << 24, 0, &y,
						&yn), 0);
	same = xn == yn && memcmp(x, y, xn) == 0;
	free(x);
	free(y);
	return same;
}

static void test_layer(void **state)
{
	static const char hello[] = "hello, layer\n";
	struct run r;
	char list[256];

	assert_int_equal(mkdir("src", 0755), 0);
	assert_int_equal(fileio_write_new(AT_FDCWD, "src/hello", hello,
					  sizeof(hello) - 1, 0644), 0);
	for (int i = 0; i < 2; i++) {
		r = RUN(layer_main, "layer", "create", "--from-dir", "src",
			"-o", i ? "b.img" : "a.img", "--salt", SALT, "--uuid",
			UUID, "--mtime", "1", "--jobs", "1");
		if (r.status != 0)
			fail_msg("layer create: %s", r.err);
		assert_non_null(strstr(r.out, "digest: sha256:"));
		assert_non_null(strstr(r.out, "\nsalt: " SALT "\n"));
		assert_non_null(strstr(r.out, "\nuuid: " UUID "\n"));
		run_free(&r);
	}
	assert_true(same_file("a.img", "b.img"));
	/* in readdir's order: nothing but the two blobs was left */
	names(list, sizeof(list));
	assert_non_null(strstr(list, "a.img"));
	assert_non_null(strstr(list, "b.img"));
	assert_int_equal(strlen(list), strlen("src a.img b.img"));

	r = RUN(layer_main, "layer", "inspect", "--json", "a.img");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"salt\":\"" SALT "\""));
	run_free(&r);

	/* A failure names the source and leaves nothing behind. */
	r = RUN(layer_main, "layer", "create", "--from-dir", "missing", "-o",
		"c.img");
	assert_int_equal(r.status, CLI_EXIT_FAILURE);
	assert_non_null(strstr(r.err, "missing"));
	assert_int_equal(lines(r.err), 1);
	run_free(&r);
	names(list, sizeof(list));
	assert_int_equal(strlen(list), strlen("src a.img b.img"));
	assert_null(strstr(list, "c.img"));

	r = RUN(layer_main, "layer", "inspect", "src/hello");
	assert_int_equal(r.status, CLI_EXIT_FAILURE);
	assert_non_null(strstr(r.err, "src/hello"));
	run_free(&r);
}

static void test_keys(void **state)
{
	static const char data[] = "signed bytes\n";
	struct run r;

	r = RUN(keys_main, "keys", "ca", "--out-key", "ca.key", "--out-cert",
		"ca.pem");
	assert_int_equal(r.status, 0);
	run_free(&r);

	/* never replaced without --force */
	r = RUN(keys_main, "keys", "ca", "--out-key", "ca.key", "--out-cert",
		"ca.pem");
	assert_int_equal(r.status, CLI_EXIT_FAILURE);
	assert_int_equal(lines(r.err), 1);
	run_free(&r);

	r = RUN(keys_main, "keys", "product", "--ca-key", "ca.key",
		"--ca-cert", "ca.pem", "--product", UUID, "--out-key", "p.key",
		"--out-cert", "p.pem");
	assert_int_equal(r.status, 0);
	run_free(&r);

	assert_int_equal(fileio_write_new(AT_FDCWD, "data", data,
					  sizeof(data) - 1, 0644), 0);
	r = RUN(keys_main, "keys", "sign", "--key", "p.key", "--in", "data",
		"--out", "data.sig");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "wrote data.sig\n");
	run_free(&r);

	r = RUN(keys_main, "keys", "verify", "--ca", "ca.pem", "--cert",
		"p.pem", "--in", "data", "--sig", "data.sig");
	if (r.status != 0)
		fail_msg("keys verify: %s", r.err);
	assert_non_null(strstr(r.out, "product: " UUID "\n"));
	run_free(&r);

	/* the signature covers the bytes: one more is refused */
	assert_int_equal(fileio_replace(AT_FDCWD, "data", data, sizeof(data),
					0644), 0);
	r = RUN(keys_main, "keys", "verify", "--ca", "ca.pem", "--cert",
		"p.pem", "--in", "data", "--sig", "data.sig");
	assert_int_equal(r.status, CLI_EXIT_FAILURE);
	assert_int_equal(lines(r.err), 1);
	assert_non_null(strstr(r.err, "ociboot keys verify: data.sig: "));
	run_free(&r);

	/* not yet valid at --time 0 */
	r = RUN(keys_main, "keys", "verify", "--ca", "ca.pem", "--cert",
		"p.pem", "--in", "data", "--sig", "data.sig", "--time", "0");
	assert_int_equal(r.status, CLI_EXIT_FAILURE);
	run_free(&r);
}

/* `ociboot limits`: one "name value description" line a limit. */
static void test_limits_table(void **state)
{
	struct run r = RUN(limits_main, "limits");
	char want[64];

	assert_int_equal(r.status, CLI_EXIT_SUCCESS);
	assert_int_equal(r.err_len, 0);
	snprintf(want, sizeof(want), "\nlayers_per_image %d ",
		 OCI_LAYERS_MAX);
	assert_true(strncmp(r.out, want + 1, strlen(want + 1)) == 0);
	snprintf(want, sizeof(want), "\nservices_per_system %d ",
		 OCI_SERVICES_MAX);
	assert_non_null(strstr(r.out, want));
	for (const char *line = r.out; *line; line = strchr(line, '\n') + 1) {
		size_t name = strspn(line, "abcdefghijklmnopqrstuvwxyz_");
		size_t value = strspn(line + name + 1, "0123456789");

		assert_true(name > 0 && line[name] == ' ');
		assert_true(value > 0 && line[name + 1 + value] == ' ');
		assert_non_null(strchr(line, '\n'));
	}
	run_free(&r);
}

/*
 * argv of `image create` with count --layer options (the blobs need not
 * exist: the count is checked first), or of `manifest create` with count
 * --service options; argv[0, *argc) points into strings, which the caller
 * frees.
 */
static char **many_argv(bool layers, size_t count, int *argc)
{
	static const char *const image[] = { "image", "create", "--layout",
					      "out", "--tag", "t" };
	static const char *const manifest[] = {
		"manifest", "create", "--product", UUID, "--version", "1",
		"--rootfs-layout", "out", "--rootfs-tag", "t", "--output",
		"m.json" };
	const char *const *head = layers ? image : manifest;
	size_t n = layers ? ARRAY_SIZE(image) : ARRAY_SIZE(manifest);
	char **argv = calloc(n + 2 * count + 1, sizeof(*argv));

	assert_non_null(argv);
	for (size_t i = 0; i < n; i++)
		argv[i] = strdup(head[i]);
	for (size_t i = 0; i < count; i++) {
		argv[n + 2 * i] = strdup(layers ? "--layer" : "--service");
		assert_true(asprintf(&argv[n + 2 * i + 1], layers ?
				     "layer%zu.blob" : "s%zu=out:t", i) > 0);
	}
	*argc = (int)(n + 2 * count);
	return argv;
}

static void free_argv(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* One past a limit is refused naming it; at the limit it is not. */
static void test_limits_refused(void **state)
{
	char **argv, listing[256];
	struct run r;
	int argc;

	argv = many_argv(true, OCI_LAYERS_MAX + 1, &argc);
	r = run_argv(image_main, argc, argv);
	assert_int_equal(r.status, CLI_EXIT_USAGE);
	assert_non_null(strstr(r.err, "ociboot image create: 128 layers: "
			       "over the limit of 127 layers per image "
			       "(oci/limits.h)"));
	run_free(&r);
	free_argv(argc, argv);
	names(listing, sizeof(listing));
	assert_string_equal(listing, "");

	argv = many_argv(true, OCI_LAYERS_MAX, &argc);
	r = run_argv(image_main, argc, argv);	/* fails on layer0.blob */
	assert_int_equal(r.status, CLI_EXIT_FAILURE);
	assert_null(strstr(r.err, "over the limit"));
	assert_non_null(strstr(r.err, "layer0.blob"));
	run_free(&r);
	free_argv(argc, argv);

	argv = many_argv(false, OCI_SERVICES_MAX + 1, &argc);
	r = run_argv(manifest_main, argc, argv);
	assert_int_equal(r.status, CLI_EXIT_USAGE);
	assert_non_null(strstr(r.err, "33 services: over the limit of 32 "
			       "services per system (oci/limits.h)"));
	run_free(&r);
	free_argv(argc, argv);

	argv = many_argv(false, OCI_SERVICES_MAX, &argc);
	r = run_argv(manifest_main, argc, argv);	/* no layout "out" */
	assert_int_equal(r.status, CLI_EXIT_FAILURE);
	assert_null(strstr(r.err, "over the limit"));
	run_free(&r);
	free_argv(argc, argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_limits_table),
		cmocka_unit_test_setup_teardown(test_limits_refused,
						setup_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_layer, setup_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(test_keys, setup_dir,
						remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
