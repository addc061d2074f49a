/* What a stack does besides combining results: release goes back to the
 * instance that made the credential, identical lines share an instance,
 * invalidate and status reach every distinct instance, providers get the
 * host's identity and a filtered, one-line log, and a stack serves many
 * threads at once. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "host_test.h"
#include "tap.h"

static askcred_stack *open_text(struct fixture *f, const char *text)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	askcred_stack *st = NULL;

	fixture_reset(f);
	fixture_stack(f, "ops", text, 0, 0600);
	if (askcred_stack_open("ops", &f->opts, &st, &err) != ASKCRED_OK)
		tap_bail("stack did not open: %s: %s", err.where, err.message);
	return st;
}

static void release_goes_to_the_instance_that_made_it(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	askcred_stack *st;

	st = open_text(f, "fetch sufficient mock name=a fetch=not_found\n"
			  "fetch sufficient mock name=b\n");
	is_int(askcred_fetch(st, NULL, &cred, &err), ASKCRED_OK,
	       "second instance's credential is fetched");
	is_str(cred ? cred->source : "", "b", "it comes from instance b");
	askcred_release(st, cred);
	is_int(fixture_count(f, "b", "release", "b"), 1,
	       "instance b released its credential");
	is_int(fixture_count(f, "a", "release", NULL), 0,
	       "instance a released nothing");
	askcred_release(st, NULL);
	is_int(fixture_count(f, NULL, "release", NULL), 1,
	       "releasing NULL is a no-op");
	askcred_stack_close(st);
}

static void identical_lines_share_one_instance(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	askcred_stack *st;

	st = open_text(f, "fetch required mock name=a\n"
			  "refresh required mock name=a\n"
			  "revoke required mock name=a\n"
			  "validate required mock name=a validate=ok\n"
			  "validate optional mock.so name=a\n");
	is_int(fixture_count(f, "a", "open", NULL), 2,
	       "same arguments share; other arguments open another");
	askcred_fetch(st, NULL, &cred, &err);
	is_int(askcred_revoke(st, cred, &err), ASKCRED_OK,
	       "the revoke line revokes the fetched credential");
	is_int(fixture_count(f, "a", "revoke", "a"), 1,
	       "revoke saw the credential fetched by the same instance");
	askcred_release(st, cred);
	askcred_stack_close(st);
	is_int(fixture_count(f, "a", "close", NULL), 2,
	       "each instance closed once");
}

static void release_from_another_stack_is_refused(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	askcred_stack *one, *two;

	one = open_text(f, "fetch required mock name=one\n");
	fixture_stack(f, "two", "fetch required mock name=two\n", 0, 0600);
	if (askcred_stack_open("two", &f->opts, &two, &err) != ASKCRED_OK)
		tap_bail("second stack did not open");
	askcred_fetch(one, NULL, &cred, &err);
	askcred_release(two, cred);
	is_int(fixture_count(f, NULL, "release", NULL), 0,
	       "a stack does not release another stack's credential");
	askcred_release(one, cred);
	is_int(fixture_count(f, "one", "release", "one"), 1,
	       "the stack that made it does");
	askcred_stack_close(two);
	askcred_stack_close(one);
}

struct invalidate_row {
	const char *name;
	const char *stack;
	askcred_status want;
	const char *called; /* instances whose invalidate ran */
};

static const struct invalidate_row invalidate_rows[] = {
	{"any ok makes invalidate ok",
	 "fetch optional mock name=a invalidate=ignore\n"
	 "fetch optional mock name=b invalidate=ok\n"
	 "validate required mock name=c\n",
	 ASKCRED_OK, "a b"},
	{"refresh-only instances are asked too",
	 "fetch required mock name=a invalidate=unavailable\n"
	 "refresh required mock name=r\n",
	 ASKCRED_OK, "a r"},
	{"shared instance is asked once",
	 "fetch required mock name=a\nrefresh required mock name=a\n",
	 ASKCRED_OK, "a"},
	{"failure without any ok is reported",
	 "fetch required mock name=a invalidate=unavailable\n"
	 "fetch required mock name=b invalidate=ignore\n",
	 ASKCRED_UNAVAILABLE, "a b"},
	{"nobody knowing the credential is not_found",
	 "fetch required mock name=a invalidate=ignore\n"
	 "fetch required minimal\n",
	 ASKCRED_NOT_FOUND, "a"},
};

static void invalidate_reaches_fetch_and_refresh_instances(struct fixture *f)
{
	static const struct askcred_credential given = {
		.struct_size = sizeof(given), .source = "given"};

	for (size_t i = 0;
	     i < sizeof(invalidate_rows) / sizeof(*invalidate_rows); i++) {
		const struct invalidate_row *r = &invalidate_rows[i];
		struct askcred_error err = ASKCRED_ERROR_INIT;
		askcred_stack *st = open_text(f, r->stack);

		is_int(askcred_invalidate(st, &given, "HTTP 401", &err),
		       r->want, "invalidate: %s", r->name);
		is_str(fixture_calls(f, "invalidate"), r->called,
		       "invalidate: %s: instances asked", r->name);
		askcred_stack_close(st);
	}
}

struct names {
	char seen[256];
};

static void on_entry(void *ctx, const struct askcred_entry_info *e)
{
	struct names *n = ctx;
	size_t used = strlen(n->seen);

	snprintf(n->seen + used, sizeof(n->seen) - used, "%s%s",
		 used ? " " : "", e->name);
}

static void status_asks_every_distinct_instance(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct names n = {""};
	askcred_stack *st;

	st = open_text(f, "fetch required mock name=a\n"
			  "refresh required mock name=a\n"
			  "fetch optional mock name=b status=cache_error\n"
			  "revoke required minimal\n"
			  "validate required mock name=c\n");
	is_int(askcred_status_list(st, on_entry, &n, &err), ASKCRED_CACHE_ERROR,
	       "status reports a failing instance");
	has_str(err.message, "b says cache_error",
		"status: the failing instance's message comes through");
	is_str(n.seen, "a c", "status: other instances still listed once");
	askcred_stack_close(st);
}

static void gc_asks_only_modules_of_abi_1_1(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct names n = {""};
	askcred_stack *st;

	fixture_reset(f);
	st = open_text(f, "fetch required mock name=a\n"
			  "fetch optional mock_1_0 name=old\n"
			  "refresh required mock name=a\n"
			  "validate required mock name=c\n");
	is_int(askcred_gc(st, on_entry, &n, &err), ASKCRED_OK,
	       "gc: ok when a module collected");
	is_str(n.seen, "a c", "gc: each distinct 1.1 instance swept once");
	is_int(fixture_count(f, "old", "gc", NULL), 0,
	       "gc: never called on a 1.0 table, though its member is set");
	askcred_stack_close(st);

	n.seen[0] = '\0';
	st = open_text(f, "fetch required mock_1_0 name=old\n"
			  "revoke required minimal\n");
	is_int(askcred_gc(st, on_entry, &n, &err), ASKCRED_IGNORE,
	       "gc: IGNORE when no module has gc");
	has_str(err.message, "no module", "gc: the IGNORE says why");
	is_str(n.seen, "", "gc: nothing reported by old modules");
	askcred_stack_close(st);

	n.seen[0] = '\0';
	st = open_text(f, "fetch required mock name=a\n"
			  "fetch optional mock name=b gc=unavailable\n");
	is_int(askcred_gc(st, on_entry, &n, &err), ASKCRED_UNAVAILABLE,
	       "gc: a failing instance's status comes back");
	has_str(err.message, "b says unavailable",
		"gc: the failing instance's message comes through");
	is_str(n.seen, "a", "gc: the other instance still swept");
	askcred_stack_close(st);
	is_int(askcred_gc(NULL, on_entry, &n, &err), ASKCRED_INTERNAL,
	       "gc: no stack is refused");
}

static void on_token(void *ctx, const struct askcred_token_info *t)
{
	struct names *n = ctx;

	snprintf(n->seen + strlen(n->seen), sizeof(n->seen) - strlen(n->seen),
		 "%s%s", n->seen[0] ? " " : "", t->name);
}

static void tokens_asks_only_modules_of_abi_1_2(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_tokens_query q = {.struct_size = sizeof(q),
					 .action = ASKCRED_TOKENS_ENFORCE};
	struct names n = {""};
	askcred_stack *st;

	fixture_reset(f);
	st = open_text(f, "fetch required mock name=a\n"
			  "fetch optional mock_1_0 name=old\n"
			  "refresh required mock name=a\n");
	is_int(askcred_tokens(st, &q, on_token, &n, &err), ASKCRED_OK,
	       "tokens: ok when a module answered");
	is_str(n.seen, "a", "tokens: the 1.2 instance asked once");
	is_int(fixture_count(f, "a", "tokens", "2"), 1,
	       "tokens: the query's action reaches the module");
	is_int(fixture_count(f, "old", "tokens", NULL), 0,
	       "tokens: never called on an older table");
	askcred_stack_close(st);

	n.seen[0] = '\0';
	st = open_text(f, "fetch required mock_1_0 name=old\n");
	is_int(askcred_tokens(st, &q, on_token, &n, &err), ASKCRED_IGNORE,
	       "tokens: IGNORE when no module manages tokens");
	has_str(err.message, "no module", "tokens: the IGNORE says why");
	askcred_stack_close(st);

	n.seen[0] = '\0';
	st = open_text(f, "fetch required mock_1_0 name=old\n"
			  "fetch required mock name=a\n"
			  "validate required mock name=b\n");
	is_int(askcred_tokens(st, &q, on_token, &n, &err), ASKCRED_OK,
	       "tokens: ok from the first module that manages tokens");
	is_str(n.seen, "a",
	       "tokens: only the first such module is asked (one workspace)");
	askcred_stack_close(st);

	fixture_reset(f);
	st = open_text(f, "fetch required mock name=a tokens=unavailable\n"
			  "fetch optional mock name=b\n");
	is_int(askcred_tokens(st, &q, on_token, &n, &err), ASKCRED_UNAVAILABLE,
	       "tokens: a partial failure's status comes back");
	is_int(fixture_count(f, "b", "tokens", NULL), 0,
	       "tokens: no other module is asked after a failure");
	askcred_stack_close(st);
	is_int(askcred_tokens(NULL, &q, on_token, &n, &err), ASKCRED_INTERNAL,
	       "tokens: no stack is refused");
}

static void errors_carry_the_provider_message_and_line(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	const struct askcred_credential *cred = NULL;
	char want[PATH_MAX + 16];
	askcred_stack *st;

	st = open_text(f, "# validation\n"
			  "fetch required mock name=a\n"
			  "validate required mock name=v validate=denied\n");
	askcred_fetch(st, NULL, &cred, &err);
	is_int(askcred_validate(st, cred, &err), ASKCRED_DENIED,
	       "validate answers the provider's status");
	snprintf(want, sizeof(want), "mock (%s:3): v says denied", f->path);
	is_str(err.message, want, "message names provider, line and reason");
	askcred_release(st, cred);
	cred = NULL;
	is_int(askcred_refresh(st, NULL, &cred, &err), ASKCRED_NOT_FOUND,
	       "refresh without refresh lines is not_found");
	has_str(err.message, "no \"refresh\" line",
		"message says what is missing");
	ok(cred == NULL, "no credential from a failed refresh");
	askcred_stack_close(st);
}

struct log_capture {
	char lines[8][512];
	int n;
};

static void capture(void *ctx, int level, const char *message)
{
	struct log_capture *c = ctx;

	if (c->n < 8)
		snprintf(c->lines[c->n++], sizeof(c->lines[0]), "%d %s", level,
			 message);
}

static void providers_get_host_identity_and_filtered_log(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct log_capture cap;
	struct askcred_options o = f->opts;
	askcred_stack *st = NULL;
	char version[64];

	fixture_stack(f, "logged", "fetch required mock name=a\n", 0, 0600);
	memset(&cap, 0, sizeof(cap));
	o.log = capture;
	o.log_ctx = &cap;
	o.labels = "linux,gpu";
	o.log_level = ASKCRED_LOG_INFO;
	if (askcred_stack_open("logged", &o, &st, &err) != ASKCRED_OK)
		tap_bail("logged stack did not open");
	askcred_stack_close(st);
	is_int(cap.n, 1, "log: debug line dropped at level info");
	snprintf(version, sizeof(version), "by libaskcred %s,",
		 askcred_version());
	has_str(cap.lines[0], "6 mock (", "log: provider name and level");
	has_str(cap.lines[0], "for stack logged ", "log: stack name given");
	has_str(cap.lines[0], version, "log: host name given");
	has_str(cap.lines[0], "labels linux,gpu", "log: labels given");
	has_str(cap.lines[0], "gpu?forged line",
		"log: a newline cannot start a forged line");

	memset(&cap, 0, sizeof(cap));
	o.log_level = 0;
	if (askcred_stack_open("logged", &o, &st, &err) != ASKCRED_OK)
		tap_bail("logged stack did not open");
	askcred_stack_close(st);
	is_int(cap.n, 0, "log: default level notice drops info");
}

static void names_and_version(void)
{
	is_str(askcred_strstatus(ASKCRED_DENIED), "denied by policy",
	       "strstatus names a status");
	is_str(askcred_strstatus((askcred_status)99), "unknown status",
	       "strstatus survives an unknown value");
	is_str(askcred_version(), PACKAGE_VERSION, "version is the package's");
}

#define THREADS 8
#define ROUNDS 500

static void *hammer(void *arg)
{
	askcred_stack *st = arg;
	long failures = 0;

	for (int i = 0; i < ROUNDS; i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		const struct askcred_credential *cred = NULL;

		if (askcred_fetch(st, NULL, &cred, &err) != ASKCRED_OK ||
		    strcmp(cred->source, "b") != 0)
			failures++;
		if (askcred_validate(st, cred, &err) != ASKCRED_OK)
			failures++;
		askcred_release(st, cred);
	}
	return (void *)failures;
}

static void stack_serves_threads(struct fixture *f)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	pthread_t t[THREADS];
	askcred_stack *st = NULL;
	long failures = 0;

	/* No trace file: the mock then does no I/O of its own. */
	fixture_stack(f, "threads",
		      "fetch sufficient mock name=a fetch=not_found trace=\n"
		      "fetch sufficient mock name=b trace=\n"
		      "validate required mock name=b trace=\n",
		      0, 0600);
	if (askcred_stack_open("threads", &f->opts, &st, &err) != ASKCRED_OK)
		tap_bail("threads stack did not open");
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, hammer, st) != 0)
			tap_bail("pthread_create failed");
	for (int i = 0; i < THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		failures += (long)r;
	}
	is_int(failures, 0, "%d threads x %d fetch/validate/release agree",
	       THREADS, ROUNDS);
	askcred_stack_close(st);
}

int main(void)
{
	struct fixture f;

	fixture_init(&f);
	release_goes_to_the_instance_that_made_it(&f);
	identical_lines_share_one_instance(&f);
	release_from_another_stack_is_refused(&f);
	invalidate_reaches_fetch_and_refresh_instances(&f);
	status_asks_every_distinct_instance(&f);
	gc_asks_only_modules_of_abi_1_1(&f);
	tokens_asks_only_modules_of_abi_1_2(&f);
	errors_carry_the_provider_message_and_line(&f);
	providers_get_host_identity_and_filtered_log(&f);
	names_and_version();
	stack_serves_threads(&f);
	fixture_done(&f);
	return tap_done();
}
