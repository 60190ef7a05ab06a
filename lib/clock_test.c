/* SPDX-License-Identifier: MIT */
/*
 * Monotonic time and sleeps: the clock against clock_gettime() as the
 * reference, never going back; deadlines' arithmetic at its limits (a
 * passed deadline, one further than UINT32_MAX ms); and both sleeps lasting
 * their whole time although a signal handler interrupts them, with a
 * passed deadline returning at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/util.h"

static int64_t reference_ms(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_now(void **state)
{
	int64_t before = reference_ms(), ms = clock_now_ms();
	int64_t ns = clock_now_ns(), after = reference_ms();
	int64_t last = clock_now_ns();

	assert_true(before <= ms && ms <= after);
	assert_true(before * 1000000 <= ns && ns / 1000000 <= after);
	for (int i = 0; i < 10000; i++) {
		int64_t t = clock_now_ns();

		assert_true(t >= last);
		last = t;
	}
}

static void test_deadlines(void **state)
{
	int64_t d = clock_deadline_ms(60000);
	int64_t now = clock_now_ms();
	uint32_t left = clock_deadline_left_ms(d);

	assert_true(d - now <= 60000 && d - now >= 59000);
	assert_true(left <= 60000 && left >= 59000);
	assert_false(clock_deadline_passed(d));

	assert_true(clock_deadline_passed(clock_now_ms()));
	assert_true(clock_deadline_passed(0));
	assert_true(clock_deadline_passed(INT64_MIN));
	assert_int_equal(clock_deadline_left_ms(now - 1), 0);
	assert_int_equal(clock_deadline_left_ms(INT64_MIN), 0);

	assert_int_equal(clock_deadline_left_ms(INT64_MAX), UINT32_MAX);
	assert_int_equal(clock_deadline_left_ms(now + UINT32_MAX + 10000ll),
			 UINT32_MAX);
	d = clock_deadline_ms(UINT32_MAX);
	assert_true(d - clock_now_ms() <= UINT32_MAX);
	assert_true(clock_deadline_ms(0) <= clock_now_ms());
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/* SIGALRM every 20 ms, without SA_RESTART, until alarm_off(). */
static void alarm_often(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	alarms = 0;
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void alarm_off(void)
{
	struct itimerval off = { { 0, 0 }, { 0, 0 } };

	assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
	signal(SIGALRM, SIG_DFL);
	if (alarms == 0)
		print_message("note: no signal while asleep (busy machine)\n");
}

static void test_sleep_ms(void **state)
{
	int64_t start = clock_now_ms();

	assert_int_equal(clock_sleep_ms(0), 0);
	assert_int_equal(clock_sleep_ms(30), 0);
	assert_true(clock_now_ms() - start >= 30);

	alarm_often();
	start = clock_now_ms();
	assert_int_equal(clock_sleep_ms(150), 0);
	assert_true(clock_now_ms() - start >= 150);
	alarm_off();
}

static void test_sleep_until(void **state)
{
	int64_t start = clock_now_ms();

	assert_int_equal(clock_sleep_until_ms(start - 1000), 0);
	assert_int_equal(clock_sleep_until_ms(-5), 0);
	assert_int_equal(clock_sleep_until_ms(INT64_MIN), 0);
	assert_true(clock_now_ms() - start < 100);

	alarm_often();
	start = clock_now_ms();
	assert_int_equal(clock_sleep_until_ms(start + 150), 0);
	assert_true(clock_deadline_passed(start + 150));
	alarm_off();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_deadlines),
		cmocka_unit_test(test_sleep_ms),
		cmocka_unit_test(test_sleep_until),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
