/* askcred validate / refresh / revoke: one credential, one operation on
 * it, one line of confirmation (never the token: its fingerprint). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"
#include "secret.h"

static const struct option validate_options[] = {
	{"purpose", required_argument, NULL, OPT_PURPOSE},
	{"min-validity", required_argument, NULL, OPT_MIN_VALIDITY},
	{"no-cache", no_argument, NULL, OPT_NO_CACHE},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

static const struct option refresh_options[] = {
	{"purpose", required_argument, NULL, OPT_PURPOSE},
	{"lifetime", required_argument, NULL, OPT_LIFETIME},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

static const struct option revoke_options[] = {
	{"purpose", required_argument, NULL, OPT_PURPOSE},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

struct misc_cmd {
	const char *name;
	const struct option *options;
	int refresh; /* obtain the credential with askcred_refresh() */
	/* What to do with it; NULL: obtaining it was the whole job. */
	askcred_status (*act)(askcred_stack *stack,
			      const struct askcred_credential *cred,
			      struct askcred_error *err);
	const char *act_failed; /* "<cmd>: <act_failed>: <message>" */
	const char *done;	/* "<done> token <fingerprint> ..." */
};

static const struct misc_cmd validate_cmd = {
	"validate",
	validate_options,
	0,
	askcred_validate,
	"the credential did not validate",
	"valid:",
};
static const struct misc_cmd refresh_cmd = {
	"refresh", refresh_options, 1, NULL, NULL, "refreshed:",
};
static const struct misc_cmd revoke_cmd = {
	"revoke",
	revoke_options,
	0,
	askcred_revoke,
	"cannot revoke the credential",
	"revoked:",
};

/* "valid: token 3f2a... (id ...) for workspace ..., expires ... (in 1h)" */
static void confirm(const char *done, const struct askcred_credential *cred)
{
	char fp[FINGERPRINT_LEN], when[RFC3339_LEN], left[32], id[64];
	size_t id_len = strnlen(cred->token_id, ASKCRED_UUID_LEN);

	fingerprint(cred->token, cred->token_len, fp);
	id[0] = '\0';
	if (id_len > 0)
		snprintf(id, sizeof(id), " (id %.*s)", (int)id_len,
			 cred->token_id);
	printf("%s token %s%s for workspace %.*s, ", done, fp, id,
	       (int)strnlen(cred->workspace_id, ASKCRED_UUID_LEN),
	       cred->workspace_id);
	if (cred->expires_at == 0) {
		printf("never expires\n");
		return;
	}
	format_rfc3339(cred->expires_at, when);
	format_duration(cred->expires_at - (int64_t)time(NULL), left,
			sizeof(left));
	printf("expires %s (in %s)\n", when, left);
}

static int run(struct cli *cli, int argc, char **argv,
	       const struct misc_cmd *cmd)
{
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	char what[128];
	askcred_status rc;
	int c, ex;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", cmd->options, NULL)) != -1) {
		if (c == OPT_HELP) {
			print_help(cmd->name);
			return EXIT_OK;
		}
		ex = request_option(cmd->name, c, optarg, &req);
		if (ex == 0)
			return option_error(cmd->name, c, argv);
		if (ex != 1)
			return ex;
	}
	if (optind < argc)
		return usage_error(cmd->name, "unexpected argument '%s'",
				   argv[optind]);
	ex = request_fetch(cli, cmd->name, &req, cmd->refresh, &cred);
	if (ex != EXIT_OK)
		return ex;
	rc = cmd->act != NULL ? cmd->act(cli->st, cred, &err) : ASKCRED_OK;
	if (rc != ASKCRED_OK) {
		snprintf(what, sizeof(what), "%s: %s", cmd->name,
			 cmd->act_failed);
		ex = report_failure(what, rc, &err);
	} else if (cli->verbosity != VERB_QUIET) {
		confirm(cmd->done, cred);
	}
	askcred_release(cli->st, cred);
	return ex;
}

int cmd_validate(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, &validate_cmd);
}

int cmd_refresh(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, &refresh_cmd);
}

int cmd_revoke(struct cli *cli, int argc, char **argv)
{
	return run(cli, argc, argv, &revoke_cmd);
}
