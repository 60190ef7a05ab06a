/* SPDX-License-Identifier: MIT */
#include "fs/bounded.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/util.h"

/* Looks at an exiting child before it is left to a reaper. */
#define BOUNDED_REAP_TRIES 100

/* The page the child and the caller share (then bounded_call's output). */
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

static void finish(struct bounded_shared *sh, ssize_t result)
{
	sh->result = result;
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

static bool is_done(const struct bounded_shared *sh)
{
	return __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE);
}

/*
 * Whether the child is gone (exited or killed): collected here, or by
 * someone else's waitpid(-1) before us (ECHILD).
 */
static bool child_gone(struct bounded_job *c)
{
	pid_t r = waitpid(c->pid, NULL, WNOHANG);

	if (r == c->pid) {
		c->reaped = true;
		return true;
	}
	return r < 0 && errno == ECHILD;
}

/*
 * 0 when the child finished, -ECHILD when it ended without finishing,
 * -OCIBOOT_ETIMEOUT, or the wait's error.
 */
static int await(struct bounded_job *c, unsigned int timeout_ms,
		 const struct bounded_wait *w)
{
	int64_t deadline = clock_deadline_ms(timeout_ms);

	for (;;) {
		int64_t left;
		int r;

		if (is_done(c->sh))
			return 0;
		if (child_gone(c))
			return is_done(c->sh) ? 0 : -ECHILD;
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
static void reap(struct bounded_job *c, const struct bounded_wait *w)
{
	for (unsigned int i = 0; i < BOUNDED_REAP_TRIES && !c->reaped; i++) {
		pid_t r = waitpid(c->pid, NULL, WNOHANG);

		if (r != 0 && !(r < 0 && errno == EINTR))
			return;
		if (sleep_ms(w, 1) < 0)
			return;
	}
}

/* Give up on the child: it may sleep in I/O for good. */
static void abandon(struct bounded_job *c)
{
	/* Never kill(0) or kill(-1): a process group, or everything. */
	if (c->reaped || c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, WNOHANG);
}

ssize_t bounded_call(bounded_fn fn, void *arg, void *out, size_t size,
		     unsigned int timeout_ms, const struct bounded_wait *w)
{
	size_t len = sizeof(struct bounded_shared) + size;
	struct bounded_job c = { .sock = -1 };
	ssize_t result;
	int r;

	if (size > BOUNDED_OUT_MAX)
		return -EINVAL;
	c.sh = bounded_shared_map(len);
	if (!c.sh)
		return -errno;
	c.pid = fork();
	if (c.pid < 0) {
		r = -errno;
		bounded_shared_unmap(c.sh, len);
		return r;
	}
	if (c.pid == 0) {
		result = fn(arg, c.sh + 1, size);
		finish(c.sh, result > (ssize_t)size ? -EOVERFLOW : result);
	}
	r = await(&c, timeout_ms, w);
	if (r < 0) {
		abandon(&c);
		bounded_shared_unmap(c.sh, len);
		return r;
	}
	reap(&c, w);
	result = c.sh->result;
	if (result > 0)
		memcpy(out, c.sh + 1, (size_t)result);
	bounded_shared_unmap(c.sh, len);
	return result;
}

/* --- bounded_run ------------------------------------------------------ */

static void close_fds(struct bounded_fds *fds)
{
	for (unsigned int i = 0; i < fds->count; i++)
		close(fds->fd[i]);
	fds->count = 0;
}

/* Child: hand fds over the socket; 0 or -errno. */
static int send_fds(int sock, const struct bounded_fds *fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * BOUNDED_FDS_MAX)];
		struct cmsghdr align;
	} u;
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fds->count == 0)
		return 0;
	if (fds->count > BOUNDED_FDS_MAX)
		return -EINVAL;
	memset(&u, 0, sizeof(u));
	msg.msg_control = u.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds->count);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * fds->count);
	memcpy(CMSG_DATA(cm), fds->fd, sizeof(int) * fds->count);
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

/* Caller: take the fds the child sent (it sent them before it was done). */
static int receive_fds(int sock, struct bounded_fds *fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * BOUNDED_FDS_MAX)];
		struct cmsghdr align;
	} u;
	char byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t got;
	size_t n;

	fds->count = 0;
	got = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (got == 0 || (got < 0 && errno == EAGAIN))
		return 0;	/* none sent: the child's end is closed */
	if (got != 1)
		return -EIO;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -EIO;
	n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	memcpy(fds->fd, CMSG_DATA(cm), n * sizeof(int));
	fds->count = (unsigned int)n;
	return (msg.msg_flags & MSG_CTRUNC) ? -EIO : 0;
}

static _Noreturn void run_child(bounded_run_fn fn, void *arg,
				struct bounded_shared *sh, int sock)
{
	struct bounded_fds fds = { .count = 0 };
	int r = fn(arg, &fds);

	if (r == INT_MIN)
		r = -ECHILD;
	if (r >= 0 && send_fds(sock, &fds) < 0)
		r = -EIO;
	finish(sh, r);
	__builtin_unreachable();
}

int bounded_start(struct bounded_job *j, bounded_run_fn fn, void *arg)
{
	struct bounded_shared *sh;
	int sock[2], r;
	pid_t pid;

	*j = (struct bounded_job){ .pid = -1, .sock = -1 };
	sh = bounded_shared_map(sizeof(*sh));
	if (!sh)
		return -errno;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock) < 0) {
		r = -errno;
		goto out_unmap;
	}
	/* Set in the parent only: *j may be in memory the child shares. */
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(sock[0]);
		close(sock[1]);
		goto out_unmap;
	}
	if (pid == 0) {
		close(sock[0]);
		run_child(fn, arg, sh, sock[1]);
	}
	close(sock[1]);
	*j = (struct bounded_job){ .sh = sh, .pid = pid, .sock = sock[0] };
	return 0;
out_unmap:
	bounded_shared_unmap(sh, sizeof(*sh));
	return r;
}

int bounded_finish(struct bounded_job *j, unsigned int timeout_ms,
		   const struct bounded_wait *w, struct bounded_fds *fds_out)
{
	struct bounded_fds fds = { .count = 0 };
	int r;

	if (fds_out)
		fds_out->count = 0;
	r = await(j, timeout_ms, w);
	if (r < 0) {
		abandon(j);
		goto out;
	}
	reap(j, w);
	r = (int)j->sh->result;
	if (r >= 0 && receive_fds(j->sock, &fds) < 0) {
		close_fds(&fds);
		r = -EIO;
	}
	if (r >= 0 && fds_out)
		*fds_out = fds;
	else
		close_fds(&fds);
out:
	close(j->sock);
	bounded_shared_unmap(j->sh, sizeof(*j->sh));
	*j = (struct bounded_job){ .pid = -1, .sock = -1 };
	return r;
}

int bounded_run(bounded_run_fn fn, void *arg, unsigned int timeout_ms,
		const struct bounded_wait *w, struct bounded_fds *fds_out)
{
	struct bounded_job j;
	int r;

	if (fds_out)
		fds_out->count = 0;
	r = bounded_start(&j, fn, arg);
	if (r < 0)
		return r;
	return bounded_finish(&j, timeout_ms, w, fds_out);
}

void *bounded_shared_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void bounded_shared_unmap(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}
