/* SPDX-License-Identifier: MIT */
#include "init/stage_bounded.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "fs/bounded.h"
#include "init/boot.h"
#include "lib/clock.h"
#include "lib/constants.h"
#include "lib/util.h"

#define LAYOUT_FDS 2	/* struct layout: dir_fd, blobs_fd */

struct stage_call {
	struct boot *b;
	int (*run)(struct boot *b);
	struct layout before;	/* PID 1's, inherited by the child */
};

/* In the child: run the stage (1: it failed, with b->reason); hand back
 * a layout it opened. */
static int stage_child(void *arg, struct bounded_fds *fds)
{
	struct stage_call *c = arg;
	struct layout *l = &c->b->layout;
	int r = c->run(c->b);

	if (r == 0 && l->dir_fd >= 0 && l->blobs_fd >= 0 &&
	    (l->dir_fd != c->before.dir_fd ||
	     l->blobs_fd != c->before.blobs_fd)) {
		fds->fd[0] = l->dir_fd;
		fds->fd[1] = l->blobs_fd;
		fds->count = LAYOUT_FDS;
	}
	return r < 0 ? 1 : 0;
}

/* How PID 1 watches the child: a whole-stage deadline, or quiet time. */
struct stage_watch {
	struct boot *b;
	unsigned int quiet_ms;		/* 0: the deadline is bounded_run()'s */
	const char *set_by;		/* what sets the deadline */
	unsigned int seen;		/* b->doing_count at the last look */
	int64_t since_ms;		/* when it last changed */
};

/*
 * PID 1 sleeps on its signalfd between looks at the child; a stage
 * bounded by quiet time fails once its doing_count stood still that long.
 */
static int stage_wait(void *ctx, unsigned int ms)
{
	struct stage_watch *w = ctx;
	unsigned int count;

	pid1_sleep_until_child(&w->b->pid1, clock_deadline_ms(ms));
	if (!w->quiet_ms)
		return 0;
	count = __atomic_load_n(&w->b->doing_count, __ATOMIC_ACQUIRE);
	if (count != w->seen) {
		w->seen = count;
		w->since_ms = clock_now_ms();
		return 0;
	}
	return clock_now_ms() - w->since_ms >= (int64_t)w->quiet_ms ?
	       -OCIBOOT_ETIMEOUT : 0;
}

static int stage_failed(const struct stage_watch *w, const char *name,
			const char *doing_now, int r, unsigned int timeout_ms)
{
	struct boot *b = w->b;
	const char *doing = doing_now[0] ? doing_now : "the stage";

	if (r == -OCIBOOT_ETIMEOUT && w->quiet_ms)
		return boot_failed(b, "%s: %s made no progress for %u s; a "
				   "disk whose reads never return (stalled, "
				   "or a dead path) holds it: the process "
				   "doing it is left behind (%s sets the "
				   "deadline)", name, doing,
				   w->quiet_ms / MS_PER_SECOND, w->set_by);
	if (r == -OCIBOOT_ETIMEOUT)
		return boot_failed(b, "%s: %s did not finish within %u s; a "
				   "disk whose reads never return (stalled, "
				   "or a dead path) holds it: the process "
				   "doing it is left behind (%s sets the "
				   "deadline)", name, doing,
				   timeout_ms / MS_PER_SECOND, w->set_by);
	if (r == -ECHILD)
		return boot_failed(b, "%s: the process running the stage "
				   "ended without a result, while %s", name,
				   doing);
	return boot_failed(b, "%s: cannot run the stage in a process of "
			   "its own: %s", name, ociboot_strerror(r));
}

static int run_bounded(struct stage_watch *watch, const char *name,
		       int (*run)(struct boot *b), unsigned int timeout_ms)
{
	struct boot *b = watch->b;
	struct stage_call c = { b, run, b->layout };
	struct bounded_wait w = { stage_wait, watch };
	struct bounded_fds fds;
	int r;

	b->doing[0] = '\0';
	if (!b->shared)
		return run(b);
	watch->seen = __atomic_load_n(&b->doing_count, __ATOMIC_ACQUIRE);
	watch->since_ms = clock_now_ms();
	r = bounded_run(stage_child, &c, timeout_ms, &w, &fds);
	if (r == 0 && fds.count == LAYOUT_FDS) {
		b->layout.dir_fd = fds.fd[0];
		b->layout.blobs_fd = fds.fd[1];
	} else {
		/* The child's fd numbers mean nothing here. */
		b->layout = c.before;
		for (unsigned int i = 0; r == 0 && i < fds.count; i++)
			close(fds.fd[i]);
	}
	if (r == 1)
		return -1;	/* the stage's own reason, in b->reason */
	if (r < 0)
		return stage_failed(watch, name, b->doing, r, timeout_ms);
	return 0;
}

int stage_bounded_run(struct boot *b, const char *name,
		      int (*run)(struct boot *b), unsigned int timeout_ms)
{
	struct stage_watch w = { .b = b, .set_by = "ociboot.io_timeout=" };

	return run_bounded(&w, name, run, timeout_ms);
}

int stage_bounded_run_quiet(struct boot *b, const char *name,
			    int (*run)(struct boot *b), unsigned int quiet_ms,
			    const char *set_by)
{
	struct stage_watch w = { .b = b, .quiet_ms = quiet_ms ? quiet_ms : 1,
				 .set_by = set_by };

	/* No whole-stage deadline: the quiet time is the only one. */
	return run_bounded(&w, name, run, UINT_MAX);
}

/* --- a stage beside the others ---------------------------------------- */

struct side_call {
	struct boot *b;
	int (*run)(struct boot *b, struct boot_side *side);
};

/* In the child: run the stage (1: it failed, with side->reason). */
static int side_child(void *arg, struct bounded_fds *fds)
{
	struct side_call *c = arg;
	struct boot_side *side = &c->b->side;
	int r;

	side->start_ms = clock_now_ms();
	r = c->run(c->b, side);
	side->end_ms = clock_now_ms();
	return r < 0 ? 1 : 0;
}

int stage_side_start(struct boot *b, const char *name,
		     int (*run)(struct boot *b, struct boot_side *side))
{
	struct boot_side *side = &b->side;
	struct side_call c = { b, run };
	int r;

	side->name = name;
	side->reason[0] = side->doing[0] = '\0';
	if (!b->shared) {
		side->result = side_child(&c, NULL);
		return 0;
	}
	r = bounded_start(&side->job, side_child, &c);
	if (r < 0) {
		side->name = NULL;
		return boot_failed(b, "%s: cannot run the stage in a process "
				   "of its own: %s", name, ociboot_strerror(r));
	}
	return 0;
}

int stage_side_join(struct boot *b, unsigned int timeout_ms)
{
	struct stage_watch watch = { .b = b, .set_by = "ociboot.io_timeout=" };
	struct bounded_wait w = { stage_wait, &watch };
	struct boot_side *side = &b->side;
	const char *name = side->name;
	int r;

	if (!name)
		return 0;
	side->name = NULL;
	r = b->shared ? bounded_finish(&side->job, timeout_ms, &w, NULL) :
	    side->result;
	if (r == 1)
		return boot_failed(b, "%s", side->reason);
	if (r < 0)
		return stage_failed(&watch, name, side->doing, r, timeout_ms);
	/* Its own span, beside the stages in front, under its name. */
	timing_add(&b->timing, name, side->start_ms, side->end_ms);
	return 0;
}
