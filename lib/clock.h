/* SPDX-License-Identifier: MIT */
/*
 * Monotonic time, deadlines and sleeps, for every wait that must end: a
 * device node that should appear, a store that should be found, a TPM that
 * should answer. All times are CLOCK_MONOTONIC (it does not jump when the
 * wall clock is set; it does not count a suspend, which the init never
 * sees). A deadline is an absolute clock_now_ms() value; int64_t
 * milliseconds do not wrap for 292 million years of uptime.
 *
 * These sleeps do not read signals: PID 1, which must reap children while
 * it waits, sleeps with pid1_sleep_until() on its signalfd instead, using
 * the same deadlines. Nothing here allocates or logs.
 */
#ifndef OCIBOOT_LIB_CLOCK_H
#define OCIBOOT_LIB_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Now, in milliseconds and nanoseconds since an unspecified start. */
int64_t clock_now_ms(void);
int64_t clock_now_ns(void);

/* The deadline timeout_ms from now. */
int64_t clock_deadline_ms(uint32_t timeout_ms);

/* True once now >= deadline_ms. */
bool clock_deadline_passed(int64_t deadline_ms);

/*
 * Milliseconds left until deadline_ms: 0 once it passed, at most
 * UINT32_MAX.
 */
uint32_t clock_deadline_left_ms(int64_t deadline_ms);

/*
 * Sleep ms milliseconds, going on after a signal handler ran (EINTR) with
 * the time that is left. Returns 0 or -errno.
 */
int clock_sleep_ms(uint32_t ms);

/*
 * Sleep until deadline_ms (at once when it passed), going on after a
 * signal handler ran. Returns 0 or -errno.
 */
int clock_sleep_until_ms(int64_t deadline_ms);

/*
 * Wait until fd is ready for events (poll(2) bits), at most until
 * deadline_ms; EINTR restarts the wait. Returns 0 when ready,
 * -OCIBOOT_ETIMEOUT at the deadline, or -errno.
 */
int clock_poll_until(int fd, short events, int64_t deadline_ms);

#endif
