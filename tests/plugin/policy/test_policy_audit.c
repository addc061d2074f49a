/*
 * The audit trail: one parseable JSON line per event, even with many
 * processes appending at once, naming tokens only by id and fingerprint.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "policy_audit.h"
#include "safefile.h"
#include "tap.h"
#include "testlib.h"

#define WRITERS 32
#define LINES 200
#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define TID "6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f"
#define TOKEN_PREFIX "tok-SECRET-"

static char *dir;
static char logged[POLICY_AUDIT_LINE_MAX];
static int logged_level;

static void host_log(void *ctx, int level, const char *message)
{
	(void)ctx;
	logged_level = level;
	snprintf(logged, sizeof(logged), "%s", message);
}

static void make_record(struct token_record *rec, const char *token)
{
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->workspace_id, sizeof(rec->workspace_id), "%s", WS);
	snprintf(rec->token_id, sizeof(rec->token_id), "%s", TID);
	snprintf(rec->source, sizeof(rec->source), "mint");
	if (secret_set(&rec->token, token, strlen(token)) != 0)
		tap_bail("out of memory");
	rec->issued_at = 1800000000;
	rec->expires_at = 1800003600;
}

/* What the audit is given: the record without its secret (record_view()
 * in plugin/record.c, which this test does not link). */
static void audit_view(const struct token_record *rec, struct token_view *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->workspace_id, rec->workspace_id, sizeof(v->workspace_id));
	memcpy(v->token_id, rec->token_id, sizeof(v->token_id));
	memcpy(v->source, rec->source, sizeof(v->source));
	fingerprint(rec->token.buf, rec->token.len, v->fingerprint);
	v->issued_at = rec->issued_at;
	v->expires_at = rec->expires_at;
}

static const char *field(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

static void check_one_line(const char *path)
{
	struct policy_audit_config cfg = {host_log, NULL, path, 0,
					  "askcred test"};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_audit *a = NULL;
	struct policy_decision d;
	struct token_record rec;
	struct token_view view;
	char fp[FINGERPRINT_LEN];
	struct policy_audit_event ev = {
		1800000000, POLICY_OP_FETCH, &view, NULL, NULL, 7, &d, "gpu"};
	json_object *o;

	make_record(&rec, TOKEN_PREFIX "single");
	audit_view(&rec, &view);
	policy_decide(&d, POLICY_R_MIN_VALIDITY,
		      "token expires in 4m, policy wants at least 30m");
	is_int(policy_audit_open(&cfg, &a, &err), ASKCRED_OK,
	       "an audit file is created and accepted");
	is_int(policy_audit_record(a, &ev, &err), ASKCRED_OK,
	       "a denial is recorded");
	is_int(logged_level, ASKCRED_LOG_WARNING,
	       "a denial reaches the host log as a warning");
	o = json_tokener_parse(logged);
	ok(o != NULL, "the host log line is JSON");
	is_str(field(o, "time"), "2027-01-15T08:00:00Z", "time is RFC 3339");
	is_str(field(o, "op"), "fetch", "operation is recorded");
	is_str(field(o, "decision"), "deny", "decision is recorded");
	is_str(field(o, "reason"), "min_validity", "reason code is recorded");
	is_str(field(o, "workspace"), WS, "workspace is recorded");
	is_str(field(o, "token_id"), TID, "token id is recorded");
	fingerprint(rec.token.buf, rec.token.len, fp);
	is_str(field(o, "token_fp"), fp,
	       "the token appears as its fingerprint");
	is_str(field(o, "source"), "mint", "source is recorded");
	is_str(field(o, "policy_serial"), "7", "policy serial is recorded");
	has_str(field(o, "detail"), "policy wants at least 30m",
		"the sentence is recorded");
	ok(strstr(logged, TOKEN_PREFIX) == NULL,
	   "the token itself is not in the line");
	json_object_put(o);
	policy_audit_close(a);
	secret_clear(&rec.token);
}

/* Labels and host names come from configuration: however long or odd,
 * the line stays one bounded JSON object. */
static void check_hostile_labels(void)
{
	struct policy_audit_config cfg = {host_log, NULL, NULL, 0, NULL};
	struct policy_audit *a = NULL;
	struct policy_decision d;
	struct policy_audit_event ev = {
		1800000000, POLICY_OP_FETCH, NULL, WS, "static", 1, &d, NULL};
	char labels[3000];
	json_object *o;

	memset(labels, '\x01', sizeof(labels) - 1);
	labels[sizeof(labels) - 1] = '\0';
	ev.labels = labels;
	policy_decide(&d, POLICY_R_SOURCE, "source \"static\" is not allowed");
	if (policy_audit_open(&cfg, &a, NULL) != ASKCRED_OK)
		tap_bail("audit open");
	is_int(policy_audit_record(a, &ev, NULL), ASKCRED_OK,
	       "3000 bytes of control characters in labels still make a line");
	o = json_tokener_parse(logged);
	ok(o != NULL && strlen(logged) < POLICY_AUDIT_LINE_MAX,
	   "the line is JSON and within the line bound (%zu bytes)",
	   strlen(logged));
	is_str(field(o, "workspace"), WS,
	       "a denial before a fetch names the workspace asked for");
	json_object_put(o);
	policy_audit_close(a);
}

static void writer(const char *path, int id)
{
	struct policy_audit_config cfg = {NULL, NULL, path, 0, "writer"};
	struct policy_audit *a = NULL;
	struct policy_decision d;
	struct token_record rec;
	struct token_view view;
	char token[64], labels[64];
	struct policy_audit_event ev = {
		1800000000, POLICY_OP_REFRESH, &view, NULL, NULL, 3, &d,
		labels};

	snprintf(token, sizeof(token), TOKEN_PREFIX "%d", id);
	make_record(&rec, token);
	audit_view(&rec, &view);
	policy_decide(&d, POLICY_R_OK, "allowed by policy serial 3");
	if (policy_audit_open(&cfg, &a, NULL) != ASKCRED_OK)
		_exit(2);
	for (int i = 0; i < LINES; i++) {
		snprintf(labels, sizeof(labels), "w%d,n%d", id, i);
		if (policy_audit_record(a, &ev, NULL) != ASKCRED_OK)
			_exit(3);
	}
	policy_audit_close(a);
	secret_clear(&rec.token);
	_exit(0);
}

/* Every line parses, and each writer's lines are all there, once. */
static void check_file(const char *path)
{
	static unsigned char seen[WRITERS][LINES];
	const struct file_rules rules = {"audit", 022, 0, 64 << 20};
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, lines = 0, bad = 0, dup = 0, secret = 0;

	if (safe_read_file(path, &rules, &buf, &len, NULL) != ASKCRED_OK)
		tap_bail("cannot read %s", path);
	ok(len > 0 && buf[len - 1] == '\n', "the file ends with a full line");
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);
		int w = -1, n = -1;

		lines++;
		if (strstr(line, TOKEN_PREFIX) != NULL)
			secret++;
		if (o == NULL ||
		    sscanf(field(o, "labels"), "w%d,n%d", &w, &n) != 2 ||
		    w < 0 || w >= WRITERS || n < 0 || n >= LINES) {
			bad++;
		} else if (seen[w][n]++) {
			dup++;
		}
		json_object_put(o);
	}
	is_int((long long)lines, WRITERS * LINES,
	       "%d writers x %d lines give exactly that many lines", WRITERS,
	       LINES);
	is_int((long long)bad, 0, "every line is one whole JSON object");
	is_int((long long)dup, 0, "no line is written twice");
	is_int((long long)secret, 0, "no token appears in the file");
	free(buf);
}

static void check_concurrent(const char *path)
{
	pid_t pids[WRITERS];
	int failed = 0;

	for (int i = 0; i < WRITERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			tap_bail("fork failed");
		if (pids[i] == 0)
			writer(path, i);
	}
	for (int i = 0; i < WRITERS; i++) {
		int status = 0;

		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	is_int(failed, 0, "every writer process succeeded");
	check_file(path);
}

static void check_refusals(void)
{
	struct policy_audit_config cfg = {NULL, NULL, NULL, 0, NULL};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_audit *a = NULL;
	char target[4096], link[4096], open_file[4096];

	test_path(target, sizeof(target), dir, "target.log");
	test_write(target, "", 0, 0600);
	cfg.file = test_path(link, sizeof(link), dir, "link.log");
	if (symlink(target, link) != 0)
		tap_bail("symlink");
	is_int(policy_audit_open(&cfg, &a, &err), ASKCRED_CONFIG_ERROR,
	       "an audit file reached through a symlink is refused");
	has_str(err.message, "symbolic link", "the message says why");
	cfg.file = test_path(open_file, sizeof(open_file), dir, "open.log");
	test_write(open_file, "", 0, 0666);
	is_int(policy_audit_open(&cfg, &a, &err), ASKCRED_CONFIG_ERROR,
	       "an audit file others may write is refused");
	ok(a == NULL, "nothing is returned for a refused audit file");
}

int main(void)
{
	char one[4096], many[4096];

	dir = test_tmpdir();
	check_one_line(test_path(one, sizeof(one), dir, "one.log"));
	check_hostile_labels();
	check_concurrent(test_path(many, sizeof(many), dir, "many.log"));
	check_refusals();
	test_rmtree(dir);
	free(dir);
	return tap_done();
}
