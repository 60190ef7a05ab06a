/* SPDX-License-Identifier: MIT */
/*
 * Work that may never return, run where it cannot hold the caller. A read
 * from a block device whose I/O hangs (a stalled USB stick, a dead path)
 * puts the reader to sleep uninterruptibly: not even SIGKILL ends it, so
 * PID 1 must not be that reader. The work runs in a child process; the
 * caller waits under a deadline, and on timeout sends the child SIGKILL
 * and leaves it behind (it dies, or is reaped by PID 1's reaper, whenever
 * its I/O ends).
 *
 * The child hands its result back through memory shared with the caller,
 * never through its exit status: completion is a flag the child sets last
 * in a page mapped MAP_SHARED before fork(2), so a reaper that collects
 * the child first (PID 1 reaps every child it sees) changes nothing, and a
 * child that dies without setting it (killed, crashed) is told apart from
 * one that is still working.
 *
 *   bounded_call()  the child fills a buffer of bytes, copied out to the
 *                   caller's on success (a device's first sectors)
 *   bounded_run()   the child works on memory the caller made shared
 *                   (bounded_shared_map()), which the caller then reads
 *                   at the same addresses, pointers and all; it may hand
 *                   back open fds (SCM_RIGHTS over a socket pair)
 *
 * Nothing here logs.
 */
#ifndef OCIBOOT_BOUNDED_H
#define OCIBOOT_BOUNDED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bytes of output one bounded_call() may return. */
#define BOUNDED_OUT_MAX (256u * 1024)
/* The longest single sleep between two looks at the child. */
#define BOUNDED_POLL_MS 5u
/* Open fds one bounded_run() may hand back. */
#define BOUNDED_FDS_MAX 4

/*
 * The work of bounded_call(), run in the child: fill out[0..size) and
 * return the bytes written (<= size) or a negative errno. It must not rely
 * on anything it changes in its own memory reaching the caller: only out
 * does.
 */
typedef ssize_t (*bounded_fn)(void *arg, void *out, size_t size);

/*
 * How the caller sleeps between looks (PID 1 waits on its signalfd, so a
 * power-off request is still served): sleep at most ms milliseconds;
 * return 0, or a negative errno to give up (the child is then killed and
 * that errno returned). NULL: nanosleep().
 */
struct bounded_wait {
	int (*wait)(void *ctx, unsigned int ms);
	void *ctx;
};

/*
 * Run fn(arg, buffer, size) in a child and copy its output to out when it
 * finishes within timeout_ms. Returns fn's result (bytes in out, or its
 * negative errno); -OCIBOOT_ETIMEOUT when the deadline passed first (out
 * untouched, the child killed); -ECHILD when the child ended without a
 * result (killed, crashed); -EINVAL for size over BOUNDED_OUT_MAX; or
 * -errno of mmap(2)/fork(2), or of w->wait.
 */
ssize_t bounded_call(bounded_fn fn, void *arg, void *out, size_t size,
		     unsigned int timeout_ms, const struct bounded_wait *w);

/* Open fds handed from the child to the caller, in order. */
struct bounded_fds {
	int fd[BOUNDED_FDS_MAX];
	unsigned int count;
};

/*
 * The work of bounded_run(), run in the child: return an int (>= 0 or a
 * negative errno; INT_MIN is taken as -ECHILD's "no result"). Memory the
 * caller mapped with bounded_shared_map() before the call is the caller's
 * too; fds it puts in fds->fd[0..count) (count <= BOUNDED_FDS_MAX, opened
 * in the child) reach the caller as new fds, O_CLOEXEC.
 */
typedef int (*bounded_run_fn)(void *arg, struct bounded_fds *fds);

/*
 * Run fn(arg, fds) in a child and wait for it at most timeout_ms. Returns
 * fn's result, with fds_out (may be NULL: then none are taken) holding
 * the fds it handed back (count 0 when none or when the result is
 * negative, the fds then closed); -OCIBOOT_ETIMEOUT when the deadline
 * passed first (the child killed and left behind); -ECHILD when the child
 * ended without a result; -EIO when its fds did not arrive; or -errno of
 * mmap(2), socketpair(2), fork(2), or of w->wait.
 */
int bounded_run(bounded_run_fn fn, void *arg, unsigned int timeout_ms,
		const struct bounded_wait *w, struct bounded_fds *fds_out);

/*
 * bounded_run() in two halves, so that the caller works while the child
 * does: bounded_start() forks the child and returns at once;
 * bounded_finish() waits for it at most timeout_ms from now and returns
 * what bounded_run() would. Each started job is finished exactly once
 * (that frees it, the child killed and left behind on a timeout). *j may
 * be in memory the child shares (bounded_shared_map()): only the caller
 * writes it.
 */
struct bounded_job {
	struct bounded_shared *sh;	/* the page both see */
	pid_t pid;
	bool reaped;			/* collected by us: no reap() needed */
	int sock;			/* our end of the fds' socket pair */
};

/* 0 with j started, or -errno of mmap(2), socketpair(2), fork(2). */
int bounded_start(struct bounded_job *j, bounded_run_fn fn, void *arg);
int bounded_finish(struct bounded_job *j, unsigned int timeout_ms,
		   const struct bounded_wait *w, struct bounded_fds *fds_out);

/*
 * size bytes of zeroed memory, MAP_SHARED | MAP_ANONYMOUS: what a child of
 * bounded_run() (or of any fork(2) after this call) writes there, the
 * caller sees. NULL on failure (errno set). Free with bounded_shared_unmap().
 */
void *bounded_shared_map(size_t size);
void bounded_shared_unmap(void *p, size_t size);

#endif
