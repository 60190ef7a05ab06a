/* SPDX-License-Identifier: MIT */
/* Tests of the modules.dep parser and load-order resolver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lib/util.h"
#include "ukify/moddep.h"

/* The shape of the Debian 6.1 entries the initrd needs. */
static const char sample_dep[] =
	"kernel/drivers/md/dm-verity.ko: kernel/drivers/md/dm-bufio.ko "
	"kernel/drivers/md/dm-mod.ko kernel/lib/reed_solomon/reed_solomon.ko\n"
	"kernel/drivers/md/dm-bufio.ko: kernel/drivers/md/dm-mod.ko\n"
	"kernel/drivers/md/dm-mod.ko:\n"
	"kernel/lib/reed_solomon/reed_solomon.ko:\n"
	"kernel/fs/overlayfs/overlay.ko:\n"
	"kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
	"kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko "
	"kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
	"kernel/net/core/failover.ko:\n"
	"kernel/drivers/virtio/virtio.ko: "
	"kernel/drivers/virtio/virtio_ring.ko\n"
	"kernel/drivers/virtio/virtio_ring.ko:\n"
	"kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko "
	"kernel/drivers/virtio/virtio_ring.ko\n";

static const char sample_builtin[] =
	"kernel/fs/ext4/ext4.ko\n"
	"kernel/drivers/block/loop.ko\n";

static void test_parse_table(void **state)
{
	static const struct {
		const char *text;
		int want;
		size_t modules;
		size_t len;		/* 0: strlen(text) */
	} cases[] = {
		{ "", 0, 0, 0 },
		{ "\n\n  \n# comment\n", 0, 0, 0 },
		{ "a.ko:\n", 0, 1, 0 },
		{ "a.ko:", 0, 1, 0 },
		{ "a.ko: b.ko\nb.ko:\n", 0, 2, 0 },
		{ "a.ko:\tb.ko  c.ko \nb.ko:\nc.ko:\n", 0, 3, 0 },
		{ "x/a.ko.xz:\nx/b.ko.zst:\nx/c.ko.gz:\n", 0, 3, 0 },
		{ "a.ko\n", -OCIBOOT_EMALFORMED, 0, 0 },	/* no colon */
		{ ":\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "/abs/a.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "../a.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "x/../a.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "x//a.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "a.o:\n", -OCIBOOT_EMALFORMED, 0, 0 },	/* not .ko */
		{ ".ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },	/* no name */
		{ "a b.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ " a.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "a.ko:\r\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "a.ko: b.o\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "a.ko: /b.ko\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "a.ko: b.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "a.ko:\na.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 }, /* twice */
		{ "x/\xc3\xa9.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },
		{ "a\0.ko:\n", -OCIBOOT_EMALFORMED, 0, 7 },
		{ "a23456789012345678901234567890123456789012345678901234"
		  "5.ko:\n", 0, 1, 0 },			/* 55-byte name */
		{ "a23456789012345678901234567890123456789012345678901234"
		  "56.ko:\n", -OCIBOOT_EMALFORMED, 0, 0 },	/* 56 bytes */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct moddep md = { 0 };
		size_t len = cases[i].len ? cases[i].len :
			     strlen(cases[i].text);
		int r;

		r = moddep_parse(&md, cases[i].text, len, NULL, 0);
		if (r != cases[i].want)
			fail_msg("case %zu (%s): got %d, want %d", i,
				 cases[i].text, r, cases[i].want);
		if (r == 0)
			assert_int_equal(md.count, cases[i].modules);
		else
			assert_null(md.modules);
		moddep_free(&md);
	}
}

static void test_caps(void **state)
{
	size_t n = MODDEP_DEPS_MAX + 1, len = 0;
	char *text = malloc(16 + n * 16), *line;
	struct moddep md;

	len += (size_t)sprintf(text, "a.ko:");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, " d%zu.ko", i);
	text[len++] = '\n';
	assert_int_equal(moddep_parse(&md, text, len, NULL, 0),
			 -OCIBOOT_ETOOBIG);
	free(text);

	line = malloc(MODDEP_LINE_MAX + 8);
	memset(line, ' ', MODDEP_LINE_MAX + 8);
	memcpy(line, "a.ko:", 5);
	line[MODDEP_LINE_MAX + 1] = '\n';
	assert_int_equal(moddep_parse(&md, line, MODDEP_LINE_MAX + 2, NULL, 0),
			 -OCIBOOT_ETOOBIG);
	line[MODDEP_LINE_MAX] = '\n';	/* exactly LINE_MAX before it */
	assert_int_equal(moddep_parse(&md, line, MODDEP_LINE_MAX + 1, NULL, 0),
			 0);
	moddep_free(&md);
	free(line);
	assert_int_equal(moddep_parse(&md, "", MODDEP_FILE_MAX + 1, NULL, 0),
			 -OCIBOOT_ETOOBIG);
}

static void parse_sample(struct moddep *md)
{
	assert_int_equal(moddep_parse(md, sample_dep, strlen(sample_dep),
				      sample_builtin, strlen(sample_builtin)),
			 0);
	assert_int_equal(md->loadable, 11);
	assert_int_equal(md->count, 13);
}

static void expect_order(const struct moddep *md, const char *const *names,
			 size_t count, const char *const *want,
			 size_t want_count)
{
	size_t order[32], len = 99;
	const char *culprit = NULL;

	assert_int_equal(moddep_resolve(md, names, count, order,
					ARRAY_SIZE(order), &len, &culprit), 0);
	assert_int_equal(len, want_count);
	for (size_t i = 0; i < len; i++)
		assert_string_equal(md->modules[order[i]].path, want[i]);
}

static void test_resolve_order(void **state)
{
	static const char *const names[] = {
		"dm-verity", "overlay", "loop", "virtio_blk.ko", "virtio-net",
	};
	/* modprobe --show-depends order for each, duplicates dropped. */
	static const char *const want[] = {
		"kernel/lib/reed_solomon/reed_solomon.ko",
		"kernel/drivers/md/dm-mod.ko",
		"kernel/drivers/md/dm-bufio.ko",
		"kernel/drivers/md/dm-verity.ko",
		"kernel/fs/overlayfs/overlay.ko",
		"kernel/drivers/virtio/virtio_ring.ko",
		"kernel/drivers/virtio/virtio.ko",
		"kernel/drivers/block/virtio_blk.ko",
		"kernel/net/core/failover.ko",
		"kernel/drivers/net/net_failover.ko",
		"kernel/drivers/net/virtio_net.ko",
	};
	struct moddep md;

	parse_sample(&md);
	expect_order(&md, names, ARRAY_SIZE(names), want, ARRAY_SIZE(want));
	moddep_free(&md);
}

static void test_resolve_names(void **state)
{
	static const char *const dm[] = { "kernel/drivers/md/dm-mod.ko" };
	static const char *const spellings[] = {
		"dm-mod", "dm_mod", "dm-mod.ko", "dm_mod.ko",
	};
	static const char *const twice[] = { "dm_mod", "dm-mod" };
	static const char *const builtin[] = { "ext4", "loop" };
	struct moddep md;

	parse_sample(&md);
	for (size_t i = 0; i < ARRAY_SIZE(spellings); i++)
		expect_order(&md, &spellings[i], 1, dm, 1);
	expect_order(&md, twice, 2, dm, 1);
	expect_order(&md, builtin, 2, NULL, 0);
	assert_int_equal(moddep_find(&md, "no_such"), -ENOENT);
	assert_int_equal(moddep_find(&md, "x/dm-mod"), -EINVAL);
	assert_int_equal(moddep_find(&md, ""), -EINVAL);
	assert_int_equal(moddep_find(&md, ".ko"), -ENOENT);
	moddep_free(&md);
}

static void expect_failure(const char *text, const char *name, int want,
			   const char *want_culprit, size_t order_max)
{
	size_t order[MODDEP_DEPTH_MAX + 8], len = 0;
	const char *culprit = NULL;
	struct moddep md;

	assert_int_equal(moddep_parse(&md, text, strlen(text), NULL, 0), 0);
	assert_int_equal(moddep_resolve(&md, &name, 1, order, order_max,
					&len, &culprit), want);
	assert_non_null(culprit);
	assert_string_equal(culprit, want_culprit);
	moddep_free(&md);
}

static void test_resolve_failures(void **state)
{
	char *chain;
	size_t len = 0;

	expect_failure("a.ko:\n", "b", -ENOENT, "b", 8);
	expect_failure("a.ko: gone.ko\n", "a", -ENOENT, "gone.ko", 8);
	expect_failure("a.ko: b.ko\nb.ko: a.ko\n", "a", -ELOOP, "a.ko", 8);
	expect_failure("a.ko: a.ko\n", "a", -ELOOP, "a.ko", 8);
	expect_failure("a.ko: b.ko\nb.ko: c.ko\nc.ko: b.ko\n", "a", -ELOOP,
		       "b.ko", 8);
	expect_failure("a.ko: b.ko\nb.ko:\n", "a", -OCIBOOT_ETOOBIG, "b.ko",
		       0);
	expect_failure("a.ko:\n", "a/b", -EINVAL, "a/b", 8);

	/* A chain one deeper than the walk allows. */
	chain = malloc(64 * (MODDEP_DEPTH_MAX + 2));
	for (int i = 0; i <= MODDEP_DEPTH_MAX; i++)
		len += (size_t)sprintf(chain + len, "m%d.ko: m%d.ko\n", i,
				       i + 1);
	len += (size_t)sprintf(chain + len, "m%d.ko:\n", MODDEP_DEPTH_MAX + 1);
	expect_failure(chain, "m0", -OCIBOOT_ETOOBIG, "m64.ko",
		       MODDEP_DEPTH_MAX + 8);
	free(chain);
}

/* Every prefix of a valid file parses or fails cleanly (ASan watches). */
static void test_truncation(void **state)
{
	static const char *const names[] = { "dm-verity", "virtio_net" };
	size_t len = strlen(sample_dep), ok = 0;

	for (size_t cut = 0; cut <= len; cut++) {
		char *copy = malloc(cut ? cut : 1);
		size_t order[32], n;
		struct moddep md;
		int r;

		memcpy(copy, sample_dep, cut);
		r = moddep_parse(&md, copy, cut, NULL, 0);
		if (r == 0) {
			ok++;
			r = moddep_resolve(&md, names, 2, order, 32, &n,
					   NULL);
			assert_true(r == 0 || r == -ENOENT);
			moddep_free(&md);
		} else {
			assert_int_equal(r, -OCIBOOT_EMALFORMED);
		}
		free(copy);
	}
	assert_true(ok > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_resolve_order),
		cmocka_unit_test(test_resolve_names),
		cmocka_unit_test(test_resolve_failures),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
