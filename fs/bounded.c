/* SPDX-License-Identifier: MIT */
#include "fs/bounded.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/util.h"

/* Looks at an exiting child before it is left to a reaper. */
#define BOUNDED_REAP_TRIES 100

/* The page the child and the caller share, then the output. */
struct bounded_shared {
	int done;		/* set last, with release order */
	ssize_t result;
};

static int sleep_ms(const struct bounded_wait *w, unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	if (w && w->wait)
		return w->wait(w->ctx, ms);
	nanosleep(&ts, NULL);
	return 0;
}

static void child(bounded_fn fn, void *arg, struct bounded_shared *sh,
		  size_t size)
{
	ssize_t r = fn(arg, sh + 1, size);

	sh->result = r > (ssize_t)size ? -EOVERFLOW : r;
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/* 0 when the child finished, -OCIBOOT_ETIMEOUT, or the wait's error. */
static int await(struct bounded_shared *sh, unsigned int timeout_ms,
		 const struct bounded_wait *w)
{
	int64_t deadline = clock_deadline_ms(timeout_ms);

	for (;;) {
		int64_t left;
		int r;

		if (__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE))
			return 0;
		left = deadline - clock_now_ms();
		if (left <= 0)
			return -OCIBOOT_ETIMEOUT;
		r = sleep_ms(w, left < BOUNDED_POLL_MS ? (unsigned int)left :
			     BOUNDED_POLL_MS);
		if (r < 0)
			return r;
	}
}

/*
 * The child only has _exit() left: collect it, but never wait long for it
 * (closing a device can block too); a reaper may have collected it first.
 */
static void reap(pid_t pid, const struct bounded_wait *w)
{
	for (unsigned int i = 0; i < BOUNDED_REAP_TRIES; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG);

		if (r != 0 && !(r < 0 && errno == EINTR))
			return;
		if (sleep_ms(w, 1) < 0)
			return;
	}
}

ssize_t bounded_call(bounded_fn fn, void *arg, void *out, size_t size,
		     unsigned int timeout_ms, const struct bounded_wait *w)
{
	size_t len = sizeof(struct bounded_shared) + size;
	struct bounded_shared *sh;
	ssize_t result;
	pid_t pid;
	int r;

	if (size > BOUNDED_OUT_MAX)
		return -EINVAL;
	sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (sh == MAP_FAILED)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		munmap(sh, len);
		return r;
	}
	if (pid == 0)
		child(fn, arg, sh, size);
	r = await(sh, timeout_ms, w);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, WNOHANG);
		munmap(sh, len);
		return r;
	}
	reap(pid, w);
	result = sh->result;
	if (result > 0)
		memcpy(out, sh + 1, (size_t)result);
	munmap(sh, len);
	return result;
}
