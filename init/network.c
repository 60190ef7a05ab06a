/* SPDX-License-Identifier: MIT */
/*
 * The network boot: see init/network.h. Everything fetched lands in a
 * tmpfs; nothing is used that trust/system did not accept, and nothing a
 * system manifest names is fetched before its signature was checked.
 */
#include "init/network.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "init/boot.h"
#include "init/log.h"
#include "init/netcache.h"
#include "init/tpm_boot.h"
#include "lib/clock.h"
#include "lib/fileio.h"
#include "lib/strbuf.h"
#include "lib/util.h"
#include "net/net.h"
#include "net/registry.h"
#include "oci/layout.h"
#include "oci/oci.h"
#include "version.h"	/* generated: OCIBOOT_BUILD_EPOCH */

#define STAGE "network"
#define FILE_MODE 0444
#define INDEX_JSON_MAX (512 + OCI_TAG_MAX)
#define MB (1024.0 * 1024.0)
/* Blobs smaller than this get their line at debug level only. */
#define PROGRESS_INFO_MIN (1u << 20)

/* The state of the one pull; big (struct registry), so static. */
static struct registry registry;
static struct x509_trust_store tls_anchors;

struct network {
	struct boot *b;
	struct net_result net;
	struct netcache cache;
	int64_t started_ms;
	unsigned int fetched, cached, damaged;
	uint64_t bytes;
	int pull_code;		/* the failed pull's error code */
};

static struct network network;

/* Where the pull goes, for what the stage says it is doing. */
static const char *store_name(const struct network *w, char *buf,
			      size_t size)
{
	if (!w->cache.on_device)
		return "the tmpfs";
	snprintf(buf, size, "the cache %s", w->cache.device);
	return buf;
}

static void ipv4_text(const uint8_t a[4], char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* --- the network itself ----------------------------------------------- */

static void link_failed(void *ctx, const struct error *why)
{
	char line[ERROR_LINE_MAX];

	log_warning(STAGE, "%s", error_format(why, line, sizeof(line)));
}

static void log_network(const struct net_result *n, int64_t ms)
{
	char addr[16], gw[16] = "none", dns[NET_DNS_MAX * 16 + 8] = "";
	struct strbuf sb;

	ipv4_text(n->address, addr);
	if (n->has_gateway)
		ipv4_text(n->gateway, gw);
	strbuf_init(&sb, dns, sizeof(dns));
	for (size_t i = 0; i < n->dns_count; i++) {
		char one[16];

		ipv4_text(n->dns[i], one);
		strbuf_printf(&sb, "%s%s", i ? "," : "", one);
	}
	log_info(STAGE, "%s up: %s/%u gateway %s dns %s (%s) in %" PRId64
		 " ms", n->ifname, addr, n->prefix, gw,
		 n->dns_count ? dns : "none",
		 n->from_dhcp ? "DHCP" : "ip= static", ms);
}

static int bring_up(struct network *w)
{
	struct boot *b = w->b;
	const struct netcmdline *nc = &b->config.net;
	struct net_config config;
	char line[ERROR_LINE_MAX];
	struct error err;
	int64_t start = clock_now_ms();
	int r;

	net_config_default(&config);
	config.link_failed = link_failed;
	if (nc->has_ip) {
		r = ipconfig_parse(nc->ip, strlen(nc->ip), &config.ip, &err);
		if (r < 0)
			return boot_failed(b, "%s", error_format(&err, line,
							      sizeof(line)));
	}
	boot_doing(b, "bringing the network up (%s)",
		   nc->has_ip ? "ip=" : "DHCP");
	r = net_up(&config, NULL, clock_deadline_ms(nc->timeout_s * 1000u),
		   &w->net, &err);
	if (r < 0)
		return boot_failed(b, "%s", error_format(&err, line,
						      sizeof(line)));
	log_network(&w->net, clock_now_ms() - start);
	return 0;
}

/* oci=dhcp: the location DHCP gave, which must name a registry. */
static int location_from_dhcp(struct network *w)
{
	struct oci_location *loc = &w->b->config.oci;
	const char *why;

	if (loc->kind != OCI_LOCATION_DHCP)
		return 0;
	if (!w->net.has_oci)
		return boot_failed(w->b, "oci=dhcp: the DHCP server on %s "
				   "gave no oci= location (option 43 "
				   "sub-option 1)", w->net.ifname);
	if (oci_location_parse(w->net.oci, strlen(w->net.oci), loc,
			       &why) < 0)
		return boot_failed(w->b, "oci=dhcp: the location DHCP gave, "
				   "'%s': %s", w->net.oci, why);
	if (loc->kind != OCI_LOCATION_REGISTRY)
		return boot_failed(w->b, "oci=dhcp: the location DHCP gave, "
				   "'%s', is not a registry", w->net.oci);
	log_info(STAGE, "oci= from DHCP: %s", w->net.oci);
	return 0;
}

/*
 * Mirrors DHCP gave (option 43 sub-option 2), used when the command line
 * names none; a list that does not parse is left out with a warning (the
 * origin still serves).
 */
static void mirrors_from_dhcp(struct network *w)
{
	struct netcmdline *nc = &w->b->config.net;
	const char *why = "";
	int r;

	if (!w->net.has_mirrors)
		return;
	if (nc->mirror_count > 0) {
		log_info(STAGE, "mirrors from DHCP ignored: the command line "
			 "names %zu", nc->mirror_count);
		return;
	}
	r = netcmdline_mirrors_from_list(nc, w->net.mirrors,
					 strlen(w->net.mirrors), &why);
	if (r < 0)
		log_warning(STAGE, "mirrors from DHCP, '%s': %s; using none",
			    w->net.mirrors, why);
	else
		log_info(STAGE, "%d mirror(s) from DHCP: %s", r,
			 w->net.mirrors);
}

/* --- the resolver and the progress line ------------------------------- */

/* ociboot.hosts= first, then DNS through the servers the network has. */
static int resolve(void *ctx, const char *host, struct http_address *out,
		   size_t max, struct error *err)
{
	struct network *w = ctx;
	struct dns_answer answer;
	int r;

	if (max == 0)
		return error_set(err, -EINVAL, host, "no room for an address");
	memset(out, 0, sizeof(*out));
	out[0].family = AF_INET;
	if (netcmdline_host_lookup(&w->b->config.net, host,
				   out[0].address)) {
		log_debug(STAGE, "%s is in ociboot.hosts", host);
		return 1;
	}
	boot_doing(w->b, "looking up %s", host);
	r = net_resolve(&w->net, NULL, host, &answer,
			clock_deadline_ms(w->b->config.net.timeout_s * 1000u),
			err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < answer.count && i < max; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].family = AF_INET;
		memcpy(out[i].address, answer.addresses[i], 4);
	}
	return (int)(answer.count < max ? answer.count : max);
}

static void progress(void *ctx, const struct registry_progress *p)
{
	struct network *w = ctx;
	char d[OCI_DIGEST_STRING_LEN + 1], where[STORE_PATH_MAX + 16];
	enum log_level level;

	oci_digest_string(p->digest, d);
	boot_doing(w->b, "%.19s: %s %s: %" PRIu64 " of %" PRIu64 " bytes", d,
		   p->cached ? "checking the copy in" : "fetching into",
		   store_name(w, where, sizeof(where)), p->done, p->total);
	if (p->cached && !p->finished)
		return;		/* a sign of life while it is hashed */
	if (p->damaged) {
		w->damaged++;
		log_warning(STAGE, "%s: the copy in the %s was refused and "
			    "removed: %s; fetching it again", d,
			    w->cache.on_device ? "cache" : "store", p->damaged);
		return;
	}
	if (p->finished) {
		w->cached += p->cached;
		w->fetched += !p->cached;
		w->bytes += p->cached ? 0 : p->total;
	}
	level = p->total < PROGRESS_INFO_MIN ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	if (p->cached)
		log_msg(level, STAGE, "%.19s: present, %" PRIu64 " bytes "
			"verified", d, p->total);
	else
		log_msg(level, STAGE, "%.19s: %" PRIu64 "/%" PRIu64 " bytes "
			"(%u%%), %.1f MB/s%s", d, p->done, p->total,
			p->percent, (double)p->rate / MB,
			p->finished ? ", verified" : "");
}

/* The clock, but never earlier than this init was built. */
static int64_t validation_time(void)
{
	int64_t now = (int64_t)time(NULL);

	return now < OCIBOOT_BUILD_EPOCH ? OCIBOOT_BUILD_EPOCH : now;
}

static int load_tls_anchors(struct network *w)
{
	char line[ERROR_LINE_MAX];
	struct error err;
	int r;

	x509_trust_store_init(&tls_anchors);
	if (access(NETWORK_TLS_CA_DIR, F_OK) < 0) {
		log_debug(STAGE, "no %s: https is refused", NETWORK_TLS_CA_DIR);
		return 0;
	}
	r = x509_trust_store_load_dir(&tls_anchors, NETWORK_TLS_CA_DIR, &err);
	if (r < 0)
		return boot_failed(w->b, "TLS CA certificates in %s: %s",
				   NETWORK_TLS_CA_DIR,
				   error_format(&err, line, sizeof(line)));
	log_info(STAGE, "trusting %zu TLS CA certificate(s) from %s",
		 tls_anchors.count, NETWORK_TLS_CA_DIR);
	return 1;
}

static int configure(struct network *w, struct registry_config *c)
{
	const struct netcmdline *nc = &w->b->config.net;
	char line[ERROR_LINE_MAX];
	struct error err;
	int r;

	memset(c, 0, sizeof(*c));
	r = load_tls_anchors(w);
	if (r < 0)
		return r;
	c->http.resolve = resolve;
	c->http.resolve_ctx = w;
	c->http.tls_anchors = r > 0 ? &tls_anchors : NULL;
	c->http.tls_time = validation_time();
	registry_origin(&w->b->config.oci.registry, &c->origin);
	memcpy(c->mirrors, nc->mirrors, nc->mirror_count * sizeof(c->mirrors[0]));
	c->mirror_count = nc->mirror_count;
	c->deadline_ms = nc->timeout_s * 1000u;
	c->progress = progress;
	c->progress_ctx = w;
	r = registry_init(&registry, c, &err);
	if (r < 0)
		return boot_failed(w->b, "registry: %s",
				   error_format(&err, line, sizeof(line)));
	return 0;
}

/*
 * index.json naming the pulled artifact by the tag oci= asked for (by
 * its digest alone when oci= gave one), so the verify stage finds it as
 * it finds one on a store disk.
 */
static int write_index(struct network *w, const uint8_t digest[SHA256_LEN],
		       int64_t size)
{
	const struct oci_reference *ref = &w->b->config.oci.ref;
	char doc[INDEX_JSON_MAX], d[OCI_DIGEST_STRING_LEN + 1];
	struct strbuf sb;
	int r;

	oci_digest_string(digest, d);
	strbuf_init(&sb, doc, sizeof(doc));
	strbuf_printf(&sb, "{\"schemaVersion\":2,\"mediaType\":\"%s\","
		      "\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
		      "\"size\":%" PRId64, OCI_MEDIA_TYPE_INDEX,
		      OCI_MEDIA_TYPE_MANIFEST, d, size);
	if (!ref->by_digest)
		strbuf_printf(&sb, ",\"annotations\":{\"%s\":\"%s\"}",
			      OCI_ANNOTATION_REF_NAME, ref->tag);
	strbuf_puts(&sb, "}]}");
	if (strbuf_truncated(&sb))
		return boot_failed(w->b, "index.json: too long");
	r = fileio_replace(w->b->layout.dir_fd, LAYOUT_INDEX_FILE,
			   strbuf_str(&sb), strbuf_len(&sb), FILE_MODE);
	w->pull_code = r;
	if (r < 0)
		return boot_failed(w->b, "%s/%s: %s", VERIFIED_STORE_DIR,
				   LAYOUT_INDEX_FILE, strerror(-r));
	return 0;
}

/* --- the pull ---------------------------------------------------------- */

static int pull_failed(struct network *w, const char *what,
		       const struct error *err)
{
	char line[ERROR_LINE_MAX];

	w->pull_code = err->code;
	return boot_failed(w->b, "pull: %s: %s", what,
			   error_format(err, line, sizeof(line)));
}

/* The signature, chain and product, before any image is fetched. */
static int verify_signed(struct network *w)
{
	struct boot *b = w->b;
	struct x509_trust_store *ts = &b->verified.trust;
	char line[ERROR_LINE_MAX];
	struct error err;
	int r;

	x509_trust_store_init(ts);
	r = x509_trust_store_load_dir(ts, b->ca_dir, &err);
	if (r < 0)
		return boot_failed(b, "CA certificates in %s: %s", b->ca_dir,
				   error_format(&err, line, sizeof(line)));
	r = system_verify_signed(&b->layout, &b->config.oci.ref, ts,
				 validation_time(), tpm_boot_expected_product(b),
				 &b->verified.scratch, &b->plan, &err);
	if (r < 0)
		return boot_failed(b, "verify: %s",
				   error_format(&err, line, sizeof(line)));
	log_info(STAGE, "system manifest signed by '%s' for product %s, "
		 "version %" PRIu64 ": verified before fetching its images",
		 b->plan.signer_subject, b->plan.signer_product,
		 (uint64_t)b->plan.manifest.version);
	return 0;
}

static int pull(struct network *w)
{
	struct boot *b = w->b;
	const struct oci_location *loc = &b->config.oci;
	const char *repo = loc->registry.repository;
	char d[OCI_DIGEST_STRING_LEN + 1], where[STORE_PATH_MAX + 16];
	uint8_t digest[SHA256_LEN];
	struct error err;
	int64_t size, ms;
	int r;

	error_clear(&err);
	boot_doing(b, "pulling the system artifact into %s",
		   store_name(w, where, sizeof(where)));
	r = registry_pull_image(&registry, repo, &loc->ref, &b->layout,
				digest, &size, &err);
	if (r < 0)
		return pull_failed(w, "system artifact", &err);
	oci_digest_string(digest, d);
	log_info(STAGE, "system artifact %s (%" PRId64 " bytes) pulled", d,
		 size);
	boot_doing(b, "writing index.json and checking the signed system in "
		   "%s", where);
	if (write_index(w, digest, size) < 0 || verify_signed(w) < 0)
		return -1;
	boot_doing(b, "pulling the system's images into %s", where);
	r = registry_pull_system_images(&registry, repo, &b->plan.manifest,
					&b->layout, &err);
	if (r < 0)
		return pull_failed(w, "images of the system", &err);
	ms = clock_now_ms() - w->started_ms;
	log_info(STAGE, "pulled %u blob(s), %.1f MB in %" PRId64 " ms "
		 "(%.1f MB/s), %u already present in the %s%s", w->fetched,
		 (double)w->bytes / MB, ms,
		 ms > 0 ? (double)w->bytes / MB * 1000.0 / (double)ms : 0.0,
		 w->cached, w->cache.on_device ? "cache" : "tmpfs",
		 w->damaged ? " (damaged copies fetched again)" : "");
	return 0;
}

/*
 * The pull, into the cache device or a tmpfs; a cache device that fills
 * up or fails while written is given up for a tmpfs and the pull done
 * again (what is already verified in RAM is not the cache's anyway).
 */
static bool keep_used(void *ctx, const uint8_t digest[SHA256_LEN])
{
	return registry_used(&registry, digest);
}

static int pull_again(struct network *w)
{
	registry_close(&registry);
	w->fetched = w->cached = w->damaged = 0;
	w->bytes = 0;
	w->started_ms = clock_now_ms();
	w->pull_code = 0;
	return pull(w);
}

/* The pull failed because the cache device did not take a write. */
static bool cache_write_failed(struct network *w)
{
	return w->cache.on_device && netcache_write_failed(w->pull_code);
}

/*
 * A full cache device first gives up what this pull has not used (an
 * earlier system's blobs) and is tried once more; then the pull falls
 * back to RAM. After a pull into the cache, what it did not use goes.
 */
static int pull_into_store(struct network *w)
{
	struct boot *b = w->b;
	int r;

	w->pull_code = 0;
	r = pull(w);
	if (r < 0 && cache_write_failed(w) && w->pull_code != -EROFS &&
	    w->pull_code != -EIO) {
		log_warning(STAGE, "cache %s: %s; making room", w->cache.device,
			    b->reason);
		if (netcache_prune(b, &w->cache, keep_used, w) > 0)
			r = pull_again(w);
	}
	if (r < 0 && cache_write_failed(w)) {
		if (netcache_fall_back(b, &w->cache, b->reason) < 0)
			return -1;
		r = pull_again(w);
	}
	if (r == 0)
		netcache_prune(b, &w->cache, keep_used, w);
	return r;
}

bool network_needed(const struct boot *b)
{
	return b->config.has_oci && b->config.oci.kind != OCI_LOCATION_DEVICE;
}

int stage_network(struct boot *b)
{
	struct network *w = &network;
	struct registry_config config;
	char where[OCI_LOCATION_STR_MAX];
	int r;

	if (!network_needed(b))
		return 0;
	memset(w, 0, sizeof(*w));
	w->b = b;
	if (bring_up(w) < 0 || location_from_dhcp(w) < 0)
		return -1;
	mirrors_from_dhcp(w);
	if (oci_location_format(&b->config.oci, where, sizeof(where)) < 0)
		snprintf(where, sizeof(where), "(unprintable)");
	if (netcache_open(b, &w->cache) < 0)
		return -1;
	log_info(STAGE, "pulling %s into %s on %s", where,
		 w->cache.on_device ? w->cache.device : "a tmpfs",
		 VERIFIED_STORE_DIR);
	w->started_ms = clock_now_ms();
	if (configure(w, &config) < 0)
		return -1;
	r = pull_into_store(w);
	registry_close(&registry);
	if (r < 0)
		return -1;
	netcache_seal(b, &w->cache);
	snprintf(b->store_device, sizeof(b->store_device), "%.*s",
		 (int)sizeof(b->store_device) - 1, where);
	return 0;
}
