/* The cache on disk through its API: round trip, replays, foreign and
 * corrupt files as misses that the next write replaces, remove, list,
 * orphan sweep, the memory cache. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_test.h"
#include "error.h"
#include "tap.h"

static struct test_env env;
static char path_a[1024]; /* the file of (WS_A, default) */

static void put(struct cache *c, const char *ws, const char *entry,
		const char *token)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;

	make_record(&r, ws, token, 1800000000);
	if (cache_write(c, ws, entry, &r, &err) != ASKCRED_OK)
		tap_bail("cache_write: %s: %s", err.where, err.message);
	record_clear(&r);
}

/* Read and return the status; *token gets the token or "". */
static askcred_status get(struct cache *c, const char *ws, const char *entry,
			  char *token, size_t max, struct askcred_error *err)
{
	struct token_record r = {0};
	askcred_status rc;

	err_clear(err);
	rc = cache_read(c, ws, entry, &r, err);
	snprintf(token, max, "%s", r.token.buf ? r.token.buf : "");
	record_clear(&r);
	return rc;
}

static void write_then_read_round_trips(struct cache *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r = {0};
	char tok[64];

	is_int(get(c, WS_A, "default", tok, sizeof(tok), &err),
	       ASKCRED_NOT_FOUND, "reading an absent entry is a miss");
	put(c, WS_A, "default", "tok-1");
	is_int(cache_read(c, WS_A, "default", &r, &err), ASKCRED_OK,
	       "written entry reads back");
	is_str(r.token.buf, "tok-1", "read returns the written token");
	ok(r.flags & ASKCRED_CRED_FROM_CACHE, "read marks it from cache");
	ok(r.flags & ASKCRED_CRED_MINTED, "read keeps the minted flag");
	record_clear(&r);
}

static void bad_names_are_refused(struct cache *c)
{
	static const struct {
		const char *ws, *entry, *why;
	} bad[] = {
		{"not-a-uuid", "default", "a workspace that is not a UUID"},
		{WS_A, "", "an empty entry name"},
		{WS_A, ".hidden", "an entry name starting with a dot"},
		{WS_A, "a/b", "an entry name with a slash"},
		{WS_A, "a~b", "an entry name with the temp marker"},
		{WS_A,
		 "x123456789x123456789x123456789x123456789x123456789"
		 "x123456789x12345",
		 "an entry name of 65 bytes"},
	};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char tok[8];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(get(c, bad[i].ws, bad[i].entry, tok, sizeof(tok), &err),
		       ASKCRED_INVALID, "%s is refused", bad[i].why);
}

static void replayed_older_generation_is_refused(struct cache *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	static char old[16384];
	long n;
	char tok[64];

	put(c, WS_A, "default", "tok-revoked");
	n = read_file(path_a, old, sizeof(old));
	put(c, WS_A, "default", "tok-current");
	unlink(path_a);
	write_bytes(path_a, old, (size_t)n, 0600);
	is_int(get(c, WS_A, "default", tok, sizeof(tok), &err),
	       ASKCRED_CACHE_ERROR, "a replayed older file is refused");
	has_str(err.message, "replayed", "the refusal says replayed");
	is_str(tok, "", "the replayed token is not returned");
	put(c, WS_A, "default", "tok-next");
	is_int(get(c, WS_A, "default", tok, sizeof(tok), &err), ASKCRED_OK,
	       "the next write replaces the replayed file");
	is_str(tok, "tok-next", "and its token is read");
}

static void foreign_contexts_are_misses(struct cache *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	struct cache *other;
	char tok[64], path_b[1024];
	static char buf[16384];
	long n;

	put(c, WS_A, "default", "tok-a");
	cfg.override_uid = 1;
	cfg.uid = 4242;
	other = open_or_bail(&cfg);
	is_int(get(other, WS_A, "default", tok, sizeof(tok), &err),
	       ASKCRED_CACHE_ERROR, "another uid cannot read the file");
	has_str(err.message, "authentication failed",
		"another uid fails authentication");
	cache_close(other);
	cfg = env.cfg;
	cfg.machine_id_path = env.machine_b;
	other = open_or_bail(&cfg);
	is_int(get(other, WS_A, "default", tok, sizeof(tok), &err),
	       ASKCRED_CACHE_ERROR, "another host cannot read the file");
	cache_close(other);
	n = read_file(path_a, buf, sizeof(buf));
	snprintf(path_b, sizeof(path_b), "%s/%s@default.cache", env.dir, WS_B);
	if (n <= 0)
		tap_bail("cannot read %s", path_a);
	write_bytes(path_b, buf, (size_t)n, 0600);
	is_int(get(c, WS_B, "default", tok, sizeof(tok), &err),
	       ASKCRED_CACHE_ERROR,
	       "a file copied to another workspace is refused");
	has_str(err.message, "authentication failed",
		"the copy fails authentication");
	unlink(path_b);
}

static void corrupt_file_is_a_miss_then_replaced(struct cache *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char tok[64];

	unlink(path_a);
	write_file(path_a,
		   "garbage that is not a cache file at all, but "
		   "long enough to have a header and a tag......",
		   0600);
	is_int(get(c, WS_A, "default", tok, sizeof(tok), &err),
	       ASKCRED_CACHE_ERROR, "a corrupt file is a cache error miss");
	has_str(err.message, "not an askcred cache file",
		"the corrupt file's reason names the problem");
	has_str(err.where, "magic", "the reason names the field");
	put(c, WS_A, "default", "tok-fixed");
	is_int(get(c, WS_A, "default", tok, sizeof(tok), &err), ASKCRED_OK,
	       "the next write replaces the corrupt file");
	is_str(tok, "tok-fixed", "and the new token reads back");
}

static void removed_entry_is_gone_and_stays_unreplayable(struct cache *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	static char old[16384];
	long n;
	char tok[64];

	put(c, WS_A, "default", "tok-before-remove");
	n = read_file(path_a, old, sizeof(old));
	is_int(cache_remove(c, WS_A, "default", &err), ASKCRED_OK,
	       "remove succeeds");
	is_int(get(c, WS_A, "default", tok, sizeof(tok), &err),
	       ASKCRED_NOT_FOUND, "a removed entry is a miss");
	is_int(cache_remove(c, WS_A, "default", &err), ASKCRED_OK,
	       "removing an absent entry is fine");
	write_bytes(path_a, old, (size_t)n, 0600);
	is_int(get(c, WS_A, "default", tok, sizeof(tok), &err),
	       ASKCRED_CACHE_ERROR,
	       "putting the removed file back is refused as a replay");
	unlink(path_a);
}

struct seen {
	int n, tokens;
	char names[4][70];
};

static void list_cb(void *ctx, const char *entry,
		    const struct token_record *rec)
{
	struct seen *s = ctx;

	if (s->n < 4)
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s:%s",
			 rec->workspace_id, entry);
	s->n++;
	if (rec->token.buf != NULL)
		s->tokens++;
}

static void list_shows_entries_without_tokens(struct cache *c)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct seen s;
	char junk[1024];

	memset(&s, 0, sizeof(s));
	put(c, WS_A, "ci", "tok-ci");
	put(c, WS_B, "default", "tok-b");
	snprintf(junk, sizeof(junk), "%s/%s@junk.cache", env.dir, WS_A);
	write_file(junk, "junk", 0600);
	is_int(cache_list(c, list_cb, &s, &err), ASKCRED_OK, "list succeeds");
	is_int(s.n, 2, "list shows the two readable entries, not the junk");
	is_int(s.tokens, 0, "list never hands out a token");
	ok((strcmp(s.names[0], WS_A ":ci") == 0 &&
	    strcmp(s.names[1], WS_B ":default") == 0) ||
		   (strcmp(s.names[1], WS_A ":ci") == 0 &&
		    strcmp(s.names[0], WS_B ":default") == 0),
	   "list names workspace and entry of each");
	unlink(junk);
}

static int count_temps(void)
{
	DIR *d = opendir(env.dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (strchr(e->d_name, '~') != NULL)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static void orphaned_temps_are_swept_by_the_next_writer(struct cache *c)
{
	char orphan[1024], other[1024];

	snprintf(orphan, sizeof(orphan),
		 "%s/%s@default.cache~0011223344556677.tmp", env.dir, WS_A);
	write_file(orphan, "half", 0600);
	snprintf(orphan, sizeof(orphan),
		 "%s/%s@default.state~8899aabbccddeeff.tmp", env.dir, WS_A);
	write_file(orphan, "half", 0600);
	/* A temp of entry "default.cache" must survive a sweep of "default". */
	snprintf(other, sizeof(other),
		 "%s/%s@default.cache.cache~0011223344556677.tmp", env.dir,
		 WS_A);
	write_file(other, "other", 0600);
	is_int(count_temps(), 3, "three temp files are planted");
	put(c, WS_A, "default", "tok-after-crash");
	is_int(count_temps(), 1, "the next writer sweeps its entry's orphans");
	ok(access(other, F_OK) == 0, "another entry's temp file is left alone");
	unlink(other);
}

/* The cache keeps nothing in memory (the one memory tier is the
 * instance's, plugin/memcache.c): what another handle, as another process,
 * writes or removes is what the next read sees. */
static void every_read_sees_the_disk(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache *mine = open_or_bail(&env.cfg);
	struct cache *other = open_or_bail(&env.cfg);
	char tok[64];

	put(mine, WS_A, "disk", "tok-d1");
	is_int(get(mine, WS_A, "disk", tok, sizeof(tok), &err), ASKCRED_OK,
	       "our write reads back");
	put(other, WS_A, "disk", "tok-d2");
	get(mine, WS_A, "disk", tok, sizeof(tok), &err);
	is_str(tok, "tok-d2", "another handle's write is read at once");
	cache_remove(other, WS_A, "disk", &err);
	is_int(get(mine, WS_A, "disk", tok, sizeof(tok), &err),
	       ASKCRED_NOT_FOUND, "another handle's remove is seen at once");
	cache_close(other);
	cache_close(mine);
}

int main(void)
{
	struct cache *c;

	env_init(&env);
	snprintf(path_a, sizeof(path_a), "%s/%s@default.cache", env.dir, WS_A);
	c = open_or_bail(&env.cfg);
	write_then_read_round_trips(c);
	bad_names_are_refused(c);
	replayed_older_generation_is_refused(c);
	foreign_contexts_are_misses(c);
	corrupt_file_is_a_miss_then_replaced(c);
	removed_entry_is_gone_and_stays_unreplayable(c);
	list_shows_entries_without_tokens(c);
	orphaned_temps_are_swept_by_the_next_writer(c);
	every_read_sees_the_disk();
	cache_close(c);
	env_done(&env);
	return tap_done();
}
