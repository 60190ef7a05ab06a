/* SPDX-License-Identifier: MIT */
/*
 * The network boot, as one stage of init/main.c, run after "store" and
 * "tpm" (whose provisioned product is the expected product here): when
 * oci= names a registry (or dhcp), it
 *
 *   1. brings the network up (net_up(): ip= or DHCP, within
 *      ociboot.net_timeout) and logs the interface, address and DNS;
 *      for oci=dhcp, takes the location DHCP gave (option 43
 *      sub-option 1, docs/network.md);
 *   2. mounts a tmpfs, or the cache device ociboot.cache= names
 *      (init/netcache.h), on /run/ociboot/store and makes it an OCI
 *      image layout, the content-addressed store of the pull;
 *   3. pulls the signed system artifact (net/registry.h), then checks it
 *      with trust/system's system_verify_signed() against the CAs of
 *      /etc/ociboot/ca: nothing it names is fetched before its signature,
 *      chain and product are checked;
 *   4. pulls the images the verified system manifest pins, and only
 *      those (registry_pull_system_images()).
 *
 * The stages after it (verify, layers, rootfs, switch_root) then run
 * exactly as for a local boot, on the layout in the store: stage_store
 * leaves a network boot alone. Host names are looked up in
 * ociboot.hosts= first, then through the DNS servers DHCP or ip= gave
 * (net_resolve()); https uses the CA certificates of /etc/ociboot/tls
 * (their own set, never the manifest CAs), checked at the clock's time
 * but never earlier than the init's build.
 *
 * It runs in a child of PID 1 (init/stage_bounded.h), failed once it
 * made no progress (boot_doing()) for the longer of ociboot.io_timeout=
 * and ociboot.net_timeout=: what PID 1 needs afterwards is in the shared
 * struct boot (the plan, the location DHCP gave, the store's name) or
 * handed back as fds (the layout). Its working memory (the registry
 * client, about 1.3 MiB, and the TLS anchors) is static in
 * init/network.c, and only the child touches it: one boot, one pull.
 */
#ifndef OCIBOOT_INIT_NETWORK_H
#define OCIBOOT_INIT_NETWORK_H

#define NETWORK_TLS_CA_DIR "/etc/ociboot/tls"

#include <stdbool.h>

struct boot;

/* Whether oci= names a registry (or dhcp): a network boot. */
bool network_needed(const struct boot *b);

/* 0 (also for a local boot: nothing to do), or boot_failed()'s -1. */
int stage_network(struct boot *b);

#endif
