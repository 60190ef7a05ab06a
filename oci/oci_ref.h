/* SPDX-License-Identifier: MIT */
/*
 * The `oci=` kernel command line value: where the signed system manifest
 * lives. Three forms:
 *
 *   http://HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]     (also https://)
 *   KEY=VALUE:/PATH[:TAG|@sha256:HEX]   KEY one of LABEL, PARTLABEL, UUID,
 *                                       PARTUUID; PATH is the OCI image
 *                                       layout directory in that filesystem
 *   dhcp                                the location comes from DHCP later
 *
 * HOST is a DNS name, a dotted-quad IPv4 address or an [IPv6] address;
 * REPOSITORY and TAG follow the OCI distribution-spec grammar. Without a tag
 * or digest the reference means the tag "latest".
 *
 * struct oci_location has fixed-size fields only; nothing here allocates,
 * logs or touches the system.
 */
#ifndef OCIBOOT_OCI_REF_H
#define OCIBOOT_OCI_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "oci/limits.h"

#define OCI_HOST_MAX 253		/* DNS name, RFC 1035 */
#define OCI_LABEL_MAX 63		/* DNS label */
#define OCI_REPOSITORY_MAX 255		/* the distribution-spec's */
#define OCI_TAG_MAX 128			/* distribution-spec */
#define OCI_DEVICE_VALUE_MAX 64		/* label or UUID text */
#define OCI_PATH_DEPTH_MAX 32		/* components in PATH */
#define OCI_DEFAULT_TAG "latest"

/* Size that always holds oci_location_format()'s output and its NUL. */
#define OCI_LOCATION_STR_MAX 1024

enum oci_location_kind {
	OCI_LOCATION_REGISTRY,	/* http:// or https:// */
	OCI_LOCATION_DEVICE,	/* an OCI layout on a block device */
	OCI_LOCATION_DHCP,	/* to be learnt from DHCP */
};

enum oci_host_kind {
	OCI_HOST_NAME,		/* host holds a lowercase DNS name */
	OCI_HOST_IPV4,		/* address.ipv4 holds it, host its text */
	OCI_HOST_IPV6,		/* address.ipv6 holds it, host its text */
};

enum oci_device_key {
	OCI_DEVICE_LABEL,	/* filesystem label */
	OCI_DEVICE_PARTLABEL,	/* GPT partition name */
	OCI_DEVICE_UUID,	/* filesystem UUID */
	OCI_DEVICE_PARTUUID,	/* partition UUID (GPT, or MBR id-NN) */
};

/* A tag, or a sha256 manifest digest when by_digest is set. */
struct oci_reference {
	bool by_digest;
	char tag[OCI_TAG_MAX + 1];		/* "" when by_digest */
	uint8_t digest[SHA256_LEN];		/* zero unless by_digest */
};

struct oci_registry {
	bool https;
	enum oci_host_kind host_kind;
	/* Canonical text: lowercase name, dotted quad, or RFC 5952 IPv6
	 * without brackets. */
	char host[OCI_HOST_MAX + 1];
	union {
		uint8_t ipv4[4];
		uint8_t ipv6[16];
	} address;				/* network byte order */
	uint16_t port;			/* 80 or 443 unless given */
	char repository[OCI_REPOSITORY_MAX + 1];
};

struct oci_device {
	enum oci_device_key key;
	char value[OCI_DEVICE_VALUE_MAX + 1];	/* as written */
	char path[OCI_PATH_MAX + 1];		/* absolute, normalised */
};

struct oci_location {
	enum oci_location_kind kind;
	struct oci_registry registry;		/* OCI_LOCATION_REGISTRY */
	struct oci_device device;		/* OCI_LOCATION_DEVICE */
	struct oci_reference ref;		/* REGISTRY and DEVICE */
};

/*
 * Parse the len bytes at s (no NUL needed; a NUL byte inside is an error)
 * into *loc. Fields that do not apply to the kind are zero, so two parses
 * of equivalent strings compare equal with memcmp().
 *
 * Returns 0, or -OCIBOOT_EMALFORMED / -OCIBOOT_ETOOBIG with *reason set to
 * a static, lowercase phrase that says what is wrong (e.g. "port is not a
 * number from 1 to 65535"). *loc is written only on success.
 */
int oci_location_parse(const char *s, size_t len, struct oci_location *loc,
		       const char **reason);

/*
 * Write the canonical string of loc into buf[size], NUL-terminated: scheme
 * and host lowercase, the port only when it is not the scheme's default,
 * the tag always (so "http://h/r" becomes "http://h/r:latest"), digests as
 * "@sha256:" and lowercase hex. Parsing the result gives back *loc.
 *
 * Returns the length written (without the NUL), or -ENOSPC when size is
 * too small (size >= OCI_LOCATION_STR_MAX always suffices), or -EINVAL for
 * a location that oci_location_parse() could not have produced.
 */
int oci_location_format(const struct oci_location *loc, char *buf,
			size_t size);

/* "LABEL", "PARTLABEL", "UUID" or "PARTUUID"; NULL for other values. */
const char *oci_device_key_name(enum oci_device_key key);

#endif
