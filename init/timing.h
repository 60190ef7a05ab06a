/* SPDX-License-Identifier: MIT */
/*
 * Where the init's time goes, stage by stage, like systemd-analyze: the
 * boot log's summary line and the TIME lines of /run/ociboot/boot.
 *
 * Times are CLOCK_MONOTONIC milliseconds, which count from the kernel's
 * start (before the init ran), so the first stage's start is also the
 * kernel's own time up to /init.
 */
#ifndef OCIBOOT_INIT_TIMING_H
#define OCIBOOT_INIT_TIMING_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"

#define TIMING_STAGES_MAX 24
/* What timing_format writes at most, with stage names below 32 bytes. */
#define TIMING_FORMAT_MAX (64 + TIMING_STAGES_MAX * 80)

struct timing_stage {
	const char *name;	/* static: the stage table's name */
	int64_t start_ms;
	int64_t ms;
};

struct timing {
	int64_t start_ms;	/* the first stage's start */
	size_t count;
	struct timing_stage stages[TIMING_STAGES_MAX];
};

/* Record that stage NAME ran from start_ms to end_ms (ignored past the
 * TIMING_STAGES_MAX-th: the table is static and smaller). */
void timing_add(struct timing *t, const char *name, int64_t start_ms,
		int64_t end_ms);

/* The init's time so far: from the first stage's start to now_ms. */
int64_t timing_total_ms(const struct timing *t, int64_t now_ms);

/*
 * One log line: "412 ms from /init to now (the kernel took 2103 ms):
 * modules 180, store 20, ..." with the stages that took 1 ms or more.
 */
void timing_summary(const struct timing *t, int64_t now_ms,
		    struct strbuf *sb);

/*
 * KEY=VALUE lines for /run/ociboot/boot:
 *   TIME_KERNEL_MS=<kernel start to /init>
 *   TIME_INIT_MS=<the init's time up to now_ms>
 *   TIME_STAGE=<start ms> <ms> <name>     (one a stage, in order)
 */
void timing_format(const struct timing *t, int64_t now_ms, struct strbuf *sb);

#endif
