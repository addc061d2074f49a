#include "config.h"

#include <string.h>

#include <openssl/rand.h>

#include "cache/cache.h"
#include "credcheck.h"
#include "enforce.h"
#include "error.h"
#include "log.h"
#include "metrics.h"
#include "obtain.h"
#include "plugin_config.h"
#include "remote.h"
#include "secret.h"
#include "source/source.h"
#include "timefmt.h"

static void cache_log(void *ctx, int level, const char *message)
{
	const struct source_ctx *sc = ctx;

	plog(sc->log, level, "%s", message);
}

askcred_status obtain_open_cache(struct source_ctx *sc,
				 struct askcred_error *err)
{
	struct cache_config cc;

	if (!sc->cfg->cache || !sc->source->disk_cache)
		return ASKCRED_OK;
	memset(&cc, 0, sizeof(cc));
	cc.dir = sc->cfg->cache_dir;
	cc.key_file = sc->cfg->cache_key_file;
	cc.key_credential = sc->cfg->cache_key_credential[0]
				    ? sc->cfg->cache_key_credential
				    : NULL;
	cc.passphrase_file = sc->cfg->cache_passphrase_file;
	cc.log = cache_log;
	cc.log_ctx = sc;
	return cache_open(&cc, &sc->cache, err);
}

/* A random share of the policy's jitter, so that a fleet whose tokens were
 * minted together does not come back together. */
static uint32_t jitter(int64_t max)
{
	uint32_t r = 0;

	if (max <= 0 || RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0;
	return (uint32_t)(r % ((uint64_t)max + 1));
}

static uint32_t pick(int64_t policy, uint32_t local)
{
	return policy >= 0 ? (uint32_t)policy : local;
}

/* Refresh windows as long as the token's life would put every call inside
 * them, and every call would mint a token (a mint storm). So for minted
 * tokens the windows are cut to shares of the lifetime asked for (after
 * the policy's max_lifetime): advisory to a half, mandatory to a quarter.
 * A token is then shared for at least half its life; min_validity, a
 * need of the caller, is left as it is. A zero window means the cache's
 * default, so it is cut too. */
#define WINDOW_ADVISORY_SHARE 2
#define WINDOW_MANDATORY_SHARE 4
static void fit_windows(const struct source_ctx *sc, int64_t lifetime,
			struct cache_windows *w)
{
	int64_t adv = lifetime / WINDOW_ADVISORY_SHARE;
	int64_t man = lifetime / WINDOW_MANDATORY_SHARE;
	char l[DURATION_BUFSZ], a[DURATION_BUFSZ], m[DURATION_BUFSZ];

	adv = adv > 0 ? adv : 1;
	man = man > 0 ? man : 1;
	if (w->advisory != 0 && w->advisory <= adv && w->mandatory != 0 &&
	    w->mandatory <= man)
		return;
	if (w->advisory == 0 || w->advisory > adv)
		w->advisory = (uint32_t)adv;
	if (w->mandatory == 0 || w->mandatory > man)
		w->mandatory = (uint32_t)man;
	duration_format((uint64_t)lifetime, l);
	duration_format(w->advisory, a);
	duration_format(w->mandatory, m);
	plog(sc->log, ASKCRED_LOG_INFO,
	     "minted tokens live %s: refresh windows cut to advisory %s, "
	     "mandatory %s",
	     l, a, m);
}

/* How long a caller waits for another process's refresh: as long as
 * that refresh may take by the configuration (one whole server call, or
 * the command's run), and a margin for the cache write and the machine's
 * load. A shorter wait failed callers while the refresher, within its
 * own timeout=, was still on its way to a good token. */
#define REFRESH_WAIT_MARGIN 10
static uint32_t refresh_bound(const struct source_ctx *sc)
{
	uint32_t call = sc->source == &source_exec ? sc->cfg->command_timeout
						   : sc->cfg->net.timeout;

	return call + REFRESH_WAIT_MARGIN;
}

static void windows(const struct source_ctx *sc,
		    const struct askcred_request *req, struct cache_windows *w)
{
	struct enforce_limits lim;

	enforce_limits(sc->gate, &lim);
	memset(w, 0, sizeof(*w));
	w->advisory = pick(lim.windows.advisory, sc->cfg->advisory_window) +
		      jitter(lim.windows.jitter);
	w->mandatory = pick(lim.windows.mandatory, sc->cfg->mandatory_window);
	if (w->mandatory > w->advisory)
		w->mandatory = w->advisory;
	if (sc->source == &source_mint)
		fit_windows(sc, mint_lifetime(sc, req), w);
	w->min_validity = req->min_validity;
	w->stale_budget = pick(lim.grace_budget, sc->cfg->stale_budget);
	w->wait_max = refresh_bound(sc);
}

/* Ask the source, and let the policy judge what it gave before anybody
 * (the cache included) keeps it. */
static askcred_status fetch_judged(const struct source_ctx *sc,
				   const struct askcred_request *req,
				   struct token_record *rec,
				   struct askcred_error *err)
{
	enum policy_op op = (req->flags & ASKCRED_REQ_FORCE_REFRESH)
				    ? POLICY_OP_REFRESH
				    : POLICY_OP_FETCH;
	askcred_status rc;

	/* A source the policy refuses is never asked: an exec command or a
	 * broker must not run for a credential that cannot be handed out.
	 * Only a refusal is audited here; the hand-out is audited below. */
	rc = enforce_check(sc->gate, op, NULL, req->workspace_id, req->purpose,
			   ENFORCE_QUIET, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = sc->source->fetch(sc, req, rec, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = enforce_check(sc->gate, op, rec, rec->workspace_id, req->purpose,
			   0, err);
	if (rc != ASKCRED_OK)
		record_clear(rec);
	return rc;
}

struct refresh_ctx {
	const struct source_ctx *sc;
	const struct askcred_request *req;
	int asked;     /* the source was called */
	int had_token; /* ... with a token (maybe expired) in the entry */
};

/* Is there a token in the entry now, good or not? Only asked when
 * metrics are on, and only before a source call, which costs far more. */
static int entry_holds_token(const struct source_ctx *sc, const char *ws)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	struct token_record cur = {0};
	int held = cache_read(sc->cache, ws, sc->cfg->entry, &cur, &ignored) ==
		   ASKCRED_OK;

	record_clear(&cur);
	return held;
}

/* Called by the cache with the entry lock held: one caller per entry at a
 * time across every process asks the source. A server's Retry-After goes
 * to the cache, which keeps it for every process. */
static askcred_status refresh(void *ctx, struct token_record *out,
			      int64_t *not_before, struct askcred_error *err)
{
	struct refresh_ctx *r = ctx;
	askcred_status rc;

	r->asked = 1;
	if (r->sc->metrics != NULL)
		r->had_token = entry_holds_token(r->sc, r->req->workspace_id);
	rc = fetch_judged(r->sc, r->req, out, err);
	/* The net module is loaded by the fetch, if it went to the network
	 * at all. */
	if (rc == ASKCRED_UNAVAILABLE && r->sc->net->ops != NULL &&
	    r->sc->net->client != NULL)
		*not_before =
			r->sc->net->ops->retry_not_before(r->sc->net->client);
	return rc;
}

/* A new token from the source, stored for every process. */
static askcred_status replace(const struct source_ctx *sc,
			      const struct askcred_request *req,
			      struct token_record *rec,
			      struct askcred_error *err)
{
	struct askcred_error ignored = ASKCRED_ERROR_INIT;
	askcred_status rc = fetch_judged(sc, req, rec, err);

	if (rc == ASKCRED_OK)
		metrics_count(sc->metrics, METRICS_REFRESH);
	/* A token we could not store is still a good token. */
	if (rc == ASKCRED_OK &&
	    cache_write(sc->cache, req->workspace_id, sc->cfg->entry, rec,
			&ignored) != ASKCRED_OK)
		plog(sc->log, ASKCRED_LOG_WARNING, "cache: %s",
		     ignored.message);
	return rc;
}

/* What one pass through the disk cache was, for metrics_file=, once the
 * policy let a cached token through. (One it refused is replaced: that
 * counts as a refresh; a refusal is counted only when the request ends
 * refused, by the instance.) */
static void count_flight(const struct source_ctx *sc,
			 const struct refresh_ctx *ctx, askcred_status rc,
			 const struct token_record *rec)
{
	if (sc->metrics == NULL)
		return;
	if (rc == ASKCRED_OK && (rec->flags & ASKCRED_CRED_STALE)) {
		metrics_count(sc->metrics, METRICS_STALE);
		return;
	}
	if (rc == ASKCRED_OK && (rec->flags & ASKCRED_CRED_FROM_CACHE)) {
		metrics_count(sc->metrics, METRICS_HIT);
		return;
	}
	metrics_count(sc->metrics, METRICS_MISS);
	if (rc == ASKCRED_OK && ctx->asked)
		metrics_count(sc->metrics,
			      ctx->had_token ? METRICS_REFRESH : METRICS_MINT);
}

askcred_status obtain(const struct source_ctx *sc,
		      const struct askcred_request *req,
		      struct token_record *rec, struct askcred_error *err)
{
	struct refresh_ctx ctx = {sc, req, 0, 0};
	struct cache_windows w;
	askcred_status rc;

	if (sc->cache == NULL || req->workspace_id == NULL ||
	    (req->flags & ASKCRED_REQ_NO_CACHE) != 0) {
		rc = fetch_judged(sc, req, rec, err);
		/* A token of its own (a job's) or of a source worth
		 * caching with the cache off: a new one each time. */
		if (rc == ASKCRED_OK && sc->source->disk_cache)
			metrics_count(sc->metrics, METRICS_MINT);
		return rc;
	}
	if ((req->flags & ASKCRED_REQ_FORCE_REFRESH) != 0)
		return replace(sc, req, rec, err);
	windows(sc, req, &w);
	rc = cache_get_or_refresh(sc->cache, req->workspace_id, sc->cfg->entry,
				  &w, refresh, &ctx, rec, err);
	/* What the cache kept was judged when it was stored; the policy may
	 * have changed since, or the token aged past max_cache_age. Then a
	 * new one is obtained (and judged) in its place, once. */
	if (rc == ASKCRED_OK && (rec->flags & ASKCRED_CRED_FROM_CACHE)) {
		rc = enforce_check(sc->gate, POLICY_OP_CACHE_READ, rec,
				   rec->workspace_id, req->purpose,
				   ENFORCE_CACHED, err);
		if (rc == ASKCRED_DENIED) {
			plog(sc->log, ASKCRED_LOG_NOTICE,
			     "cached token refused (%s); obtaining a new one",
			     err->message);
			record_clear(rec);
			err_clear(err);
			return replace(sc, req, rec, err);
		}
		if (rc != ASKCRED_OK) {
			record_clear(rec);
			return rc;
		}
	}
	count_flight(sc, &ctx, rc, rec);
	return rc;
}

void obtain_forget(const struct source_ctx *sc,
		   const struct askcred_credential *cred)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct token_record cur = {0};

	if (sc->cache == NULL || !is_uuid4(cred->workspace_id))
		return;
	/* Only the entry that still holds this very token: another process
	 * may already have replaced it with a good one. */
	if (cache_read(sc->cache, cred->workspace_id, sc->cfg->entry, &cur,
		       &err) == ASKCRED_OK &&
	    secret_equals(&cur.token, cred->token, cred->token_len) &&
	    cache_remove(sc->cache, cred->workspace_id, sc->cfg->entry, &err) !=
		    ASKCRED_OK)
		plog(sc->log, ASKCRED_LOG_WARNING, "cache: %s", err.message);
	else if (cur.token.buf != NULL)
		metrics_expiry(sc->metrics, cred->workspace_id, sc->cfg->entry,
			       0);
	record_clear(&cur);
}
