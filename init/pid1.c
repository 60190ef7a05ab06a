/* SPDX-License-Identifier: MIT */
#include "init/pid1.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fs/bounded.h"
#include "init/log.h"
#include "lib/fileio.h"
#include "lib/clock.h"
#include "lib/util.h"

#define PID1_CONSOLE "/dev/console"
#define PID1_NULL "/dev/null"
#define PID1_FALLBACK_SLEEP_MS 1000	/* without a signalfd */
/*
 * sync(2) before reboot(2) waits on every block device: a child stuck in
 * I/O on one (a stage left behind at its deadline) can hold the locks it
 * needs for good. So sync runs in a child too, for at most this long.
 */
#define PID1_SYNC_MS 3000
/*
 * reboot(2) shuts every device down first, taking each one's lock: a
 * driver whose probe sleeps on a disk that never answers (its partition
 * scan, say) holds its device's lock for good, and the reboot with it. So
 * reboot(2) is called from a child, and PID 1 gives it this long.
 */
#define PID1_REBOOT_MS 10000
#define PID1_SYSRQ_TRIGGER "/proc/sysrq-trigger"
#define PID1_SYSRQ_EMERGENCY_RESTART "b"

/* Signals the kernel raises for a fault of ours: left deliverable. */
static const int synchronous_signals[] = {
	SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT,
};

int pid1_take_signals(struct pid1 *p)
{
	sigset_t mask;
	int err = 0;

	p->signal_fd = -1;
	sigfillset(&mask);
	for (size_t i = 0; i < ARRAY_SIZE(synchronous_signals); i++)
		sigdelset(&mask, synchronous_signals[i]);
	if (sigprocmask(SIG_BLOCK, &mask, &p->saved_mask) < 0)
		return -errno;
	p->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p->signal_fd < 0)
		err = -errno;
	if (reboot(RB_DISABLE_CAD) < 0 && err == 0)
		err = -errno;
	return err;
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* The standard fds are meant to be inherited: no O_CLOEXEC here. */
int pid1_open_console(void)
{
	int err = 0;

	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fd_is_open(fd))
			continue;
		nfd = open(PID1_CONSOLE, O_RDWR | O_NOCTTY);
		if (nfd < 0) {
			err = -errno;
			nfd = open(PID1_NULL, O_RDWR | O_NOCTTY);
		}
		if (nfd < 0)
			return err;
		if (nfd != fd) {
			dup2(nfd, fd);
			close(nfd);
		}
	}
	return err;
}

int pid1_mount(const struct pid1_mount *m, bool create)
{
	struct stat st;

	if (create) {
		if (mkdir(m->target, m->mode) < 0 && errno != EEXIST)
			return -errno;
	} else if (stat(m->target, &st) < 0) {
		return -errno;
	}
	if (mount(m->source, m->target, m->fstype, m->flags, m->data) < 0)
		return errno == EBUSY ? 0 : -errno;
	return 0;
}

static void reap_children(void)
{
	int status;

	/* Every round reaps one zombie; there are finitely many. */
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

/*
 * Read what the signalfd holds. Returns 1 with *req for a shutdown; sets
 * *child when a child ended (SIGCHLD).
 */
static int read_signals(struct pid1 *p, struct pid1_request *req,
			bool *child)
{
	struct signalfd_siginfo si[PID1_SIGNALS_MAX];
	int found = 0;
	ssize_t n;

	n = read(p->signal_fd, si, sizeof(si));
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++) {
		struct pid1_request r = { PID1_POWER_POWEROFF,
					  (int)si[i].ssi_signo };

		switch (si[i].ssi_signo) {
		case SIGCHLD:
			*child = true;
			continue;
		case SIGINT:
			r.power = PID1_POWER_REBOOT;
			break;
		case SIGUSR1:
			r.power = PID1_POWER_HALT;
			break;
		case SIGTERM:
		case SIGUSR2:
		case SIGPWR:
			break;
		default:
			continue;
		}
		if (!found)
			*req = r;
		found = 1;
	}
	return found;
}

static int timeout_until(int64_t deadline_ms)
{
	int64_t now = clock_now_ms();

	if (deadline_ms == PID1_FOREVER)
		return -1;
	if (deadline_ms <= now)
		return 0;
	return deadline_ms - now > INT_MAX ? INT_MAX : (int)(deadline_ms - now);
}

/* pid1_wait(); with child_wakes, also back (0) once a child ended. */
static int wait_signals(struct pid1 *p, int64_t deadline_ms,
			bool child_wakes, struct pid1_request *req)
{
	for (;;) {
		int timeout = timeout_until(deadline_ms), r;
		struct pollfd pfd = { p->signal_fd, POLLIN, 0 };

		if (p->signal_fd < 0) {
			/* No signalfd: sleep in slices, reaping between. */
			if (timeout < 0 || timeout > PID1_FALLBACK_SLEEP_MS)
				timeout = PID1_FALLBACK_SLEEP_MS;
			poll(NULL, 0, timeout);
			reap_children();
			if (timeout_until(deadline_ms) == 0)
				return 0;
			continue;
		}
		r = poll(&pfd, 1, timeout);
		if (r < 0 && errno != EINTR)
			goto broken;
		reap_children();
		if (r > 0) {
			bool child = false;

			r = read_signals(p, req, &child);
			if (r < 0)
				goto broken;
			if (r > 0)
				return 1;
			if (child && child_wakes)
				return 0;
		}
		if (timeout == 0 || timeout_until(deadline_ms) == 0)
			return 0;
		continue;
broken:
		/* Never spin on a broken fd: fall back to plain sleeping. */
		close(p->signal_fd);
		p->signal_fd = -1;
	}
}

static const char *power_doing(enum pid1_power how)
{
	switch (how) {
	case PID1_POWER_HALT: return "halting";
	case PID1_POWER_POWEROFF: return "powering off";
	case PID1_POWER_REBOOT: return "rebooting";
	}
	return "stopping";
}

int pid1_wait(struct pid1 *p, int64_t deadline_ms, struct pid1_request *req)
{
	return wait_signals(p, deadline_ms, false, req);
}

/* Carry out a shutdown request wait_signals() returned. */
static void sleep_signals(struct pid1 *p, int64_t deadline_ms,
			  bool child_wakes)
{
	struct pid1_request req;

	if (wait_signals(p, deadline_ms, child_wakes, &req) == 0)
		return;
	log_warning("signal", "%s: %s", pid1_signal_name(req.signo),
		    power_doing(req.power));
	pid1_power(p, req.power);
}

void pid1_sleep_until(struct pid1 *p, int64_t deadline_ms)
{
	sleep_signals(p, deadline_ms, false);
}

void pid1_sleep_until_child(struct pid1 *p, int64_t deadline_ms)
{
	sleep_signals(p, deadline_ms, true);
}

void pid1_poll(struct pid1 *p)
{
	pid1_sleep_until(p, 0);
}

static int sync_all(void *arg, struct bounded_fds *fds)
{
	sync();
	return 0;
}

/* Returns only when reboot(2) failed: -errno. */
static int reboot_now(void *arg, struct bounded_fds *fds)
{
	reboot(*(const int *)arg);
	return -errno;
}

/*
 * The reboot did not finish: a driver is stuck on a device. A restart can
 * still happen without shutting devices down (sysrq's emergency restart,
 * which the trigger file serves whatever kernel.sysrq says); a halt or a
 * power-off cannot, and PID 1 stays halted here.
 */
static _Noreturn void reboot_stuck(struct pid1 *p, enum pid1_power how)
{
	int r;

	log_error("init", "%s did not finish within %u s: a driver is stuck "
		  "on a device that does not answer", pid1_power_name(how),
		  PID1_REBOOT_MS / 1000);
	if (how != PID1_POWER_REBOOT) {
		log_error("init", "halted here (the kernel cannot power off "
			  "without shutting that device down)");
		pid1_freeze(p);
	}
	log_error("init", "emergency restart, devices not shut down");
	r = fileio_write_attr(AT_FDCWD, PID1_SYSRQ_TRIGGER,
			      PID1_SYSRQ_EMERGENCY_RESTART,
			      strlen(PID1_SYSRQ_EMERGENCY_RESTART));
	log_error("init", "%s: %s; freezing", PID1_SYSRQ_TRIGGER,
		  strerror(r < 0 ? -r : EIO));
	pid1_freeze(p);
}

_Noreturn void pid1_power(struct pid1 *p, enum pid1_power how)
{
	static const int commands[] = {
		[PID1_POWER_HALT] = RB_HALT_SYSTEM,
		[PID1_POWER_POWEROFF] = RB_POWER_OFF,
		[PID1_POWER_REBOOT] = RB_AUTOBOOT,
	};
	int r;

	if (bounded_run(sync_all, NULL, PID1_SYNC_MS, NULL, NULL) < 0) {
		log_warning("init", "sync did not finish within %u ms: going "
			    "on without it", PID1_SYNC_MS);
	}
	r = bounded_run(reboot_now, (void *)&commands[how], PID1_REBOOT_MS,
			NULL, NULL);
	if (r == -OCIBOOT_ETIMEOUT)
		reboot_stuck(p, how);
	/* No child to do it, or the kernel refused: once more, here. */
	reboot(commands[how]);
	log_error("init", "reboot(%s): %s; freezing", pid1_power_name(how),
		  strerror(errno));
	pid1_freeze(p);
}

_Noreturn void pid1_freeze(struct pid1 *p)
{
	struct pid1_request ignored;

	for (;;)
		pid1_wait(p, PID1_FOREVER, &ignored);
}

const char *pid1_power_name(enum pid1_power how)
{
	switch (how) {
	case PID1_POWER_HALT: return "halt";
	case PID1_POWER_POWEROFF: return "poweroff";
	case PID1_POWER_REBOOT: return "reboot";
	}
	return "invalid";
}

const char *pid1_signal_name(int signo)
{
	switch (signo) {
	case SIGINT: return "SIGINT (Ctrl-Alt-Del)";
	case SIGTERM: return "SIGTERM";
	case SIGUSR1: return "SIGUSR1";
	case SIGUSR2: return "SIGUSR2";
	case SIGPWR: return "SIGPWR";
	case SIGCHLD: return "SIGCHLD";
	}
	return "signal";
}
