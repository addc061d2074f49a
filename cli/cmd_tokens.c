/* askcred tokens list|revoke|enforce: every token of the workspace, as
 * the stack's modules report it through libaskcred (provider ABI 1.2),
 * one row (or JSON object) per token. The modules do the network and the
 * policy; this file parses options and prints. AskUI's list holds no
 * token strings, so none can be printed. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "credcheck.h"
#include "output.h"

enum {
	COL_ID,
	COL_HOST,
	COL_ENTRY,
	COL_JOB,
	COL_PURPOSE,
	COL_CREATED,
	COL_EXPIRES,
	COL_FLAGS,
	COL_NAME,
	COL_NOTE,
	N_COLS
};

static const char *const headers[N_COLS] = {
	"TOKEN-ID", "HOST",    "ENTRY", "JOB",	"PURPOSE",
	"CREATED",  "EXPIRES", "FLAGS", "NAME", "NOTE",
};

static const struct {
	uint32_t flag;
	const char *name;
} flag_names[] = {
	{ASKCRED_TOKEN_FOREIGN, "foreign"},
	{ASKCRED_TOKEN_NEVER_EXPIRES, "never-expires"},
	{ASKCRED_TOKEN_PARENT, "parent"},
	{ASKCRED_TOKEN_JOB, "job"},
	{ASKCRED_TOKEN_EXPIRED, "expired"},
	{ASKCRED_TOKEN_SELECTED, "selected"},
	{ASKCRED_TOKEN_DELETED, "deleted"},
	{ASKCRED_TOKEN_REFUSED, "refused"},
	{ASKCRED_TOKEN_FAILED, "failed"},
};

#define N_FLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

struct listing {
	int json;
	json_object *array;
	char *(*rows)[N_COLS];
	size_t n_rows, cap_rows;
	size_t picked; /* tokens flagged selected */
	int failed;    /* out of memory */
};

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static int add_str(json_object *o, const char *key, const char *s)
{
	return json_add_string(o, key, s, strlen(or_empty(s)));
}

static json_object *token_json(const struct askcred_token_info *t)
{
	json_object *o = json_object_new_object();
	json_object *flags = json_object_new_array();
	int bad = o == NULL || flags == NULL;

	for (size_t i = 0; !bad && i < N_FLAGS; i++)
		if ((t->flags & flag_names[i].flag) &&
		    json_object_array_add(
			    flags, json_object_new_string(flag_names[i].name)))
			bad = 1;
	if (bad || add_str(o, "token_id", t->token_id) ||
	    add_str(o, "name", t->name) ||
	    add_str(o, "workspace_id", t->workspace_id) ||
	    add_str(o, "host", t->host) || add_str(o, "entry", t->entry) ||
	    add_str(o, "job", t->job) || add_str(o, "purpose", t->purpose) ||
	    json_add_time(o, "created_at", t->created_at) ||
	    json_add_time(o, "expires_at", t->expires_at) ||
	    json_add_bool(o, "foreign", t->flags & ASKCRED_TOKEN_FOREIGN) ||
	    json_add_bool(o, "never_expires",
			  t->flags & ASKCRED_TOKEN_NEVER_EXPIRES) ||
	    json_add(o, "flags", json_object_get(flags)) ||
	    add_str(o, "result", askcred_strstatus(t->result)) ||
	    add_str(o, "note", t->note)) {
		json_object_put(o);
		o = NULL;
	}
	json_object_put(flags);
	return o;
}

/* A cell shows server text, so control characters are neutralised. */
static char *cell(const char *s)
{
	char buf[640];

	if (s == NULL || *s == '\0')
		return strdup("-");
	sanitize_text(buf, sizeof(buf), s);
	return strdup(buf);
}

static int token_row(const struct askcred_token_info *t, char **r)
{
	char created[RFC3339_LEN], expires[RFC3339_LEN], flags[160];

	created[0] = flags[0] = '\0';
	if (t->created_at != 0)
		format_rfc3339(t->created_at, created);
	if (t->expires_at == 0)
		strcpy(expires, "never");
	else
		format_rfc3339(t->expires_at, expires);
	for (size_t i = 0; i < N_FLAGS; i++)
		if (t->flags & flag_names[i].flag)
			snprintf(flags + strlen(flags),
				 sizeof(flags) - strlen(flags), "%s%s",
				 flags[0] ? "," : "", flag_names[i].name);
	r[COL_ID] = cell(t->token_id);
	r[COL_HOST] = cell(t->host);
	r[COL_ENTRY] = cell(t->entry);
	r[COL_JOB] = cell(t->job);
	r[COL_PURPOSE] = cell(t->purpose);
	r[COL_CREATED] = cell(created);
	r[COL_EXPIRES] = cell(expires);
	r[COL_FLAGS] = cell(flags);
	r[COL_NAME] = cell(t->name);
	r[COL_NOTE] = cell(t->note);
	for (size_t i = 0; i < N_COLS; i++)
		if (r[i] == NULL)
			return -1;
	return 0;
}

static void on_token(void *ctx, const struct askcred_token_info *token)
{
	struct listing *l = ctx;
	struct askcred_token_info t;
	json_object *o;

	if (token == NULL || l->failed)
		return;
	/* Read only the fields the module's struct has. */
	memset(&t, 0, sizeof(t));
	memcpy(&t, token,
	       token->struct_size < sizeof(t) ? token->struct_size : sizeof(t));
	if (t.flags & ASKCRED_TOKEN_SELECTED)
		l->picked++;
	if (l->json) {
		o = token_json(&t);
		if (o == NULL || json_object_array_add(l->array, o) != 0) {
			json_object_put(o);
			l->failed = 1;
		}
		return;
	}
	if (l->n_rows == l->cap_rows) {
		size_t cap = l->cap_rows ? 2 * l->cap_rows : 16;
		void *rows = reallocarray(l->rows, cap, sizeof(*l->rows));

		if (rows == NULL) {
			l->failed = 1;
			return;
		}
		l->rows = rows;
		l->cap_rows = cap;
	}
	memset(l->rows[l->n_rows], 0, sizeof(l->rows[0]));
	l->n_rows++;
	if (token_row(&t, l->rows[l->n_rows - 1]) != 0)
		l->failed = 1;
}

static void print_table(const struct listing *l)
{
	size_t width[N_COLS];

	for (size_t c = 0; c < N_COLS; c++) {
		width[c] = strlen(headers[c]);
		for (size_t r = 0; r < l->n_rows; r++)
			if (strlen(l->rows[r][c]) > width[c])
				width[c] = strlen(l->rows[r][c]);
	}
	for (size_t r = 0; r <= l->n_rows; r++)
		for (size_t c = 0; c < N_COLS; c++) {
			const char *s = r == 0 ? headers[c] : l->rows[r - 1][c];

			if (c + 1 == N_COLS)
				printf("%s\n", s); /* no trailing blanks */
			else
				printf("%-*s  ", (int)width[c], s);
		}
}

enum {
	OPT_JSON = 0x100,
	OPT_DRY_RUN,
	OPT_HOST,
	OPT_OLDER_THAN,
	OPT_ORPHANED,
	OPT_ID,
};

static const struct option options[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"host", required_argument, NULL, OPT_HOST},
	{"older-than", required_argument, NULL, OPT_OLDER_THAN},
	{"orphaned", no_argument, NULL, OPT_ORPHANED},
	{"id", required_argument, NULL, OPT_ID},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Parse the subcommand's options into q; -1 to go on, else the exit
 * status. Options another subcommand takes are refused here. */
static int parse(const char *cmd, int argc, char **argv,
		 struct askcred_tokens_query *q, int *json)
{
	uint32_t older;
	int c, rc;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
		if (c == '?' || c == ':')
			return option_error(cmd, c, argv);
		if (c == 'h') {
			print_help("tokens");
			return EXIT_OK;
		}
		if (c == OPT_JSON) {
			*json = 1;
			continue;
		}
		if (q->action == ASKCRED_TOKENS_LIST)
			return usage_error(cmd, "takes only --json");
		if (c == OPT_DRY_RUN) {
			q->flags |= ASKCRED_TOKENS_DRY_RUN;
			continue;
		}
		if (q->action != ASKCRED_TOKENS_REVOKE)
			return usage_error(cmd, "takes only --dry-run and "
						"--json");
		if (q->select != 0)
			return usage_error(cmd, "give one selector: --host, "
						"--older-than, --orphaned or "
						"--id");
		switch (c) {
		case OPT_HOST:
			q->select = ASKCRED_TOKENS_SEL_HOST;
			q->host = optarg;
			break;
		case OPT_OLDER_THAN:
			rc = parse_duration(optarg, &older);
			if (rc != 0)
				return usage_error(cmd,
						   "--older-than: '%s' is not "
						   "a duration (like 12h, 7d)",
						   optarg);
			q->select = ASKCRED_TOKENS_SEL_OLDER;
			q->older_than = older;
			break;
		case OPT_ORPHANED:
			q->select = ASKCRED_TOKENS_SEL_ORPHANED;
			break;
		default: /* OPT_ID */
			/* The id goes into the DELETE URL's path: only the
			 * shape AskUI gives ids passes, so none can reach
			 * another endpoint ("../lookup", "%2F", "?"). */
			if (!is_uuid4(optarg))
				return usage_error(
					cmd,
					"--id: '%s' is not a token id (a UUID "
					"version 4, as tokens list shows)",
					optarg);
			q->select = ASKCRED_TOKENS_SEL_ID;
			q->token_id = optarg;
			break;
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind]);
	if (q->action == ASKCRED_TOKENS_REVOKE && q->select == 0)
		return usage_error(cmd, "give one selector: --host H, "
					"--older-than DUR, --orphaned or "
					"--id ID");
	return -1;
}

static int run(struct cli *cli, const char *cmd, int argc, char **argv,
	       uint32_t action)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_tokens_query q;
	struct listing l;
	askcred_status rc;
	int ex;

	memset(&q, 0, sizeof(q));
	memset(&l, 0, sizeof(l));
	q.struct_size = sizeof(q);
	q.action = action;
	ex = parse(cmd, argc, argv, &q, &l.json);
	if (ex >= 0)
		return ex;
	ex = cli_open_stack(cli);
	if (ex != EXIT_OK)
		return ex;
	if (l.json && (l.array = json_object_new_array()) == NULL)
		l.failed = 1;
	rc = l.failed ? ASKCRED_NO_MEMORY
		      : askcred_tokens(cli->st, &q, on_token, &l, &err);
	/* What was done is printed even when some of it failed: the rows
	 * say which token failed and why. */
	if (!l.failed && l.json)
		printf("%s\n", json_object_to_json_string_ext(
				       l.array,
				       JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE));
	else if (!l.failed && (l.n_rows > 0 || rc == ASKCRED_OK))
		print_table(&l);
	if (l.failed) {
		fprintf(stderr, "askcred: %s: out of memory\n", cmd);
		ex = EXIT_INTERNAL;
	} else if (rc != ASKCRED_OK) {
		ex = report_failure(cmd, rc, &err);
	} else if (action != ASKCRED_TOKENS_LIST && l.picked == 0 &&
		   cli->verbosity > VERB_QUIET) {
		/* Say so: a --host spelt otherwise than in the token names
		 * (see tokens list) picks nothing, and that is no error. */
		fprintf(stderr, "askcred: %s: no token picked\n", cmd);
	}
	for (size_t i = 0; i < l.n_rows; i++)
		for (size_t c = 0; c < N_COLS; c++)
			free(l.rows[i][c]);
	free(l.rows);
	json_object_put(l.array);
	return ex;
}

int cmd_tokens(struct cli *cli, int argc, char **argv)
{
	if (argc < 2) {
		print_help_on(stderr, "tokens");
		return usage_error("tokens", "give a subcommand (list, revoke, "
					     "enforce)");
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help("tokens");
		return EXIT_OK;
	}
	if (strcmp(argv[1], "list") == 0)
		return run(cli, "tokens list", argc - 1, argv + 1,
			   ASKCRED_TOKENS_LIST);
	if (strcmp(argv[1], "revoke") == 0)
		return run(cli, "tokens revoke", argc - 1, argv + 1,
			   ASKCRED_TOKENS_REVOKE);
	if (strcmp(argv[1], "enforce") == 0)
		return run(cli, "tokens enforce", argc - 1, argv + 1,
			   ASKCRED_TOKENS_ENFORCE);
	return usage_error("tokens",
			   "unknown subcommand '%s' (list, revoke, enforce)",
			   argv[1]);
}
