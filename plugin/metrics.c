#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cache/cache.h"
#include "cache/cache_fs.h"
#include "cache/cache_lock.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "metrics.h"
#include "metrics_file.h"
#include "pending.h"
#include "source/source.h"

/* How long a process waits for another's metrics write. Past it, its
 * counts go to a spool file that the next writer adds in: never lost,
 * and a fetch is never held up for long by metrics. */
#define LOCK_WAIT_MS 2000
/* A run of memory hits only is saved at most this often. */
#define HIT_FLUSH_MS 1000
/* Spool files one write adds at most (the rest wait for the next). */
#define SPOOL_BATCH 64
#define SPOOL_PREFIX "spool-"
#define RENDER_MAX 16384

struct metrics {
	pthread_mutex_t mu;
	struct metrics_totals delta; /* not yet saved; under mu */
	int dirty, urgent;	     /* under mu */
	int64_t last_flush_ms;	     /* under mu */
	char *file;
	char dir[FS_PATH_MAX]; /* <cache dir>/metrics */
	int make_parents;      /* the default cache directory: create it */
	char state[FS_PATH_MAX], lock[FS_PATH_MAX];
	struct lock_table locks;
	const struct log_sink *log;
};

static void warn(const struct metrics *m, const struct askcred_error *err,
		 const char *what)
{
	plog(m->log, ASKCRED_LOG_WARNING, "metrics: %s: %s%s%s", err->where,
	     err->message, what ? "; " : "", what ? what : "");
}

struct metrics *metrics_open(const struct plugin_config *cfg, const char *dir,
			     const struct log_sink *log)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	char base[FS_PATH_MAX];
	struct metrics *m;
	askcred_status rc;

	if (cfg->metrics_file == NULL)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m == NULL || (m->file = strdup(cfg->metrics_file)) == NULL ||
	    pthread_mutex_init(&m->mu, NULL) != 0) {
		plog(log, ASKCRED_LOG_WARNING,
		     "metrics: out of memory; metrics_file is not written");
		if (m != NULL)
			free(m->file);
		free(m);
		return NULL;
	}
	if (lock_table_init(&m->locks) != 0) {
		plog(log, ASKCRED_LOG_WARNING,
		     "metrics: no lock; metrics_file is not written");
		pthread_mutex_destroy(&m->mu);
		free(m->file);
		free(m);
		return NULL;
	}
	m->log = log;
	if (dir != NULL)
		rc = fs_path(base, &err, "%s", dir);
	else if (cfg->cache_dir != NULL)
		rc = fs_path(base, &err, "%s", cfg->cache_dir);
	else {
		rc = cache_default_dir(base, &err);
		m->make_parents = 1;
	}
	if (rc == ASKCRED_OK)
		rc = fs_path(m->dir, &err, "%s/metrics", base);
	if (rc == ASKCRED_OK)
		rc = fs_path(m->state, &err, "%s/state", m->dir);
	if (rc == ASKCRED_OK)
		rc = fs_path(m->lock, &err, "%s/lock", m->dir);
	if (rc != ASKCRED_OK) {
		warn(m, &err, "metrics_file is not written");
		metrics_close(m, NULL);
		return NULL;
	}
	m->last_flush_ms = monotonic_ms();
	return m;
}

void metrics_count(struct metrics *m, enum metrics_event ev)
{
	if (m == NULL || ev >= METRICS_EVENTS)
		return;
	pthread_mutex_lock(&m->mu);
	m->delta.events[ev]++;
	m->dirty = 1;
	m->urgent |= ev != METRICS_HIT;
	pthread_mutex_unlock(&m->mu);
}

void metrics_refusal(struct metrics *m, const char *reason)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	metrics_add_refusal(&m->delta, reason, 1);
	m->dirty = m->urgent = 1;
	pthread_mutex_unlock(&m->mu);
}

void metrics_askui_success(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->delta.last_askui_success = (int64_t)time(NULL);
	m->dirty = m->urgent = 1;
	pthread_mutex_unlock(&m->mu);
}

void metrics_expiry(struct metrics *m, const char *workspace, const char *entry,
		    int64_t expires_at)
{
	if (m == NULL || workspace == NULL || entry == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	metrics_set_expiry(&m->delta, workspace, entry,
			   expires_at > 0 ? expires_at : 0);
	m->dirty = 1;
	pthread_mutex_unlock(&m->mu);
}

/* Counts that could not wait for the lock: a file of their own, added in
 * by the next writer. */
static askcred_status spool(struct metrics *m, const struct metrics_totals *t,
			    struct askcred_error *err)
{
	unsigned char r[8];
	char path[FS_PATH_MAX];
	askcred_status rc;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return err_set(err, ASKCRED_INTERNAL, "RAND_bytes",
			       "no randomness for a spool name");
	rc = fs_path(path, err,
		     "%s/" SPOOL_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x",
		     m->dir, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	return rc == ASKCRED_OK ? metrics_state_write(path, t, err) : rc;
}

/* With the lock held: add every spool file to total; their names go to
 * names (SPOOL_BATCH x FS_PATH_MAX) for removal once total is saved. */
static size_t take_spools(struct metrics *m, struct metrics_totals *total,
			  char (*names)[FS_PATH_MAX])
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct metrics_totals *one = malloc(sizeof(*one));
	struct dirent *d;
	size_t n = 0;
	DIR *dp;

	dp = one != NULL ? opendir(m->dir) : NULL;
	while (dp != NULL && n < SPOOL_BATCH && (d = readdir(dp)) != NULL) {
		if (strncmp(d->d_name, SPOOL_PREFIX, strlen(SPOOL_PREFIX)) !=
			    0 ||
		    strchr(d->d_name, FS_TMP_MARK) != NULL ||
		    fs_path(names[n], &err, "%s/%s", m->dir, d->d_name) !=
			    ASKCRED_OK)
			continue;
		if (metrics_state_read(names[n], one, &err) == ASKCRED_OK)
			metrics_merge(total, one);
		else
			warn(m, &err, "those counts are dropped");
		n++;
	}
	if (dp != NULL)
		closedir(dp);
	free(one);
	return n;
}

struct work {
	struct metrics_totals total;
	char spools[SPOOL_BATCH][FS_PATH_MAX];
	char text[RENDER_MAX];
};

/* Add mine to the totals and render them. Fails (mine not saved) only
 * when neither the state nor a spool file could be written. */
static askcred_status save(struct metrics *m, const struct source_ctx *sc,
			   const struct metrics_totals *mine,
			   struct askcred_error *err)
{
	struct askcred_error soft = ASKCRED_ERROR_INIT;
	struct cache_lock lock = CACHE_LOCK_INIT;
	struct work *w;
	size_t n_spools, len;
	askcred_status rc;

	rc = fs_private_dir(m->dir, m->make_parents, err);
	if (rc != ASKCRED_OK)
		return rc;
	rc = lock_acquire(&m->locks, m->lock, LOCK_WAIT_MS, NULL, NULL, &lock,
			  err);
	if (rc == ASKCRED_UNAVAILABLE)
		return spool(m, mine, err);
	if (rc != ASKCRED_OK)
		return rc;
	w = malloc(sizeof(*w));
	if (w == NULL) {
		lock_release(&lock);
		return err_set(err, ASKCRED_NO_MEMORY, m->dir, "out of memory");
	}
	if (metrics_state_read(m->state, &w->total, &soft) != ASKCRED_OK)
		warn(m, &soft,
		     "the counters restart from zero (remove the file to "
		     "silence this)");
	n_spools = take_spools(m, &w->total, w->spools);
	metrics_merge(&w->total, mine);
	rc = metrics_state_write(m->state, &w->total, err);
	if (rc == ASKCRED_OK) {
		for (size_t i = 0; i < n_spools; i++)
			unlink(w->spools[i]);
		/* Rendered under the lock, so a slower writer never puts
		 * an older file over a newer one. */
		len = metrics_render(&w->total, pending_count(sc),
				     (int64_t)time(NULL), w->text,
				     sizeof(w->text));
		err_clear(&soft);
		if (len == 0)
			err_set(&soft, ASKCRED_INTERNAL, m->file,
				"metrics text too long");
		if (len == 0 ||
		    metrics_publish(m->file, w->text, len, &soft) != ASKCRED_OK)
			warn(m, &soft,
			     "the counts are saved; the next call writes the "
			     "file again");
	}
	lock_release(&lock);
	free(w);
	return rc;
}

static void flush(struct metrics *m, const struct source_ctx *sc, int force)
{
	struct askcred_error err = ASKCRED_ERROR_INIT;
	struct metrics_totals mine, back;
	int64_t now = monotonic_ms();

	pthread_mutex_lock(&m->mu);
	if (!m->dirty ||
	    (!force && !m->urgent && now - m->last_flush_ms < HIT_FLUSH_MS)) {
		pthread_mutex_unlock(&m->mu);
		return;
	}
	mine = m->delta;
	memset(&m->delta, 0, sizeof(m->delta));
	m->dirty = m->urgent = 0;
	m->last_flush_ms = now;
	pthread_mutex_unlock(&m->mu);
	if (save(m, sc, &mine, &err) == ASKCRED_OK)
		return;
	warn(m, &err, "the counts are kept for the next write");
	/* Put them back under what came meanwhile (newer expiries win). */
	pthread_mutex_lock(&m->mu);
	back = mine;
	metrics_merge(&back, &m->delta);
	m->delta = back;
	m->dirty = 1;
	pthread_mutex_unlock(&m->mu);
}

void metrics_flush(struct metrics *m, const struct source_ctx *sc)
{
	if (m != NULL)
		flush(m, sc, 0);
}

void metrics_close(struct metrics *m, const struct source_ctx *sc)
{
	if (m == NULL)
		return;
	if (sc != NULL)
		flush(m, sc, 1);
	lock_table_destroy(&m->locks);
	pthread_mutex_destroy(&m->mu);
	free(m->file);
	free(m);
}
