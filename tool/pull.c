/* SPDX-License-Identifier: MIT */
/*
 * `ociboot pull`: fetch an image or a signed system artifact (and, for a
 * system, every image its manifest pins) from a registry into an OCI image
 * layout, with the distribution client the init uses (net/registry.h):
 * digests checked as blobs stream, resumed downloads, retries, mirrors.
 * `ociboot verify` then checks the layout as the boot would.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/x509.h"
#include "lib/util.h"
#include "net/registry.h"
#include "net/resolve_host.h"
#include "oci/layout.h"
#include "oci/layout_write.h"
#include "oci/oci.h"
#include "oci/oci_ref.h"
#include "tool/cli.h"
#include "tool/commands.h"

#define PULL "ociboot pull"
#define PULL_CA_MAX X509_ANCHORS_MAX
#define PULL_TIMEOUT_MAX (24 * 3600)
#define MB (1024.0 * 1024.0)

static const char pull_description[] =
	"Pull REF, an oci= registry location (http[s]://HOST[:PORT]/REPO\n"
	"[:TAG|@sha256:HEX]), into the OCI image layout DIR (created when\n"
	"missing) and tag it there (its tag, or for a digest the digest\n"
	"itself, unless --tag): the manifest (an image index is resolved to\n"
	"its linux/amd64 manifest), its config and its layers. When REF is a\n"
	"signed system artifact, also every image its system manifest pins\n"
	"(the signature is not checked here: `ociboot verify` does that).\n"
	"Every blob is hashed while it streams and refused when it does not\n"
	"match its digest; a blob already in DIR is hashed and kept; an\n"
	"interrupted blob resumes where it stopped. Mirrors are tried first,\n"
	"in order, then the registry; transient failures are retried with\n"
	"backoff until --timeout. https needs --ca (the registry's CA\n"
	"certificates, PEM file or directory of *.pem).\n";

struct pull_args {
	const char *cas_storage[PULL_CA_MAX];
	struct cli_list cas;
	const char *mirrors_storage[REGISTRY_MIRRORS_MAX];
	struct cli_list mirrors;
	const char *tag;
	const char *timeout;
	int64_t time;
	bool quiet;
};

static const struct cli_option pull_options[] = {
	CLI_OPTION_LIST("ca", 0, 0, "FILE|DIR",
			"CA certificates for https (PEM)", struct pull_args,
			cas),
	CLI_OPTION_LIST("mirror", 0, 0, "URL",
			"a registry mirror, tried before REF's registry",
			struct pull_args, mirrors),
	CLI_OPTION_STRING("tag", 0, 0, "TAG", "tag it as TAG in DIR",
			  struct pull_args, tag),
	CLI_OPTION_STRING("timeout", 0, 0, "SECONDS",
			  "give up after this long (default 600)",
			  struct pull_args, timeout),
	CLI_OPTION_EPOCH("time", 0, 0, "check TLS certificates then, not now",
			 struct pull_args, time),
	CLI_OPTION_FLAG("quiet", 'q', "no progress lines", struct pull_args,
			quiet),
};

static const struct cli_spec pull_spec = {
	.prefix = PULL,
	.description = pull_description,
	.options = pull_options,
	.option_count = ARRAY_SIZE(pull_options),
	.operand = "REF DIR",
	.operands_min = 2,
	.operands_max = 2,
};

/* The registry and the state of one pull; big, so static. */
static struct registry registry;
static struct x509_trust_store anchors;
static char system_doc[OCI_SYSTEM_MANIFEST_SIZE_MAX];
static struct json_token system_tokens[OCI_TOKENS_MAX];
static struct oci_system_manifest system_manifest;

struct pull_stats {
	bool quiet;
	unsigned int fetched, cached;
	uint64_t bytes;
};

static void progress(void *ctx, const struct registry_progress *p)
{
	struct pull_stats *s = ctx;
	char d[OCI_DIGEST_STRING_LEN + 1];

	if (p->finished) {
		s->cached += p->cached;
		s->fetched += !p->cached;
		s->bytes += p->cached ? 0 : p->total;
	}
	oci_digest_string(p->digest, d);
	if (p->damaged) {
		fprintf(stderr, "%s: the copy already in the layout was "
			"refused and removed: %s; fetching it again\n", d,
			p->damaged);
		return;
	}
	if (s->quiet || (p->cached && !p->finished))
		return;		/* a copy already there, still being hashed */
	if (p->cached)
		printf("%.19s: present, %" PRIu64 " bytes verified\n", d,
		       p->total);
	else
		printf("%.19s: %" PRIu64 "/%" PRIu64 " bytes (%u%%), %.1f "
		       "MB/s%s\n", d, p->done, p->total, p->percent,
		       (double)p->rate / MB, p->finished ? ", verified" : "");
	fflush(stdout);
}

static int failure(const struct error *e)
{
	char line[ERROR_LINE_MAX];

	return cli_failure(PULL, "%s", error_format(e, line, sizeof(line)));
}

static int set_origin(const char *ref, struct oci_location *loc,
		      struct registry_config *c)
{
	const char *reason;

	if (oci_location_parse(ref, strlen(ref), loc, &reason) < 0)
		return cli_usage(&pull_spec, "%s: %s", ref, reason);
	if (loc->kind != OCI_LOCATION_REGISTRY)
		return cli_usage(&pull_spec, "%s: not an http:// or https:// "
				 "location", ref);
	registry_origin(&loc->registry, &c->origin);
	return 0;
}

static int configure(const struct pull_args *a, struct registry_config *c)
{
	long long timeout = 600;
	const char *reason;

	c->http.resolve = resolve_host_getaddrinfo;
	c->http.tls_time = a->time;
	if (a->cas.count) {
		if (cli_load_cas(PULL, a->cas.items, a->cas.count, &anchors))
			return -EIO;
		c->http.tls_anchors = &anchors;
	}
	if (a->timeout &&
	    cli_parse_number(a->timeout, 1, PULL_TIMEOUT_MAX, &timeout) < 0)
		return cli_usage(&pull_spec, "--timeout: not a number of "
				 "seconds from 1 to %d", PULL_TIMEOUT_MAX);
	c->deadline_ms = (uint32_t)(timeout * 1000);
	for (size_t i = 0; i < a->mirrors.count; i++) {
		const char *m = a->mirrors.items[i];

		if (url_parse(m, strlen(m), &c->mirrors[i], &reason) < 0)
			return cli_usage(&pull_spec, "--mirror %s: %s", m,
					 reason);
		if (!streq(c->mirrors[i].path, "/"))
			return cli_usage(&pull_spec, "--mirror %s: give "
					 "scheme://host[:port] only", m);
	}
	c->mirror_count = a->mirrors.count;
	return 0;
}

/* A system artifact: pull what its (unverified here) manifest pins. */
static int pull_system(const char *repository, const struct layout *l,
		       struct error *e)
{
	struct oci_system_artifact art;
	int len, r;

	if (oci_system_artifact_check(&registry.manifest, &art, NULL) < 0)
		return 0;
	len = layout_read_blob(l, art.manifest.digest, art.manifest.size,
			       system_doc, sizeof(system_doc), e);
	if (len < 0)
		return len;
	r = oci_system_manifest_parse(system_doc, (size_t)len, system_tokens,
				      OCI_TOKENS_MAX, &system_manifest, e);
	if (r < 0) {
		error_context(e, "system manifest");
		return r;
	}
	return registry_pull_system_images(&registry, repository,
					   &system_manifest, l, e);
}

static void default_tag(const struct oci_location *loc, char *tag,
			size_t size)
{
	if (loc->ref.by_digest)
		oci_digest_string(loc->ref.digest, tag);
	else
		snprintf(tag, size, "%s", loc->ref.tag);
}

int pull_main(int argc, char **argv)
{
	struct pull_args a;
	struct registry_config config;
	struct pull_stats stats = { false, 0, 0, 0 };
	struct oci_location loc;
	struct layout l = { -1, -1 };
	char tag[OCI_TAG_MAX + OCI_DIGEST_STRING_LEN + 1];
	uint8_t digest[SHA256_LEN];
	struct error e;
	int64_t size;
	int first, r;

	memset(&a, 0, sizeof(a));
	a.cas.items = a.cas_storage;
	a.cas.cap = PULL_CA_MAX;
	a.mirrors.items = a.mirrors_storage;
	a.mirrors.cap = REGISTRY_MIRRORS_MAX;
	a.time = (int64_t)time(NULL);
	r = cli_parse(&pull_spec, argc, argv, &a, &first);
	if (r)
		return cli_exit_status(r);
	memset(&config, 0, sizeof(config));
	r = set_origin(argv[first], &loc, &config);
	if (r == 0)
		r = configure(&a, &config);
	if (r)
		return cli_exit_status(r);
	if (a.tag && !layout_tag_valid(a.tag))
		return cli_exit_status(cli_usage(&pull_spec, "--tag %s: not "
						 "a valid tag", a.tag));
	stats.quiet = a.quiet;
	config.progress = progress;
	config.progress_ctx = &stats;
	error_clear(&e);
	r = registry_init(&registry, &config, &e);
	if (r == 0)
		r = layout_create(&l, AT_FDCWD, argv[first + 1], &e);
	if (r == 0)
		r = registry_pull_image(&registry, loc.registry.repository,
					&loc.ref, &l, digest, &size, &e);
	if (r == 0)
		r = pull_system(loc.registry.repository, &l, &e);
	if (r == 0) {
		if (a.tag)
			snprintf(tag, sizeof(tag), "%s", a.tag);
		else
			default_tag(&loc, tag, sizeof(tag));
		r = layout_tag(&l, tag, digest, size, &e);
	}
	registry_close(&registry);
	layout_close(&l);
	if (r < 0)
		return failure(&e);
	cli_print_digest("manifest", digest);
	printf("tagged %s in %s: %u blobs fetched (%.1f MB), %u already "
	       "present\n", tag, argv[first + 1], stats.fetched,
	       (double)stats.bytes / MB, stats.cached);
	return CLI_EXIT_SUCCESS;
}
