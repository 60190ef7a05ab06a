/* SPDX-License-Identifier: MIT */
/*
 * Test helper: fixtures made at test time by the openssl command line tool
 * (the independent reference the crypto tests compare against), in a
 * temporary directory, by shell scripts run with fork and exec. Failures
 * abort the test program with a message.
 */
#ifndef OCIBOOT_OPENSSL_FIXTURE_H
#define OCIBOOT_OPENSSL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/* A new empty directory under $TMPDIR (or /tmp); free() the path. */
char *fixture_dir_create(void);

/* Remove the directory and everything in it. */
void fixture_dir_remove(const char *dir);

/*
 * Run script with `sh -e -c` in dir, stdout and stderr going to the test's
 * stderr. Returns the shell's exit status (or -1 when it did not exit).
 */
int fixture_sh(const char *dir, const char *script);

/*
 * Run script as fixture_sh() does but capture its standard output (at most
 * 64 KiB), without its trailing newlines. Returns a malloc'd string, or
 * NULL when the script fails.
 */
char *fixture_sh_output(const char *dir, const char *script);

/* The contents of dir/name in a new buffer of *len bytes (plus a NUL);
 * aborts when the file cannot be read. */
uint8_t *fixture_read(const char *dir, const char *name, size_t *len);

#endif
