/* The static source: a credential the user already has, pasted into the
 * environment (ASKUI_WORKSPACE_ID / ASKUI_TOKEN, as AskUI's SDKs read it)
 * or into a JSON credentials file:
 *
 *   {"workspace_id": "<uuid4>", "token": "...",
 *    "expires_at": "<RFC 3339>" | null, "token_id": "<uuid4>" | null}
 *
 * It cannot mint or revoke; validate() checks shape and expiry offline. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "credcheck.h"
#include "error.h"
#include "expiry.h"
#include "log.h"
#include "plugin_config.h"
#include "remote.h"
#include "safefile.h"
#include "source.h"
#include "timefmt.h"

#define ENV_WORKSPACE "ASKUI_WORKSPACE_ID"
#define ENV_TOKEN "ASKUI_TOKEN"
/* A credentials file is a few hundred bytes; anything big is a mistake. */
#define CRED_FILE_MAX (64 * 1024)

/* Only the user may read it: not group, not others, not even root's file
 * unless we are root (then geteuid() is 0 anyway). */
static const struct file_rules cred_file_rules = {
	.what = "credentials file",
	.forbidden = 077,
	.allow_root = 0,
	.max_size = CRED_FILE_MAX,
};

enum field { F_WORKSPACE, F_TOKEN, F_EXPIRES, F_TOKEN_ID, F_COUNT };

static const struct {
	const char *name;
	int required;
	int nullable;
} fields[F_COUNT] = {
	[F_WORKSPACE] = {"workspace_id", 1, 0},
	[F_TOKEN] = {"token", 1, 0},
	[F_EXPIRES] = {"expires_at", 0, 1},
	[F_TOKEN_ID] = {"token_id", 0, 1},
};

/* 1-based line and column of byte offset off in buf. */
static void line_col(const char *buf, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && buf[i] != '\0'; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* json-c keeps copies of parsed strings (the tokener's buffer, the string
 * objects); wipe those that may hold the token before they are freed.
 * Best effort: a buffer json-c grew and freed while parsing cannot be
 * reached. */
static void wipe_json(struct json_tokener *tok, struct json_object *tokobj)
{
	if (tokobj != NULL && json_object_is_type(tokobj, json_type_string))
		OPENSSL_cleanse(
			(char *)(uintptr_t)json_object_get_string(tokobj),
			(size_t)json_object_get_string_len(tokobj));
	if (tok != NULL && tok->pb != NULL && tok->pb->buf != NULL)
		OPENSSL_cleanse(tok->pb->buf, (size_t)tok->pb->size);
}

static askcred_status parse_json(const char *path, const char *buf, size_t len,
				 struct json_tokener *tok,
				 struct json_object **root,
				 struct askcred_error *err)
{
	enum json_tokener_error jerr;
	unsigned line, col;
	size_t end;

	/* Strict: no trailing data, no comments, no single quotes. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (*root == NULL && jerr == json_tokener_continue) {
		line_col(buf, len, &line, &col);
		return err_set_line(err, ASKCRED_CONFIG_ERROR, path, line,
				    "malformed JSON: unexpected end of file");
	}
	if (jerr != json_tokener_success) {
		line_col(buf, end, &line, &col);
		return err_set_line(err, ASKCRED_CONFIG_ERROR, path, line,
				    "malformed JSON at column %u: %s", col,
				    json_tokener_error_desc(jerr));
	}
	if (!json_object_is_type(*root, json_type_object))
		return err_set(err, ASKCRED_CONFIG_ERROR, path,
			       "must hold one JSON object, not %s",
			       json_type_to_name(json_object_get_type(*root)));
	return ASKCRED_OK;
}

/* Sort the object's members into vals[], refusing unknown, missing and
 * mistyped ones. A null value of a nullable field counts as absent. */
static askcred_status pick_fields(const char *path, struct json_object *root,
				  struct json_object *vals[F_COUNT],
				  struct askcred_error *err)
{
	json_object_object_foreach(root, key, val)
	{
		size_t f;

		for (f = 0; f < F_COUNT; f++)
			if (strcmp(key, fields[f].name) == 0)
				break;
		if (f == F_COUNT)
			return err_set(err, ASKCRED_CONFIG_ERROR, path,
				       "unknown field '%.40s' (known: "
				       "workspace_id, token, expires_at, "
				       "token_id)",
				       key);
		if (val == NULL && fields[f].nullable)
			continue;
		if (!json_object_is_type(val, json_type_string))
			return err_set(
				err, ASKCRED_CONFIG_ERROR, path,
				"field '%s' must be a string%s, not %s", key,
				fields[f].nullable ? " or null" : "",
				json_type_to_name(json_object_get_type(val)));
		vals[f] = val;
	}
	for (size_t f = 0; f < F_COUNT; f++)
		if (fields[f].required && vals[f] == NULL)
			return err_set(err, ASKCRED_CONFIG_ERROR, path,
				       "field '%s' is missing", fields[f].name);
	return ASKCRED_OK;
}

/* Where each half of a credential came from, for messages: where is the
 * file or variable, field (or NULL) the JSON member. */
struct origin {
	const char *ws_where, *ws_field;
	const char *token_where, *token_field;
};

/* A bad static credential is the configuration's fault: no refresh can
 * mend it, so it is a configuration error (exit 65) that says what to
 * change, not "invalid, run askcred refresh". */
static askcred_status config_fault(askcred_status rc, const char *fix,
				   struct askcred_error *err)
{
	char message[sizeof(err->message)];

	if (rc != ASKCRED_INVALID && rc != ASKCRED_EXPIRED)
		return rc;
	if (err != NULL) {
		snprintf(message, sizeof(message), "%s; %s", err->message, fix);
		memcpy(err->message, message, sizeof(err->message));
		err->code = ASKCRED_CONFIG_ERROR;
	}
	return ASKCRED_CONFIG_ERROR;
}

static askcred_status refuse(askcred_status rc, const char *field,
			     const char *fix, struct askcred_error *err)
{
	if (field != NULL)
		err_prefix(err, "field '%s'", field);
	return config_fault(rc, fix, err);
}

/* Checks shared by the file and the environment. */
static askcred_status fill_record(const char *workspace, const char *token,
				  size_t token_len, const struct origin *o,
				  struct token_record *rec,
				  struct askcred_error *err)
{
	askcred_status rc;

	rc = check_workspace_id(workspace, o->ws_where, err);
	if (rc != ASKCRED_OK)
		return refuse(rc, o->ws_field,
			      o->ws_field != NULL
				      ? "set field 'workspace_id' to the "
					"workspace's UUID (AskUI Hub)"
				      : "set it to the workspace's UUID "
					"(AskUI Hub)",
			      err);
	rc = check_token(&token, &token_len, o->token_where, err);
	if (rc != ASKCRED_OK)
		return refuse(rc, o->token_field,
			      o->token_field != NULL
				      ? "put an access token from AskUI Hub "
					"in field 'token'"
				      : "set it to an access token from "
					"AskUI Hub",
			      err);
	if (secret_set(&rec->token, token, token_len) != 0)
		return err_set(err, ASKCRED_NO_MEMORY, o->token_where,
			       "out of memory");
	memcpy(rec->workspace_id, workspace, ASKCRED_UUID_LEN + 1);
	snprintf(rec->source, sizeof(rec->source), "%s", source_static.name);
	return ASKCRED_OK;
}

askcred_status credentials_file_read(const char *path, struct token_record *rec,
				     struct askcred_error *err)
{
	struct json_object *root = NULL, *vals[F_COUNT] = {NULL};
	struct json_tokener *tok = NULL;
	char *buf = NULL;
	size_t len = 0;
	askcred_status rc;

	rc = safe_read_file(path, &cred_file_rules, &buf, &len, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = err_set(err, ASKCRED_NO_MEMORY, path, "out of memory");
	tok = json_tokener_new();
	if (tok == NULL)
		goto out;
	rc = parse_json(path, buf, len, tok, &root, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = pick_fields(path, root, vals, err);
	if (rc != ASKCRED_OK)
		goto out;
	rc = fill_record(json_object_get_string(vals[F_WORKSPACE]),
			 json_object_get_string(vals[F_TOKEN]),
			 (size_t)json_object_get_string_len(vals[F_TOKEN]),
			 &(struct origin){path, "workspace_id", path, "token"},
			 rec, err);
	if (rc != ASKCRED_OK)
		goto out;
	if (vals[F_EXPIRES] != NULL &&
	    rfc3339_parse(json_object_get_string(vals[F_EXPIRES]),
			  &rec->expires_at) != 0) {
		rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
			     "field 'expires_at' is not an RFC 3339 date-time "
			     "(like 2026-11-28T17:00:00Z)");
		goto out;
	}
	if (vals[F_TOKEN_ID] != NULL) {
		if (!is_uuid4(json_object_get_string(vals[F_TOKEN_ID]))) {
			rc = err_set(err, ASKCRED_CONFIG_ERROR, path,
				     "field 'token_id' is not a UUID version "
				     "4");
			goto out;
		}
		memcpy(rec->token_id, json_object_get_string(vals[F_TOKEN_ID]),
		       ASKCRED_UUID_LEN + 1);
	}
	rc = ASKCRED_OK;
out:
	wipe_json(tok, vals[F_TOKEN]);
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	free_wiped(buf, len + 1);
	return rc;
}

/* The variables as AskUI's SDKs read them. Without ASKUI_WORKSPACE_ID the
 * workspace the request (or the "workspace=" argument) names is used. */
static askcred_status read_env(const struct askcred_request *req,
			       struct token_record *rec,
			       struct askcred_error *err)
{
	const char *token = secure_getenv(ENV_TOKEN);
	const char *workspace = secure_getenv(ENV_WORKSPACE);
	struct origin o = {ENV_WORKSPACE, NULL, ENV_TOKEN, NULL};

	if (token == NULL)
		return err_set(err, ASKCRED_NOT_FOUND, ENV_TOKEN,
			       "%s is not set in the environment", ENV_TOKEN);
	if (workspace == NULL || *workspace == '\0') {
		if (req->workspace_id == NULL)
			return err_set(err, ASKCRED_CONFIG_ERROR, ENV_WORKSPACE,
				       "%s is not set and no workspace is "
				       "configured; set %s, or workspace= "
				       "on the stack line",
				       ENV_WORKSPACE, ENV_WORKSPACE);
		workspace = req->workspace_id;
		o.ws_where = "workspace";
	}
	return fill_record(workspace, token, strlen(token), &o, rec, err);
}

static askcred_status static_fetch(const struct source_ctx *sc,
				   const struct askcred_request *req,
				   struct token_record *rec,
				   struct askcred_error *err)
{
	const char *where =
		sc->cfg->credentials ? sc->cfg->credentials : ENV_TOKEN;
	askcred_status rc;

	rc = sc->cfg->credentials
		     ? credentials_file_read(sc->cfg->credentials, rec, err)
		     : read_env(req, rec, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = source_accept(req, rec, where, err);
	/* Still valid, only not long enough: the token in the file must be
	 * replaced, or less validity asked for. */
	if (rc == ASKCRED_EXPIRED && rec->expires_at > (int64_t)time(NULL))
		return config_fault(rc,
				    "a static token cannot be renewed: "
				    "replace it where it is configured, or "
				    "ask for less (min_validity=, "
				    "--min-validity)",
				    err);
	return rc;
}

static askcred_status static_revoke(const struct source_ctx *sc,
				    const struct askcred_credential *cred,
				    struct askcred_error *err)
{
	char fp[FINGERPRINT_LEN];

	fingerprint(cred->token, cred->token_len, fp);
	plog(sc->log, ASKCRED_LOG_NOTICE,
	     "static source cannot revoke token %s; delete it in "
	     "AskUI Hub",
	     fp);
	return err_set(err, ASKCRED_IGNORE, "source",
		       "a static token cannot be revoked from here; delete "
		       "it in AskUI Hub");
}

const struct source_ops source_static = {
	.name = "static",
	.fetch = static_fetch,
	.validate = source_validate,
	.revoke = static_revoke,
};
