/* askcred get / askcred env: print a credential on stdout, in one write
 * of a buffer that is wiped afterwards. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

static const struct option get_options[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"purpose", required_argument, NULL, OPT_PURPOSE},
	{"min-validity", required_argument, NULL, OPT_MIN_VALIDITY},
	{"lifetime", required_argument, NULL, OPT_LIFETIME},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"force-refresh", no_argument, NULL, OPT_FORCE_REFRESH},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

static int print_credential(struct cli *cli, const char *cmd,
			    enum out_format format,
			    const struct askcred_request *req)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct outbuf ob = OUTBUF_INIT;
	const struct askcred_credential *cred = NULL;
	askcred_status rc;
	int ex;

	ex = request_fetch(cli, cmd, req, 0, &cred);
	if (ex != EXIT_OK)
		goto out;
	rc = format_credential(cred, format, &ob, &err);
	/* The token now lives in ob only; give the original back first. */
	askcred_release(cli->st, cred);
	cred = NULL;
	if (rc != ASKCRED_OK) {
		ex = report_failure(cmd, rc, &err);
		goto out;
	}
	if (outbuf_write(STDOUT_FILENO, &ob) != 0) {
		fprintf(stderr,
			"askcred: %s: cannot write the credential "
			"(stdout): %s\n",
			cmd, strerror(errno));
		ex = EXIT_INTERNAL;
	}
out:
	outbuf_free(&ob);
	return ex;
}

/* Options shared by get and env; env fixes the format. */
static int run(struct cli *cli, int argc, char **argv, const char *cmd,
	       enum out_format format, int format_allowed)
{
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 0, 0};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", get_options, NULL)) != -1) {
		if (c == OPT_HELP) {
			print_help(cmd);
			return EXIT_OK;
		}
		if (c == OPT_FORMAT && format_allowed) {
			if (parse_format(optarg, &format) != 0)
				return usage_error(cmd,
						   "unknown format '%s' "
						   "(env, shell or json)",
						   optarg);
			continue;
		}
		if (c == OPT_FORMAT)
			return usage_error(cmd, "--format is fixed to shell; "
						"use 'askcred get'");
		r = request_option(cmd, c, optarg, &req);
		if (r == 0)
			return option_error(cmd, c, argv);
		if (r != 1)
			return r;
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind]);
	return print_credential(cli, cmd, format, &req);
}

int cmd_get(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, "get", FORMAT_ENV, 1);
}

int cmd_env(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, "env", FORMAT_SHELL, 0);
}
