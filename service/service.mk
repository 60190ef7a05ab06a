# service: services as OCI containers in the booted system. The bundle's
# config.json from a verified image config, the image's User as ids, the
# service file the init hands over, and the starter (start, stop, status,
# list) that runs an existing OCI runtime (crun, runc). In the init's
# binary, which the boot leaves as /run/ociboot/bin/ociboot-service.
service_USES := lib crypto oci fs
service_INIT := handover.c user.c bundle.c service.c cli.c

service_TESTS := bundle user handover service
service_FUZZERS := user handover

