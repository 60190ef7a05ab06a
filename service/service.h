/* SPDX-License-Identifier: MIT */
/*
 * Start, stop and inspect the services the init handed over
 * (service/handover.h), each as an OCI container run by an existing
 * runtime (crun by default; runc takes the same commands).
 *
 * start NAME   parse the service file; read image-config.json and check
 *              it against the CONFIG digest there; on a new tmpfs at
 *              DIR/container: an empty upper and work directory, and the
 *              bundle, whose rootfs is an overlay of the service's
 *              verified read-only layers under that upper; the image's
 *              User resolved from the rootfs's /etc/passwd and
 *              /etc/group; each image volume bind-mounted from
 *              VOLUMES/NAME/<path, '/' as '-'> (created); config.json
 *              (service/bundle.h); then `RUNTIME --root DIR/runtime run
 *              --bundle DIR/container/bundle --detach --pid-file
 *              DIR/container/pid NAME`. The container's output goes where
 *              the starter's goes.
 * stop NAME    `RUNTIME kill NAME TERM`, wait for its process to end (at
 *              most stop_timeout_ms, then the runtime's delete --force
 *              kills it), `RUNTIME delete --force NAME`, unmount the
 *              rootfs and the tmpfs: the upper directory and everything
 *              the service wrote outside its volumes are gone, and the
 *              next start is made afresh from the verified layers.
 * status NAME  one line: "NAME: running (pid N)", "NAME: exited" (its
 *              process ended; stop it to start it again) or "NAME:
 *              stopped".
 * list         one status line a handed-over service, in name order.
 *
 * Where DIR is /run/ociboot/services/NAME. Errors fill *err; nothing here
 * logs but the status lines written to out.
 */
#ifndef OCIBOOT_SERVICE_SERVICE_H
#define OCIBOOT_SERVICE_SERVICE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/error.h"
#include "oci/json.h"
#include "oci/oci.h"
#include "service/handover.h"
#include "service/user.h"

#define SERVICE_RUNTIME_DEFAULT "/usr/bin/crun"
#define SERVICE_VOLUMES_DEFAULT "/var/lib/ociboot/volumes"
#define SERVICE_STOP_TIMEOUT_MS 10000
#define SERVICE_CONTAINER_DIR "container"
#define SERVICE_RUNTIME_DIR "runtime"

struct service_options {
	const char *runtime;		/* absolute path of crun or runc */
	const char *volumes;		/* where named volumes live */
	unsigned int stop_timeout_ms;
};

/* The starter's working memory (about 600 KiB): static or heap. */
struct service_work {
	struct handover handover;
	char file[HANDOVER_FILE_MAX];
	char config_blob[OCI_DOCUMENT_SIZE_MAX];
	struct json_token tokens[OCI_TOKENS_MAX];
	struct oci_config config;
	char passwd[USER_FILE_MAX + 1];
	char group[USER_FILE_MAX + 1];
};

/* SERVICE_RUNTIME_DEFAULT, SERVICE_VOLUMES_DEFAULT, the timeout. */
void service_options_default(struct service_options *o);

/* Each returns 0 or a negative code with *err filled. */
int service_start(const struct service_options *o, const char *name,
		  struct service_work *w, struct error *err);
int service_stop(const struct service_options *o, const char *name,
		 struct error *err);
int service_status(const char *name, FILE *out, struct error *err);
int service_list(FILE *out, struct error *err);

/*
 * Whether pid runs: /proc/PID/stat says a state other than zombie (Z) or
 * dead (X). A pid of 0 or less, or one /proc does not know, does not.
 */
bool service_pid_alive(pid_t pid);

#endif
