/* SPDX-License-Identifier: MIT */
/*
 * The command line keys of a network boot, kept by init/cmdline.c in
 * struct ociboot_config's net:
 *
 *   ip=VALUE                   the kernel's own key (nfsroot.rst), kept as
 *                              text; net/ipconfig.h parses it when the
 *                              boot goes to the network
 *   ociboot.net_timeout=SECONDS  1..3600, default 60: the deadline of
 *                              bringing the network up, and of each
 *                              registry pull (the artifact, the images)
 *   ociboot.mirror=URL         a registry mirror (http[s]://HOST[:PORT]),
 *                              tried before the registry oci= names; may be
 *                              given up to NETCMDLINE_MIRRORS_MAX times, in
 *                              order
 *   ociboot.hosts=NAME=IPV4[,NAME=IPV4...]  static host entries, looked up
 *                              before DNS (an https registry needs a name,
 *                              and QEMU's restricted user network has no
 *                              DNS server)
 *   ociboot.cache=KEY=VALUE    the local cache device pulled blobs go to
 *                              instead of a tmpfs (init/netcache.h): KEY
 *                              is LABEL, PARTLABEL, UUID or PARTUUID, found
 *                              as the store is (fs/store.h); VALUE as in
 *                              oci=KEY=VALUE:/PATH (labels [A-Za-z0-9._+-],
 *                              UUIDs hex digits and '-'), 1..64 bytes
 *
 * The parse functions have the shape of init/cmdline.c's option table;
 * they fill config->net only on success.
 */
#ifndef OCIBOOT_INIT_NETCMDLINE_H
#define OCIBOOT_INIT_NETCMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"
#include "oci/oci_ref.h"
#include "net/ipconfig.h"
#include "net/registry.h"
#include "net/url.h"

#define NETCMDLINE_TIMEOUT_DEFAULT 60
#define NETCMDLINE_TIMEOUT_MAX 3600
#define NETCMDLINE_MIRRORS_MAX REGISTRY_MIRRORS_MAX
#define NETCMDLINE_HOSTS_MAX 8

struct netcmdline_host {
	char name[URL_HOST_MAX + 1];	/* lowercase */
	uint8_t address[4];
};

struct netcmdline {
	bool has_ip;
	char ip[IPCONFIG_VALUE_MAX + 1];	/* as written */
	unsigned timeout_s;
	size_t mirror_count;
	struct url mirrors[NETCMDLINE_MIRRORS_MAX];
	size_t host_count;
	struct netcmdline_host hosts[NETCMDLINE_HOSTS_MAX];
	bool has_cache;
	struct oci_device cache;	/* key and value; path unused ("") */
};

struct ociboot_config;
struct cmdline_param;

/* No ip=, NETCMDLINE_TIMEOUT_DEFAULT, no mirrors, no hosts. */
void netcmdline_defaults(struct netcmdline *n);

int netcmdline_parse_ip(struct ociboot_config *c,
			const struct cmdline_param *p, const char **why);
int netcmdline_parse_timeout(struct ociboot_config *c,
			     const struct cmdline_param *p, const char **why);
int netcmdline_parse_mirror(struct ociboot_config *c,
			    const struct cmdline_param *p, const char **why);
int netcmdline_parse_hosts(struct ociboot_config *c,
			   const struct cmdline_param *p, const char **why);
int netcmdline_parse_cache(struct ociboot_config *c,
			   const struct cmdline_param *p, const char **why);

/*
 * The keys that differ from the defaults as "key=value\n" lines (ip=,
 * ociboot.net_timeout=, ociboot.mirror= each, ociboot.hosts=,
 * ociboot.cache=).
 */
void netcmdline_format(const struct netcmdline *n, struct strbuf *out);

/*
 * The mirrors of list[0..len), URLs separated by single spaces (what DHCP
 * gives, option 43 sub-option 2: net/dhcp.h), added to n as
 * ociboot.mirror= values would be, unless n has mirrors already: the
 * command line, inside the signed kernel.efi, wins. Returns how many were
 * added (0 when the command line named some), or -OCIBOOT_EMALFORMED /
 * -OCIBOOT_ETOOBIG with *why (the first bad URL's reason, or "needs a
 * value" for an empty one); n is changed only on success.
 */
int netcmdline_mirrors_from_list(struct netcmdline *n, const char *list,
				 size_t len, const char **why);

/* The address of name in n's static hosts (case-insensitive): true. */
bool netcmdline_host_lookup(const struct netcmdline *n, const char *name,
			    uint8_t address[4]);

#endif
