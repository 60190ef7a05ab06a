/* SPDX-License-Identifier: MIT */
/*
 * Tests of fs/dm.c. The host has no device-mapper, so the ioctl side runs
 * against a model of the kernel's dm-ioctl.c written here from its
 * description: ioctl() and open() of the code under test are wrapped
 * (-Wl,--wrap) and answered by that model, which checks each request the
 * way the kernel does (copy_params, populate_table / next_target) and
 * answers status requests the way retrieve_status() lays them out. The
 * pure parts get tables: name and uuid rules, the table-load layout for
 * every parameter length residue, the status parser (valid replies,
 * malformed ones, truncation at every offset) and dev_t decoding against
 * the kernel's encoding.
 *
 * With the argument "requests" it is the driver of fs/dm_test.sh: the
 * model is bypassed, /dev/null stands in for the control node, and the
 * requests of a dm-verity setup go to the real ioctl() (failing with
 * ENOTTY) for strace to decode them -- an independent reader of the
 * dm-ioctl layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs/dm.h"
#include "fs/verity.h"
#include "lib/util.h"

#define HDR sizeof(struct dm_ioctl)
#define SPEC sizeof(struct dm_target_spec)

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* --- a model of the kernel side ------------------------------------------- */

#define FAKE_DEVICES 4
#define FAKE_MINOR_BASE 300	/* > 255: exercises the dev_t encoding */
#define FAKE_MAJOR 253

struct fake_table {
	bool present;
	bool read_only;
	uint64_t start, length;
	char type[DM_MAX_TYPE_NAME];
	char params[2 * VERITY_TABLE_MAX];
};

struct fake_device {
	bool used;
	char name[DM_NAME_LEN];
	char uuid[DM_UUID_LEN];
	unsigned int minor;
	struct fake_table live, inactive;
	bool disk_ro;
};

static struct fake {
	int control_fd;			/* what the wrapped open() returned */
	uint32_t kernel_version[3];
	struct fake_device dev[FAKE_DEVICES];
	unsigned int next_minor;
	unsigned long fail_cmd;		/* answer this request with ... */
	int fail_errno;			/* ... this error */
	const char *status_text;	/* verity status to report */
	bool ignore_read_only;		/* resume leaves the disk writable */
	bool report_other_type;		/* status names another target */
	unsigned int calls[32];		/* per command number */
	unsigned int removes;
	bool passthrough;		/* /dev/null and the real ioctl() */
} fake;

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.control_fd = -1;
	fake.kernel_version[0] = 4;
	fake.kernel_version[1] = 47;
	fake.status_text = "V";
}

/* The kernel's huge_encode_dev() of MKDEV(major, minor). */
static uint64_t kernel_encode_dev(unsigned int major, unsigned int minor)
{
	return (minor & 0xff) | ((uint64_t)major << 8) |
	       ((uint64_t)(minor & ~0xffu) << 12);
}

static bool kernel_str_ok(const char *s, size_t max)
{
	return memchr(s, '\0', max) != NULL;
}

static struct fake_device *fake_find(const struct dm_ioctl *h)
{
	for (size_t i = 0; i < FAKE_DEVICES; i++)
		if (fake.dev[i].used && streq(fake.dev[i].name, h->name))
			return &fake.dev[i];
	return NULL;
}

/* populate_table() and next_target(): returns 0 or -errno. */
static int kernel_populate(const uint8_t *param, size_t param_size,
			   struct fake_table *t)
{
	const struct dm_ioctl *h = (const void *)param;
	const uint8_t *end = param + param_size, *spec, *params, *nul;
	struct dm_target_spec s;

	if (h->target_count != 1)
		return -EINVAL;	/* more than this model keeps */
	/* The first spec: data_start bytes from the header, past it. */
	if (h->data_start < HDR)
		return -EINVAL;
	spec = param + h->data_start;
	if (((uintptr_t)spec) & 7)
		return -EINVAL;
	if (spec + SPEC > end)
		return -EINVAL;
	params = spec + SPEC;
	nul = memchr(params, '\0', (size_t)(end - params));
	if (!nul)
		return -EINVAL;
	memcpy(&s, spec, SPEC);
	if (!kernel_str_ok(s.target_type, DM_MAX_TYPE_NAME))
		return -EINVAL;
	if ((size_t)(nul - params) >= sizeof(t->params))
		return -EINVAL;
	t->present = true;
	t->read_only = h->flags & DM_READONLY_FLAG;
	t->start = s.sector_start;
	t->length = s.length;
	snprintf(t->type, sizeof(t->type), "%s", s.target_type);
	memcpy(t->params, params, (size_t)(nul - params) + 1);
	if (t->start != 0 || t->length == 0)
		return -EINVAL;
	return 0;
}

/* __dev_status(). */
static void kernel_dev_status(struct fake_device *d, struct dm_ioctl *h)
{
	h->flags &= ~(DM_SUSPEND_FLAG | DM_READONLY_FLAG |
		      DM_ACTIVE_PRESENT_FLAG | DM_INACTIVE_PRESENT_FLAG);
	h->dev = kernel_encode_dev(FAKE_MAJOR, d->minor);
	h->target_count = 0;
	if (d->live.present) {
		if (d->disk_ro)
			h->flags |= DM_READONLY_FLAG;
		h->target_count = 1;
		h->flags |= DM_ACTIVE_PRESENT_FLAG;
	}
	if (d->inactive.present)
		h->flags |= DM_INACTIVE_PRESENT_FLAG;
}

/* retrieve_status() for one target, into the caller's buffer. */
static void kernel_retrieve_status(struct fake_device *d, uint8_t *param,
				   size_t param_size)
{
	struct dm_ioctl *h = (void *)param;
	size_t data_start = align8(HDR);
	uint8_t *outbuf = param + data_start, *outptr = outbuf;
	size_t len = param_size - data_start, used = 0, remaining, l;
	struct dm_target_spec spec;

	h->data_start = (uint32_t)data_start;
	if (!d->live.present)
		return;
	remaining = len;
	if (remaining <= SPEC) {
		h->flags |= DM_BUFFER_FULL_FLAG;
		return;
	}
	memset(&spec, 0, sizeof(spec));
	spec.sector_start = d->live.start;
	spec.length = d->live.length;
	snprintf(spec.target_type, sizeof(spec.target_type), "%s",
		 fake.report_other_type ? "linear" : d->live.type);
	outptr += SPEC;
	remaining = len - (size_t)(outptr - outbuf);
	snprintf((char *)outptr, remaining, "%s", fake.status_text);
	l = strlen((char *)outptr) + 1;
	if (l == remaining) {
		h->flags |= DM_BUFFER_FULL_FLAG;
		return;
	}
	outptr += l;
	used = data_start + (size_t)(outptr - outbuf);
	outptr = outbuf + align8((size_t)(outptr - outbuf));
	spec.next = (uint32_t)(outptr - outbuf);
	memcpy(outbuf, &spec, SPEC);
	h->data_size = (uint32_t)used;
	h->target_count = 1;
}

static int fake_create(struct dm_ioctl *h)
{
	struct fake_device *d = NULL;

	if (!kernel_str_ok(h->name, DM_NAME_LEN) || !h->name[0] ||
	    strchr(h->name, '/') || !kernel_str_ok(h->uuid, DM_UUID_LEN))
		return -EINVAL;
	for (size_t i = 0; i < FAKE_DEVICES; i++) {
		if (!fake.dev[i].used)
			continue;
		if (streq(fake.dev[i].name, h->name) ||
		    (h->uuid[0] && streq(fake.dev[i].uuid, h->uuid)))
			return -EBUSY;
	}
	for (size_t i = 0; i < FAKE_DEVICES && !d; i++)
		if (!fake.dev[i].used)
			d = &fake.dev[i];
	if (!d)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	d->used = true;
	memcpy(d->name, h->name, DM_NAME_LEN);
	memcpy(d->uuid, h->uuid, DM_UUID_LEN);
	d->minor = FAKE_MINOR_BASE + fake.next_minor++;
	kernel_dev_status(d, h);
	return 0;
}

static int fake_command(unsigned int cmd, uint8_t *param)
{
	struct dm_ioctl *h = (void *)param;
	struct fake_device *d;
	size_t size = h->data_size;
	int err;

	if (cmd == DM_VERSION_CMD) {
		memcpy(h->version, fake.kernel_version, sizeof(h->version));
		return 0;
	}
	if (cmd == DM_DEV_CREATE_CMD)
		return fake_create(h);
	if (!kernel_str_ok(h->name, DM_NAME_LEN))
		return -EINVAL;
	d = fake_find(h);
	if (!d)
		return -ENXIO;
	switch (cmd) {
	case DM_TABLE_LOAD_CMD:
		err = kernel_populate(param, size, &d->inactive);
		if (err < 0)
			memset(&d->inactive, 0, sizeof(d->inactive));
		else
			kernel_dev_status(d, h);
		return err;
	case DM_DEV_SUSPEND_CMD:
		if (h->flags & DM_SUSPEND_FLAG)
			return -EINVAL;	/* not modelled */
		if (d->inactive.present) {
			d->live = d->inactive;
			memset(&d->inactive, 0, sizeof(d->inactive));
			d->disk_ro = d->live.read_only &&
				     !fake.ignore_read_only;
		}
		kernel_dev_status(d, h);
		return 0;
	case DM_TABLE_STATUS_CMD:
		kernel_dev_status(d, h);
		kernel_retrieve_status(d, param, size);
		return 0;
	case DM_DEV_REMOVE_CMD:
		fake.removes++;
		memset(d, 0, sizeof(*d));
		return 0;
	}
	return -ENOTTY;
}

int __real_open(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_open(const char *path, int flags, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (streq(path, DM_CONTROL_PATH) && fake.passthrough)
		return __real_open("/dev/null", flags);
	if (streq(path, DM_CONTROL_PATH)) {
		assert_true(flags & O_CLOEXEC);
		fake.control_fd = __real_open("/dev/null", flags);
		return fake.control_fd;
	}
	return __real_open(path, flags, mode);
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	struct dm_ioctl *h;
	unsigned int cmd;
	va_list ap;
	int err;

	va_start(ap, request);
	h = va_arg(ap, struct dm_ioctl *);
	va_end(ap);
	if (fake.passthrough)
		return __real_ioctl(fd, request, h);
	assert_int_equal(fd, fake.control_fd);
	assert_int_equal(_IOC_TYPE(request), DM_IOCTL);
	assert_int_equal(_IOC_SIZE(request), sizeof(struct dm_ioctl));
	cmd = _IOC_NR(request);
	assert_true(cmd < ARRAY_SIZE(fake.calls));
	fake.calls[cmd]++;

	/* copy_params() and check_version(). */
	assert_int_equal((uintptr_t)h % 8, 0);
	if (h->data_size < HDR || h->version[0] != 4 ||
	    h->version[1] > fake.kernel_version[1]) {
		errno = EINVAL;
		return -1;
	}
	if (fake.fail_cmd == request) {
		errno = fake.fail_errno;
		return -1;
	}
	err = fake_command(cmd, (uint8_t *)h);
	if (err < 0) {
		errno = -err;
		return -1;
	}
	return 0;
}

/* --- names and uuids ------------------------------------------------------ */

struct name_case {
	const char *name;
	int name_err;
	int uuid_err;
};

static char name127[128], name128[129];

static void long_names(void)
{
	memset(name127, 'n', 127);
	name127[127] = '\0';
	memset(name128, 'n', 128);
	name128[128] = '\0';
}

static void test_names(void **state)
{
	const struct name_case cases[] = {
		{ "a", 0, 0 },
		{ "ociboot-layer-0", 0, 0 },
		{ "a.b_c+d:e@f", 0, 0 },
		{ name127, 0, 0 },
		{ name128, -ENAMETOOLONG, 0 },
		{ "", -EINVAL, -EINVAL },
		{ ".", -EINVAL, 0 },
		{ "..", -EINVAL, 0 },
		{ "...", 0, 0 },
		{ "a/b", -EINVAL, 0 },
		{ "/", -EINVAL, 0 },
		{ "a b", -EINVAL, -EINVAL },
		{ "a\tb", -EINVAL, -EINVAL },
		{ "a\nb", -EINVAL, -EINVAL },
		{ "\x7f", -EINVAL, -EINVAL },
		{ "caf\xc3\xa9", -EINVAL, -EINVAL },
	};

	long_names();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_int_equal(dm_name_check(cases[i].name),
				 cases[i].name_err);
		assert_int_equal(dm_uuid_check(cases[i].name),
				 cases[i].uuid_err);
	}
	/* uuids go to DM_UUID_LEN - 1. */
	char uuid[DM_UUID_LEN + 1];

	memset(uuid, 'u', sizeof(uuid));
	uuid[DM_UUID_LEN - 1] = '\0';
	assert_int_equal(dm_uuid_check(uuid), 0);
	uuid[DM_UUID_LEN - 1] = 'u';
	uuid[DM_UUID_LEN] = '\0';
	assert_int_equal(dm_uuid_check(uuid), -ENAMETOOLONG);
}

/* --- request headers ------------------------------------------------------ */

static uint64_t buf[DM_IOCTL_BUFFER_SIZE / 8];

static void test_ioctl_init(void **state)
{
	struct dm_ioctl *h = (void *)buf;

	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(dm_ioctl_init(buf, HDR, "layer0", "U-1", 0x11), 0);
	assert_int_equal(h->version[0], 4);
	assert_int_equal(h->version[1], 0);
	assert_int_equal(h->version[2], 0);
	assert_int_equal(h->data_size, HDR);
	assert_int_equal(h->data_start, HDR);
	assert_int_equal(h->flags, 0x11);
	assert_int_equal(h->target_count, 0);
	assert_int_equal(h->dev, 0);
	assert_string_equal(h->name, "layer0");
	assert_string_equal(h->uuid, "U-1");
	for (size_t i = strlen("layer0"); i < DM_NAME_LEN; i++)
		assert_int_equal(h->name[i], 0);
	/* Past the header: untouched. */
	assert_int_equal(((uint8_t *)buf)[HDR], 0xaa);

	assert_int_equal(dm_ioctl_init(buf, sizeof(buf), NULL, NULL, 0), 0);
	assert_int_equal(h->data_size, sizeof(buf));
	assert_int_equal(h->name[0], 0);
	assert_int_equal(((uint8_t *)buf)[sizeof(buf) - 1], 0);

	/* Failures leave the buffer alone. */
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(dm_ioctl_init(buf, HDR - 1, "x", NULL, 0), -EINVAL);
	assert_int_equal(dm_ioctl_init((uint8_t *)buf + 4, HDR, "x", NULL, 0),
			 -EINVAL);
	assert_int_equal(dm_ioctl_init(buf, HDR, "a/b", NULL, 0), -EINVAL);
	assert_int_equal(dm_ioctl_init(buf, HDR, "x", "a b", 0), -EINVAL);
	long_names();
	assert_int_equal(dm_ioctl_init(buf, HDR, name128, NULL, 0),
			 -ENAMETOOLONG);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(((uint8_t *)buf)[i], 0xaa);
}

/* --- table loads ---------------------------------------------------------- */

/* Check a built table load the way the kernel will, and its exact layout. */
static void check_table_load(const uint8_t *b, int r, const char *name,
			     const struct dm_target *t, uint32_t flags)
{
	const struct dm_ioctl *h = (const void *)b;
	struct dm_target_spec spec;
	size_t plen = strlen(t->params);
	size_t want = align8(HDR + SPEC + plen + 1);
	struct fake_table ft;

	assert_int_equal(r, (int)want);
	assert_int_equal(h->data_size, want);
	assert_int_equal(h->data_start, HDR);
	assert_int_equal(h->target_count, 1);
	assert_int_equal(h->flags, flags);
	assert_int_equal(h->version[0], 4);
	assert_string_equal(h->name, name);
	memcpy(&spec, b + HDR, SPEC);
	assert_int_equal(spec.sector_start, t->start);
	assert_int_equal(spec.length, t->length);
	assert_int_equal(spec.status, 0);
	assert_int_equal(spec.next, want - HDR);
	assert_string_equal(spec.target_type, t->type);
	assert_memory_equal(b + HDR + SPEC, t->params, plen);
	/* NUL and zero padding up to data_size. */
	for (size_t i = HDR + SPEC + plen; i < want; i++)
		assert_int_equal(b[i], 0);

	memset(&ft, 0, sizeof(ft));
	if (t->start == 0) {
		assert_int_equal(kernel_populate(b, h->data_size, &ft), 0);
		assert_string_equal(ft.params, t->params);
		assert_string_equal(ft.type, t->type);
		assert_int_equal(ft.read_only, !!(flags & DM_READONLY_FLAG));
	}
}

static void test_table_load_lengths(void **state)
{
	static char params[VERITY_TABLE_MAX + 16];

	/* Every residue of the parameter length mod 8, and long ones. */
	for (size_t len = 1; len < sizeof(params); len += (len < 40 ? 1 : 37)) {
		struct dm_target t = { 0, 8 + len, "verity", params };
		int r;

		for (size_t i = 0; i < len; i++)
			params[i] = (char)('a' + i % 26);
		params[len] = '\0';
		memset(buf, 0xaa, sizeof(buf));
		r = dm_table_load_build(buf, sizeof(buf), "layer", &t,
					DM_READONLY_FLAG);
		check_table_load((const uint8_t *)buf, r, "layer", &t,
				 DM_READONLY_FLAG);
	}
}

static void test_table_load_fit(void **state)
{
	struct dm_target t = { 0, 16, "verity", "1 7:0 7:0 4096" };
	size_t need = align8(HDR + SPEC + strlen(t.params) + 1);
	int r;

	memset(buf, 0xaa, sizeof(buf));
	r = dm_table_load_build(buf, need - 1, "x", &t, 0);
	assert_int_equal(r, -ENOSPC);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(((uint8_t *)buf)[i], 0xaa);
	r = dm_table_load_build(buf, need, "x", &t, 0);
	check_table_load((const uint8_t *)buf, r, "x", &t, 0);
	/* Nothing written past data_size. */
	for (size_t i = need; i < sizeof(buf); i++)
		assert_int_equal(((uint8_t *)buf)[i], 0xaa);
}

static void test_table_load_invalid(void **state)
{
	const struct {
		const char *name;
		struct dm_target t;
	} cases[] = {
		{ "", { 0, 8, "verity", "p" } },
		{ "a/b", { 0, 8, "verity", "p" } },
		{ "x", { 0, 0, "verity", "p" } },
		{ "x", { UINT64_MAX, 1, "verity", "p" } },
		{ "x", { 0, 8, "", "p" } },
		{ "x", { 0, 8, "ver ity", "p" } },
		{ "x", { 0, 8, "0123456789abcdef", "p" } },
		{ "x", { 0, 8, "verity", "" } },
		{ "x", { 0, 8, "verity", "a\nb" } },
		{ "x", { 0, 8, "verity", "a\x80" } },
	};

	memset(buf, 0xaa, sizeof(buf));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(dm_table_load_build(buf, sizeof(buf),
						     cases[i].name,
						     &cases[i].t, 0),
				 -EINVAL);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(((uint8_t *)buf)[i], 0xaa);
	/* The longest type name fits. */
	struct dm_target ok = { 0, 8, "0123456789abcde", "p" };

	assert_true(dm_table_load_build(buf, sizeof(buf), "x", &ok, 0) > 0);
}

/* --- status replies ------------------------------------------------------- */

struct reply_target {
	uint64_t start, length;
	const char *type;
	const char *text;
};

/*
 * Lay out a reply as retrieve_status() does for any number of targets:
 * each spec at an 8-aligned offset from data_start, next relative to the
 * first spec, data_size just past the last text's NUL.
 */
static size_t make_reply(uint8_t *b, size_t size,
			 const struct reply_target *t, size_t n)
{
	struct dm_ioctl h;
	size_t off = 0, used = HDR;

	memset(b, 0, size);
	memset(&h, 0, sizeof(h));
	h.version[0] = 4;
	h.version[1] = 47;
	h.data_start = HDR;
	h.target_count = (uint32_t)n;
	h.flags = DM_ACTIVE_PRESENT_FLAG;
	for (size_t i = 0; i < n; i++) {
		struct dm_target_spec spec;
		size_t l = strlen(t[i].text) + 1;

		memset(&spec, 0, sizeof(spec));
		spec.sector_start = t[i].start;
		spec.length = t[i].length;
		snprintf(spec.target_type, sizeof(spec.target_type), "%s",
			 t[i].type);
		assert_true(HDR + off + SPEC + l <= size);
		memcpy(b + HDR + off + SPEC, t[i].text, l);
		used = HDR + off + SPEC + l;
		spec.next = (uint32_t)align8(off + SPEC + l);
		memcpy(b + HDR + off, &spec, SPEC);
		off = spec.next;
	}
	h.data_size = (uint32_t)used;
	memcpy(b, &h, HDR);
	return used;
}

static uint8_t reply[4096] __attribute__((aligned(8)));

static void test_status_valid(void **state)
{
	const struct reply_target one[] = { { 0, 2048, "verity", "V" } };
	const struct reply_target fec[] = { { 0, 8, "verity", "C 12" } };
	const struct reply_target two[] = {
		{ 0, 100, "linear", "" },
		{ 100, 50, "verity", "V -" },
	};
	const struct {
		const struct reply_target *t;
		size_t n;
	} cases[] = {
		{ one, 1 }, { fec, 1 }, { two, 2 }, { NULL, 0 },
	};
	struct dm_target_status out[4];

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		size_t n = cases[c].n;

		make_reply(reply, sizeof(reply), cases[c].t, n);
		memset(out, 0x55, sizeof(out));
		assert_int_equal(dm_status_parse(reply, sizeof(reply), out, 4),
				 (int)n);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(out[i].start, cases[c].t[i].start);
			assert_int_equal(out[i].length, cases[c].t[i].length);
			assert_string_equal(out[i].type, cases[c].t[i].type);
			assert_string_equal(out[i].text, cases[c].t[i].text);
		}
		/* Too small an array: over the cap, nothing written. */
		if (n > 0) {
			memset(out, 0x55, sizeof(out));
			assert_int_equal(dm_status_parse(reply, sizeof(reply),
							 out, n - 1),
					 -OCIBOOT_ETOOBIG);
			assert_int_equal(((uint8_t *)out)[0], 0x55);
		}
	}
}

/* Every prefix of a valid reply is refused (its data_size says more). */
static void test_status_truncated(void **state)
{
	const struct reply_target two[] = {
		{ 0, 100, "linear", "8:1 0" },
		{ 100, 50, "verity", "V" },
	};
	struct dm_target_status out[2];
	size_t used = make_reply(reply, sizeof(reply), two, 2);

	for (size_t len = 0; len < used; len++) {
		uint8_t *copy = malloc(len ? len : 1);

		assert_non_null(copy);
		memcpy(copy, reply, len);
		memset(out, 0x55, sizeof(out));
		assert_true(dm_status_parse(copy, len, out, 2) < 0);
		assert_int_equal(((uint8_t *)out)[0], 0x55);
		free(copy);
	}
	assert_int_equal(dm_status_parse(reply, used, out, 2), 2);
}

/* Mutations of a valid two-target reply. */
enum mutation {
	M_BUFFER_FULL,
	M_DATA_START_SMALL,
	M_DATA_START_ODD,
	M_DATA_START_PAST_SIZE,
	M_DATA_SIZE_PAST_LEN,
	M_TYPE_UNTERMINATED,
	M_TEXT_UNTERMINATED,
	M_NEXT_SELF,
	M_NEXT_WRAP,
	M_NEXT_INTO_TEXT,
	M_NEXT_ODD,
	M_NEXT_PAST_END,
	M_COUNT_MORE,
};

static const struct {
	enum mutation m;
	int err;
} mutations[] = {
	{ M_BUFFER_FULL, -OCIBOOT_ETOOBIG },
	{ M_DATA_START_SMALL, -OCIBOOT_EMALFORMED },
	{ M_DATA_START_ODD, -OCIBOOT_EMALFORMED },
	{ M_DATA_START_PAST_SIZE, -OCIBOOT_EMALFORMED },
	{ M_DATA_SIZE_PAST_LEN, -OCIBOOT_EMALFORMED },
	{ M_TYPE_UNTERMINATED, -OCIBOOT_EMALFORMED },
	{ M_TEXT_UNTERMINATED, -OCIBOOT_EMALFORMED },
	{ M_NEXT_SELF, -OCIBOOT_EMALFORMED },
	{ M_NEXT_WRAP, -OCIBOOT_EMALFORMED },
	{ M_NEXT_INTO_TEXT, -OCIBOOT_EMALFORMED },
	{ M_NEXT_ODD, -OCIBOOT_EMALFORMED },
	{ M_NEXT_PAST_END, -OCIBOOT_EMALFORMED },
	{ M_COUNT_MORE, -OCIBOOT_EMALFORMED },
};

static void mutate(uint8_t *b, enum mutation m)
{
	struct dm_ioctl h;
	struct dm_target_spec s;

	memcpy(&h, b, HDR);
	memcpy(&s, b + HDR, SPEC);
	switch (m) {
	case M_BUFFER_FULL:
		h.flags |= DM_BUFFER_FULL_FLAG;
		break;
	case M_DATA_START_SMALL:
		h.data_start = HDR - 8;
		break;
	case M_DATA_START_ODD:
		h.data_start = HDR + 4;
		break;
	case M_DATA_START_PAST_SIZE:
		h.data_start = h.data_size + 8;
		break;
	case M_DATA_SIZE_PAST_LEN:
		h.data_size = sizeof(reply) + 1;
		break;
	case M_TYPE_UNTERMINATED:
		memset(s.target_type, 'x', sizeof(s.target_type));
		break;
	case M_TEXT_UNTERMINATED:
		/* The last text's NUL falls outside data_size. */
		h.data_size -= 1;
		break;
	case M_NEXT_SELF:
		s.next = 0;
		break;
	case M_NEXT_WRAP:
		s.next = UINT32_MAX - 7;
		break;
	case M_NEXT_INTO_TEXT:
		s.next = SPEC;
		break;
	case M_NEXT_ODD:
		s.next += 4;
		break;
	case M_NEXT_PAST_END:
		s.next = h.data_size;
		break;
	case M_COUNT_MORE:
		h.target_count = 3;
		break;
	}
	memcpy(b, &h, HDR);
	memcpy(b + HDR, &s, SPEC);
}

static void test_status_malformed(void **state)
{
	const struct reply_target two[] = {
		{ 0, 100, "linear", "8:1 0" },
		{ 100, 50, "verity", "V" },
	};
	struct dm_target_status out[4];

	for (size_t i = 0; i < ARRAY_SIZE(mutations); i++) {
		make_reply(reply, sizeof(reply), two, 2);
		mutate(reply, mutations[i].m);
		memset(out, 0x55, sizeof(out));
		assert_int_equal(dm_status_parse(reply, sizeof(reply), out, 4),
				 mutations[i].err);
		assert_int_equal(((uint8_t *)out)[0], 0x55);
	}
}

static void test_status_text_cap(void **state)
{
	static char text[DM_STATUS_TEXT_MAX + 1];
	struct reply_target t = { 0, 8, "verity", text };
	struct dm_target_status out;

	memset(text, 'V', DM_STATUS_TEXT_MAX - 1);
	text[DM_STATUS_TEXT_MAX - 1] = '\0';
	make_reply(reply, sizeof(reply), &t, 1);
	assert_int_equal(dm_status_parse(reply, sizeof(reply), &out, 1), 1);
	assert_int_equal(strlen(out.text), DM_STATUS_TEXT_MAX - 1);
	text[DM_STATUS_TEXT_MAX - 1] = 'V';
	make_reply(reply, sizeof(reply), &t, 1);
	assert_int_equal(dm_status_parse(reply, sizeof(reply), &out, 1),
			 -OCIBOOT_ETOOBIG);
}

static void test_verity_status(void **state)
{
	const struct {
		const char *text;
		int err;
		enum dm_verity_state state;
	} cases[] = {
		{ "V", 0, DM_VERITY_VERIFIED },
		{ "C", 0, DM_VERITY_CORRUPTED },
		{ "V -", 0, DM_VERITY_VERIFIED },
		{ "C 3", 0, DM_VERITY_CORRUPTED },
		{ "", -OCIBOOT_EMALFORMED, 0 },
		{ "v", -OCIBOOT_EMALFORMED, 0 },
		{ "VV", -OCIBOOT_EMALFORMED, 0 },
		{ "X", -OCIBOOT_EMALFORMED, 0 },
		{ " V", -OCIBOOT_EMALFORMED, 0 },
		{ "Verified", -OCIBOOT_EMALFORMED, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		enum dm_verity_state s = (enum dm_verity_state)99;

		assert_int_equal(dm_verity_status_parse(cases[i].text,
							strlen(cases[i].text),
							&s),
				 cases[i].err);
		if (cases[i].err == 0)
			assert_int_equal(s, cases[i].state);
		else
			assert_int_equal(s, 99);
	}
}

/* --- dev_t and names ------------------------------------------------------ */

static void test_decode_dev(void **state)
{
	const unsigned int majors[] = { 0, 1, 7, 253, 254, 255, 256, 4095 };
	const unsigned int minors[] = {
		0, 1, 255, 256, 300, 4095, 65535, 65536, (1u << 20) - 1,
	};

	for (size_t i = 0; i < ARRAY_SIZE(majors); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(minors); j++) {
			dev_t d = dm_decode_dev(kernel_encode_dev(majors[i],
								  minors[j]));

			assert_int_equal(major(d), majors[i]);
			assert_int_equal(minor(d), minors[j]);
		}
	}
	char path[DM_NODE_PATH_MAX];

	dm_node_path(makedev(253, 300), path);
	assert_string_equal(path, "/dev/dm-300");
	dm_node_path(makedev(253, (1u << 20) - 1), path);
	assert_string_equal(path, "/dev/dm-1048575");
}

static const uint8_t root_hash[32] = {
	0xd2, 0x47, 0x64, 0xc8, 0xc4, 0x45, 0xff, 0xf6,
	0x8e, 0xfd, 0xb6, 0xc4, 0xeb, 0xc5, 0x24, 0xf8,
	0xe6, 0xe2, 0x82, 0x1e, 0xe3, 0x1e, 0x06, 0x87,
	0x37, 0x30, 0x66, 0x0a, 0x3c, 0x8c, 0x39, 0xb6,
};

static void test_verity_uuid(void **state)
{
	char uuid[DM_UUID_LEN], name[DM_VERITY_NAME_MAX + 2];
	int n;

	n = dm_verity_uuid(uuid, sizeof(uuid), "layer-0", root_hash);
	assert_string_equal(uuid, "OCIBOOT-VERITY-d24764c8c445fff6-layer-0");
	assert_int_equal(n, strlen(uuid));
	assert_int_equal(dm_uuid_check(uuid), 0);

	memset(name, 'n', sizeof(name));
	name[DM_VERITY_NAME_MAX] = '\0';
	n = dm_verity_uuid(uuid, sizeof(uuid), name, root_hash);
	assert_int_equal(n, DM_UUID_LEN - 1);
	assert_int_equal(dm_uuid_check(uuid), 0);
	name[DM_VERITY_NAME_MAX] = 'n';
	name[DM_VERITY_NAME_MAX + 1] = '\0';
	assert_int_equal(dm_verity_uuid(uuid, sizeof(uuid), name, root_hash),
			 -ENAMETOOLONG);
	assert_int_equal(dm_verity_uuid(uuid, sizeof(uuid), "a/b", root_hash),
			 -EINVAL);
	assert_int_equal(dm_verity_uuid(uuid, 10, "x", root_hash), -ENOSPC);
}

/* --- the whole sequence against the model --------------------------------- */

static struct verity_superblock sample_sb(void)
{
	struct verity_superblock sb;

	memset(&sb, 0, sizeof(sb));
	sb.data_blocks = 130;
	sb.salt_len = 5;
	memcpy(sb.salt, "\x00\x11\x22\x33\x44", 5);
	return sb;
}

static struct dm_control dm;

static void open_fake(void)
{
	fake_reset();
	assert_int_equal(dm_open(&dm), 0);
	assert_int_equal(dm.fd, fake.control_fd);
	assert_int_equal(dm.version[0], 4);
	assert_int_equal(dm.version[1], 47);
}

static void test_open_version(void **state)
{
	open_fake();
	dm_close(&dm);
	assert_int_equal(dm.fd, -1);
	dm_close(&dm);

	fake_reset();
	fake.kernel_version[0] = 5;
	assert_int_equal(dm_open(&dm), -EPROTONOSUPPORT);
	assert_int_equal(dm.fd, -1);

	fake_reset();
	fake.fail_cmd = DM_VERSION;
	fake.fail_errno = ENOTTY;
	assert_int_equal(dm_open(&dm), -ENOTTY);
	assert_int_equal(dm.fd, -1);
}

static void test_verity_create(void **state)
{
	struct verity_superblock sb = sample_sb();
	char expect[VERITY_TABLE_MAX], path[DM_NODE_PATH_MAX];
	enum dm_verity_state st;
	dev_t devt = 0;

	open_fake();
	assert_int_equal(dm_verity_create(&dm, "layer-0", "7:0", "7:0", &sb,
					  root_hash, 0, &devt), 0);
	assert_int_equal(major(devt), FAKE_MAJOR);
	assert_int_equal(minor(devt), FAKE_MINOR_BASE);
	dm_node_path(devt, path);
	assert_string_equal(path, "/dev/dm-300");

	/* What the kernel got. */
	struct fake_device *d = &fake.dev[0];

	assert_true(d->used);
	assert_string_equal(d->name, "layer-0");
	assert_string_equal(d->uuid, "OCIBOOT-VERITY-d24764c8c445fff6-layer-0");
	assert_true(d->live.present);
	assert_true(d->live.read_only);
	assert_true(d->disk_ro);
	assert_string_equal(d->live.type, "verity");
	assert_int_equal(d->live.start, 0);
	assert_int_equal(d->live.length, 130 * 8);
	assert_true(verity_dm_table(expect, sizeof(expect), "7:0", "7:0", &sb,
				    root_hash, 0) > 0);
	assert_string_equal(d->live.params, expect);
	assert_int_equal(fake.calls[DM_DEV_CREATE_CMD], 1);
	assert_int_equal(fake.calls[DM_TABLE_LOAD_CMD], 1);
	assert_int_equal(fake.calls[DM_DEV_SUSPEND_CMD], 1);
	assert_int_equal(fake.calls[DM_TABLE_STATUS_CMD], 1);
	assert_int_equal(fake.removes, 0);

	assert_int_equal(dm_verity_state(&dm, "layer-0", &st), 0);
	assert_int_equal(st, DM_VERITY_VERIFIED);
	fake.status_text = "C -";
	assert_int_equal(dm_verity_state(&dm, "layer-0", &st), 0);
	assert_int_equal(st, DM_VERITY_CORRUPTED);

	/* The same name again: the kernel says EBUSY, nothing removed. */
	assert_int_equal(dm_verity_create(&dm, "layer-0", "7:0", "7:0", &sb,
					  root_hash, 0, &devt), -EBUSY);
	assert_int_equal(fake.removes, 0);
	assert_int_equal(dm_remove(&dm, "layer-0"), 0);
	assert_int_equal(dm_remove(&dm, "layer-0"), -ENXIO);
	dm_close(&dm);
}

/* Each failure after the create removes the device again. */
static void test_verity_create_failures(void **state)
{
	const struct {
		unsigned long fail_cmd;
		int fail_errno;
		const char *status;
		bool writable;
		bool other_type;
		int err;
		unsigned int removes;
	} cases[] = {
		{ DM_DEV_CREATE, ENOMEM, "V", false, false, -ENOMEM, 0 },
		{ DM_TABLE_LOAD, EINVAL, "V", false, false, -EINVAL, 1 },
		{ DM_DEV_SUSPEND, EIO, "V", false, false, -EIO, 1 },
		{ DM_TABLE_STATUS, ENXIO, "V", false, false, -ENXIO, 1 },
		{ 0, 0, "C", false, false, -OCIBOOT_EVERIFY, 1 },
		{ 0, 0, "Q", false, false, -OCIBOOT_EMALFORMED, 1 },
		{ 0, 0, "V", true, false, -EROFS, 1 },
		{ 0, 0, "V", false, true, -OCIBOOT_EPROTO, 1 },
	};
	struct verity_superblock sb = sample_sb();

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		dev_t devt = 12345;

		open_fake();
		fake.fail_cmd = cases[i].fail_cmd;
		fake.fail_errno = cases[i].fail_errno;
		fake.status_text = cases[i].status;
		fake.ignore_read_only = cases[i].writable;
		fake.report_other_type = cases[i].other_type;
		assert_int_equal(dm_verity_create(&dm, "l", "7:0", "7:0", &sb,
						  root_hash, 0, &devt),
				 cases[i].err);
		assert_int_equal(devt, 12345);
		assert_int_equal(fake.removes, cases[i].removes);
		for (size_t j = 0; j < FAKE_DEVICES; j++)
			assert_false(fake.dev[j].used);
		dm_close(&dm);
	}
}

/* Bad arguments fail before any ioctl. */
static void test_verity_create_arguments(void **state)
{
	struct verity_superblock sb = sample_sb();
	char name[DM_VERITY_NAME_MAX + 2];
	dev_t devt;

	open_fake();
	memset(name, 'n', sizeof(name));
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(dm_verity_create(&dm, name, "7:0", "7:0", &sb,
					  root_hash, 0, &devt),
			 -ENAMETOOLONG);
	assert_int_equal(dm_verity_create(&dm, "x", "7 0", "7:0", &sb,
					  root_hash, 0, &devt), -EINVAL);
	assert_int_equal(dm_verity_create(&dm, "x", "7:0", "7:0", &sb,
					  root_hash,
					  VERITY_TABLE_PANIC_ON_CORRUPTION |
					  VERITY_TABLE_RESTART_ON_CORRUPTION,
					  &devt), -EINVAL);
	sb.data_blocks = 0;
	assert_true(dm_verity_create(&dm, "x", "7:0", "7:0", &sb, root_hash, 0,
				     &devt) < 0);
	assert_int_equal(fake.calls[DM_DEV_CREATE_CMD], 0);
	dm_close(&dm);

	/* A closed control node. */
	assert_int_equal(dm_create(&dm, "x", NULL, &devt), -EBADF);
}

/* This host has no device-mapper: the real node is missing. */
static void test_node_wait(void **state)
{
	char path[DM_NODE_PATH_MAX] = "unchanged";
	struct stat st;

	if (stat("/dev/dm-60000", &st) == 0)
		skip();
	assert_int_equal(dm_node_wait(makedev(253, 60000), path, 30),
			 -OCIBOOT_ETIMEOUT);
	assert_string_equal(path, "unchanged");
}

/* --- the driver of fs/dm_test.sh ------------------------------------------ */

/*
 * Every request of a dm-verity setup, for strace to show: the create and
 * its uuid, the table load of the verity target for sample_sb() on 7:0,
 * the resume, the status and the remove. Each fails with ENOTTY.
 */
static int requests(void)
{
	struct verity_superblock sb = sample_sb();
	char params[VERITY_TABLE_MAX], uuid[DM_UUID_LEN];
	struct dm_target t = { 0, 0, "verity", params };
	struct dm_target_status st;
	dev_t devt;

	fake_reset();
	fake.passthrough = true;
	if (verity_dm_table(params, sizeof(params), "7:0", "7:0", &sb,
			    root_hash, VERITY_TABLE_PANIC_ON_CORRUPTION) < 0 ||
	    dm_verity_uuid(uuid, sizeof(uuid), "layer-0", root_hash) < 0)
		return 1;
	t.length = verity_dm_sectors(&sb);
	printf("open %d\n", dm_open(&dm));
	dm.fd = __real_open("/dev/null", O_RDWR | O_CLOEXEC);
	if (dm.fd < 0)
		return 1;
	printf("create %d\n", dm_create(&dm, "layer-0", uuid, &devt));
	printf("load %d\n", dm_load_table(&dm, "layer-0", &t, true));
	printf("resume %d\n", dm_resume(&dm, "layer-0", true));
	printf("status %d\n", dm_status(&dm, "layer-0", &st, 1));
	printf("remove %d\n", dm_remove(&dm, "layer-0"));
	dm_close(&dm);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ioctl_init),
		cmocka_unit_test(test_table_load_lengths),
		cmocka_unit_test(test_table_load_fit),
		cmocka_unit_test(test_table_load_invalid),
		cmocka_unit_test(test_status_valid),
		cmocka_unit_test(test_status_truncated),
		cmocka_unit_test(test_status_malformed),
		cmocka_unit_test(test_status_text_cap),
		cmocka_unit_test(test_verity_status),
		cmocka_unit_test(test_decode_dev),
		cmocka_unit_test(test_verity_uuid),
		cmocka_unit_test(test_open_version),
		cmocka_unit_test(test_verity_create),
		cmocka_unit_test(test_verity_create_failures),
		cmocka_unit_test(test_verity_create_arguments),
		cmocka_unit_test(test_node_wait),
	};

	if (argc == 2 && streq(argv[1], "requests"))
		return requests();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
