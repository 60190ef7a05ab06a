/* SPDX-License-Identifier: MIT */
#include "init/timing.h"

void timing_add(struct timing *t, const char *name, int64_t start_ms,
		int64_t end_ms)
{
	struct timing_stage *s;

	if (t->count == 0)
		t->start_ms = start_ms;
	if (t->count == TIMING_STAGES_MAX)
		return;
	s = &t->stages[t->count++];
	s->name = name;
	s->start_ms = start_ms;
	s->ms = end_ms - start_ms;
}

int64_t timing_total_ms(const struct timing *t, int64_t now_ms)
{
	return t->count ? now_ms - t->start_ms : 0;
}

void timing_summary(const struct timing *t, int64_t now_ms, struct strbuf *sb)
{
	const char *sep = ": ";

	strbuf_printf(sb, "%lld ms from /init to now (the kernel took %lld ms)",
		      (long long)timing_total_ms(t, now_ms),
		      (long long)t->start_ms);
	for (size_t i = 0; i < t->count; i++) {
		if (t->stages[i].ms < 1)
			continue;
		strbuf_printf(sb, "%s%s %lld", sep, t->stages[i].name,
			      (long long)t->stages[i].ms);
		sep = ", ";
	}
}

void timing_format(const struct timing *t, int64_t now_ms, struct strbuf *sb)
{
	strbuf_printf(sb, "TIME_KERNEL_MS=%lld\n", (long long)t->start_ms);
	strbuf_printf(sb, "TIME_INIT_MS=%lld\n",
		      (long long)timing_total_ms(t, now_ms));
	for (size_t i = 0; i < t->count; i++)
		strbuf_printf(sb, "TIME_STAGE=%lld %lld %s\n",
			      (long long)t->stages[i].start_ms,
			      (long long)t->stages[i].ms, t->stages[i].name);
}
