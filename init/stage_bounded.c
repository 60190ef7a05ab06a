/* SPDX-License-Identifier: MIT */
#include "init/stage_bounded.h"

#include <errno.h>
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

/* PID 1 sleeps on its signalfd between looks at the child. */
static int stage_wait(void *ctx, unsigned int ms)
{
	struct boot *b = ctx;

	pid1_sleep_until(&b->pid1, clock_deadline_ms(ms));
	return 0;
}

static int stage_failed(struct boot *b, const char *name, int r,
			unsigned int timeout_ms)
{
	const char *doing = b->doing[0] ? b->doing : "the stage";

	if (r == -OCIBOOT_ETIMEOUT)
		return boot_failed(b, "%s: %s did not finish within %u s; a "
				   "disk whose reads never return (stalled, "
				   "or a dead path) holds it: the process "
				   "doing it is left behind (ociboot."
				   "io_timeout= sets the deadline)", name,
				   doing, timeout_ms / MS_PER_SECOND);
	if (r == -ECHILD)
		return boot_failed(b, "%s: the process running the stage "
				   "ended without a result, while %s", name,
				   doing);
	return boot_failed(b, "%s: cannot run the stage in a process of "
			   "its own: %s", name, ociboot_strerror(r));
}

int stage_bounded_run(struct boot *b, const char *name,
		      int (*run)(struct boot *b), unsigned int timeout_ms)
{
	struct stage_call c = { b, run, b->layout };
	struct bounded_wait w = { stage_wait, b };
	struct bounded_fds fds;
	int r;

	b->doing[0] = '\0';
	if (!b->shared)
		return run(b);
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
		return stage_failed(b, name, r, timeout_ms);
	return 0;
}
