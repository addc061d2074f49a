/* askcred get / askcred env: print a credential on stdout, in one write
 * of a buffer that is wiped afterwards. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

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

int cmd_get(struct cli *cli, int argc, char **argv)
{
	enum out_format format = FORMAT_ENV;
	struct cmd_args a;
	int ex = parse_command("get", argc, argv,
			       "format,purpose,min-validity,lifetime,"
			       "no-cache,force-refresh",
			       0, &a);

	if (ex >= 0)
		return ex;
	if (a.format != NULL && parse_format(a.format, &format) != 0)
		return usage_error("get",
				   "unknown format '%s' (env, shell or json)",
				   a.format);
	return print_credential(cli, "get", format, &a.req);
}

/* env is "get --format shell", for eval "$(askcred env)". */
int cmd_env(struct cli *cli, int argc, char **argv)
{
	struct cmd_args a;
	int ex = parse_command("env", argc, argv,
			       "purpose,min-validity,lifetime,no-cache,"
			       "force-refresh",
			       0, &a);

	if (ex >= 0)
		return ex;
	return print_credential(cli, "env", FORMAT_SHELL, &a.req);
}
