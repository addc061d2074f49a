/* Single-flight refresh across processes, the botocore windows, and the
 * outage grace: the spec of cache_get_or_refresh(). */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache_test.h"
#include "error.h"
#include "tap.h"

static struct test_env env;
static char counter[1024];	  /* one byte appended per refresh call */
static int64_t source_not_before; /* what the fake source's Retry-After asks */

/* What the fake source does when called. */
struct source {
	askcred_status answer;
	const char *token;
	int64_t expires_at;
	unsigned sleep_ms;
};

static int64_t now_real(void)
{
	return (int64_t)time(NULL);
}

static askcred_status refresh_cb(void *ctx, struct token_record *out,
				 int64_t *not_before, struct askcred_error *err)
{
	const struct source *s = ctx;
	int fd = open(counter, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd >= 0) {
		if (write(fd, "x", 1) != 1)
			abort();
		close(fd);
	}
	if (s->sleep_ms)
		usleep(s->sleep_ms * 1000u);
	if (s->answer != ASKCRED_OK) {
		*not_before = source_not_before;
		return err_set(err, s->answer, "source", "fake source says %s",
			       status_name(s->answer));
	}
	make_record(out, WS_A, s->token, s->expires_at);
	return ASKCRED_OK;
}

static long refresh_calls(void)
{
	struct stat st;

	return stat(counter, &st) == 0 ? (long)st.st_size : 0;
}

static void seed(struct cache *c, const char *token, int64_t expires_at)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record r;

	make_record(&r, WS_A, token, expires_at);
	if (cache_write(c, WS_A, "default", &r, &err) != ASKCRED_OK)
		tap_bail("seed: %s", err.message);
	record_clear(&r);
	unlink(counter);
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Child outcomes, as exit codes. */
enum {
	GOT_OLD_FAST,
	GOT_NEW_SLOW,
	GOT_FAILURE,
	GOT_NEW_FAST,
	GOT_OLD_SLOW,
	OUTCOMES
};

/* Fork n children that open the cache, wait on the barrier, fetch once
 * and exit with their outcome; count the outcomes. */
static void race(int n, const struct cache_windows *w, const struct source *s,
		 int slow_ms, int counts[OUTCOMES])
{
	int barrier[2], i, status;
	pid_t pid;

	memset(counts, 0, sizeof(int) * OUTCOMES);
	if (pipe(barrier) != 0)
		tap_bail("pipe");
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			tap_bail("fork");
		if (pid == 0) {
			struct askcred_error err = ASKCRED_ERROR_INIT;
			struct token_record r = {0};
			struct cache *c = open_or_bail(&env.cfg);
			struct timespec t0;
			char b;
			int fresh, slow;

			close(barrier[1]);
			if (read(barrier[0], &b, 1) != 0)
				_exit(GOT_FAILURE);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (cache_get_or_refresh(c, WS_A, "default", w,
						 refresh_cb, (void *)s, &r,
						 &err) != ASKCRED_OK)
				_exit(GOT_FAILURE);
			slow = elapsed_ms(&t0) >= slow_ms;
			fresh = strcmp(r.token.buf, s->token) == 0;
			record_clear(&r);
			cache_close(c);
			_exit(fresh ? (slow ? GOT_NEW_SLOW : GOT_NEW_FAST)
				    : (slow ? GOT_OLD_SLOW : GOT_OLD_FAST));
		}
	}
	close(barrier[0]);
	usleep(200 * 1000); /* let every child reach the barrier */
	close(barrier[1]);
	for (i = 0; i < n; i++) {
		if (wait(&status) < 0)
			tap_bail("wait");
		if (WIFEXITED(status) && WEXITSTATUS(status) < OUTCOMES)
			counts[WEXITSTATUS(status)]++;
		else
			counts[GOT_FAILURE]++;
	}
}

static void sixty_four_processes_refresh_an_expired_entry_once(void)
{
	struct cache_windows w = {900, 600, 30, 0, 0, 0, 0};
	struct source s = {ASKCRED_OK, "tok-new", 0, 50};
	struct cache *c = open_or_bail(&env.cfg);
	int counts[OUTCOMES];

	s.expires_at = now_real() + 3600;
	seed(c, "tok-expired", now_real() - 10);
	race(64, &w, &s, 1000000, counts);
	is_int(refresh_calls(), 1,
	       "64 processes on an expired entry: the "
	       "source is called exactly once");
	is_int(counts[GOT_NEW_FAST], 64, "all 64 processes get the new token");
	is_int(counts[GOT_FAILURE], 0, "no process fails");
	cache_close(c);
}

static void advisory_window_one_refreshes_others_keep_old(void)
{
	struct cache_windows w = {900, 600, 30, 0, 0, 0, 0};
	/* The refresher takes 4 s and "at once" is under 2 s: a process
	 * that waited for the refresh cannot pass, and one that did not
	 * passes even on a machine ten times slower than usual. */
	struct source s = {ASKCRED_OK, "tok-adv", 0, 4000};
	struct cache *c = open_or_bail(&env.cfg);
	int counts[OUTCOMES];

	s.expires_at = now_real() + 3600;
	seed(c, "tok-old", now_real() + 700);
	race(16, &w, &s, 2000, counts);
	is_int(refresh_calls(), 1, "advisory window: one refresh");
	is_int(counts[GOT_NEW_SLOW], 1,
	       "advisory window: the one refresher gets the new token");
	is_int(counts[GOT_OLD_FAST] + counts[GOT_NEW_FAST], 15,
	       "advisory window: the others return at once");
	is_int(counts[GOT_OLD_SLOW] + counts[GOT_FAILURE], 0,
	       "advisory window: nobody waits or fails");
	cache_close(c);
}

static void mandatory_window_everyone_waits_and_adopts(void)
{
	struct cache_windows w = {900, 600, 30, 0, 0, 0, 0};
	struct source s = {ASKCRED_OK, "tok-mand", 0, 300};
	struct cache *c = open_or_bail(&env.cfg);
	int counts[OUTCOMES];

	s.expires_at = now_real() + 3600;
	seed(c, "tok-old", now_real() + 100);
	race(16, &w, &s, 250, counts);
	is_int(refresh_calls(), 1, "mandatory window: one refresh");
	/* Waiting shows in the token, not the time: the old one is still
	 * valid, so only a process that waited can return the new one (a
	 * late starter may wait less than the refresh takes). */
	is_int(counts[GOT_NEW_SLOW] + counts[GOT_NEW_FAST], 16,
	       "mandatory window: all 16 wait and adopt the new token");
	cache_close(c);
}

/* ---- outage grace, on a fake clock ---- */

static int64_t fake_now;
static int64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static askcred_status fetch(struct cache *c, const struct cache_windows *w,
			    const struct source *s, struct token_record *r,
			    struct askcred_error *err)
{
	record_clear(r);
	err_clear(err);
	return cache_get_or_refresh(c, WS_A, "default", w, refresh_cb,
				    (void *)s, r, err);
}

static void outage_serves_stale_within_budget_and_backs_off(void)
{
	struct cache_windows w = {900, 600, 1, 0, 300, 10, 40};
	struct source down = {ASKCRED_UNAVAILABLE, NULL, 0, 0};
	struct source up = {ASKCRED_OK, "tok-back", 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	struct token_record r = {0};
	struct cache *c, *peer;
	const int64_t t0 = 1800000000;

	cfg.clock = fake_clock;
	fake_now = t0;
	c = open_or_bail(&cfg);
	peer = open_or_bail(&cfg);
	seed(c, "tok-cached", t0 + 500);

	is_int(fetch(c, &w, &down, &r, &err), ASKCRED_OK,
	       "outage: a valid cached token is served");
	is_str(r.token.buf, "tok-cached", "outage: it is the cached token");
	ok(r.flags & ASKCRED_CRED_STALE, "outage: it is flagged stale");
	is_int(refresh_calls(), 1, "outage: the source was tried once");

	fake_now = t0 + 5;
	is_int(fetch(peer, &w, &down, &r, &err), ASKCRED_OK,
	       "outage: another process is served stale too");
	ok(r.flags & ASKCRED_CRED_STALE, "outage: flagged stale there too");
	is_int(refresh_calls(), 1,
	       "outage: nobody calls the source before the next attempt time");

	fake_now = t0 + 10;
	fetch(c, &w, &down, &r, &err);
	is_int(refresh_calls(), 2,
	       "outage: at the next attempt time it is "
	       "tried again");
	fake_now = t0 + 29;
	fetch(c, &w, &down, &r, &err);
	is_int(refresh_calls(), 2, "outage: the retry delay doubles (20 s)");
	fake_now = t0 + 30;
	fetch(c, &w, &down, &r, &err);
	is_int(refresh_calls(), 3, "outage: and is honoured to the second");

	fake_now = t0 + 301;
	is_int(fetch(c, &w, &down, &r, &err), ASKCRED_UNAVAILABLE,
	       "outage: once the stale budget is spent the token is refused");
	has_str(err.message, "stale budget spent", "outage: the error says so");
	ok(r.token.buf == NULL, "outage: no token is handed out");

	fake_now = t0 + 400;
	is_int(fetch(c, &w, &up, &r, &err), ASKCRED_OK,
	       "outage: when the source is back it is used");
	is_str(r.token.buf, "tok-back", "outage: the new token is served");
	ok(!(r.flags & ASKCRED_CRED_STALE), "outage: no longer stale");
	record_clear(&r);
	cache_close(peer);
	cache_close(c);
}

static void outage_never_serves_past_expiry(void)
{
	struct cache_windows w = {900, 600, 1, 0, 3600, 10, 40};
	struct source down = {ASKCRED_UNAVAILABLE, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	struct token_record r = {0};
	struct cache *c;
	const int64_t t0 = 1900000000;

	cfg.clock = fake_clock;
	fake_now = t0;
	c = open_or_bail(&cfg);
	seed(c, "tok-short", t0 + 50);
	is_int(fetch(c, &w, &down, &r, &err), ASKCRED_OK,
	       "expiry: stale is served while the token is valid");
	fake_now = t0 + 50;
	is_int(fetch(c, &w, &down, &r, &err), ASKCRED_UNAVAILABLE,
	       "expiry: a token at its expiry is never served stale");
	has_str(err.message, "no valid cached token",
		"expiry: the error says why");
	fake_now = t0 + 20;
	cache_close(c);
}

static void advisory_failure_keeps_token_without_stale_flag(void)
{
	struct cache_windows w = {900, 600, 1, 0, 0, 10, 40};
	struct source down = {ASKCRED_UNAVAILABLE, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	struct token_record r = {0};
	struct cache *c;
	const int64_t t0 = 1950000000;

	cfg.clock = fake_clock;
	fake_now = t0;
	c = open_or_bail(&cfg);
	seed(c, "tok-adv", t0 + 800);
	is_int(fetch(c, &w, &down, &r, &err), ASKCRED_OK,
	       "advisory outage: the still-good token is served");
	ok(!(r.flags & ASKCRED_CRED_STALE),
	   "advisory outage: outside the mandatory window it is not stale");
	fetch(c, &w, &down, &r, &err);
	is_int(refresh_calls(), 1,
	       "advisory outage: no retry before the next attempt time");
	record_clear(&r);
	cache_close(c);
}

static void fresh_hit_and_miss_and_hard_errors(void)
{
	struct cache_windows w = {900, 600, 1, 0, 0, 0, 0};
	struct source up = {ASKCRED_OK, "tok-minted", 0, 0};
	struct source denied = {ASKCRED_DENIED, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	struct token_record r = {0};
	struct cache *c;

	fake_now = 2000000000;
	cfg.clock = fake_clock;
	c = open_or_bail(&cfg);
	cache_remove(c, WS_A, "default", &err);
	unlink(counter);
	up.expires_at = fake_now + 3600;
	is_int(fetch(c, &w, &up, &r, &err), ASKCRED_OK, "a miss refreshes");
	is_str(r.token.buf, "tok-minted", "a miss returns the new token");
	ok(!(r.flags & ASKCRED_CRED_FROM_CACHE), "fresh from the source");
	is_int(fetch(c, &w, &up, &r, &err), ASKCRED_OK, "a fresh entry hits");
	ok(r.flags & ASKCRED_CRED_FROM_CACHE, "the hit is marked from cache");
	is_int(refresh_calls(), 1, "a fresh hit does not call the source");
	w.min_validity = 3700;
	is_int(fetch(c, &w, &denied, &r, &err), ASKCRED_DENIED,
	       "min_validity beyond the token's life forces a refresh, and "
	       "a denial passes through");
	has_str(err.message, "fake source says", "with the source's reason");
	ok(r.token.buf == NULL, "and no token");
	record_clear(&r);
	cache_close(c);
}

/* A Retry-After longer than the cache's own backoff holds every process
 * back, and each process held back says why the last attempt failed. */
static void retry_after_and_last_cause_are_shared(void)
{
	struct cache_windows w = {900, 600, 1, 0, 0, 5, 300};
	struct source down = {ASKCRED_UNAVAILABLE, NULL, 0, 0};
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct cache_config cfg = env.cfg;
	struct token_record r = {0};
	struct cache *c, *peer;
	const int64_t t0 = 1900000000;
	long calls;

	cfg.clock = fake_clock;
	fake_now = t0;
	c = open_or_bail(&cfg);
	peer = open_or_bail(&cfg);
	calls = refresh_calls();
	source_not_before = t0 + 30;
	is_int(cache_get_or_refresh(c, WS_A, "retry", &w, refresh_cb, &down, &r,
				    &err),
	       ASKCRED_UNAVAILABLE, "Retry-After: the failing refresh fails");
	is_str(err.where, "source", "the error names where the source failed");
	has_str(err.message, "fake source says unavailable", "and its message");
	fake_now = t0 + 6;
	record_clear(&r);
	is_int(cache_get_or_refresh(peer, WS_A, "retry", &w, refresh_cb, &down,
				    &r, &err),
	       ASKCRED_UNAVAILABLE, "6 s later another process fails too");
	is_int(refresh_calls() - calls, 1,
	       "without calling the source: Retry-After 30 s beats the 5 s "
	       "backoff");
	is_str(err.where, "source",
	       "the process held back names where the last attempt failed");
	has_str(err.message, "fake source says unavailable", "and why");
	has_str(err.message, "next attempt in 24 s", "and when it will be");
	fake_now = t0 + 30;
	record_clear(&r);
	cache_get_or_refresh(peer, WS_A, "retry", &w, refresh_cb, &down, &r,
			     &err);
	is_int(refresh_calls() - calls, 2,
	       "at the time Retry-After asked for, the source is called");
	source_not_before = 0;
	record_clear(&r);
	cache_close(peer);
	cache_close(c);
}

int main(void)
{
	env_init(&env);
	snprintf(counter, sizeof(counter), "%s/refresh-calls", env.root);
	sixty_four_processes_refresh_an_expired_entry_once();
	advisory_window_one_refreshes_others_keep_old();
	mandatory_window_everyone_waits_and_adopts();
	outage_serves_stale_within_budget_and_backs_off();
	outage_never_serves_past_expiry();
	advisory_failure_keeps_token_without_stale_flag();
	fresh_hit_and_miss_and_hard_errors();
	retry_after_and_last_cause_are_shared();
	env_done(&env);
	return tap_done();
}
