/* askcred status [--json]: what the stack's modules hold, and askcred gc
 * [--json]: what they collected, as a table or a JSON array. Entries never
 * carry a token, so there is none to leak. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"
#include "runner_config.h"

enum {
	COL_NAME,
	COL_WORKSPACE,
	COL_TOKEN_ID,
	COL_EXPIRES,
	COL_REMAINING,
	COL_FLAGS,
	COL_SOURCE,
	COL_SERIAL,
	COL_NOTE,
	N_COLS
};

static const char *const headers[N_COLS] = {
	"NAME",	 "WORKSPACE", "TOKEN-ID", "EXPIRES", "REMAINING",
	"FLAGS", "SOURCE",    "SERIAL",	  "NOTE",
};

static const struct {
	uint32_t flag;
	const char *name;
} flag_names[] = {
	{ASKCRED_CRED_STALE, "stale"},
	{ASKCRED_CRED_FROM_CACHE, "from-cache"},
	{ASKCRED_CRED_MINTED, "minted"},
	{ASKCRED_ENTRY_PENDING_REVOKE, "pending-revoke"},
	{ASKCRED_ENTRY_POLICY, "policy"},
};

#define N_FLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

struct row {
	char *cell[N_COLS];
};

struct listing {
	int json;
	json_object *array; /* json: the entries so far */
	struct row *rows;   /* table: the entries so far */
	size_t n_rows;
	size_t cap_rows;
	int failed; /* out of memory: the listing is incomplete */
	int64_t now;
};

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static int64_t remaining(const struct listing *l, int64_t expires_at)
{
	return expires_at > l->now ? expires_at - l->now : 0;
}

static json_object *entry_json(const struct listing *l,
			       const struct askcred_entry_info *e)
{
	json_object *o = json_object_new_object();
	json_object *flags = json_object_new_array();
	int bad = o == NULL || flags == NULL;

	for (size_t i = 0; !bad && i < N_FLAGS; i++)
		if ((e->flags & flag_names[i].flag) &&
		    json_object_array_add(
			    flags, json_object_new_string(flag_names[i].name)))
			bad = 1;
	if (bad ||
	    json_add_string(o, "name", e->name, strlen(or_empty(e->name))) ||
	    json_add_string(o, "workspace_id", e->workspace_id,
			    strlen(or_empty(e->workspace_id))) ||
	    json_add_string(o, "token_id", e->token_id,
			    strlen(or_empty(e->token_id))) ||
	    json_add_time(o, "issued_at", e->issued_at) ||
	    json_add_time(o, "expires_at", e->expires_at) ||
	    json_add(o, "remaining_seconds",
		     e->expires_at == 0 ? NULL
					: json_object_new_int64(remaining(
						  l, e->expires_at))) ||
	    json_add(o, "flags", json_object_get(flags)) ||
	    json_add_string(o, "source", e->source,
			    strlen(or_empty(e->source))) ||
	    json_add(o, "policy_serial",
		     json_object_new_uint64(e->policy_serial)) ||
	    json_add_string(o, "note", e->note, strlen(or_empty(e->note)))) {
		json_object_put(o);
		o = NULL;
	}
	json_object_put(flags);
	return o;
}

/* A cell shows provider text, so control characters are neutralised. */
static char *cell(const char *s)
{
	char buf[256];

	if (s == NULL || *s == '\0')
		return strdup("-");
	sanitize_text(buf, sizeof(buf), s);
	return strdup(buf);
}

static int entry_row(const struct listing *l,
		     const struct askcred_entry_info *e, struct row *r)
{
	char expires[RFC3339_LEN], left[32], flags[96], serial[24];

	expires[0] = flags[0] = '\0';
	if (e->expires_at != 0)
		format_rfc3339(e->expires_at, expires);
	if (e->flags & ASKCRED_ENTRY_POLICY)
		left[0] = '\0'; /* a policy, not a token: no expiry to show */
	else if (e->expires_at == 0)
		strcpy(left, "never");
	else if (e->expires_at <= l->now)
		strcpy(left, "expired");
	else
		format_duration(remaining(l, e->expires_at), left,
				sizeof(left));
	for (size_t i = 0; i < N_FLAGS; i++)
		if (e->flags & flag_names[i].flag)
			snprintf(flags + strlen(flags),
				 sizeof(flags) - strlen(flags), "%s%s",
				 flags[0] ? "," : "", flag_names[i].name);
	snprintf(serial, sizeof(serial), "%llu",
		 (unsigned long long)e->policy_serial);

	r->cell[COL_NAME] = cell(e->name);
	r->cell[COL_WORKSPACE] = cell(e->workspace_id);
	r->cell[COL_TOKEN_ID] = cell(e->token_id);
	r->cell[COL_EXPIRES] = cell(expires);
	r->cell[COL_REMAINING] = cell(left);
	r->cell[COL_FLAGS] = cell(flags);
	r->cell[COL_SOURCE] = cell(e->source);
	r->cell[COL_SERIAL] = cell(e->policy_serial ? serial : NULL);
	r->cell[COL_NOTE] = cell(e->note);
	for (size_t i = 0; i < N_COLS; i++)
		if (r->cell[i] == NULL)
			return -1;
	return 0;
}

static void row_free(struct row *r)
{
	for (size_t i = 0; i < N_COLS; i++)
		free(r->cell[i]);
}

static void on_entry(void *ctx, const struct askcred_entry_info *entry)
{
	struct listing *l = ctx;
	struct askcred_entry_info e;
	json_object *o;

	if (entry == NULL)
		return;
	/* Read only the fields the library's struct has. */
	memset(&e, 0, sizeof(e));
	memcpy(&e, entry,
	       entry->struct_size < sizeof(e) ? entry->struct_size : sizeof(e));
	if (l->failed)
		return;
	if (l->json) {
		o = entry_json(l, &e);
		if (o == NULL || json_object_array_add(l->array, o) != 0) {
			json_object_put(o);
			l->failed = 1;
		}
		return;
	}
	if (l->n_rows == l->cap_rows) {
		size_t cap = l->cap_rows ? 2 * l->cap_rows : 8;
		struct row *rows = reallocarray(l->rows, cap, sizeof(*rows));

		if (rows == NULL) {
			l->failed = 1;
			return;
		}
		l->rows = rows;
		l->cap_rows = cap;
	}
	memset(&l->rows[l->n_rows], 0, sizeof(l->rows[0]));
	if (entry_row(l, &e, &l->rows[l->n_rows]) != 0) {
		row_free(&l->rows[l->n_rows]);
		l->failed = 1;
		return;
	}
	l->n_rows++;
}

static void print_table(const struct listing *l)
{
	size_t width[N_COLS];

	for (size_t c = 0; c < N_COLS; c++) {
		width[c] = strlen(headers[c]);
		for (size_t r = 0; r < l->n_rows; r++)
			if (strlen(l->rows[r].cell[c]) > width[c])
				width[c] = strlen(l->rows[r].cell[c]);
	}
	for (size_t r = 0; r <= l->n_rows; r++) {
		for (size_t c = 0; c < N_COLS; c++) {
			const char *s =
				r == 0 ? headers[c] : l->rows[r - 1].cell[c];

			/* The last column is not padded: no trailing blanks. */
			if (c + 1 == N_COLS)
				printf("%s\n", s);
			else
				printf("%-*s  ", (int)width[c], s);
		}
	}
}

typedef askcred_status (*lister_fn)(askcred_stack *stack, askcred_entry_cb cb,
				    void *cb_ctx, struct askcred_error *err);

/* Local work reported as entries too (gc: runner config copies). */
typedef void (*local_fn)(askcred_entry_cb cb, void *cb_ctx);

/* One listing command: status (what is held) or gc (what was swept). */
static int list_entries(struct cli *cli, int argc, char **argv, const char *cmd,
			lister_fn list, local_fn local, const char *failed)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cmd_args a;
	struct listing l;
	askcred_status rc;
	int ex = parse_command(cmd, argc, argv, "json", 0, &a);

	if (ex >= 0)
		return ex;
	memset(&l, 0, sizeof(l));
	l.json = a.json;
	ex = cli_open_stack(cli);
	if (ex != EXIT_OK)
		return ex;
	l.now = (int64_t)time(NULL);
	if (l.json && (l.array = json_object_new_array()) == NULL) {
		l.failed = 1;
		goto out;
	}
	if (local != NULL)
		local(on_entry, &l);
	rc = list(cli->st, on_entry, &l, &err);
	/* No module keeping (or collecting) entries is an empty list, not a
	 * failure. */
	if (rc != ASKCRED_OK && rc != ASKCRED_IGNORE) {
		ex = report_failure(failed, rc, &err);
		goto out;
	}
	if (l.failed)
		goto out;
	if (l.json)
		json_print(l.array);
	else
		print_table(&l);
out:
	if (l.failed) {
		fprintf(stderr, "askcred: %s: out of memory\n", cmd);
		ex = EXIT_INTERNAL;
	}
	for (size_t i = 0; i < l.n_rows; i++)
		row_free(&l.rows[i]);
	free(l.rows);
	json_object_put(l.array);
	return ex;
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	return list_entries(cli, argc, argv, "status", askcred_status_list,
			    NULL, "status: cannot list entries");
}

struct sweep_report {
	askcred_entry_cb cb;
	void *cb_ctx;
};

static void on_swept(void *ctx, const char *path, long pid)
{
	struct sweep_report *r = ctx;
	struct askcred_entry_info e = {.struct_size = sizeof(e)};
	char note[PATH_MAX + 64];

	snprintf(note, sizeof(note),
		 "removed %s: its askcred (pid %ld) is gone", path, pid);
	e.name = "runner-config";
	e.note = note;
	r->cb(r->cb_ctx, &e);
}

/* Runner config copies an askcred killed mid-job left behind hold a token
 * (revoked or swept by the modules): remove them too. */
static void sweep_copies(askcred_entry_cb cb, void *cb_ctx)
{
	struct sweep_report r = {cb, cb_ctx};

	runner_file_sweep(on_swept, &r);
}

int cmd_gc(struct cli *cli, int argc, char **argv)
{
	return list_entries(cli, argc, argv, "gc", askcred_gc, sweep_copies,
			    "gc: cannot collect every token");
}
