/* SPDX-License-Identifier: MIT */
/*
 * service_pid_alive(), against the kernel's own /proc: a running process
 * (this one, whose stat line is longer than the head it reads, and a
 * child named with ')' and spaces) runs; a zombie, a reaped pid and pid 0
 * do not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "service/service.h"

#define STAT_LINE_MAX 4096

static void test_running(void **state)
{
	char stat[STAT_LINE_MAX];

	/* The whole line is longer than what the check reads. */
	assert_true(fileio_read_text(AT_FDCWD, "/proc/self/stat", stat,
				     sizeof(stat), 0) > 200);
	assert_true(service_pid_alive(getpid()));
	assert_true(service_pid_alive(getppid()));
}

/* A child whose name holds ") Z " stays up until killed. */
static void test_odd_name(void **state)
{
	pid_t child = fork();
	struct timespec ts = { 0, 50 * 1000000 };

	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_NAME, "a) Z (b) X");
		for (;;)
			pause();
	}
	nanosleep(&ts, NULL);
	assert_true(service_pid_alive(child));
	kill(child, SIGKILL);
	/* Ended but not reaped: a zombie. */
	nanosleep(&ts, NULL);
	assert_false(service_pid_alive(child));
	assert_int_equal(waitpid(child, NULL, 0), child);
	/* Reaped: /proc no longer knows it. */
	assert_false(service_pid_alive(child));
}

static void test_no_pid(void **state)
{
	assert_false(service_pid_alive(0));
	assert_false(service_pid_alive(-1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_odd_name),
		cmocka_unit_test(test_no_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
