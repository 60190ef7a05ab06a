/* SPDX-License-Identifier: MIT */
/* Monotonic time, deadlines and sleeps; see clock.h. */
#include "lib/clock.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

#include "lib/constants.h"
#include "lib/util.h"

/* CLOCK_MONOTONIC cannot fail on Linux; a zero time if it ever did. */
static struct timespec now(void)
{
	struct timespec ts = { 0, 0 };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

int64_t clock_now_ms(void)
{
	struct timespec ts = now();

	return (int64_t)ts.tv_sec * MS_PER_SECOND + ts.tv_nsec / NS_PER_MS;
}

int64_t clock_now_ns(void)
{
	struct timespec ts = now();

	return (int64_t)ts.tv_sec * NS_PER_SECOND + ts.tv_nsec;
}

int64_t clock_deadline_ms(uint32_t timeout_ms)
{
	return clock_now_ms() + timeout_ms;
}

bool clock_deadline_passed(int64_t deadline_ms)
{
	return clock_now_ms() >= deadline_ms;
}

uint32_t clock_deadline_left_ms(int64_t deadline_ms)
{
	int64_t now_ms = clock_now_ms(), left;

	/* Compared first: deadline_ms - now_ms could overflow. */
	if (deadline_ms <= now_ms)
		return 0;
	left = deadline_ms - now_ms;
	return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

int clock_sleep_ms(uint32_t ms)
{
	struct timespec ts = {
		.tv_sec = ms / MS_PER_SECOND,
		.tv_nsec = (long)(ms % MS_PER_SECOND) * NS_PER_MS,
	};

	while (nanosleep(&ts, &ts) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int clock_sleep_until_ms(int64_t deadline_ms)
{
	struct timespec ts;
	int r;

	if (deadline_ms < 0)
		return 0;
	ts.tv_sec = deadline_ms / MS_PER_SECOND;
	ts.tv_nsec = (long)(deadline_ms % MS_PER_SECOND) * NS_PER_MS;
	/* Absolute: a signal handler's time is not slept again. */
	do {
		r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	} while (r == EINTR);
	return -r;
}

int clock_poll_until(int fd, short events, int64_t deadline_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		uint32_t left = clock_deadline_left_ms(deadline_ms);
		int r = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);

		if (r > 0)
			return 0;
		if (r == 0)
			return -OCIBOOT_ETIMEOUT;
		if (errno != EINTR)
			return -errno;
	}
}
