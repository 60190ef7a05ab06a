/* SPDX-License-Identifier: MIT */
/*
 * The state of one boot, shared by the stages of init/main.c (early mounts,
 * command line, modules, report) and init/verified.c (store, verify,
 * layers, rootfs, switch_root). There is one, a static in init/main.c: it
 * holds every buffer the stages work in, so no stage keeps a static.
 */
#ifndef OCIBOOT_INIT_BOOT_H
#define OCIBOOT_INIT_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "oci/layout.h"
#include "fs/bounded.h"
#include "fs/store.h"
#include "trust/system.h"
#include "init/cmdline.h"
#include "init/fail.h"
#include "init/modules.h"
#include "init/pid1.h"
#include "init/services.h"
#include "init/timing.h"
#include "init/tpm_boot.h"
#include "init/verified.h"
#include "tpm/tpm.h"

#define BOOT_REASON_MAX FAIL_REASON_MAX
#define BOOT_DOING_MAX 256	/* what a stage is doing, for a timeout */

/*
 * A stage run beside the ones in front (init/stage_bounded.h's
 * stage_side_start()): words of its own, which never mix with the stage
 * in front's, and PID 1's handle on its child.
 */
struct boot_side {
	const char *name;		/* NULL: none started */
	char reason[BOOT_REASON_MAX];	/* why it failed */
	char doing[BOOT_DOING_MAX];	/* what it is doing now */
	int64_t start_ms, end_ms;	/* its run, as the child saw it */
	int result;			/* its run's, when run in PID 1 */
	struct bounded_job job;		/* PID 1's, when run in a child */
};

struct boot {
	struct pid1 pid1;
	struct ociboot_config config;
	/* In force now: the defaults until the command line parsed. */
	struct failure_policy policy;
	char reason[BOOT_REASON_MAX];	/* why the current stage failed */
	/* What the current stage is doing now (boot_doing()), named when
	 * it does not finish in time (init/stage_bounded.h). */
	char doing[BOOT_DOING_MAX];
	/* Bumped by each boot_doing(): a stage's sign of life, which a stage
	 * bounded by quiet time watches (stage_bounded_run_quiet()). */
	unsigned int doing_count;
	/* Mapped MAP_SHARED: a stage run in a child writes here for PID 1. */
	bool shared;
	struct tpm tpm;			/* open when has_tpm */
	bool has_tpm;
	struct tpm_boot tpm_boot;	/* what the TPM stages found */
	struct boot_side side;		/* the stage run beside, if any */

	/* What the verified stages do to the machine, and the CAs' place. */
	const struct verified_ops *ops;
	const char *ca_dir;

	/* The verified boot: filled stage by stage. */
	char store_device[STORE_PATH_MAX + 1];	/* "/dev/vda", once found */
	struct layout layout;		/* open on the store */
	struct system_plan plan;	/* what verification accepted */
	struct services_plan services;	/* the services it accepted */
	unsigned int layers_mounted;
	struct timing timing;		/* the stages run so far */

	/* Working memory. */
	char cmdline[CMDLINE_MAX + 2];	/* + the newline, + NUL */
	char modules_list[MODULES_LIST_MAX + 1];
	struct verified_buffers verified;
	struct services_buffers services_buffers;
};

/*
 * Start a boot: no signalfd yet, the command line defaults and their
 * failure policy, verified_ops_default and VERIFIED_CA_DIR.
 */
void boot_init(struct boot *b);

/*
 * Record why the current stage failed (printf-style, one line) in
 * b->reason; returns -1 for the stage to return.
 */
int boot_failed(struct boot *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Say what the current stage is doing now, before a step that reads a
 * disk and might never return ("/dev/vda: mounting it read-only"): the
 * words a timeout names (printf-style, one line, cut to BOOT_DOING_MAX).
 * Each call is also a sign of life (doing_count).
 */
void boot_doing(struct boot *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A sign of life without new words, from a step whose own bound is
 * running (a finder's wait for a device to appear).
 */
void boot_alive(struct boot *b);

/* boot_doing(b, "loading NAME"), in modload_options' doing form (ctx is
 * the boot). */
void boot_doing_module(void *ctx, const char *name);

/*
 * From now on, in this process, boot_failed() and boot_doing() write s's
 * words, not the stage in front's, and give no sign of life for it: for
 * a stage run beside whose code also runs in front elsewhere (the TPM's
 * release). NULL: the front's words again.
 */
void boot_speak_as_side(struct boot_side *s);

/* boot_failed() and boot_doing_module() for a stage run beside (ctx is
 * its struct boot_side); no sign of life for the stage in front. */
int boot_side_failed(struct boot_side *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void boot_side_doing_module(void *ctx, const char *name);

#endif
