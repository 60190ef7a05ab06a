/* SPDX-License-Identifier: MIT */
/*
 * The duties of PID 1 that do not depend on what is being booted: signals,
 * children, the console, early mounts, waiting with deadlines, and ending
 * the system.
 *
 * Signals: every asynchronous signal is blocked and read from a signalfd
 * (synchronous ones -- SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS,
 * SIGABRT -- stay deliverable). Ctrl-Alt-Del is turned into SIGINT with
 * reboot(RB_DISABLE_CAD). While PID 1 waits, signals mean:
 *
 *   SIGCHLD            reap every exited child (waitpid(-1, WNOHANG))
 *   SIGINT             reboot        (Ctrl-Alt-Del)
 *   SIGTERM            power off     (a plain "stop")
 *   SIGUSR2, SIGPWR    power off
 *   SIGUSR1            halt
 *   anything else      ignored
 *
 * (SIGUSR1 = halt and SIGUSR2 = poweroff as in busybox and sysvinit-style
 * inits; SIGTERM powers off rather than reboots, so a stray TERM cannot
 * start a reboot loop.) Signals are only looked at while waiting, and in
 * pid1_poll() between boot stages.
 */
#ifndef OCIBOOT_INIT_PID1_H
#define OCIBOOT_INIT_PID1_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define PID1_SIGNALS_MAX 16	/* signalfd records read per wakeup */
#define PID1_FOREVER INT64_MAX	/* a deadline that never comes */

struct pid1 {
	int signal_fd;		/* -1 until pid1_take_signals() */
	sigset_t saved_mask;	/* the mask to restore before exec */
};

enum pid1_power {
	PID1_POWER_HALT,
	PID1_POWER_POWEROFF,
	PID1_POWER_REBOOT,
};

/* A shutdown asked for by a signal. */
struct pid1_request {
	enum pid1_power power;
	int signo;
};

/* A filesystem to mount; mode is for creating a missing target. */
struct pid1_mount {
	const char *source;
	const char *target;
	const char *fstype;
	unsigned long flags;
	const char *data;
	mode_t mode;
};

/*
 * Block the asynchronous signals, open the signalfd (O_CLOEXEC) and route
 * Ctrl-Alt-Del to SIGINT. Call first. Returns 0 or -errno (then
 * p->signal_fd is -1 and waits fall back to plain sleeping).
 */
int pid1_take_signals(struct pid1 *p);

/*
 * Make fds 0, 1 and 2 valid: each one that is closed is opened on
 * /dev/console (O_RDWR | O_NOCTTY, inherited by what we exec), or on
 * /dev/null when there is no console. Returns 0, or -errno when the
 * console could not be opened.
 */
int pid1_open_console(void);

/*
 * Mount m, creating m->target with m->mode when it is missing and create
 * is set. Already mounted there (EBUSY) counts as success. Returns 0,
 * -ENOENT when the target is missing and create is not set, or -errno.
 */
int pid1_mount(const struct pid1_mount *m, bool create);

/*
 * Wait for signals until deadline_ms (a lib/clock.h deadline such as
 * clock_deadline_ms(), CLOCK_MONOTONIC; PID1_FOREVER for none), reaping
 * children meanwhile. Returns 0 when the deadline passed, 1
 * with *req set when a shutdown signal came, or -errno. A deadline in the
 * past still looks at pending signals once.
 */
int pid1_wait(struct pid1 *p, int64_t deadline_ms, struct pid1_request *req);

/*
 * pid1_wait() that carries out a shutdown request itself: logs
 * "ociboot: signal: SIGNAME: ACTION" and calls pid1_power(). Returns when
 * the deadline passed.
 */
void pid1_sleep_until(struct pid1 *p, int64_t deadline_ms);

/*
 * pid1_sleep_until(), but also back as soon as a child ended (SIGCHLD):
 * for a caller waiting on a child of its own (fs/bounded.h), which then
 * looks at it at once instead of at the end of its slice.
 */
void pid1_sleep_until_child(struct pid1 *p, int64_t deadline_ms);

/* Look at pending signals without waiting (pid1_sleep_until(now)). */
void pid1_poll(struct pid1 *p);

/* Sync, then reboot(2) into halt, power off or reboot. If the kernel
 * refuses, freeze. Never returns. */
_Noreturn void pid1_power(struct pid1 *p, enum pid1_power how);

/* Sleep forever, still reaping children; shutdown signals are ignored. */
_Noreturn void pid1_freeze(struct pid1 *p);

/* "halt", "poweroff", "reboot"; never NULL. */
const char *pid1_power_name(enum pid1_power how);

/* "SIGINT", ...; "signal" for ones without a name here. Never NULL. */
const char *pid1_signal_name(int signo);

#endif
