/* SPDX-License-Identifier: MIT */
/*
 * The service starter's command line (service/cli.h).
 */
#include "service/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "service/service.h"

static const char usage[] =
	"usage: " SERVICE_PROGRAM " [--runtime PATH] [--volumes DIR] "
	"start|stop|status NAME\n"
	"       " SERVICE_PROGRAM " list\n";

bool service_called(int argc, char **argv)
{
	const char *base;

	if (argc < 1 || !argv[0])
		return false;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	return streq(base, SERVICE_PROGRAM) ||
	       (argc > 1 && streq(argv[1], "service"));
}

static int fail(const char *verb, const struct error *err)
{
	char line[ERROR_LINE_MAX];

	fprintf(stderr, SERVICE_PROGRAM " %s: %s\n", verb,
		error_format(err, line, sizeof(line)));
	return 1;
}

static int command(const struct service_options *o, const char *verb,
		   const char *name)
{
	static struct service_work work;
	struct error err;
	int r;

	if (streq(verb, "list") && !name)
		r = service_list(stdout, &err);
	else if (!name)
		r = -EINVAL;
	else if (streq(verb, "start"))
		r = service_start(o, name, &work, &err);
	else if (streq(verb, "stop"))
		r = service_stop(o, name, &err);
	else if (streq(verb, "status"))
		r = service_status(name, stdout, &err);
	else
		r = -EINVAL;
	if (r == -EINVAL && !error_failed(&err)) {
		fputs(usage, stderr);
		return 2;
	}
	fflush(stdout);
	return r < 0 ? fail(verb, &err) : 0;
}

int service_main(int argc, char **argv)
{
	struct service_options o;
	int i = 1;

	service_options_default(&o);
	if (argc > 1 && streq(argv[1], "service"))
		i = 2;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (streq(argv[i], "--runtime") && argv[i + 1][0] == '/')
			o.runtime = argv[i + 1];
		else if (streq(argv[i], "--volumes") && argv[i + 1][0] == '/')
			o.volumes = argv[i + 1];
		else
			break;
	}
	if (i >= argc || argc - i > 2 || argv[i][0] == '-') {
		fputs(usage, stderr);
		return 2;
	}
	return command(&o, argv[i], i + 1 < argc ? argv[i + 1] : NULL);
}
