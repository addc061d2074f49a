/* The static source, through an instance: credentials from the environment
 * and from a JSON file, and every way they can be wrong. Each row is one
 * case; every error is also checked not to contain the token, and the log
 * not to either. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fixture.h"
#include "instance.h"
#include "tap.h"

#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define WS2 "0b7c2f5e-3d1a-4c8e-9f00-112233445566"
#define TOKEN "Qk9HVVMtdGVzdC10b2tlbg"
#define TOKEN_ID "5d2f7a10-8e4b-4c3a-a1b2-c3d4e5f60718"

enum setup {
	FROM_ENV,
	FILE_PLAIN,
	FILE_SYMLINK,
	FILE_HARDLINK,
	FILE_MISSING,
	FILE_FOREIGN_OWNER
};

struct row {
	const char *name;
	enum setup setup;
	const char *env_ws, *env_token; /* FROM_ENV; NULL: unset */
	const char *json;		/* file rows; {EXP} = now + exp */
	long exp;
	mode_t mode;
	const char *args; /* extra module arguments, space-separated */
	askcred_status want;
	const char *where;   /* substring of err.where ("" : any) */
	const char *message; /* substring of err.message ("" : any) */
};

#define GOOD_JSON "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\"}"

static const struct row rows[] = {
	/* environment */
	{"env_credential_is_served", FROM_ENV, WS, TOKEN, NULL, 0, 0, "",
	 ASKCRED_OK, "", ""},
	{"env_token_is_trimmed", FROM_ENV, WS, "  " TOKEN "\n", NULL, 0, 0, "",
	 ASKCRED_OK, "", ""},
	{"env_without_workspace_uses_argument", FROM_ENV, NULL, TOKEN, NULL, 0,
	 0, "workspace=" WS, ASKCRED_OK, "", ""},
	{"env_without_token_is_not_found", FROM_ENV, WS, NULL, NULL, 0, 0, "",
	 ASKCRED_NOT_FOUND, "ASKUI_TOKEN", "not set"},
	{"env_without_any_workspace_is_a_config_error", FROM_ENV, NULL, TOKEN,
	 NULL, 0, 0, "", ASKCRED_CONFIG_ERROR, "ASKUI_WORKSPACE_ID",
	 "set ASKUI_WORKSPACE_ID, or workspace= on the stack line"},
	{"env_bad_uuid_is_a_config_error", FROM_ENV, "1234", TOKEN, NULL, 0, 0,
	 "", ASKCRED_CONFIG_ERROR, "ASKUI_WORKSPACE_ID",
	 "UUID version 4 (like 9cf30c31-ea1e-4ff5-994a-c4a0dc70882f); set it"},
	{"env_empty_token_is_a_config_error", FROM_ENV, WS, "   ", NULL, 0, 0,
	 "", ASKCRED_CONFIG_ERROR, "ASKUI_TOKEN",
	 "token is empty; set it to an access token"},
	{"env_control_character_token_is_a_config_error", FROM_ENV, WS,
	 "Qk9HVVMt\x01test", NULL, 0, 0, "", ASKCRED_CONFIG_ERROR,
	 "ASKUI_TOKEN", "control character"},
	{"env_other_workspace_is_not_found", FROM_ENV, WS, TOKEN, NULL, 0, 0,
	 "workspace=" WS2, ASKCRED_NOT_FOUND, "ASKUI_TOKEN", WS2},
	/* file: good */
	{"file_credential_is_served", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\",\n"
	 " \"expires_at\": \"{EXP}\", \"token_id\": \"" TOKEN_ID "\"}\n",
	 7200, 0600, "", ASKCRED_OK, "", ""},
	{"file_null_expiry_never_expires", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\", "
	 "\"expires_at\": null, \"token_id\": null}",
	 0, 0400, "", ASKCRED_OK, "", ""},
	/* file: expiry */
	{"file_expired_token_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\", "
	 "\"expires_at\": \"{EXP}\"}",
	 -60, 0600, "", ASKCRED_EXPIRED, "creds.json", "expired at"},
	{"file_min_validity_not_met_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\", "
	 "\"expires_at\": \"{EXP}\"}",
	 240, 0600, "min_validity=30m", ASKCRED_CONFIG_ERROR, "creds.json",
	 "wanted at least 30m; a static token cannot be renewed"},
	/* file: permissions and kind */
	{"file_mode_0644_is_too_open", FILE_PLAIN, NULL, NULL, GOOD_JSON, 0,
	 0644, "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "ermissions 0644 for credentials file are too open"},
	{"file_mode_0644_says_readable_by_group_and_others_and_chmod_0600",
	 FILE_PLAIN, NULL, NULL, GOOD_JSON, 0, 0644, "", ASKCRED_CONFIG_ERROR,
	 "creds.json",
	 "it is readable by group, readable by others; run chmod 0600"},
	{"file_mode_0640_is_too_open", FILE_PLAIN, NULL, NULL, GOOD_JSON, 0,
	 0640, "", ASKCRED_CONFIG_ERROR, "creds.json", "0640"},
	{"file_mode_0604_is_too_open", FILE_PLAIN, NULL, NULL, GOOD_JSON, 0,
	 0604, "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "it is readable by others; run chmod 0600"},
	{"file_mode_0620_says_writable_by_group", FILE_PLAIN, NULL, NULL,
	 GOOD_JSON, 0, 0620, "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "it is writable by group; run chmod 0600"},
	{"file_through_symlink_is_refused", FILE_SYMLINK, NULL, NULL, GOOD_JSON,
	 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json", "symbolic link"},
	{"file_with_two_links_is_refused", FILE_HARDLINK, NULL, NULL, GOOD_JSON,
	 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json", "2 hard links"},
	{"missing_file_is_not_found", FILE_MISSING, NULL, NULL, NULL, 0, 0, "",
	 ASKCRED_NOT_FOUND, "creds.json", "cannot open"},
	{"file_of_other_user_is_refused", FILE_FOREIGN_OWNER, NULL, NULL,
	 GOOD_JSON, 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "owned by uid 65534"},
	/* file: content */
	{"file_bad_uuid_is_invalid", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"9cf30c31\", \"token\": \"" TOKEN "\"}", 0, 0600,
	 "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "field 'workspace_id': workspace id is not a UUID"},
	{"file_empty_token_is_invalid", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \" \"}", 0, 0600, "",
	 ASKCRED_CONFIG_ERROR, "creds.json",
	 "field 'token': token is empty; put an access token"},
	{"file_control_character_token_is_invalid", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"Qk9H\\u0007VVMt\"}", 0,
	 0600, "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "field 'token': token contains a control character"},
	{"file_nul_in_token_is_invalid", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"Qk9H\\u0000VVMt\"}", 0,
	 0600, "", ASKCRED_CONFIG_ERROR, "creds.json", "control character"},
	{"file_unknown_field_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\", "
	 "\"colour\": \"blue\"}",
	 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "unknown field 'colour'"},
	{"file_token_of_wrong_type_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": 42}", 0, 0600, "",
	 ASKCRED_CONFIG_ERROR, "creds.json",
	 "field 'token' must be a string, not int"},
	{"file_null_token_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": null}", 0, 0600, "",
	 ASKCRED_CONFIG_ERROR, "creds.json", "field 'token' must be a string"},
	{"file_expiry_of_wrong_type_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\", "
	 "\"expires_at\": 1795885200}",
	 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "field 'expires_at' must be a string or null"},
	{"file_bad_expiry_text_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\", "
	 "\"expires_at\": \"tomorrow\"}",
	 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json",
	 "'expires_at' is not an RFC 3339"},
	{"file_bad_token_id_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN "\", "
	 "\"token_id\": \"7\"}",
	 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json", "'token_id'"},
	{"file_missing_token_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\"}", 0, 0600, "", ASKCRED_CONFIG_ERROR,
	 "creds.json", "field 'token' is missing"},
	{"file_malformed_json_names_the_line", FILE_PLAIN, NULL, NULL,
	 "{\n  \"workspace_id\": \"" WS "\",\n  \"token\": ,\n}", 0, 0600, "",
	 ASKCRED_CONFIG_ERROR, "creds.json:3", "malformed JSON at column"},
	{"file_truncated_json_is_refused", FILE_PLAIN, NULL, NULL,
	 "{\"workspace_id\": \"" WS "\"", 0, 0600, "", ASKCRED_CONFIG_ERROR,
	 "creds.json:1", "unexpected end of file"},
	{"file_with_trailing_data_is_refused", FILE_PLAIN, NULL, NULL,
	 GOOD_JSON " {}", 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json:1",
	 "malformed JSON at column"},
	{"file_with_comment_is_refused", FILE_PLAIN, NULL, NULL,
	 "// ci\n" GOOD_JSON, 0, 0600, "", ASKCRED_CONFIG_ERROR, "creds.json:1",
	 "malformed JSON"},
	{"file_with_array_is_refused", FILE_PLAIN, NULL, NULL, "[1, 2]", 0,
	 0600, "", ASKCRED_CONFIG_ERROR, "creds.json", "one JSON object"},
	{"empty_file_is_refused", FILE_PLAIN, NULL, NULL, "", 0, 0600, "",
	 ASKCRED_CONFIG_ERROR, "creds.json", "unexpected end"},
	{"file_for_other_workspace_is_not_found", FILE_PLAIN, NULL, NULL,
	 GOOD_JSON, 0, 0600, "workspace=" WS2, ASKCRED_NOT_FOUND, "creds.json",
	 "not the requested"},
};

static void set_env(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/* Lay out the file a row describes; returns its path. */
static const char *prepare_file(const struct row *r, char *path)
{
	char content[2048], other[PATH_MAX];

	fixture_path(path, "creds.json");
	unlink(path);
	unlink(fixture_path(other, "target.json"));
	unlink(fixture_path(other, "other-name.json"));
	if (r->setup == FILE_MISSING)
		return path;
	fixture_expand(content, sizeof(content), r->json, r->exp);
	if (r->setup == FILE_SYMLINK) {
		fixture_write(other, "target.json", content, r->mode);
		if (symlink(other, path) != 0)
			tap_bail("symlink failed");
		return path;
	}
	fixture_write(path, "creds.json", content, r->mode);
	if (r->setup == FILE_HARDLINK &&
	    link(path, fixture_path(other, "other-name.json")) != 0)
		tap_bail("link failed");
	if (r->setup == FILE_FOREIGN_OWNER && chown(path, 65534, 65534) != 0)
		tap_bail("chown failed");
	return path;
}

/* Split the row's extra arguments and add credentials= for file rows. */
static int build_argv(const struct row *r, const char *path, char *store,
		      size_t size, const char *argv[8])
{
	int argc = 0;
	char *save = NULL, *word;

	snprintf(store, size, "%s", r->args);
	for (word = strtok_r(store, " ", &save); word != NULL && argc < 6;
	     word = strtok_r(NULL, " ", &save))
		argv[argc++] = word;
	if (r->setup != FROM_ENV) {
		static char arg[PATH_MAX + 16];

		snprintf(arg, sizeof(arg), "credentials=%s", path);
		argv[argc++] = arg;
	}
	return argc;
}

static void run_row(const struct row *r)
{
	struct askcred_host host = {sizeof(host), ASKCRED_ABI_VERSION,
				    fixture_log,  NULL,
				    "test",	  "test",
				    NULL};
	struct askcred_request req = {sizeof(req), 0, NULL, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	struct instance *inst = NULL;
	char path[PATH_MAX], store[256];
	const char *argv[8];
	int argc;
	askcred_status rc;

	set_env("ASKUI_WORKSPACE_ID", r->setup == FROM_ENV ? r->env_ws : NULL);
	set_env("ASKUI_TOKEN", r->setup == FROM_ENV ? r->env_token : NULL);
	if (r->setup != FROM_ENV)
		prepare_file(r, path);
	argc = build_argv(r, path, store, sizeof(store), argv);
	fixture_log_reset();
	rc = instance_open(&host, argc, argv, &inst, &err);
	if (rc != ASKCRED_OK)
		tap_bail("%s: open failed: %s", r->name, err.message);
	rc = instance_fetch(inst, &req, &cred, &err);
	is_int(rc, r->want, "%s: status %s", r->name, status_name(r->want));
	if (r->want == ASKCRED_OK) {
		ok(cred != NULL && strcmp(cred->workspace_id, WS) == 0 &&
			   cred->token_len == strlen(TOKEN) &&
			   memcmp(cred->token, TOKEN, cred->token_len) == 0 &&
			   cred->token[cred->token_len] == '\0' &&
			   strcmp(cred->source, "static") == 0,
		   "%s: workspace, trimmed token and source", r->name);
	} else {
		ok(cred == NULL, "%s: no credential on failure", r->name);
		has_str(err.where, r->where, "%s: where names the origin",
			r->name);
		has_str(err.message, r->message, "%s: message says why",
			r->name);
	}
	ok(strstr(err.message, TOKEN) == NULL &&
		   strstr(err.where, TOKEN) == NULL &&
		   strstr(fixture_logged(), TOKEN) == NULL,
	   "%s: token appears in no message or log", r->name);
	instance_release(inst, cred);
	instance_close(inst);
}

/* The file row's parsed metadata, checked once in detail. */
static void check_file_metadata(void)
{
	struct askcred_host host = {
		sizeof(host), ASKCRED_ABI_VERSION, NULL, NULL, "test", "test",
		NULL};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;
	struct instance *inst = NULL;
	char path[PATH_MAX], arg[PATH_MAX + 16];
	const char *argv[1] = {arg};

	fixture_write(path, "meta.json",
		      "{\"workspace_id\": \"" WS "\", \"token\": \"" TOKEN
		      "\", \"expires_at\": \"2099-01-01T01:00:00+01:00\", "
		      "\"token_id\": \"" TOKEN_ID "\"}",
		      0600);
	snprintf(arg, sizeof(arg), "credentials=%s", path);
	if (instance_open(&host, 1, argv, &inst, &err) != ASKCRED_OK)
		tap_bail("open: %s", err.message);
	is_int(instance_fetch(inst, NULL, &cred, &err), ASKCRED_OK,
	       "file_fetch_with_null_request_uses_defaults");
	is_int(cred ? cred->expires_at : -1, 4070908800LL,
	       "file_expiry_with_offset_is_converted_to_utc");
	is_str(cred ? cred->token_id : NULL, TOKEN_ID, "file_token_id_is_kept");
	is_int(cred ? (long long)cred->flags : -1, 0,
	       "first_fetch_is_not_flagged_from_cache");
	instance_release(inst, cred);
	instance_close(inst);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].setup == FILE_FOREIGN_OWNER && geteuid() != 0) {
			tap_skip(5, "changing a file's owner needs root");
			continue;
		}
		run_row(&rows[i]);
	}
	check_file_metadata();
	fixture_cleanup();
	return tap_done();
}
