/* SPDX-License-Identifier: MIT */
/*
 * Where the host tool's commands write: the rules every command follows
 * for its output files and layouts (docs/design.md, "Errors and the
 * command line").
 *
 *   - Missing parent directories of an output file, and a layout
 *     directory with its missing parents, are created with mode 0755
 *     less the umask, as `mkdir -p` makes them.
 *   - An existing output file is never replaced unless the command was
 *     given --force; without it the command fails before writing
 *     anything, naming the file and the option.
 *   - A tag in a layout's index.json that already names another manifest
 *     is moved, and the command says so on stderr with both digests.
 *
 * Each function that can fail prints one line "PREFIX: ..." on stderr
 * (tool/cli.h) and returns CLI_EXIT_FAILURE; 0 on success.
 */
#ifndef OCIBOOT_TOOL_OUTPUT_H
#define OCIBOOT_TOOL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/sha256.h"

struct layout;

/* Mode of the directories created here (before the umask). */
#define OUTPUT_DIR_MODE 0755

/*
 * Get ready to write the file path: refuse it when it exists (a dangling
 * symbolic link counts) and force is false, then create its missing
 * parent directories.
 */
int output_prepare(const char *prefix, const char *path, bool force);

/* Create the directory path and its missing parents (a layout's). */
int output_make_dir(const char *prefix, const char *path);

/*
 * Before tagging digest as tag in the layout l (at path layout_path): when
 * the tag names another manifest now, say on stderr that it moves from
 * that digest to this one. Never fails: an unreadable index is left to the
 * tagging to report.
 */
void output_note_tag(const char *prefix, const struct layout *l,
		     const char *layout_path, const char *tag,
		     const uint8_t digest[SHA256_LEN]);

#endif
