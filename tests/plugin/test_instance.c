/* The instance behind the provider operations: the memory cache, refresh,
 * invalidate, validate, revoke, status, release and close. Linked with
 * --wrap=munmap so that a credential can be inspected as it is unmapped. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fixture.h"
#include "instance.h"
#include "tap.h"

#define WS "9cf30c31-ea1e-4ff5-994a-c4a0dc70882f"
#define WS2 "0b7c2f5e-3d1a-4c8e-9f00-112233445566"
#define TOKEN "Qk9HVVMtdGVzdC10b2tlbg"
#define TOKEN2 "c2Vjb25kLWZha2UtdG9rZW4"

/* ---- watching munmap() ---------------------------------------------
 * Credential objects are anonymous mappings; catch one as it is unmapped
 * and check that every byte was wiped first. */
int __real_munmap(void *addr, size_t len);
int __wrap_munmap(void *addr, size_t len);

static const void *watched;
static int watched_freed, watched_was_zero;

int __wrap_munmap(void *addr, size_t len)
{
	if (addr != NULL && addr == watched) {
		const unsigned char *b = addr;

		watched_was_zero = 1;
		for (size_t i = 0; i < len; i++)
			if (b[i] != 0)
				watched_was_zero = 0;
		watched_freed = 1;
		watched = NULL;
	}
	return __real_munmap(addr, len);
}

static void watch(const void *cred)
{
	watched = cred;
	watched_freed = 0;
	watched_was_zero = 0;
}

/* Is the mapping holding p marked "dd" (do not dump) in smaps? -1: cannot
 * tell. */
static int not_dumped(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	int in_range = 0, found = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in_range = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			continue;
		}
		if (in_range && strncmp(line, "VmFlags:", 8) == 0) {
			found = strstr(line, " dd") != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

/* ---- helpers -------------------------------------------------------- */
static const struct askcred_host host = {
	sizeof(host), ASKCRED_ABI_VERSION, fixture_log, NULL,
	"test",	      "test-stack",	   NULL};

static void write_creds(const char *token, long expires_in)
{
	char json[512], content[512], path[PATH_MAX];

	snprintf(json, sizeof(json),
		 "{\"workspace_id\": \"%s\", \"token\": \"%s\", "
		 "\"expires_at\": %s}",
		 WS, token, expires_in ? "\"{EXP}\"" : "null");
	fixture_expand(content, sizeof(content), json, expires_in);
	fixture_write(path, "creds.json", content, 0600);
}

/* An instance reading tmpdir/creds.json, plus extra arguments. */
static struct instance *open_file_instance(const char *extra)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct instance *inst = NULL;
	char path[PATH_MAX], arg[PATH_MAX + 16];
	const char *argv[2] = {arg, extra};

	snprintf(arg, sizeof(arg), "credentials=%s",
		 fixture_path(path, "creds.json"));
	if (instance_open(&host, extra ? 2 : 1, argv, &inst, &err) !=
	    ASKCRED_OK)
		tap_bail("open: %s", err.message);
	return inst;
}

static struct askcred_credential *fetch(struct instance *inst, uint32_t flags,
					const char *ws)
{
	struct askcred_request req = {sizeof(req), flags, ws, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_credential *cred = NULL;

	if (instance_fetch(inst, &req, &cred, &err) != ASKCRED_OK)
		tap_bail("fetch: %s", err.message);
	return cred;
}

/* ---- memory cache --------------------------------------------------- */
static void second_fetch_is_served_from_memory(void)
{
	struct instance *inst;
	struct askcred_credential *a, *b, *c, *d;

	write_creds(TOKEN, 0);
	inst = open_file_instance(NULL);
	a = fetch(inst, 0, NULL);
	b = fetch(inst, 0, NULL);
	c = fetch(inst, 0, NULL);
	ok((a->flags & ASKCRED_CRED_FROM_CACHE) == 0,
	   "memcache: first fetch comes from the source");
	ok(b->flags & ASKCRED_CRED_FROM_CACHE,
	   "memcache: second fetch is flagged from cache");
	ok(b == c, "memcache: later fetches share one object");
	ok(b->token == c->token && b->token != a->token,
	   "memcache: the cached object is not the caller's first one");
	d = fetch(inst, ASKCRED_REQ_NO_CACHE, NULL);
	ok(d != b && (d->flags & ASKCRED_CRED_FROM_CACHE) == 0,
	   "memcache: NO_CACHE asks the source again");
	instance_release(inst, a);
	instance_release(inst, b);
	instance_release(inst, c);
	instance_release(inst, d);
	instance_close(inst);
}

static void refresh_replaces_cached_object(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct instance *inst;
	struct askcred_credential *a, *b = NULL, *c, *first;

	write_creds(TOKEN, 0);
	inst = open_file_instance(NULL);
	first = fetch(inst, 0, NULL);
	a = fetch(inst, 0, NULL);
	write_creds(TOKEN2, 0);
	is_int(instance_refresh(inst, NULL, &b, &err), ASKCRED_OK,
	       "refresh: succeeds");
	ok(b != NULL && b->token_len == strlen(TOKEN2) &&
		   memcmp(b->token, TOKEN2, b->token_len) == 0,
	   "refresh: reads the source again");
	c = fetch(inst, 0, NULL);
	ok(c != a && memcmp(c->token, TOKEN2, c->token_len) == 0 &&
		   (c->flags & ASKCRED_CRED_FROM_CACHE),
	   "refresh: replaces the cached object");
	ok(memcmp(a->token, TOKEN, a->token_len) == 0,
	   "refresh: an object handed out earlier stays intact");
	instance_release(inst, first);
	instance_release(inst, a);
	instance_release(inst, b);
	instance_release(inst, c);
	instance_close(inst);
}

static void token_inside_advisory_window_is_not_cached(void)
{
	struct instance *inst;
	struct askcred_credential *a, *b;

	/* 12 minutes left: over min_validity, under the 15m window. */
	write_creds(TOKEN, 720);
	inst = open_file_instance("min_validity=1m");
	a = fetch(inst, 0, NULL);
	b = fetch(inst, 0, NULL);
	ok(a != b && (b->flags & ASKCRED_CRED_FROM_CACHE) == 0,
	   "advisory: a token inside the window is fetched afresh");
	instance_release(inst, a);
	instance_release(inst, b);
	instance_close(inst);

	write_creds(TOKEN, 7200);
	inst = open_file_instance("advisory_window=1h");
	a = fetch(inst, 0, NULL);
	b = fetch(inst, 0, NULL);
	ok(b->flags & ASKCRED_CRED_FROM_CACHE,
	   "advisory: a token outside the window is cached");
	instance_release(inst, a);
	instance_release(inst, b);
	instance_close(inst);
}

static void workspaces_are_cached_apart(void)
{
	struct instance *inst;
	struct askcred_credential *a, *b;
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct askcred_request req = {sizeof(req), 0, "bad", NULL, 0, 0};
	struct askcred_credential *none = NULL;

	write_creds(TOKEN, 0);
	inst = open_file_instance(NULL);
	a = fetch(inst, 0, NULL);
	b = fetch(inst, 0, WS);
	ok(a != b && (b->flags & ASKCRED_CRED_FROM_CACHE) == 0,
	   "workspace: an explicit workspace is its own cache entry");
	is_int(instance_fetch(inst, &req, &none, &err), ASKCRED_INVALID,
	       "workspace: a malformed requested workspace is refused");
	is_str(err.where, "workspace_id", "workspace: error names the field");
	req.workspace_id = WS2;
	is_int(instance_fetch(inst, &req, &none, &err), ASKCRED_NOT_FOUND,
	       "workspace: another workspace is not found");
	instance_release(inst, a);
	instance_release(inst, b);
	instance_close(inst);
}

/* ---- invalidate, status --------------------------------------------- */
struct seen {
	int n;
	char name[80], ws[40], source[20];
	uint32_t flags;
	int64_t expires_at;
};

static void count_entry(void *ctx, const struct askcred_entry_info *e)
{
	struct seen *s = ctx;

	s->n++;
	snprintf(s->name, sizeof(s->name), "%s", e->name);
	snprintf(s->ws, sizeof(s->ws), "%s", e->workspace_id);
	snprintf(s->source, sizeof(s->source), "%s", e->source);
	s->flags = e->flags;
	s->expires_at = e->expires_at;
}

static void invalidate_drops_cached_token(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct seen s = {0};
	struct instance *inst;
	struct askcred_credential *a, *b;

	write_creds(TOKEN, 0);
	inst = open_file_instance("entry=nightly");
	a = fetch(inst, 0, NULL);
	is_int(instance_status(inst, count_entry, &s, &err), ASKCRED_OK,
	       "status: succeeds");
	is_int(s.n, 1, "status: one entry after a fetch");
	is_str(s.name, "nightly", "status: names the entry");
	is_str(s.ws, WS, "status: names the workspace");
	is_str(s.source, "static", "status: names the source");
	ok(s.flags & ASKCRED_CRED_FROM_CACHE, "status: entry is cached");

	write_creds(TOKEN2, 0);
	fixture_log_reset();
	is_int(instance_invalidate(inst, a, "HTTP 401", &err), ASKCRED_OK,
	       "invalidate: drops the cached credential");
	has_str(fixture_logged(), "HTTP 401", "invalidate: logs the reason");
	ok(strstr(fixture_logged(), TOKEN) == NULL,
	   "invalidate: log holds no token");
	is_int(instance_invalidate(inst, a, NULL, &err), ASKCRED_IGNORE,
	       "invalidate: a second time has nothing to drop");
	s.n = 0;
	instance_status(inst, count_entry, &s, &err);
	is_int(s.n, 0, "status: no entry after invalidate");
	b = fetch(inst, 0, NULL);
	ok(memcmp(b->token, TOKEN2, b->token_len) == 0,
	   "invalidate: the next fetch reads the source");
	ok(memcmp(a->token, TOKEN, a->token_len) == 0,
	   "invalidate: the caller's object stays usable until release");
	instance_release(inst, a);
	instance_release(inst, b);
	instance_close(inst);
}

/* ---- validate, revoke ------------------------------------------------ */
static const struct {
	const char *name;
	const char *ws;
	const char *token;
	long expires_in; /* 0: never */
	uint32_t struct_size;
	askcred_status want;
	const char *where;
} validations[] = {
	{"validate_accepts_good_credential", WS, TOKEN, 3600,
	 sizeof(struct askcred_credential), ASKCRED_OK, ""},
	{"validate_accepts_never_expiring", WS, TOKEN, 0,
	 sizeof(struct askcred_credential), ASKCRED_OK, ""},
	{"validate_refuses_expired", WS, TOKEN, -5,
	 sizeof(struct askcred_credential), ASKCRED_EXPIRED, "expires_at"},
	{"validate_refuses_bad_workspace", "nope", TOKEN, 0,
	 sizeof(struct askcred_credential), ASKCRED_INVALID, "workspace_id"},
	{"validate_refuses_untrimmed_token", WS, " " TOKEN, 0,
	 sizeof(struct askcred_credential), ASKCRED_INVALID, "token"},
	{"validate_refuses_empty_token", WS, "", 0,
	 sizeof(struct askcred_credential), ASKCRED_INVALID, "token"},
	{"validate_refuses_truncated_struct", WS, TOKEN, 0, 16, ASKCRED_INVALID,
	 "credential"},
};

static void validate_table(void)
{
	struct instance *inst;

	write_creds(TOKEN, 0);
	inst = open_file_instance(NULL);
	for (size_t i = 0; i < sizeof(validations) / sizeof(validations[0]);
	     i++) {
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct askcred_credential c;

		memset(&c, 0, sizeof(c));
		c.struct_size = validations[i].struct_size;
		snprintf(c.workspace_id, sizeof(c.workspace_id), "%s",
			 validations[i].ws);
		c.token = validations[i].token;
		c.token_len = strlen(validations[i].token);
		c.expires_at = validations[i].expires_in
				       ? time(NULL) + validations[i].expires_in
				       : 0;
		is_int(instance_validate(inst, &c, &err), validations[i].want,
		       "%s", validations[i].name);
		is_str(err.where, validations[i].where, "%s: where",
		       validations[i].name);
	}
	instance_close(inst);
}

static void static_revoke_is_ignored(void)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct instance *inst;
	struct askcred_credential *a, *b;

	write_creds(TOKEN, 0);
	inst = open_file_instance(NULL);
	a = fetch(inst, 0, NULL);
	fixture_log_reset();
	is_int(instance_revoke(inst, a, &err), ASKCRED_IGNORE,
	       "revoke: a static token cannot be revoked");
	has_str(err.message, "AskUI Hub", "revoke: says where to delete it");
	has_str(fixture_logged(), "cannot revoke token ",
		"revoke: logs the attempt");
	ok(strstr(fixture_logged(), TOKEN) == NULL,
	   "revoke: log shows a fingerprint, not the token");
	b = fetch(inst, 0, NULL);
	ok(b->flags & ASKCRED_CRED_FROM_CACHE,
	   "revoke: an ignored revoke keeps the cache");
	instance_release(inst, a);
	instance_release(inst, b);
	instance_close(inst);
}

/* ---- release, close, open ------------------------------------------- */
static void release_and_close_wipe_tokens(void)
{
	struct instance *inst;
	struct askcred_credential *a, *b;
	struct cred fake;

	write_creds(TOKEN, 0);
	inst = open_file_instance(NULL);
	a = fetch(inst, 0, NULL);
	if (not_dumped(a) < 0)
		tap_skip(1, "no /proc/self/smaps");
	else
		ok(not_dumped(a) == 1,
		   "cred: the object is excluded from core dumps");
	watch(a);
	instance_release(inst, a);
	ok(watched_freed && watched_was_zero,
	   "release: the last reference wipes the whole object before unmap");

	b = fetch(inst, 0, NULL); /* the cached twin */
	watch(b);
	instance_release(inst, b);
	ok(!watched_freed, "release: the cache keeps its own reference");

	memset(&fake, 0, sizeof(fake));
	fixture_log_reset();
	instance_release(inst, &fake.pub);
	has_str(fixture_logged(), "did not hand out",
		"release: a foreign credential is refused and logged");

	a = fetch(inst, ASKCRED_REQ_NO_CACHE, NULL); /* never released */
	watch(a);
	fixture_log_reset();
	instance_close(inst);
	ok(watched_freed && watched_was_zero,
	   "close: wipes a credential the host did not release");
	has_str(fixture_logged(), "1 credential(s) were not released",
		"close: logs the host's leak");
}

static void open_failures(void)
{
	static const struct {
		const char *name;
		const char *arg;
		uint32_t host_abi;
		askcred_status want;
		const char *where, *message;
	} rows[] = {
		{"open_refuses_unknown_source", "source=vault",
		 ASKCRED_ABI_VERSION, ASKCRED_CONFIG_ERROR, "source",
		 "knows: static, mint"},
		{"open_refuses_bad_argument", "cache=perhaps",
		 ASKCRED_ABI_VERSION, ASKCRED_CONFIG_ERROR, "cache",
		 "on or off"},
		{"open_refuses_other_host_major", "entry=x", 2u << 16,
		 ASKCRED_ABI_MISMATCH, "host", "ABI 2.0"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct askcred_host h = host;
		struct askcred_error err = ASKCRED_ERROR_INIT;
		struct instance *inst = (struct instance *)&h;
		const char *argv[1] = {rows[i].arg};

		h.abi_version = rows[i].host_abi;
		is_int(instance_open(&h, 1, argv, &inst, &err), rows[i].want,
		       "%s", rows[i].name);
		ok(inst == NULL, "%s: no instance", rows[i].name);
		is_str(err.where, rows[i].where, "%s: where", rows[i].name);
		has_str(err.message, rows[i].message, "%s: message",
			rows[i].name);
	}
}

static void older_host_struct_is_accepted(void)
{
	struct askcred_host h = host;
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct instance *inst = NULL;

	/* A host that knows only the first two fields: no logging. */
	h.struct_size = offsetof(struct askcred_host, log);
	is_int(instance_open(&h, 0, NULL, &inst, &err), ASKCRED_OK,
	       "open: a shorter host struct is accepted");
	ok(inst != NULL && inst->host.log == NULL,
	   "open: fields past the host's size are not read");
	instance_close(inst);
	is_int(instance_open(NULL, 0, NULL, &inst, &err), ASKCRED_OK,
	       "open: no host struct at all means no callbacks");
	instance_close(inst);
}

int main(void)
{
	unsetenv("ASKUI_TOKEN");
	unsetenv("ASKUI_WORKSPACE_ID");
	second_fetch_is_served_from_memory();
	refresh_replaces_cached_object();
	token_inside_advisory_window_is_not_cached();
	workspaces_are_cached_apart();
	invalidate_drops_cached_token();
	validate_table();
	static_revoke_is_ignored();
	release_and_close_wipe_tokens();
	open_failures();
	older_host_struct_is_accepted();
	fixture_cleanup();
	return tap_done();
}
