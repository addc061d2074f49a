/*
 * The policy in force: fail closed with none, the last good copy used
 * while the source fails until its max_age, then fail closed again; bad
 * documents never replace a good one; restarts resume from the copy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy_store.h"
#include "tap.h"
#include "testlib.h"

#define T0 ((int64_t)1800000000)
#define HOUR 3600

static char *dir;

/* Read a small file whole; 0 on success. */
static int read_small_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = malloc(8192);
	size_t n = 0;

	if (f == NULL || b == NULL) {
		if (f != NULL)
			fclose(f);
		free(b);
		return -1;
	}
	n = fread(b, 1, 8192, f);
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}
static char state[4096], pub[4096];
static EVP_PKEY *key;

struct signed_doc {
	char text[512];
	size_t len;
	unsigned char sig[64];
};

static void make_doc(struct signed_doc *d, unsigned serial, const char *extra)
{
	int n = snprintf(d->text, sizeof(d->text),
			 "{\"schema_version\": 1, \"serial\": %u, "
			 "\"max_age\": \"1h\", \"rules\": "
			 "{\"min_validity\": \"10m\"}%s}\n",
			 serial, extra);

	if (n < 0 || (size_t)n >= sizeof(d->text))
		tap_bail("document too long");
	d->len = (size_t)n;
	test_sign(key, d->text, d->len, d->sig);
}

static struct policy_store *open_store(const char *const *keys, size_t n,
				       const char *state_dir)
{
	struct policy_store_config cfg = {NULL, NULL, keys, n, state_dir};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_store *s = NULL;

	if (policy_store_open(&cfg, &s, &err) != ASKCRED_OK)
		tap_bail("store open: %s: %s", err.where, err.message);
	return s;
}

/* The serial in force at now, 0 when the store fails closed. */
static long long in_force(struct policy_store *s, int64_t now,
			  struct askcred_error *err)
{
	const struct policy *p = NULL;

	if (policy_store_current(s, now, &p, err) != ASKCRED_OK)
		return 0;
	return (long long)p->serial;
}

/* What the plugin calls at every hand-out: a denial, not an error. */
static void check_decision_fails_closed(struct policy_store *s, int64_t now)
{
	struct policy_context ctx = {POLICY_OP_FETCH, NULL, now};
	struct policy_decision d;
	uint64_t serial = 99;

	is_int(policy_store_check(s, &ctx, NULL, &d, &serial, NULL), ASKCRED_OK,
	       "a check without a valid policy still decides");
	ok(!d.allowed, "without a valid policy the decision is a denial");
	is_str(d.reason_code, "no_valid_policy",
	       "the reason code says no valid policy");
	has_str(d.sentence, "past its max_age", "the sentence says why");
	is_int((long long)serial, 0, "no serial is reported");
	ctx.now = now - 2;
	policy_store_check(s, &ctx, NULL, &d, &serial, NULL);
	ok(d.allowed && serial == 1,
	   "before max_age the check allows under serial 1");
	policy_store_check(NULL, &ctx, NULL, &d, &serial, NULL);
	is_str(d.reason_code, "no_policy",
	       "without a store the decision is no_policy");
}

static void check_last_good_copy(void)
{
	const char *keys[] = {pub};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_error down = ASKCRED_ERROR_INIT;
	struct policy_store *s = open_store(keys, 1, state);
	struct signed_doc d1, d2, bad;

	make_doc(&d1, 1, "");
	make_doc(&d2, 2, "");
	is_int(in_force(s, T0, &err), 0,
	       "with a policy configured and none fetched, the store fails "
	       "closed");
	is_int(err.code, ASKCRED_DENIED, "failing closed is a denial");
	has_str(err.message, "none is valid", "the message says why");

	is_int(policy_store_update_from_bytes(s, d1.text, d1.len, d1.sig, 64,
					      "\"e1\"", T0, &err),
	       ASKCRED_OK, "a signed document from the URL is accepted");
	is_int(in_force(s, T0, &err), 1, "it is in force");
	is_str(policy_store_etag(s), "\"e1\"",
	       "its ETag is kept for next time");

	bad = d2;
	bad.text[20] ^= 1;
	is_int(policy_store_update_from_bytes(s, bad.text, bad.len, bad.sig, 64,
					      NULL, T0 + 10, &err),
	       ASKCRED_DENIED, "a tampered document is refused");
	is_int(in_force(s, T0 + 10, &err), 1,
	       "the good policy stays in force after a tampered one");
	is_int(policy_store_update_from_bytes(s, d2.text, d2.len, NULL, 0, NULL,
					      T0 + 10, &err),
	       ASKCRED_DENIED, "an unsigned document is refused");
	policy_store_free(s);

	/* A restart: only the copy on disk is left, and the URL is down. */
	s = open_store(keys, 1, state);
	err = (struct askcred_error)ASKCRED_ERROR_INIT;
	is_int(in_force(s, T0 + 60, &err), 1,
	       "after a restart the last good copy is in force");
	has_str(policy_store_origin(s), "last good copy of url",
		"describe says it is the last good copy");
	is_str(policy_store_etag(s), "\"e1\"", "the ETag survives a restart");
	snprintf(down.where, sizeof(down.where), "HTTP 503");
	snprintf(down.message, sizeof(down.message), "policy server failed");
	policy_store_source_failed(s, &down);
	is_int(in_force(s, T0 + HOUR - 1, &err), 1,
	       "with the URL down the copy serves one second before max_age");
	is_int(in_force(s, T0 + HOUR, &err), 1,
	       "with the URL down the copy serves exactly at max_age");
	is_int(in_force(s, T0 + HOUR + 1, &err), 0,
	       "one second past max_age the store fails closed");
	check_decision_fails_closed(s, T0 + HOUR + 1);
	has_str(err.message, "past its max_age of 1h",
		"the message names the max_age");
	has_str(err.message, "HTTP 503",
		"the message names the source failure");

	is_int(policy_store_not_modified(s, T0 + HOUR, &err), ASKCRED_OK,
	       "a 304 Not Modified is recorded");
	is_int(in_force(s, T0 + 2 * HOUR, &err), 1,
	       "a 304 renews the copy's age");
	/* The 304 saved the copy's facts again; a restart must not read
	 * back "last good copy of last good copy of url". */
	policy_store_free(s);
	s = open_store(keys, 1, state);
	is_str(policy_store_origin(s), "last good copy of url",
	       "the origin does not compound over a 304 and a restart");
	is_int(policy_store_not_modified(s, T0 + HOUR, &err), ASKCRED_OK,
	       "a second 304 is recorded");
	policy_store_free(s);
	s = open_store(keys, 1, state);
	is_str(policy_store_origin(s), "last good copy of url",
	       "nor over a second one");

	is_int(policy_store_update_from_bytes(s, d2.text, d2.len, d2.sig, 64,
					      NULL, T0 + 2 * HOUR, &err),
	       ASKCRED_OK, "a newer serial replaces the copy");
	is_int(policy_store_update_from_bytes(s, d1.text, d1.len, d1.sig, 64,
					      NULL, T0 + 2 * HOUR, &err),
	       ASKCRED_DENIED, "the older signed document is refused");
	has_str(err.message, "rollback", "the message says rollback");
	is_int(in_force(s, T0 + 2 * HOUR, &err), 2,
	       "the newer policy stays in force after a rollback attempt");
	policy_store_free(s);
}

static void check_damaged_copy(void)
{
	const char *keys[] = {pub};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char copy[4096];
	struct policy_store *s;
	struct signed_doc d3;

	make_doc(&d3, 3, "");
	test_path(copy, sizeof(copy), state, "policy.json");
	d3.text[d3.len - 2] = ' '; /* "}" -> " ": no longer what was signed */
	test_write(copy, d3.text, d3.len, 0600);
	s = open_store(keys, 1, state);
	is_int(in_force(s, T0 + 2 * HOUR, &err), 0,
	       "a copy changed on disk is not used");
	has_str(err.message, "does not verify",
		"the fail-closed message says the copy failed to verify");
	policy_store_free(s);
}

static void check_issued_at_age(void)
{
	const char *keys[] = {pub};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_store *s = open_store(keys, 1, NULL);
	struct signed_doc d;
	char extra[64];

	/* Signed 50 minutes before it was fetched: 10 minutes left. */
	snprintf(extra, sizeof(extra), ", \"issued_at\": %lld",
		 (long long)(T0 - 3000));
	make_doc(&d, 10, extra);
	is_int(policy_store_update_from_bytes(s, d.text, d.len, d.sig, 64, NULL,
					      T0, &err),
	       ASKCRED_OK, "a document with issued_at is accepted");
	is_int(in_force(s, T0 + 600, &err), 10,
	       "its age counts from issued_at: in force at max_age");
	is_int(in_force(s, T0 + 601, &err), 0,
	       "a second later it is too old, however recently fetched");
	snprintf(extra, sizeof(extra), ", \"issued_at\": %lld",
		 (long long)(T0 + 301));
	make_doc(&d, 11, extra);
	is_int(policy_store_update_from_bytes(s, d.text, d.len, d.sig, 64, NULL,
					      T0, &err),
	       ASKCRED_DENIED, "a document issued in the future is refused");
	has_str(err.message, "issued in the future", "the message says why");
	policy_store_free(s);
}

static void check_local_file(void)
{
	const char *keys[] = {pub};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_store_config cfg = {NULL, NULL, keys, 1, NULL};
	char file[4096], sig[4096], text[4096];
	struct policy_store *s = NULL;
	struct signed_doc d;
	const struct policy *p;
	struct policy_context ctx = {POLICY_OP_FETCH, "gpu", T0};

	make_doc(&d, 4, "");
	cfg.file = test_path(file, sizeof(file), dir, "policy.json");
	test_write(file, d.text, d.len, 0644);
	if (policy_store_open(&cfg, &s, &err) != ASKCRED_OK)
		tap_bail("%s", err.message);
	is_int(policy_store_load_file(s, T0, &err), ASKCRED_DENIED,
	       "a local file without its .sig is refused when keys are set");
	has_str(err.message, "not signed", "the message says it is unsigned");
	test_write(test_path(sig, sizeof(sig), dir, "policy.json.sig"), d.sig,
		   64, 0644);
	is_int(policy_store_load_file(s, T0, &err), ASKCRED_OK,
	       "a local file with its signature is accepted");
	is_int(policy_store_current(s, T0, &p, &err), ASKCRED_OK,
	       "the local policy is in force");
	policy_describe(s, "gpu", T0, text, sizeof(text));
	has_str(text, "policy serial 4", "describe names the serial");
	has_str(text, "origin: file ", "describe names the origin");
	has_str(text, "min_validity       10m", "describe lists the rules");
	has_str(text, "signature: verified", "describe says it was verified");
	policy_explain(s, &ctx, NULL, text, sizeof(text));
	has_str(text, "decision: allow", "explain gives the decision");
	if (chmod(file, 0666) != 0)
		tap_bail("chmod");
	is_int(policy_store_load_file(s, T0, &err), ASKCRED_CONFIG_ERROR,
	       "a policy file others may write is refused");
	is_int(policy_store_current(s, T0, &p, &err), ASKCRED_OK,
	       "the policy accepted before stays in force");
	policy_describe(s, NULL, T0, text, sizeof(text));
	has_str(text, "last source failure:", "describe shows the failure");
	policy_store_free(s);
}

/* A store that lives long (a runner's) and its local file: what a newly
 * opened store would hold. The file unchanged counts as read now, so its
 * max_age (1h, no issued_at) does not run out under a host that keeps
 * its stack open; a replaced file is read again; a replaced file that
 * does not verify keeps the policy in force, which then ages. */
static void check_local_file_recheck(void)
{
	const char *keys[] = {pub};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_store_config cfg = {NULL, NULL, keys, 1, NULL};
	char file[4096], sig[4096];
	struct policy_store *s = NULL;
	struct signed_doc d;

	make_doc(&d, 6, "");
	cfg.file = test_path(file, sizeof(file), dir, "recheck.json");
	test_write(file, d.text, d.len, 0644);
	test_write(test_path(sig, sizeof(sig), dir, "recheck.json.sig"), d.sig,
		   64, 0644);
	if (policy_store_open(&cfg, &s, &err) != ASKCRED_OK ||
	    policy_store_load_file(s, T0, &err) != ASKCRED_OK)
		tap_bail("%s", err.message);
	is_int(policy_store_recheck_file(s, T0 + 2 * HOUR, &err), ASKCRED_OK,
	       "recheck of an unchanged file");
	is_int(in_force(s, T0 + 2 * HOUR, &err), 6,
	       "an unchanged file counts as read now: in force past its "
	       "max_age since the first reading");
	make_doc(&d, 7, "");
	test_write(file, d.text, d.len, 0644);
	test_write(sig, d.sig, 64, 0644);
	is_int(policy_store_recheck_file(s, T0 + 2 * HOUR, &err), ASKCRED_OK,
	       "recheck of a replaced file");
	is_int(in_force(s, T0 + 2 * HOUR, &err), 7, "reads it again");
	make_doc(&d, 8, "");
	test_write(file, d.text, d.len, 0644); /* the signature of serial 7 */
	is_int(policy_store_recheck_file(s, T0 + 2 * HOUR, &err),
	       ASKCRED_DENIED, "a replaced file that does not verify");
	is_int(in_force(s, T0 + 2 * HOUR, &err), 7,
	       "keeps the policy in force");
	is_int(policy_store_recheck_file(s, T0 + 4 * HOUR, &err), ASKCRED_OK,
	       "a second recheck of the same bad file reads nothing");
	is_int(in_force(s, T0 + 4 * HOUR, &err), 0,
	       "and the policy kept ages out by its max_age (fails closed)");
	policy_store_free(s);
}

static void check_unsigned_setup(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct policy_store *s = open_store(NULL, 0, NULL);
	struct signed_doc d5, d4;
	char text[512];

	make_doc(&d5, 5, "");
	make_doc(&d4, 4, "");
	is_int(policy_store_update_from_bytes(s, d5.text, d5.len, NULL, 0, NULL,
					      T0, &err),
	       ASKCRED_OK, "without keys an unsigned document is accepted");
	is_int(policy_store_update_from_bytes(s, d4.text, d4.len, NULL, 0, NULL,
					      T0, &err),
	       ASKCRED_DENIED,
	       "without a state directory rollback is still refused in memory");
	policy_describe(s, NULL, T0, text, sizeof(text));
	has_str(text, "not checked (no keys configured)",
		"describe says the signature was not checked");
	policy_store_free(s);
}

/* Hosts run many processes: whatever order they accept documents in, the
 * copy on disk is the document of the highest serial recorded. */
static void check_concurrent_updates(void)
{
	const char *keys[] = {pub};
	char shared[4096], copy[4096];
	struct signed_doc docs[8];
	pid_t pids[8];
	int failed = 0;
	char *buf = NULL;
	size_t len = 0;
	struct askcred_error err = ASKCRED_ERROR_INIT;
	uint64_t last = 0;

	test_path(shared, sizeof(shared), dir, "shared");
	if (mkdir(shared, 0700) != 0)
		tap_bail("mkdir %s", shared);
	for (unsigned i = 0; i < 8; i++)
		make_doc(&docs[i], 100 + i, "");
	for (unsigned i = 0; i < 8; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			tap_bail("fork");
		if (pids[i] == 0) {
			struct policy_store *s = open_store(keys, 1, shared);

			/* Refusals (rollbacks) are expected; errors are not. */
			for (int round = 0; round < 20; round++) {
				askcred_status rc =
					policy_store_update_from_bytes(
						s, docs[i].text, docs[i].len,
						docs[i].sig, 64, NULL, T0,
						NULL);

				if (rc != ASKCRED_OK && rc != ASKCRED_DENIED)
					_exit(1);
			}
			policy_store_free(s);
			_exit(0);
		}
	}
	for (unsigned i = 0; i < 8; i++) {
		int status = 0;

		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	is_int(failed, 0, "8 processes updating one state directory succeed");
	policy_serial_last(shared, &last, &err);
	is_int((long long)last, 107, "the highest serial is recorded");
	test_path(copy, sizeof(copy), shared, "policy.json");
	buf = NULL;
	ok(read_small_file(copy, &buf, &len) == 0 && len == docs[7].len &&
		   memcmp(buf, docs[7].text, len) == 0,
	   "the copy on disk is the document of that serial");
	free(buf);
}

int main(void)
{
	dir = test_tmpdir();
	key = test_keygen(test_path(pub, sizeof(pub), dir, "pub.pem"));
	test_path(state, sizeof(state), dir, "state");
	if (mkdir(state, 0700) != 0)
		tap_bail("mkdir %s", state);
	check_last_good_copy();
	check_damaged_copy();
	check_issued_at_age();
	check_local_file();
	check_local_file_recheck();
	check_unsigned_setup();
	check_concurrent_updates();
	EVP_PKEY_free(key);
	test_rmtree(dir);
	free(dir);
	return tap_done();
}
