/* PAM control semantics, as data: each row is a stack, the mock results on
 * its lines, and what the stack must answer, which lines must run and
 * whose credential comes back. The keyword tables are checked against
 * Linux-PAM's definitions directly. */
#include "config.h"

#include <string.h>

#include "control.h"
#include "error.h"
#include "host_test.h"
#include "tap.h"

#define OK_ ASKCRED_OK

struct row {
	const char *name;
	enum askcred_op op;
	const char *stack;
	askcred_status want;
	const char *ran;    /* names of the lines that ran, in order */
	const char *source; /* credential's source (fetch/refresh), "" none */
};

#define M "mock name="
static const struct row rows[] = {
	{"empty stack answers not_found", ASKCRED_OP_FETCH,
	 "# nothing here\n\n", ASKCRED_NOT_FOUND, "", ""},
	{"stack without fetch lines answers not_found", ASKCRED_OP_FETCH,
	 "validate required " M "a\n", ASKCRED_NOT_FOUND, "", ""},
	{"required+required success keeps the first credential",
	 ASKCRED_OP_FETCH, "fetch required " M "a\nfetch required " M "b\n",
	 OK_, "a b", "a"},
	{"required failure then success fails with the first status",
	 ASKCRED_OP_FETCH,
	 "fetch required " M "a fetch=not_found\nfetch required " M "b\n",
	 ASKCRED_NOT_FOUND, "a b", ""},
	{"required success then failure fails and releases the credential",
	 ASKCRED_OP_FETCH,
	 "fetch required " M "a\nfetch required " M "b fetch=unavailable\n",
	 ASKCRED_UNAVAILABLE, "a b", ""},
	{"two required failures report the first", ASKCRED_OP_FETCH,
	 "fetch required " M "a fetch=denied\nfetch required " M
	 "b fetch=unavailable\n",
	 ASKCRED_DENIED, "a b", ""},
	{"requisite failure stops at once", ASKCRED_OP_FETCH,
	 "fetch requisite " M "a fetch=expired\nfetch required " M "b\n",
	 ASKCRED_EXPIRED, "a", ""},
	{"requisite failure after success stops at once", ASKCRED_OP_FETCH,
	 "fetch required " M "a\nfetch requisite " M
	 "b fetch=invalid\nfetch required " M "c\n",
	 ASKCRED_INVALID, "a b", ""},
	{"requisite success goes on", ASKCRED_OP_FETCH,
	 "fetch required " M "a\nfetch requisite " M "b\nfetch required " M
	 "c\n",
	 OK_, "a b c", "a"},
	{"sufficient success short-circuits", ASKCRED_OP_FETCH,
	 "fetch sufficient " M "a\nfetch required " M "b fetch=denied\n", OK_,
	 "a", "a"},
	{"sufficient success does not undo an earlier required failure",
	 ASKCRED_OP_FETCH,
	 "fetch required " M "a fetch=not_found\nfetch sufficient " M
	 "b\nfetch required " M "c\n",
	 ASKCRED_NOT_FOUND, "a b c", ""},
	{"sufficient after required success ends with success",
	 ASKCRED_OP_FETCH,
	 "fetch required " M "a\nfetch sufficient " M "b\nfetch required " M
	 "c fetch=denied\n",
	 OK_, "a b", "a"},
	{"sufficient failure is ignored", ASKCRED_OP_FETCH,
	 "fetch sufficient " M "a fetch=unavailable\nfetch required " M "b\n",
	 OK_, "a b", "b"},
	{"sufficient chain: first success wins", ASKCRED_OP_FETCH,
	 "fetch sufficient " M "a fetch=not_found\nfetch sufficient " M
	 "b\nfetch sufficient " M "c\n",
	 OK_, "a b", "b"},
	{"sufficient chain: all fail means not_found", ASKCRED_OP_FETCH,
	 "fetch sufficient " M "a fetch=not_found\nfetch sufficient " M
	 "b fetch=unavailable\n",
	 ASKCRED_NOT_FOUND, "a b", ""},
	{"optional alone succeeds", ASKCRED_OP_FETCH, "fetch optional " M "a\n",
	 OK_, "a", "a"},
	{"optional alone failing is not_found", ASKCRED_OP_FETCH,
	 "fetch optional " M "a fetch=unavailable\n", ASKCRED_NOT_FOUND, "a",
	 ""},
	{"optional failure beside a required success is ignored",
	 ASKCRED_OP_FETCH,
	 "fetch optional " M "a fetch=unavailable\nfetch required " M "b\n",
	 OK_, "a b", "b"},
	{"optional success does not save a required failure", ASKCRED_OP_FETCH,
	 "fetch optional " M "a\nfetch required " M "b fetch=denied\n",
	 ASKCRED_DENIED, "a b", ""},
	{"later success only confirms; its credential is released",
	 ASKCRED_OP_FETCH, "fetch required " M "a\nfetch optional " M "b\n",
	 OK_, "a b", "a"},
	{"ignore result does not count for required", ASKCRED_OP_FETCH,
	 "fetch required " M "a fetch=ignore\nfetch required " M "b\n", OK_,
	 "a b", "b"},
	{"ignore result does not stop requisite", ASKCRED_OP_FETCH,
	 "fetch requisite " M "a fetch=ignore\nfetch required " M "b\n", OK_,
	 "a b", "b"},
	{"every line ignoring is not_found", ASKCRED_OP_FETCH,
	 "fetch required " M "a fetch=ignore\nfetch requisite " M
	 "b fetch=ignore\n",
	 ASKCRED_NOT_FOUND, "a b", ""},
	{"ignore result stays ignore in a bracket with default=bad",
	 ASKCRED_OP_FETCH,
	 "fetch [ok=ok default=bad] " M "a fetch=ignore\nfetch required " M
	 "b\n",
	 OK_, "a b", "b"},
	{"bracket ok=done default=ignore acts as sufficient", ASKCRED_OP_FETCH,
	 "fetch [ok=done default=ignore] " M "a\nfetch required " M
	 "b fetch=denied\n",
	 OK_, "a", "a"},
	{"bracket success= is an alias of ok=", ASKCRED_OP_FETCH,
	 "fetch [success=done default=ignore] " M "a\nfetch required " M "b\n",
	 OK_, "a", "a"},
	{"bracket not_found=ignore skips a missing source", ASKCRED_OP_FETCH,
	 "fetch [not_found=ignore default=bad] " M
	 "a fetch=not_found\nfetch required " M "b\n",
	 OK_, "a b", "b"},
	{"bracket not_found=ignore still fails other errors", ASKCRED_OP_FETCH,
	 "fetch [not_found=ignore default=bad] " M
	 "a fetch=expired\nfetch required " M "b\n",
	 ASKCRED_EXPIRED, "a b", ""},
	{"bracket unavailable=die stops", ASKCRED_OP_FETCH,
	 "fetch [unavailable=die default=bad] " M
	 "a fetch=unavailable\nfetch required " M "b\n",
	 ASKCRED_UNAVAILABLE, "a", ""},
	{"bracket without default treats unnamed results as bad",
	 ASKCRED_OP_FETCH,
	 "fetch [ok=ok] " M "a fetch=denied\nfetch required " M "b\n",
	 ASKCRED_DENIED, "a b", ""},
	{"bracket success=bad turns a success into denied", ASKCRED_OP_FETCH,
	 "fetch [success=bad default=ignore] " M "a\nfetch required " M "b\n",
	 ASKCRED_DENIED, "a b", ""},
	{"bracket not_found=ok makes not_found the verdict", ASKCRED_OP_FETCH,
	 "fetch [not_found=ok default=bad] " M
	 "a fetch=not_found\nfetch required " M "b\n",
	 ASKCRED_NOT_FOUND, "a b", ""},
	{"bracket default=ignore then optional success", ASKCRED_OP_FETCH,
	 "fetch [default=ignore ok=ok] " M "a fetch=denied\nfetch optional " M
	 "b\n",
	 OK_, "a b", "b"},
	{"bracket done after a failure does not stop", ASKCRED_OP_FETCH,
	 "fetch required " M "a fetch=denied\nfetch [default=done] " M
	 "b\nfetch required " M "c\n",
	 ASKCRED_DENIED, "a b c", ""},
	{"missing operation counts as ignore", ASKCRED_OP_FETCH,
	 "fetch required minimal\nfetch required " M "b\n", OK_, "b", "b"},
	{"only missing operations is not_found", ASKCRED_OP_FETCH,
	 "fetch requisite minimal\n", ASKCRED_NOT_FOUND, "", ""},
	{"refresh runs only refresh lines", ASKCRED_OP_REFRESH,
	 "fetch required " M "a\nrefresh optional " M
	 "b refresh=unavailable\nrefresh sufficient " M "c\n",
	 OK_, "b c", "c"},
	{"refresh failure with requisite", ASKCRED_OP_REFRESH,
	 "refresh requisite " M "a refresh=denied\nrefresh required " M "b\n",
	 ASKCRED_DENIED, "a", ""},
	{"validate required+required", ASKCRED_OP_VALIDATE,
	 "validate required " M "a\nvalidate required " M "b\n", OK_, "a b",
	 ""},
	{"validate expired fails", ASKCRED_OP_VALIDATE,
	 "validate required " M "a validate=expired\nvalidate optional " M
	 "b\n",
	 ASKCRED_EXPIRED, "a b", ""},
	{"validate sufficient chain with ignore", ASKCRED_OP_VALIDATE,
	 "validate sufficient " M "a validate=ignore\nvalidate sufficient " M
	 "b\nvalidate required " M "c validate=invalid\n",
	 OK_, "a b", ""},
	{"revoke by the instance that knows it", ASKCRED_OP_REVOKE,
	 "revoke sufficient " M "a revoke=ignore\nrevoke sufficient " M "b\n",
	 OK_, "a b", ""},
	{"revoke unavailable is reported", ASKCRED_OP_REVOKE,
	 "revoke required " M "a revoke=unavailable\n", ASKCRED_UNAVAILABLE,
	 "a", ""},
	{"revoke with no revoke lines is not_found", ASKCRED_OP_REVOKE,
	 "fetch required " M "a\n", ASKCRED_NOT_FOUND, "", ""},
};

static const char *const op_words[] = {"fetch", "validate", "refresh",
				       "revoke"};

static askcred_status run(askcred_stack *st, const struct row *r,
			  const struct askcred_credential **cred,
			  struct askcred_error *err)
{
	static const struct askcred_credential given = {
		.struct_size = sizeof(given),
		.source = "given",
		.token = "t",
		.token_len = 1,
	};

	switch (r->op) {
	case ASKCRED_OP_FETCH:
		return askcred_fetch(st, NULL, cred, err);
	case ASKCRED_OP_REFRESH:
		return askcred_refresh(st, NULL, cred, err);
	case ASKCRED_OP_VALIDATE:
		return askcred_validate(st, &given, err);
	default:
		return askcred_revoke(st, &given, err);
	}
}

static void check_row(struct fixture *f, const struct row *r)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	const char *op = op_words[r->op];
	askcred_stack *st = NULL;
	askcred_status rc;
	int made;

	fixture_reset(f);
	fixture_stack(f, "control", r->stack, 0, 0600);
	rc = askcred_stack_open("control", &f->opts, &st, &err);
	if (!is_int(rc, OK_, "%s: stack opens", r->name)) {
		tap_diag("%s: %s", err.where, err.message);
		return;
	}
	rc = run(st, r, &cred, &err);
	is_str(askcred_strstatus(rc), askcred_strstatus(r->want), "%s: status",
	       r->name);
	is_str(fixture_calls(f, op), r->ran, "%s: lines run", r->name);
	if (rc != OK_)
		ok(err.message[0] != '\0' && err.code == rc,
		   "%s: failure comes with a message (%s)", r->name,
		   err.message);
	if (r->op == ASKCRED_OP_FETCH || r->op == ASKCRED_OP_REFRESH) {
		is_str(cred ? cred->source : "", r->source,
		       "%s: credential source", r->name);
		askcred_release(st, cred);
		made = fixture_count(f, NULL, op, "ok");
		is_int(fixture_count(f, NULL, "release", NULL), made,
		       "%s: each of %d credentials released once", r->name,
		       made);
	}
	askcred_stack_close(st);
	is_int(fixture_count(f, NULL, "close", NULL),
	       fixture_count(f, NULL, "open", NULL),
	       "%s: every instance closed", r->name);
}

/* Linux-PAM's keyword tables, status by status. */
static void check_keywords(void)
{
	static const struct {
		const char *word;
		enum action on_ok, other;
	} kw[] = {
		{"required", ACT_OK, ACT_BAD},
		{"requisite", ACT_OK, ACT_DIE},
		{"sufficient", ACT_DONE, ACT_IGNORE},
		{"optional", ACT_OK, ACT_IGNORE},
	};

	for (size_t i = 0; i < sizeof(kw) / sizeof(*kw); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct control c;
		int match = 1;

		if (control_parse(kw[i].word, &c, "t", 1, &err) != OK_) {
			ok(0, "%s parses", kw[i].word);
			continue;
		}
		for (int s = 0; s < ASKCRED_STATUS_COUNT; s++) {
			enum action want = s == ASKCRED_OK	 ? kw[i].on_ok
					   : s == ASKCRED_IGNORE ? ACT_IGNORE
								 : kw[i].other;
			if (c.act[s] != want) {
				tap_diag("%s: %s -> %d, want %d", kw[i].word,
					 status_name((askcred_status)s),
					 c.act[s], want);
				match = 0;
			}
		}
		ok(match, "%s has Linux-PAM's table", kw[i].word);
	}
}

int main(void)
{
	struct fixture f;

	fixture_init(&f);
	check_keywords();
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		check_row(&f, &rows[i]);
	fixture_done(&f);
	return tap_done();
}
