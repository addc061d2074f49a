#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cache_int.h"
#include "error.h"

/* Defaults after botocore: refresh 15 minutes ahead, block at 10. */
#define DEFAULT_ADVISORY 900
#define DEFAULT_MANDATORY 600
#define DEFAULT_WAIT_MAX 10
#define DEFAULT_RETRY_MIN 5
#define DEFAULT_RETRY_MAX 300

struct flight {
	struct cache *c;
	const char *ws, *entry;
	const struct entry_paths *p;
	struct cache_windows w;
	cache_refresh_fn refresh;
	void *refresh_ctx;
	int64_t need;	  /* seconds of validity a usable token must have */
	int64_t advisory; /* refresh (if free to) below this validity */
	struct token_record cur;     /* the best token known so far, or empty */
	struct token_record adopted; /* found while waiting for the lock */
};

static void normalize(const struct cache_windows *in, struct cache_windows *w)
{
	static const struct cache_windows zero = {0, 0, 0, 0, 0, 0, 0};

	*w = in ? *in : zero;
	if (w->advisory == 0)
		w->advisory = DEFAULT_ADVISORY;
	if (w->mandatory == 0)
		w->mandatory = DEFAULT_MANDATORY;
	if (w->wait_max == 0)
		w->wait_max = DEFAULT_WAIT_MAX;
	if (w->retry_min == 0)
		w->retry_min = DEFAULT_RETRY_MIN;
	if (w->retry_max < w->retry_min)
		w->retry_max = w->retry_min > DEFAULT_RETRY_MAX
				       ? w->retry_min
				       : DEFAULT_RETRY_MAX;
}

static int valid_for(const struct token_record *r, int64_t now, int64_t secs)
{
	if (r->token.buf == NULL)
		return 0;
	return r->expires_at == 0 || r->expires_at - now > secs;
}

/* Hand rec to the caller; flags says where it came from. */
static askcred_status give(struct token_record *rec, uint32_t flags,
			   struct token_record *out)
{
	*out = *rec;
	memset(rec, 0, sizeof(*rec));
	out->flags = (out->flags & ~(uint32_t)(ASKCRED_CRED_STALE |
					       ASKCRED_CRED_FROM_CACHE)) |
		     flags;
	return ASKCRED_OK;
}

/* Between lock attempts: has the refresher's result reached the disk? */
static int adopt_poll(void *ctx)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct flight *f = ctx;

	if (store_load(f->c, f->ws, f->entry, f->p, &f->adopted, &ignored) !=
	    ASKCRED_OK)
		return 0;
	if (valid_for(&f->adopted, cache_now(f->c), f->need))
		return 1;
	record_clear(&f->adopted);
	return 0;
}

static uint32_t backoff(const struct cache_windows *w, uint32_t failures)
{
	uint64_t d = w->retry_min;

	while (failures-- > 1 && d < w->retry_max)
		d *= 2;
	return d > w->retry_max ? w->retry_max : (uint32_t)d;
}

/* The source is down: serve the cached token, flagged stale, while it is
 * valid and the outage is younger than the budget. Otherwise the error
 * names why the last attempt failed (where it failed, and its message) and
 * when the next one may be made, for the process that made the attempt
 * and for every process the backoff holds back. */
static askcred_status serve_stale(struct flight *f,
				  const struct cache_state *st, int64_t now,
				  struct token_record *out,
				  struct askcred_error *err)
{
	const char *why;

	if (valid_for(&f->cur, now, f->need))
		return give(&f->cur, ASKCRED_CRED_FROM_CACHE, out);
	if (f->w.stale_budget > 0 && valid_for(&f->cur, now, 0) &&
	    now - st->outage_since <= (int64_t)f->w.stale_budget)
		return give(&f->cur,
			    ASKCRED_CRED_FROM_CACHE | ASKCRED_CRED_STALE, out);
	why = !valid_for(&f->cur, now, 0) ? "no valid cached token"
					  : "stale budget spent";
	if (st->last_error[0] == '\0')
		return err_set(err, ASKCRED_UNAVAILABLE, f->p->name,
			       "token source unavailable for %" PRId64
			       " s (next attempt in %" PRId64 " s); %s",
			       now - st->outage_since,
			       st->next_attempt > now ? st->next_attempt - now
						      : 0,
			       why);
	return err_set(err, ASKCRED_UNAVAILABLE,
		       st->last_where[0] ? st->last_where : f->p->name,
		       "%s; %s for %s: token source unavailable for %" PRId64
		       " s, next attempt in %" PRId64 " s",
		       st->last_error, why, f->p->name, now - st->outage_since,
		       st->next_attempt > now ? st->next_attempt - now : 0);
}

/* With the entry lock held: call the source once, or not at all while an
 * outage's next attempt is in the future. */
static askcred_status refresh_locked(struct flight *f, struct token_record *out,
				     struct askcred_error *err)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct cache_state st, clean = {0};
	struct token_record fresh = {0};
	int64_t now = cache_now(f->c), not_before = 0;
	askcred_status rc;

	/* A damaged state holds no outage, and its floor is recovered: a
	 * failure recorded below must not lower it. */
	(void)store_floor_locked(f->c, f->ws, f->entry, f->p, &st);
	if (st.next_attempt > now)
		return serve_stale(f, &st, now, out, err);
	rc = f->refresh(f->refresh_ctx, &fresh, &not_before, err);
	if (rc == ASKCRED_OK) {
		if (strcmp(fresh.workspace_id, f->ws) != 0) {
			record_clear(&fresh);
			return err_set(err, ASKCRED_INTERNAL, "refresh",
				       "source returned a token for another "
				       "workspace");
		}
		/* A token we could not store is still a good token
		 * (marked: cached_at stays 0). */
		(void)store_save_locked(f->c, f->ws, f->entry, f->p, &fresh,
					&clean, &ignored);
		return give(&fresh, 0, out);
	}
	record_clear(&fresh);
	if (rc != ASKCRED_UNAVAILABLE)
		return rc;
	now = cache_now(f->c);
	if (st.outage_since == 0)
		st.outage_since = now;
	if (st.failures < UINT32_MAX)
		st.failures++;
	st.next_attempt = now + backoff(&f->w, st.failures);
	/* The server's Retry-After wins over a shorter backoff of ours. */
	if (not_before > st.next_attempt)
		st.next_attempt = not_before;
	state_set_failure(&st, err);
	store_save_state_locked(f->p, &st, &ignored);
	return serve_stale(f, &st, now, out, err);
}

/* Inside the advisory window: refresh only if nobody else is. */
static askcred_status advisory(struct flight *f, struct token_record *out,
			       struct askcred_error *err)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct cache_lock lock = CACHE_LOCK_INIT;
	struct token_record disk = {0};
	struct cache_state st;
	askcred_status rc;

	if (state_read(f->p->state, &st, &ignored) == ASKCRED_OK &&
	    st.next_attempt > cache_now(f->c))
		return give(&f->cur, ASKCRED_CRED_FROM_CACHE, out);
	if (lock_acquire(&f->c->locks, f->p->lock, 0, NULL, NULL, &lock,
			 &ignored) != ASKCRED_OK)
		return give(&f->cur, ASKCRED_CRED_FROM_CACHE, out);
	if (store_load(f->c, f->ws, f->entry, f->p, &disk, &ignored) ==
		    ASKCRED_OK &&
	    valid_for(&disk, cache_now(f->c), f->advisory)) {
		rc = give(&disk, ASKCRED_CRED_FROM_CACHE, out);
	} else {
		rc = refresh_locked(f, out, err);
	}
	record_clear(&disk);
	lock_release(&lock);
	return rc;
}

/* Inside the mandatory window, expired or missing: wait for the lock,
 * adopting another process's result as soon as it lands. */
static askcred_status mandatory(struct flight *f, struct token_record *out,
				struct askcred_error *err)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct cache_lock lock = CACHE_LOCK_INIT;
	struct token_record disk = {0};
	askcred_status rc;

	rc = lock_acquire(&f->c->locks, f->p->lock, f->w.wait_max * 1000u,
			  adopt_poll, f, &lock, err);
	if (rc == ASKCRED_IGNORE) {
		err_clear(err);
		return give(&f->adopted, ASKCRED_CRED_FROM_CACHE, out);
	}
	if (rc != ASKCRED_OK) {
		/* The refresher is slow; a token that still satisfies the
		 * caller beats an error. */
		if (valid_for(&f->cur, cache_now(f->c), f->w.min_validity)) {
			err_clear(err);
			return give(&f->cur, ASKCRED_CRED_FROM_CACHE, out);
		}
		return rc;
	}
	if (store_load(f->c, f->ws, f->entry, f->p, &disk, &ignored) ==
	    ASKCRED_OK) {
		if (valid_for(&disk, cache_now(f->c), f->need)) {
			rc = give(&disk, ASKCRED_CRED_FROM_CACHE, out);
			goto out;
		}
		record_clear(&f->cur);
		f->cur = disk;
		memset(&disk, 0, sizeof(disk));
	}
	rc = refresh_locked(f, out, err);
out:
	record_clear(&disk);
	lock_release(&lock);
	return rc;
}

askcred_status cache_get_or_refresh(struct cache *c, const char *workspace,
				    const char *entry,
				    const struct cache_windows *win,
				    cache_refresh_fn refresh, void *ctx,
				    struct token_record *out,
				    struct askcred_error *err)
{
	struct askcred_error local = ASKCRED_ERROR_INIT, miss;
	struct entry_paths p;
	struct flight f;
	int64_t now;
	askcred_status rc;

	if (err == NULL)
		err = &local;
	rc = store_read_paths(c, workspace, entry, out, &p, err);
	if (rc != ASKCRED_OK)
		return rc;
	memset(&f, 0, sizeof(f));
	f.c = c;
	f.ws = workspace;
	f.entry = entry;
	f.p = &p;
	f.refresh = refresh;
	f.refresh_ctx = ctx;
	normalize(win, &f.w);
	f.need = f.w.mandatory > f.w.min_validity ? f.w.mandatory
						  : f.w.min_validity;
	f.advisory = f.w.advisory > f.need ? f.w.advisory : f.need;
	miss = local;
	/* A miss (absent, corrupt, foreign, replayed) is just a miss here;
	 * the next write replaces the file. An unusable file is worth a
	 * line in the log, though: it may be an attack or a broken disk. */
	/* The paths are built: read at them rather than build them again. */
	rc = cache_read_at(c, workspace, entry, &p, &f.cur, &miss);
	if (rc != ASKCRED_OK)
		record_clear(&f.cur);
	if (rc != ASKCRED_OK && rc != ASKCRED_NOT_FOUND && c->log != NULL) {
		char line[ASKCRED_ERROR_WHERE_MAX + ASKCRED_ERROR_MESSAGE_MAX +
			  64];

		snprintf(line, sizeof(line),
			 "cache entry %s unusable, treated as a miss: %s",
			 miss.where, miss.message);
		c->log(c->log_ctx, ASKCRED_LOG_WARNING, line);
	}
	now = cache_now(c);
	if (valid_for(&f.cur, now, f.advisory))
		return give(&f.cur, ASKCRED_CRED_FROM_CACHE, out);
	if (valid_for(&f.cur, now, f.need))
		rc = advisory(&f, out, err);
	else
		rc = mandatory(&f, out, err);
	record_clear(&f.cur);
	record_clear(&f.adopted);
	return rc;
}
