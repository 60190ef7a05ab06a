/* SPDX-License-Identifier: MIT */
/*
 * The failure policy: how a boot that cannot go on ends. Every fatal error
 * goes through fail_boot(), so the console and /dev/kmsg always show
 *
 *   ociboot: FATAL: <what failed and why>
 *   ociboot: failure policy: halt | reboot in N s | poweroff
 *
 * and then the machine halts (sync, reboot(RB_HALT_SYSTEM)), reboots after
 * N seconds (waiting on the signalfd with a deadline, still reaping
 * children and obeying Ctrl-Alt-Del and the other shutdown signals), or
 * powers off. If the kernel refuses, PID 1 freezes; it never exits.
 */
#ifndef OCIBOOT_INIT_FAIL_H
#define OCIBOOT_INIT_FAIL_H

#include "init/cmdline.h"
#include "init/pid1.h"

#define FAIL_REASON_MAX 768	/* a reason is cut beyond this */

_Noreturn void fail_boot(struct pid1 *p, const struct failure_policy *policy,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
