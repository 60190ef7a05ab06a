/* SPDX-License-Identifier: MIT */
/* Output files and layouts of the host tool; see output.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci/json.h"
#include "oci/layout.h"
#include "oci/limits.h"
#include "oci/oci.h"
#include "tool/cli.h"
#include "tool/output.h"

/* mkdir -p of the first len bytes of path. */
static int make_dirs(const char *prefix, const char *path, size_t len)
{
	char buf[PATH_MAX];
	struct stat st;

	if (len == 0)
		return 0;
	if (len >= sizeof(buf))
		return cli_failure_errno(prefix, -ENAMETOOLONG, "%s", path);
	memcpy(buf, path, len);
	buf[len] = '\0';
	for (size_t i = 1; i <= len; i++) {
		if (i < len && buf[i] != '/')
			continue;
		if (buf[i - 1] == '/')
			continue;	/* "//" or a leading "/" */
		buf[i] = '\0';
		if (mkdir(buf, OUTPUT_DIR_MODE) < 0 && errno != EEXIST)
			return cli_failure_errno(prefix, -errno, "creating "
						 "directory %s", buf);
		if (stat(buf, &st) < 0)
			return cli_failure_errno(prefix, -errno, "%s", buf);
		if (!S_ISDIR(st.st_mode))
			return cli_failure(prefix, "%s is in the way of %s: "
					   "it is not a directory", buf, path);
		if (i < len)
			buf[i] = '/';
	}
	return 0;
}

int output_prepare(const char *prefix, const char *path, bool force)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!force && lstat(path, &st) == 0)
		return cli_failure(prefix, "%s exists; not replacing it (use "
				   "--force to replace it)", path);
	return slash ? make_dirs(prefix, path, (size_t)(slash - path)) : 0;
}

int output_make_dir(const char *prefix, const char *path)
{
	return make_dirs(prefix, path, strlen(path));
}

struct tag_work {
	char buf[OCI_DOCUMENT_SIZE_MAX];
	struct json_token tokens[OCI_TOKENS_MAX];
	struct oci_index index;
};

void output_note_tag(const char *prefix, const struct layout *l,
		     const char *layout_path, const char *tag,
		     const uint8_t digest[SHA256_LEN])
{
	char was[SHA256_HEX_LEN + 1], now[SHA256_HEX_LEN + 1];
	struct tag_work *w = malloc(sizeof(*w));
	int i;

	if (!w)
		return;
	if (layout_read_index(l, w->buf, sizeof(w->buf), w->tokens,
			      OCI_TOKENS_MAX, &w->index, NULL) >= 0) {
		i = layout_find_tag(&w->index, tag, NULL);
		if (i >= 0 && memcmp(w->index.manifests[i].digest, digest,
				     SHA256_LEN) != 0) {
			sha256_hex(w->index.manifests[i].digest, was);
			sha256_hex(digest, now);
			fprintf(stderr, "%s: %s: tag %s moves from sha256:%s "
				"to sha256:%s\n", prefix, layout_path, tag,
				was, now);
		}
	}
	free(w);
}
