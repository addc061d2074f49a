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

/* get, or env with the format fixed to shell. */
static int run(struct cli *cli, int argc, char **argv, const char *cmd,
	       const char *accepted, enum out_format format)
{
	struct cmd_args a;
	int ex = parse_command(cmd, argc, argv, accepted, 0, &a);

	if (ex >= 0)
		return ex;
	if (a.format != NULL && parse_format(a.format, &format) != 0)
		return usage_error(cmd,
				   "unknown format '%s' (env, shell or json)",
				   a.format);
	if (a.json && a.format != NULL && format != FORMAT_JSON)
		return usage_error(cmd,
				   "--json and --format %s exclude each "
				   "other",
				   a.format);
	if (a.json)
		format = FORMAT_JSON;
	return print_credential(cli, cmd, format, &a.req);
}

int cmd_get(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, "get", "format,json," REQUEST_OPTIONS,
		   FORMAT_ENV);
}

/* "get --format shell", for eval "$(askcred env)". */
int cmd_env(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, "env", "json," REQUEST_OPTIONS,
		   FORMAT_SHELL);
}
