/* SPDX-License-Identifier: MIT */
#include "init/boot.h"

#include <stdarg.h>
#include <stdio.h>

void boot_init(struct boot *b)
{
	b->pid1.signal_fd = -1;
	b->layout.dir_fd = b->layout.blobs_fd = -1;
	cmdline_defaults(&b->config);
	b->policy = b->config.on_failure;
	b->ops = &verified_ops_default;
	b->ca_dir = VERIFIED_CA_DIR;
}

/*
 * This process's stage beside, once boot_speak_as_side() named it: never
 * in the shared struct boot, so that the stage in front keeps its words.
 */
static struct boot_side *speaking_side;

void boot_speak_as_side(struct boot_side *s)
{
	speaking_side = s;
}

int boot_failed(struct boot *b, const char *fmt, ...)
{
	char *reason = speaking_side ? speaking_side->reason : b->reason;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, BOOT_REASON_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

void boot_doing(struct boot *b, const char *fmt, ...)
{
	char *doing = speaking_side ? speaking_side->doing : b->doing;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(doing, BOOT_DOING_MAX, fmt, ap);
	va_end(ap);
	if (!speaking_side)
		boot_alive(b);
}

void boot_alive(struct boot *b)
{
	/* Read by PID 1 while this (a stage's child) runs. */
	__atomic_add_fetch(&b->doing_count, 1, __ATOMIC_RELEASE);
}

void boot_doing_module(void *ctx, const char *name)
{
	boot_doing(ctx, "loading %s", name);
}

int boot_side_failed(struct boot_side *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	return -1;
}

void boot_side_doing_module(void *ctx, const char *name)
{
	struct boot_side *s = ctx;

	snprintf(s->doing, sizeof(s->doing), "loading %s", name);
}
