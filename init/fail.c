/* SPDX-License-Identifier: MIT */
#include "init/fail.h"

#include <stdarg.h>
#include <stdio.h>

#include "init/log.h"
#include "lib/clock.h"
#include "lib/constants.h"

_Noreturn void fail_boot(struct pid1 *p, const struct failure_policy *policy,
			 const char *fmt, ...)
{
	char reason[FAIL_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	log_error("FATAL", "%s", reason);

	switch (policy->action) {
	case FAILURE_REBOOT:
		log_error("failure policy", "reboot in %u s",
			  policy->reboot_delay_s);
		pid1_sleep_until(p, clock_deadline_ms(policy->reboot_delay_s *
						      MS_PER_SECOND));
		pid1_power(p, PID1_POWER_REBOOT);
	case FAILURE_POWEROFF:
		log_error("failure policy", "poweroff");
		pid1_power(p, PID1_POWER_POWEROFF);
	case FAILURE_HALT:
		break;
	}
	log_error("failure policy", "halt");
	pid1_power(p, PID1_POWER_HALT);
}
