/* SPDX-License-Identifier: MIT */
#include "crypto/openssl_fixture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUTPUT_MAX (64 * 1024)

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fixture: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

char *fixture_dir_create(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	if (asprintf(&path, "%s/ociboot-crypto-XXXXXX",
		     tmp && *tmp ? tmp : "/tmp") < 0)
		die("out of memory");
	if (!mkdtemp(path))
		die("mkdtemp %s: %s", path, strerror(errno));
	return path;
}

/* Run sh -e -c script in dir with stdout to out_fd (-1: stderr). */
static int run(const char *dir, const char *script, int out_fd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (chdir(dir) < 0)
			_exit(126);
		if (dup2(out_fd >= 0 ? out_fd : STDERR_FILENO,
			 STDOUT_FILENO) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-e", "-c", script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int fixture_sh(const char *dir, const char *script)
{
	return run(dir, script, -1);
}

char *fixture_sh_output(const char *dir, const char *script)
{
	char path[] = "/tmp/ociboot-crypto-out-XXXXXX";
	int fd = mkstemp(path);
	char *out;
	ssize_t n;

	if (fd < 0)
		die("mkstemp: %s", strerror(errno));
	unlink(path);
	if (run(dir, script, fd) != 0) {
		close(fd);
		return NULL;
	}
	out = malloc(OUTPUT_MAX + 1);
	if (!out)
		die("out of memory");
	n = pread(fd, out, OUTPUT_MAX, 0);
	close(fd);
	if (n < 0)
		die("pread: %s", strerror(errno));
	while (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	return out;
}

uint8_t *fixture_read(const char *dir, const char *name, size_t *len)
{
	char *path;
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		die("out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s: %s", path, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		die("out of memory");
	n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size)
		die("%s: short read", path);
	buf[n] = 0;
	close(fd);
	free(path);
	*len = (size_t)n;
	return buf;
}

void fixture_dir_remove(const char *dir)
{
	char *script;

	if (asprintf(&script, "rm -rf '%s'", dir) < 0)
		die("out of memory");
	fixture_sh("/", script);
	free(script);
}
