/* askcred validate / refresh / revoke: one credential, one operation on
 * it, one line of confirmation (never the token: its fingerprint). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cli.h"
#include "output.h"
#include "secret.h"

struct misc_cmd {
	const char *name;
	const char *options; /* for parse_command() */
	int refresh;	     /* obtain the credential with askcred_refresh() */
	uint32_t req_flags;  /* added to the request's ASKCRED_REQ_* */
	/* What to do with it; NULL: obtaining it was the whole job. */
	askcred_status (*act)(askcred_stack *stack,
			      const struct askcred_credential *cred,
			      struct askcred_error *err);
	const char *act_failed;	 /* "<cmd>: <act_failed>: <message>" */
	const char *done;	 /* "<done> token <fingerprint> ..." */
	const char *json_result; /* --json: "result" */
};

static const struct misc_cmd validate_cmd = {
	.name = "validate",
	.options = "purpose,min-validity,no-cache,json",
	.act = askcred_validate,
	.act_failed = "the credential did not validate",
	.done = "valid:",
	.json_result = "valid",
};
static const struct misc_cmd refresh_cmd = {
	.name = "refresh",
	.options = "purpose,lifetime,json",
	.refresh = 1,
	.done = "refreshed:",
	.json_result = "refreshed",
};
static const struct misc_cmd revoke_cmd = {
	.name = "revoke",
	.options = "purpose,json",
	/* The token held now, even one the policy refuses today. */
	.req_flags = ASKCRED_REQ_REVOKE,
	.act = askcred_revoke,
	.act_failed = "cannot revoke the credential",
	.done = "revoked:",
	.json_result = "revoked",
};

/* Copy a fixed-size field of the credential, which a provider filled and
 * may not have terminated, fit for a terminal. */
static void field_text(char *dst, size_t size, const char *field,
		       size_t field_size)
{
	char tmp[ASKCRED_UUID_LEN + 1];
	size_t n = strnlen(field, field_size);

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, field, n);
	tmp[n] = '\0';
	sanitize_text(dst, size, tmp);
}

/* "valid: token 3f2a... (id ...) for workspace ..., expires ... (in 1h)" */
static void confirm(const char *done, const struct askcred_credential *cred)
{
	char fp[FINGERPRINT_LEN], when[RFC3339_LEN], left[32];
	char ws[ASKCRED_UUID_LEN + 1], id[ASKCRED_UUID_LEN + 1];

	fingerprint(cred->token, cred->token_len, fp);
	field_text(ws, sizeof(ws), cred->workspace_id,
		   sizeof(cred->workspace_id));
	field_text(id, sizeof(id), cred->token_id, sizeof(cred->token_id));
	printf("%s token %s%s%s%s for workspace %s, ", done, fp,
	       id[0] ? " (id " : "", id, id[0] ? ")" : "", ws);
	if (cred->expires_at == 0) {
		printf("never expires\n");
		return;
	}
	format_rfc3339(cred->expires_at, when);
	format_duration(cred->expires_at - (int64_t)time(NULL), left,
			sizeof(left));
	printf("expires %s (in %s)\n", when, left);
}

/* --json: the same facts as confirm(), as one JSON object. result is
 * the confirmation's first word without its colon ("valid", ...). */
static int confirm_json(const char *result,
			const struct askcred_credential *cred)
{
	char fp[FINGERPRINT_LEN];
	char ws[ASKCRED_UUID_LEN + 1], id[ASKCRED_UUID_LEN + 1];
	char source[ASKCRED_SOURCE_MAX];
	json_object *o = json_object_new_object();
	int bad;

	fingerprint(cred->token, cred->token_len, fp);
	field_text(ws, sizeof(ws), cred->workspace_id,
		   sizeof(cred->workspace_id));
	field_text(id, sizeof(id), cred->token_id, sizeof(cred->token_id));
	field_text(source, sizeof(source), cred->source, sizeof(cred->source));
	bad = o == NULL ||
	      json_add(o, "result", json_object_new_string(result)) ||
	      json_add_string(o, "fingerprint", fp, strlen(fp)) ||
	      json_add_string(o, "workspace_id", ws, strlen(ws)) ||
	      json_add_string(o, "token_id", id, strlen(id)) ||
	      json_add_string(o, "source", source, strlen(source)) ||
	      json_add_time(o, "expires_at", cred->expires_at);
	return json_print_line(o, bad) == 0 ? EXIT_OK : EXIT_INTERNAL;
}

static int run(struct cli *cli, int argc, char **argv,
	       const struct misc_cmd *cmd)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	struct cmd_args a;
	char what[128];
	askcred_status rc;
	int ex = parse_command(cmd->name, argc, argv, cmd->options, 0, &a);

	if (ex >= 0)
		return ex;
	a.req.flags |= cmd->req_flags;
	ex = request_fetch(cli, cmd->name, &a.req, cmd->refresh, &cred);
	if (ex != EXIT_OK)
		return ex;
	rc = cmd->act != NULL ? cmd->act(cli->st, cred, &err) : ASKCRED_OK;
	if (rc != ASKCRED_OK) {
		snprintf(what, sizeof(what), "%s: %s", cmd->name,
			 cmd->act_failed);
		ex = report_failure(what, rc, &err);
	} else if (a.json) {
		int unchanged =
			cmd->refresh && strncmp(cred->source, "static",
						sizeof(cred->source)) == 0;

		ex = confirm_json(unchanged ? "nothing_to_refresh"
					    : cmd->json_result,
				  cred);
	} else if (cli->verbosity != VERB_QUIET) {
		/* A static token is what its file or environment says; asking
		 * the source again changes nothing, so do not claim it did. */
		int unchanged =
			cmd->refresh && strncmp(cred->source, "static",
						sizeof(cred->source)) == 0;

		confirm(unchanged ? "nothing to refresh (static source; "
				    "replace the token where it is "
				    "configured):"
				  : cmd->done,
			cred);
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
