/* SPDX-License-Identifier: MIT */
/*
 * The services of the verified system (init/services.h): verified with
 * the rootfs, set up as the rootfs's layers are, and handed over with
 * the starter to the booted system.
 */
#include "init/services.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/boot.h"
#include "init/log.h"
#include "lib/fileio.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define DIR_MODE 0755
#define SELF_EXE "/proc/self/exe"


static void log_plan_line(void *ctx, const char *line)
{
	log_info("verify", "%s", line);
}

bool services_needed(const struct boot *b)
{
	return b->plan.manifest.service_count > 0;
}

int stage_services_verify(struct boot *b)
{
	struct error err;
	char msg[ERROR_LINE_MAX];
	int r;

	boot_doing(b, "%s: reading the services' images from the OCI layout",
		   b->store_device[0] ? b->store_device : VERIFIED_STORE_DIR);
	r = services_verify(&b->layout, &b->plan.manifest,
			    &b->verified.scratch,
			    &b->services_buffers.config, &b->services, &err);
	if (r < 0)
		return boot_failed(b, "verify: %s",
				   error_format(&err, msg, sizeof(msg)));
	services_plan_describe(&b->services, log_plan_line, NULL);
	if (b->services.count)
		log_info("verify", "%zu service image(s) verified",
			 b->services.count);
	return 0;
}

/* --- layers ---------------------------------------------------------- */

static void service_dir(const struct services_image *s,
			char dir[HANDOVER_DIR_MAX])
{
	handover_dir(s->name, dir);
}

static void service_layer_dir(const struct services_image *s, size_t i,
			      char dir[VERIFIED_SERVICE_LAYER_DIR_MAX])
{
	handover_layer_dir(s->name, i, dir);
}

static int setup_service_layers(struct boot *b, const struct services_image *s)
{
	char label[VERIFIED_LAYER_LABEL_MAX], name[SERVICES_DM_NAME_MAX];
	char dir[VERIFIED_SERVICE_LAYER_DIR_MAX];
	struct verified_layer v = { NULL, label, name, dir };

	for (size_t i = 0; i < s->layer_count; i++) {
		v.layer = &s->layers[i];
		snprintf(label, sizeof(label), "service %s layer %zu",
			 s->name, i);
		snprintf(name, sizeof(name), SERVICES_DM_NAME_PREFIX "%s-%zu",
			 s->name, i);
		service_layer_dir(s, i, dir);
		if (verified_layer_setup(b, "services", &v) < 0)
			return -1;
	}
	return 0;
}

/* --- hand-over ------------------------------------------------------- */

static int hand_over(struct boot *b, const char *dir, const char *file,
		     const void *data, size_t len)
{
	char path[HANDOVER_PATH_MAX];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = b->ops->write_new(AT_FDCWD, path, data, len, VERIFIED_FILE_MODE);
	if (r < 0)
		return boot_failed(b, "%s: %s", path, strerror(-r));
	return 0;
}

/* The image config, re-read by the digest the signed chain pins. */
static int hand_over_config(struct boot *b, const struct services_image *s,
			    const char *dir)
{
	const struct oci_descriptor *d = &s->config_descriptor;
	char *buf = b->services_buffers.config_blob;
	struct error lerr;
	int r;

	boot_doing(b, "service %s: re-reading its image config from %s",
		   s->name, b->store_device[0] ? b->store_device :
		   VERIFIED_STORE_DIR);
	r = layout_read_blob(&b->layout, d->digest, d->size, buf,
			     sizeof(b->services_buffers.config_blob), &lerr);
	if (r < 0)
		return boot_failed(b, "service %s: re-reading its image "
				   "config: %s: %s", s->name, lerr.what,
				   lerr.why);
	return hand_over(b, dir, HANDOVER_CONFIG_FILE, buf, (size_t)r);
}

static int hand_over_service(struct boot *b, const struct services_image *s,
			     const char *dir)
{
	char digest[OCI_DIGEST_STRING_LEN + 1];
	char layer[VERIFIED_SERVICE_LAYER_DIR_MAX];
	struct strbuf sb;

	strbuf_init(&sb, b->services_buffers.file,
		    sizeof(b->services_buffers.file));
	strbuf_printf(&sb, "NAME=%s\n", s->name);
	oci_digest_string(s->image_digest, digest);
	strbuf_printf(&sb, "IMAGE=%s\n", digest);
	oci_digest_string(s->config_descriptor.digest, digest);
	strbuf_printf(&sb, "CONFIG=%s\n", digest);
	strbuf_printf(&sb, "LAYERS=%zu\n", s->layer_count);
	for (size_t i = 0; i < s->layer_count; i++) {
		oci_digest_string(s->layers[i].digest, digest);
		service_layer_dir(s, i, layer);
		strbuf_printf(&sb, "LAYER%zu=%s ", i, digest);
		strbuf_hex(&sb, s->layers[i].root_hash, VERITY_DIGEST_LEN);
		strbuf_printf(&sb, " %s\n", layer);
	}
	if (strbuf_truncated(&sb))
		return boot_failed(b, "%s/%s: too long", dir, HANDOVER_FILE);
	return hand_over(b, dir, HANDOVER_FILE, strbuf_str(&sb),
			 strbuf_len(&sb));
}

/* --- the starter ----------------------------------------------------- */

static int copy_fd(int in, int out, char *buf, size_t size)
{
	for (;;) {
		ssize_t n = read(in, buf, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		n = fileio_write_all(out, buf, (size_t)n);
		if (n < 0)
			return (int)n;
	}
}

/*
 * This init's own binary, as the signed initrd brought it, copied to
 * SERVICES_STARTER: the booted system starts services with code that was
 * verified with the kernel, never with a program of the rootfs.
 */
static int leave_starter(struct boot *b)
{
	int in, out, r;

	r = b->ops->mkdir_p(SERVICES_BIN_DIR, DIR_MODE);
	if (r < 0)
		return boot_failed(b, "mkdir %s: %s", SERVICES_BIN_DIR,
				   strerror(-r));
	in = open(SELF_EXE, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return boot_failed(b, "%s: %s", SELF_EXE, strerror(errno));
	out = open(SERVICES_STARTER, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
		   O_NOFOLLOW, SERVICES_STARTER_MODE);
	if (out < 0) {
		r = -errno;
		close(in);
		return boot_failed(b, "%s: %s", SERVICES_STARTER,
				   strerror(-r));
	}
	r = copy_fd(in, out, b->services_buffers.copy,
		    sizeof(b->services_buffers.copy));
	if (r == 0 && fchmod(out, SERVICES_STARTER_MODE) < 0)
		r = -errno;
	close(in);
	if (close(out) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		return boot_failed(b, "copying %s to %s: %s", SELF_EXE,
				   SERVICES_STARTER, strerror(-r));
	return 0;
}

int stage_services(struct boot *b)
{
	struct dm_control *dm = &b->verified.dm;
	char dir[HANDOVER_DIR_MAX];
	int r;

	if (b->services.count) {
		r = b->ops->dm_open(dm);
		if (r < 0)
			return boot_failed(b, "device-mapper control: %s",
					   ociboot_strerror(r));
	}
	for (size_t i = 0; i < b->services.count; i++) {
		const struct services_image *s = &b->services.images[i];

		service_dir(s, dir);
		if (setup_service_layers(b, s) < 0 ||
		    hand_over_config(b, s, dir) < 0 ||
		    hand_over_service(b, s, dir) < 0) {
			b->ops->dm_close(dm);
			return -1;
		}
		log_info("services", "%s: %zu verified layers and its image "
			 "config in %s", s->name, s->layer_count, dir);
	}
	if (b->services.count)
		b->ops->dm_close(dm);
	if (leave_starter(b) < 0)
		return -1;
	log_info("services", "%s left for the booted system",
		 SERVICES_STARTER);
	return 0;
}
