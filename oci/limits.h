/* SPDX-License-Identifier: MIT */
/*
 * The product limits: the most of each thing a system may hold, one table
 * the host tool (`ociboot image create`, `manifest create`, `verify`), the
 * trust decision and the init all read, so that whatever the tool builds
 * the init verifies and boots, and one past any of them is refused by all
 * three. docs/limits.md is this table for people; oci/limits_test.c fails
 * when the two differ; `ociboot limits` prints it.
 *
 * Each limit is a plain decimal literal (so a message can quote it with
 * LIMIT_STR()) with one line saying why it is that number. The fixed
 * buffers of the init that hold text built from these (the hand-over
 * files, the overlay options, dm names, log lines) are sized from them
 * and checked with _Static_assert where they are declared.
 *
 * Header only; nothing here allocates or logs.
 */
#ifndef OCIBOOT_OCI_LIMITS_H
#define OCIBOOT_OCI_LIMITS_H

/* Layers of one image (and diff_ids of its config): Docker's graph
 * drivers stack 128 directories, one the container's own. */
#define OCI_LAYERS_MAX 127
/* Images a system manifest names besides its rootfs: ample for one
 * appliance, and it bounds the plan the init keeps. */
#define OCI_SERVICES_MAX 32
/* Entries of an image index: a few platforms and tags per layout. */
#define OCI_INDEX_MANIFESTS_MAX 64
/* Bytes of an index, image manifest or config: 127 layer descriptors
 * with annotations take about 60 KiB. */
#define OCI_DOCUMENT_SIZE_MAX 262144
/* JSON tokens of one such document: 127 descriptors need under 2000. */
#define OCI_TOKENS_MAX 8192
/* Bytes of a signed system manifest, and of /run/ociboot/system.json
 * (its verified copy): 32 services with long names fit in 16 KiB. */
#define OCI_SYSTEM_MANIFEST_SIZE_MAX 65536
/* Bytes of its detached signature: an RSA-4096 or ECDSA one is smaller. */
#define OCI_SYSTEM_SIGNATURE_SIZE_MAX 1024
/* Bytes of the signer's DER certificate: real ones are 1-2 KiB. */
#define OCI_SYSTEM_CERTIFICATE_SIZE_MAX 16384
/* Strings of Entrypoint, and of Cmd, each: execve takes many more, but a
 * boot program needs few. */
#define OCI_ARGV_MAX 64
/* Entries of the config's Env: a service's environment, with room. */
#define OCI_ENV_MAX 128
/* Bytes of all config strings together (Entrypoint, Cmd, Env,
 * WorkingDir), NULs included: kept in the plan the init holds. */
#define OCI_CONFIG_STRINGS_MAX 16384
/* Members of one JSON object, annotations included: the JSON reader's
 * own cap (JSON_OBJECT_MEMBERS_MAX). */
#define OCI_ANNOTATIONS_MAX 1024
/* Bytes of a media type: RFC 6838 allows 127 + '/' + 127. */
#define OCI_MEDIA_TYPE_MAX 255
/* Bytes of an org.opencontainers.image.ref.name: a tag or a reference. */
#define OCI_REF_NAME_MAX 255
/* Bytes of a service name: a DNS label (RFC 1035), usable as a
 * hostname or a unit name. */
#define OCI_SERVICE_NAME_MAX 63
/* Bytes of a repository name: the distribution-spec's limit. */
#define OCI_SYSTEM_REPOSITORY_MAX 255
/* Bytes of the oci= value on the kernel command line, which is itself at
 * most 2048 on x86. */
#define OCI_LOCATION_MAX 1024
/* Bytes of the layout directory in oci=: one NAME_MAX. */
#define OCI_PATH_MAX 255
/* Bytes of /run/ociboot/boot: the worst case at OCI_LAYERS_MAX layers is
 * about 22 KiB (init/verified.h asserts it fits). */
#define OCI_BOOT_FILE_SIZE_MAX 32768

/*
 * The table: X(name, MACRO, description) for each limit above, in that
 * order; name is what `ociboot limits` and docs/limits.md call it.
 */
#define OCI_LIMITS(X) \
	X(layers_per_image, OCI_LAYERS_MAX, \
	  "layers of one image (and diff_ids of its config)") \
	X(services_per_system, OCI_SERVICES_MAX, \
	  "service images one system manifest names") \
	X(index_manifests, OCI_INDEX_MANIFESTS_MAX, \
	  "entries of an image index") \
	X(document_bytes, OCI_DOCUMENT_SIZE_MAX, \
	  "bytes of an index, image manifest or image config") \
	X(document_tokens, OCI_TOKENS_MAX, \
	  "JSON tokens of one such document") \
	X(system_manifest_bytes, OCI_SYSTEM_MANIFEST_SIZE_MAX, \
	  "bytes of a system manifest and of /run/ociboot/system.json") \
	X(system_signature_bytes, OCI_SYSTEM_SIGNATURE_SIZE_MAX, \
	  "bytes of a system manifest's signature") \
	X(system_certificate_bytes, OCI_SYSTEM_CERTIFICATE_SIZE_MAX, \
	  "bytes of the signer's certificate (DER)") \
	X(argv_entries, OCI_ARGV_MAX, \
	  "strings of the config's Entrypoint, and of its Cmd") \
	X(env_entries, OCI_ENV_MAX, "entries of the config's Env") \
	X(config_string_bytes, OCI_CONFIG_STRINGS_MAX, \
	  "bytes of all config strings together") \
	X(annotations_per_object, OCI_ANNOTATIONS_MAX, \
	  "members of one JSON object, annotations included") \
	X(media_type_bytes, OCI_MEDIA_TYPE_MAX, "bytes of a media type") \
	X(ref_name_bytes, OCI_REF_NAME_MAX, "bytes of a ref.name annotation") \
	X(service_name_bytes, OCI_SERVICE_NAME_MAX, \
	  "bytes of a service name") \
	X(repository_bytes, OCI_SYSTEM_REPOSITORY_MAX, \
	  "bytes of a repository name") \
	X(location_bytes, OCI_LOCATION_MAX, "bytes of the oci= value") \
	X(layout_path_bytes, OCI_PATH_MAX, \
	  "bytes of the layout directory in oci=") \
	X(boot_file_bytes, OCI_BOOT_FILE_SIZE_MAX, \
	  "bytes of /run/ociboot/boot")

/* A limit as a string literal, for messages: LIMIT_STR(OCI_LAYERS_MAX). */
#define LIMIT_STR(macro) LIMIT_STR_(macro)
#define LIMIT_STR_(x) #x

/* Decimal digits of n <= 99999, for sizing text that prints a count. */
#define LIMIT_DIGITS(n) ((n) < 10 ? 1 : (n) < 100 ? 2 : (n) < 1000 ? 3 : \
			 (n) < 10000 ? 4 : 5)

#endif
