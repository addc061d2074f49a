/* The runner config edit: every case is an input, the token, and either
 * the exact output or the error's line and words. The token must land in
 * queue.credentials.access_token with nothing else changed, and anything
 * the edit cannot do safely must be refused at the right line. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json.h>

#include "rmtree.h"
#include "runner_config.h"
#include "tap.h"

#define TOK "tok-123"
#define Q "\"" TOK "\""

struct edit_case {
	const char *name;
	const char *in;
	const char *out;   /* expected text, or NULL: refused */
	const char *where; /* refused: "t.yaml:LINE" */
	const char *why;   /* refused: words of the message */
};

static const struct edit_case cases[] = {
	{"yaml_replaces_existing_value",
	 "queue:\n  api_url: x\n  credentials:\n    access_token: old\n"
	 "runner:\n  id: r\n",
	 "queue:\n  api_url: x\n  credentials:\n    access_token: " Q "\n"
	 "runner:\n  id: r\n"},
	{"yaml_inserts_token_into_existing_credentials",
	 "queue:\n  credentials:\n    other: 1\n",
	 "queue:\n  credentials:\n    access_token: " Q "\n    other: 1\n"},
	{"yaml_inserts_credentials_with_the_documents_indent",
	 "queue:\n    api_url: x\n",
	 "queue:\n    credentials:\n        access_token: " Q
	 "\n    api_url: x\n"},
	{"yaml_appends_queue_when_absent", "runner:\n  id: r\n",
	 "runner:\n  id: r\nqueue:\n  credentials:\n    access_token: " Q "\n"},
	{"yaml_appends_after_a_last_line_without_newline", "runner: x",
	 "runner: x\nqueue:\n  credentials:\n    access_token: " Q "\n"},
	{"yaml_empty_file_gets_the_whole_path", "",
	 "queue:\n  credentials:\n    access_token: " Q "\n"},
	{"yaml_fills_an_empty_queue", "queue:\nrunner: 1\n",
	 "queue:\n  credentials:\n    access_token: " Q "\nrunner: 1\n"},
	{"yaml_replaces_a_block_scalar_token_whole",
	 "queue:\n  credentials:\n    access_token: |\n      old\n\n"
	 "      more\n  api_url: u\n",
	 "queue:\n  credentials:\n    access_token: " Q "\n  api_url: u\n"},
	{"yaml_keeps_comments_also_after_the_token_and_reads_quoted_keys",
	 "# top\nqueue: # q\n  \"credentials\":\n    # c\n"
	 "    access_token: 'old' # t\n",
	 "# top\nqueue: # q\n  \"credentials\":\n    # c\n"
	 "    access_token: " Q " # t\n"},
	{"yaml_keeps_every_other_value_as_written",
	 "version: 1.10\nflag: yes\nwhen: 2001-12-14\nport: 0o17\n"
	 "queue:\n  credentials:\n    access_token: ~\n  n: !!str 3\n",
	 "version: 1.10\nflag: yes\nwhen: 2001-12-14\nport: 0o17\n"
	 "queue:\n  credentials:\n    access_token: " Q "\n  n: !!str 3\n"},
	{"yaml_fills_a_bare_access_token_key",
	 "queue:\n  credentials:\n    access_token:\n  x: 1\n",
	 "queue:\n  credentials:\n    access_token: " Q "\n  x: 1\n"},
	{"yaml_fills_empty_credentials_under_a_comment",
	 "queue:\n   credentials: # c\n   x: 1\n",
	 "queue:\n   credentials: # c\n      access_token: " Q "\n   x: 1\n"},
	{"yaml_replaces_a_multiline_quoted_token_whole",
	 "queue:\n  credentials:\n    access_token: \"abc\n      def\"\n"
	 "  x: 1\n",
	 "queue:\n  credentials:\n    access_token: " Q "\n  x: 1\n"},
	{"yaml_a_key_holding_nul_is_not_queue", "\"queue\\0\": 1\n",
	 "\"queue\\0\": 1\nqueue:\n  credentials:\n    access_token: " Q "\n"},
	{"yaml_refuses_an_alias_off_the_path",
	 "a: &x 1\nb: *x\nqueue:\n  credentials:\n    access_token: t\n", NULL,
	 "t.yaml:1", "anchors and aliases"},
	{"yaml_refuses_a_list_as_queue", "queue:\n  - a\n", NULL, "t.yaml:2",
	 "not a list"},
	{"yaml_refuses_a_mapping_as_the_token",
	 "queue:\n  credentials:\n    access_token:\n      a: 1\n", NULL,
	 "t.yaml:4", "single value"},
	{"yaml_refuses_to_insert_before_a_key_not_on_its_own_line",
	 "queue:\n  ? x\n  : 1\n", NULL, "t.yaml:2", "line of its own"},
	{"yaml_keeps_crlf_line_ends", "queue:\r\n  x: 1\r\n",
	 "queue:\r\n  credentials:\r\n    access_token: " Q "\r\n  x: 1\r\n"},
	{"yaml_accepts_one_leading_document_marker",
	 "---\nqueue:\n  credentials:\n    access_token: a\n",
	 "---\nqueue:\n  credentials:\n    access_token: " Q "\n"},
	{"yaml_skips_text_blocks_that_look_like_yaml",
	 "notes: |\n  *queue*: &x\n  queue:\nqueue:\n  credentials:\n"
	 "    access_token: a\n",
	 "notes: |\n  *queue*: &x\n  queue:\nqueue:\n  credentials:\n"
	 "    access_token: " Q "\n"},
	{"yaml_ignores_a_queue_key_nested_elsewhere",
	 "runner:\n  queue:\n    x: 1\n",
	 "runner:\n  queue:\n    x: 1\nqueue:\n  credentials:\n"
	 "    access_token: " Q "\n"},
	{"yaml_inserts_before_a_document_end_marker", "a: 1\n...\n",
	 "a: 1\nqueue:\n  credentials:\n    access_token: " Q "\n...\n"},
	{"yaml_refuses_flow_style_queue",
	 "queue: {credentials: {access_token: a}}\n", NULL, "t.yaml:1",
	 "flow style"},
	{"yaml_refuses_flow_style_credentials",
	 "queue:\n  credentials: {access_token: a}\n", NULL, "t.yaml:2",
	 "flow style"},
	{"yaml_refuses_anchors_and_aliases", "base: &b\n  x: 1\nqueue: *b\n",
	 NULL, "t.yaml:1", "anchors and aliases"},
	{"yaml_refuses_merge_keys", "queue:\n  <<: {a: 1}\n", NULL, "t.yaml:2",
	 "merge keys"},
	{"yaml_refuses_tabs_in_indentation", "queue:\n\tcredentials:\n", NULL,
	 "t.yaml:2", "tab"},
	{"yaml_refuses_several_documents", "a: 1\n---\nb: 2\n", NULL,
	 "t.yaml:2", "second YAML document"},
	{"yaml_refuses_a_duplicate_queue", "queue:\n  x: 1\nqueue:\n  y: 2\n",
	 NULL, "t.yaml:3", "twice"},
	{"yaml_refuses_a_list_document", "- a\n- b\n", NULL, "t.yaml:1",
	 "list"},
	{"yaml_refuses_a_scalar_queue", "queue: null\n", NULL, "t.yaml:1",
	 "must be a mapping"},
	{"yaml_refuses_a_tagged_queue", "queue: !!map\n  credentials:\n", NULL,
	 "t.yaml:1", "tag"},
	{"yaml_refuses_misaligned_keys", "queue:\n    a: 1\n  b: 2\n", NULL,
	 "t.yaml:3", "not valid YAML"},
	{"json_refuses_a_non_object_queue", "{\"queue\": 3}", NULL, "t.yaml",
	 "'queue' must be an object"},
	{"json_refuses_invalid_text", "{\"a\":\n 1,\n", NULL, "t.yaml:3",
	 "not valid JSON"},
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static void run_case(const struct edit_case *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct secret out = SECRET_INIT;
	askcred_status rc = runner_config_edit("t.yaml", c->in, strlen(c->in),
					       TOK, strlen(TOK), &out, &err);

	if (c->out != NULL) {
		is_int(rc, ASKCRED_OK, "%s: accepted", c->name);
		is_str(out.buf ? out.buf : "", c->out, "%s: output", c->name);
	} else {
		is_int(rc, ASKCRED_CONFIG_ERROR, "%s: refused", c->name);
		is_str(err.where, c->where, "%s: names the line", c->name);
		has_str(err.message, c->why, "%s: says why", c->name);
		ok(strstr(err.message, TOK) == NULL,
		   "%s: no token in the message", c->name);
	}
	secret_clear(&out);
}

static const char *json_path(json_object *root, const char *a, const char *b,
			     const char *c)
{
	json_object *o = root;

	if (!json_object_object_get_ex(o, a, &o) ||
	    !json_object_object_get_ex(o, b, &o) ||
	    (c != NULL && !json_object_object_get_ex(o, c, &o)))
		return "(absent)";
	return json_object_get_string(o);
}

/* json-c rewrites the layout, so JSON is checked by meaning. */
static void json_sets_token_and_keeps_the_rest(void)
{
	const char *in = "{\"queue\": {\"api_url\": \"https://q/\"},\n"
			 " \"runner\": {\"id\": \"r1\", \"tags\": [\"a\"]}}\n";
	const char *tok = "a\"b\\c/d";
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct secret out = SECRET_INIT;
	json_object *root;

	is_int(runner_config_edit("r.json", in, strlen(in), tok, strlen(tok),
				  &out, &err),
	       ASKCRED_OK, "json: accepted");
	root = json_tokener_parse(out.buf ? out.buf : "");
	ok(root != NULL, "json: the output parses");
	is_str(json_path(root, "queue", "credentials", "access_token"), tok,
	       "json: queue.credentials.access_token is the token, escaped");
	is_str(json_path(root, "queue", "api_url", NULL), "https://q/",
	       "json: queue.api_url kept");
	is_str(json_path(root, "runner", "id", NULL), "r1",
	       "json: runner.id kept");
	json_object_put(root);
	secret_clear(&out);
}

static void yaml_quotes_the_token(void)
{
	const char *in = "queue:\n  credentials:\n    access_token: x\n";
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct secret out = SECRET_INIT;

	runner_config_edit("t.yaml", in, strlen(in), "a\"b\\c\x01", 6, &out,
			   &err);
	is_str(out.buf ? out.buf : "",
	       "queue:\n  credentials:\n    access_token: "
	       "\"a\\\"b\\\\c\\x01\"\n",
	       "yaml: quote, backslash and control bytes are escaped");
	secret_clear(&out);
}

/* Every input of the table, cut short at each byte and with each byte
 * replaced by characters YAML gives a meaning to: the edit never reads
 * out of bounds (run under Valgrind or ASan by make check's variants),
 * and whatever it accepts has the token exactly once. */
static void mutations_accepted_hold_the_token_once(void)
{
	static const char special[] = ":-#&*!|>{}[]\"'\t\r\n ?%.";
	size_t tried = 0, bad = 0;
	char buf[512];

	for (size_t i = 0; i < N_CASES; i++) {
		size_t len = strlen(cases[i].in);

		if (len >= sizeof(buf))
			continue;
		for (size_t at = 0; at <= len; at++) {
			for (size_t k = 0; k <= sizeof(special) - 1; k++) {
				struct askcred_error err = ASKCRED_ERROR_INIT;
				struct secret out = SECRET_INIT;
				size_t n = at;
				const char *first;

				memcpy(buf, cases[i].in, len + 1);
				if (k < sizeof(special) - 1 && at < len)
					buf[at] = special[k], n = len;
				else if (k < sizeof(special) - 1)
					continue;
				buf[n] = '\0';
				tried++;
				if (runner_config_edit("m.yaml", buf, n, TOK,
						       strlen(TOK), &out,
						       &err) != ASKCRED_OK) {
					bad += strstr(err.message, TOK) != NULL;
					continue;
				}
				first = strstr(out.buf, TOK);
				if (first == NULL ||
				    strstr(first + 1, TOK) != NULL)
					bad++;
				secret_clear(&out);
			}
		}
	}
	ok(tried > 10000 && bad == 0,
	   "%zu mutated inputs: each refused without the token in the "
	   "message, or holding the token exactly once (%zu not)",
	   tried, bad);
}

static int copy_holds(const char *path, const char *token)
{
	char buf[512] = "";
	FILE *f = fopen(path, "r");
	size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, token) != NULL;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

/* exec --renew signal:SIG: the copy is replaced at its path, atomically,
 * still private and still locked against gc; a failed rewrite leaves the
 * copy as it was. */
static void rewrite_replaces_the_copy_in_place(void)
{
	const char *tmp = getenv("TMPDIR");
	char base[PATH_MAX], run[PATH_MAX], src[PATH_MAX], path[PATH_MAX];
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct runner_file rf = RUNNER_FILE_INIT;
	struct stat before, after;
	int fd;
	FILE *f;

	snprintf(base, sizeof(base), "%s/askcred-rw-XXXXXX",
		 tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(base) == NULL)
		tap_bail("mkdtemp: %s", strerror(errno));
	snprintf(run, sizeof(run), "%s/run", base);
	snprintf(src, sizeof(src), "%s/runner.yaml", base);
	if (mkdir(run, 0700) != 0 || (f = fopen(src, "w")) == NULL)
		tap_bail("setup: %s", strerror(errno));
	fputs("queue:\n  credentials:\n    access_token: x\n", f);
	fclose(f);
	chmod(src, 0644);
	setenv("XDG_RUNTIME_DIR", run, 1);

	is_int(runner_file_write(&rf, src, "tok-first", 9, &err), ASKCRED_OK,
	       "the first copy is written (%s)", err.message);
	snprintf(path, sizeof(path), "%s", rf.path);
	stat(path, &before);
	is_int(runner_file_rewrite(&rf, src, "tok-second", 10, &err),
	       ASKCRED_OK, "the copy is rewritten (%s)", err.message);
	is_str(rf.path, path, "the rewritten copy keeps its path");
	ok(copy_holds(path, "tok-second") && !copy_holds(path, "tok-first"),
	   "the copy holds the new token, not the old one");
	ok(stat(path, &after) == 0 && (after.st_mode & 0777) == 0600 &&
		   after.st_ino != before.st_ino,
	   "it is a new file of mode 0600, renamed over the old one");
	is_int(entries(run), 1, "no temporary file is left beside it");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ok(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK,
	   "the new copy is locked, so gc keeps it");
	if (fd >= 0)
		close(fd);

	chmod(src, 0666); /* writable by others: refused */
	ok(runner_file_rewrite(&rf, src, "tok-third", 9, &err) != ASKCRED_OK,
	   "a source that no longer reads fails the rewrite");
	ok(copy_holds(path, "tok-second") && entries(run) == 1,
	   "and leaves the copy as it was");
	ok(runner_file_remove(&rf) == 0 && entries(run) == 0,
	   "the copy is removed at the end");
	test_rmtree(base);
}

int main(void)
{
	for (size_t i = 0; i < N_CASES; i++)
		run_case(&cases[i]);
	json_sets_token_and_keeps_the_rest();
	yaml_quotes_the_token();
	mutations_accepted_hold_the_token_once();
	rewrite_replaces_the_copy_in_place();
	return tap_done();
}
