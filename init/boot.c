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

int boot_failed(struct boot *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->reason, sizeof(b->reason), fmt, ap);
	va_end(ap);
	return -1;
}

void boot_doing(struct boot *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->doing, sizeof(b->doing), fmt, ap);
	va_end(ap);
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
