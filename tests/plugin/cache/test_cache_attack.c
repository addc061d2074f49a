/* The cache's promises under attack by someone who can write the cache
 * directory's files one at a time:
 *   - the generation never goes backwards, whatever was done to the .state
 *     file, so an older .cache put back is never handed out;
 *   - every kind of unsafe .lock file is one status, ASKCRED_CACHE_ERROR;
 *   - a write records when the token was cached, and a payload of the
 *     older format (without cached_at) is a miss, not a crash. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_payload.h"
#include "cache_test.h"
#include "error.h"
#include "tap.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NOW 1800000000

static struct test_env env;
static int64_t fake_now = NOW;

static int64_t test_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static void path_of(char *out, size_t size, const char *entry, const char *ext)
{
	snprintf(out, size, "%s/%s@%s.%s", env.dir, WS_A, entry, ext);
}

static void put(struct cache *c, const char *entry, const char *token)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;

	make_record(&r, WS_A, token, NOW + 3600);
	if (cache_write(c, WS_A, entry, &r, &err) != ASKCRED_OK)
		tap_bail("cache_write %s: %s: %s", entry, err.where,
			 err.message);
	record_clear(&r);
}

/* The token a read hands out, or "" with the status. */
static askcred_status get(struct cache *c, const char *entry, char *tok,
			  size_t size, struct askcred_error *err)
{
	struct token_record r = {0};
	askcred_status rc;

	err_clear(err);
	rc = cache_read(c, WS_A, entry, &r, err);
	snprintf(tok, size, "%s",
		 rc == ASKCRED_OK && r.token.buf ? r.token.buf : "");
	record_clear(&r);
	return rc;
}

/* ---- the .state file damaged in every way ---------------------------- */

enum damage { TRUNCATED, GARBAGE, MODE_0644, FOREIGN_OWNER, SYMLINK, DELETED };

static int damage_state(const char *state, enum damage how)
{
	char target[1100];

	switch (how) {
	case TRUNCATED:
		return write_file(state, "", 0600);
	case GARBAGE:
		return write_file(
			state, "askcred-cache-state 2\ngeneration x\n", 0600);
	case MODE_0644:
		return chmod(state, 0644);
	case FOREIGN_OWNER:
		return chown(state, 4242, 4242);
	case SYMLINK:
		/* A well-formed state elsewhere claiming floor 0. */
		snprintf(target, sizeof(target), "%s.elsewhere", state);
		if (write_file(target,
			       "askcred-cache-state 1\ngeneration 0\n"
			       "outage_since 0\nnext_attempt 0\nfailures 0\n",
			       0600) != 0 ||
		    unlink(state) != 0)
			return -1;
		return symlink(target, state);
	case DELETED:
		return unlink(state);
	}
	return -1;
}

/* How the next generation gets written after the damage. */
enum after { BY_WRITE, BY_FAILED_REFRESH, BY_REMOVE, NOTHING };

static askcred_status refresh_down(void *ctx, struct token_record *out,
				   int64_t *not_before,
				   struct askcred_error *err)
{
	(void)ctx;
	(void)out;
	(void)not_before;
	return err_set(err, ASKCRED_UNAVAILABLE, "HTTP 503",
		       "create token: service unavailable");
}

static void after_damage(struct cache *c, const char *entry, enum after how)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r = {0};

	switch (how) {
	case BY_WRITE:
		put(c, entry, "tok-new");
		break;
	case BY_FAILED_REFRESH:
		(void)cache_get_or_refresh(c, WS_A, entry, NULL, refresh_down,
					   NULL, &r, &err);
		record_clear(&r);
		break;
	case BY_REMOVE:
		(void)cache_remove(c, WS_A, entry, &err);
		break;
	case NOTHING:
		break;
	}
}

static void rolled_back_file_is_never_handed_out(struct cache *c)
{
	static const struct {
		const char *entry, *why;
		enum damage damage;
		enum after after;
	} rows[] = {
		{"trunc-w", "a truncated state, then a write", TRUNCATED,
		 BY_WRITE},
		{"garbage-w", "a garbage state, then a write", GARBAGE,
		 BY_WRITE},
		{"mode-w", "a state of mode 0644, then a write", MODE_0644,
		 BY_WRITE},
		{"owner-w", "a state of another owner, then a write",
		 FOREIGN_OWNER, BY_WRITE},
		{"symlink-w", "a state that is a symlink, then a write",
		 SYMLINK, BY_WRITE},
		{"deleted-w", "a deleted state, then a write", DELETED,
		 BY_WRITE},
		{"deleted-0", "a deleted state, nothing else", DELETED,
		 NOTHING},
		{"trunc-f", "a truncated state, then a failed refresh",
		 TRUNCATED, BY_FAILED_REFRESH},
		{"garbage-f", "a garbage state, then a failed refresh", GARBAGE,
		 BY_FAILED_REFRESH},
		{"garbage-r", "a garbage state, then a remove", GARBAGE,
		 BY_REMOVE},
	};
	static char old[16384];

	for (size_t i = 0; i < N(rows); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		char file[1100], state[1100], tok[64];
		long n;

		if (rows[i].damage == FOREIGN_OWNER && geteuid() != 0) {
			tap_skip(1, "a state of another owner needs root");
			continue;
		}
		path_of(file, sizeof(file), rows[i].entry, "cache");
		path_of(state, sizeof(state), rows[i].entry, "state");
		/* The first generation is the one an attacker kept. */
		put(c, rows[i].entry, "tok-old");
		n = read_file(file, old, sizeof(old));
		put(c, rows[i].entry, "tok-2");
		put(c, rows[i].entry, "tok-3");
		if (n <= 0 || damage_state(state, rows[i].damage) != 0)
			tap_bail("%s: setting up", rows[i].why);
		after_damage(c, rows[i].entry, rows[i].after);
		unlink(file);
		if (write_bytes(file, old, (size_t)n, 0600) != 0)
			tap_bail("%s: putting the old file back", rows[i].why);
		get(c, rows[i].entry, tok, sizeof(tok), &err);
		ok(strcmp(tok, "tok-old") != 0,
		   "%s, an older file put back: its token is not handed out "
		   "(%s)",
		   rows[i].why, err.message);
	}
}

static void
damaged_state_is_recovered_above_every_old_generation(struct cache *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char file[1100], state[1100], tok[64];
	static char old[16384];
	long n;

	path_of(file, sizeof(file), "recover", "cache");
	path_of(state, sizeof(state), "recover", "state");
	put(c, "recover", "tok-old");
	n = read_file(file, old, sizeof(old));
	put(c, "recover", "tok-2");
	write_file(state, "garbage\n", 0600);
	is_int(get(c, "recover", tok, sizeof(tok), &err), ASKCRED_CACHE_ERROR,
	       "with a damaged state every read is a miss");
	put(c, "recover", "tok-new");
	is_int(get(c, "recover", tok, sizeof(tok), &err), ASKCRED_OK,
	       "the next write reads back");
	is_str(tok, "tok-new", "with its token");
	/* Two more writes count on from the recovered floor. */
	fake_now++;
	put(c, "recover", "tok-newer");
	is_int(get(c, "recover", tok, sizeof(tok), &err), ASKCRED_OK,
	       "later writes count on from the recovered floor");
	unlink(file);
	write_bytes(file, old, (size_t)n, 0600);
	is_int(get(c, "recover", tok, sizeof(tok), &err), ASKCRED_CACHE_ERROR,
	       "the older file put back afterwards is refused");
	has_str(err.message, "replayed", "as a replay");
}

/* ---- every unsafe .lock file: one status ------------------------------ */

enum lock_kind { L_FIFO, L_MODE, L_HARDLINK, L_OWNER, L_SYMLINK, L_DIR };

static int make_lock(const char *lock, enum lock_kind kind)
{
	char other[1100];

	snprintf(other, sizeof(other), "%s.other", lock);
	switch (kind) {
	case L_FIFO:
		return mkfifo(lock, 0600);
	case L_MODE:
		return write_file(lock, "", 0644);
	case L_HARDLINK:
		return write_file(lock, "", 0600) != 0 ? -1 : link(lock, other);
	case L_OWNER:
		return write_file(lock, "", 0600) != 0
			       ? -1
			       : chown(lock, 4242, 4242);
	case L_SYMLINK:
		return write_file(other, "", 0600) != 0 ? -1
							: symlink(other, lock);
	case L_DIR:
		return mkdir(lock, 0700);
	}
	return -1;
}

static void unsafe_lock_is_always_a_cache_error(struct cache *c)
{
	static const struct {
		const char *entry, *why;
		enum lock_kind kind;
	} rows[] = {
		{"lock-fifo", "a FIFO", L_FIFO},
		{"lock-mode", "mode 0644", L_MODE},
		{"lock-link", "a second hard link", L_HARDLINK},
		{"lock-owner", "another owner", L_OWNER},
		{"lock-symlink", "a symlink", L_SYMLINK},
		{"lock-dir", "a directory", L_DIR},
	};

	for (size_t i = 0; i < N(rows); i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct token_record r;
		char lock[1100];
		askcred_status rc;

		if (rows[i].kind == L_OWNER && geteuid() != 0) {
			tap_skip(3, "a lock of another owner needs root");
			continue;
		}
		path_of(lock, sizeof(lock), rows[i].entry, "lock");
		if (make_lock(lock, rows[i].kind) != 0)
			tap_bail("%s: cannot make the lock", rows[i].why);
		make_record(&r, WS_A, "tok", NOW + 3600);
		rc = cache_write(c, WS_A, rows[i].entry, &r, &err);
		record_clear(&r);
		is_str(status_name(rc), status_name(ASKCRED_CACHE_ERROR),
		       "a lock file that is %s: the write fails with a cache "
		       "error",
		       rows[i].why);
		is_str(status_name(err.code), status_name(ASKCRED_CACHE_ERROR),
		       "a lock file that is %s: the error says so too",
		       rows[i].why);
		has_str(err.where, "lock", "a lock file that is %s: named (%s)",
			rows[i].why, err.message);
	}
}

/* ---- the time of caching ---------------------------------------------- */

static void write_records_the_time_of_caching(struct cache *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r = {0};

	fake_now = NOW + 77;
	put(c, "stamped", "tok-stamped");
	fake_now = NOW + 500;
	is_int(cache_read(c, WS_A, "stamped", &r, &err), ASKCRED_OK,
	       "a stamped entry reads back");
	is_int(r.cached_at, NOW + 77, "it says when it was cached");
	record_clear(&r);
}

static void payload_of_the_older_format_is_a_miss(void)
{
	static const char v1[] =
		"{\"v\":1,\"workspace_id\":\"" WS_A "\",\"entry\":\"default\","
		"\"token\":\"tok\",\"token_id\":\"\",\"source\":\"static\","
		"\"issued_at\":0,\"expires_at\":0,\"policy_serial\":0,"
		"\"flags\":0}";
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r = {0};
	char entry[80];

	is_int(payload_decode(v1, strlen(v1), &r, entry, sizeof(entry), &err),
	       ASKCRED_CACHE_ERROR,
	       "a payload of version 1 (no cached_at) is refused: a miss");
	is_str(err.where, "v", "naming the version");
	ok(r.token.buf == NULL, "and no token is handed out");
}

int main(void)
{
	struct cache *c;

	env_init(&env);
	env.cfg.clock = test_clock;
	c = open_or_bail(&env.cfg);
	rolled_back_file_is_never_handed_out(c);
	damaged_state_is_recovered_above_every_old_generation(c);
	unsafe_lock_is_always_a_cache_error(c);
	write_records_the_time_of_caching(c);
	payload_of_the_older_format_is_a_miss();
	cache_close(c);
	env_done(&env);
	return tap_done();
}
