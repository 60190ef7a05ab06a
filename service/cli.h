/* SPDX-License-Identifier: MIT */
/*
 * The service starter's command line, in the init's binary (the copy the
 * boot leaves at /run/ociboot/bin/ociboot-service) and, as `ociboot
 * service`, in the host tool:
 *
 *   ociboot-service [--runtime PATH] [--volumes DIR] start NAME
 *   ociboot-service [--runtime PATH] stop NAME
 *   ociboot-service status NAME
 *   ociboot-service list
 *
 * --runtime names the OCI runtime (default /usr/bin/crun; runc works
 * too), --volumes where named volumes live (default
 * /var/lib/ociboot/volumes). Exit status 0, 1 (failure, one line on
 * stderr saying why) or 2 (usage).
 */
#ifndef OCIBOOT_SERVICE_CLI_H
#define OCIBOOT_SERVICE_CLI_H

#include <stdbool.h>

#define SERVICE_PROGRAM "ociboot-service"

/* True when argv calls the starter: argv[0]'s last component is
 * SERVICE_PROGRAM, or argv[1] is "service". */
bool service_called(int argc, char **argv);

/* Run the starter's command line; returns the exit status. */
int service_main(int argc, char **argv);

#endif
