/* SPDX-License-Identifier: MIT */
/*
 * Work that may never return, run where it cannot hold the caller. A read
 * from a block device whose I/O hangs (a stalled USB stick, a dead path)
 * puts the reader to sleep uninterruptibly: not even SIGKILL ends it, so
 * PID 1 must not be that reader. bounded_call() runs the work in a child
 * process that writes its result into memory shared with the caller, and
 * the caller polls that memory under a deadline; on timeout the child is
 * sent SIGKILL and left behind (it dies, or is reaped by PID 1's reaper,
 * whenever its I/O ends). Completion is read from the shared memory, not
 * from waitpid(), so a reaper that collects the child first changes
 * nothing. Nothing here logs; the shared memory is mapped per call.
 */
#ifndef OCIBOOT_BOUNDED_H
#define OCIBOOT_BOUNDED_H

#include <stddef.h>
#include <sys/types.h>

/* Bytes of output one call may return. */
#define BOUNDED_OUT_MAX (256u * 1024)
/* The longest single sleep between two looks at the child. */
#define BOUNDED_POLL_MS 5u

/*
 * The work, run in the child: fill out[0..size) and return the bytes
 * written (<= size) or a negative errno. It must not rely on anything it
 * changes in its own memory reaching the caller: only out does.
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
 * untouched, the child killed); -EINVAL for size over BOUNDED_OUT_MAX; or
 * -errno of mmap(2)/fork(2), or of w->wait.
 */
ssize_t bounded_call(bounded_fn fn, void *arg, void *out, size_t size,
		     unsigned int timeout_ms, const struct bounded_wait *w);

#endif
